"""A small Vision Transformer in the style of the common ViT examples: patch embedding with a
strided Conv2d, class token and learned positions as Parameters, batch_first pre-norm
nn.TransformerEncoder with GELU, label smoothing, AdamW with OneCycleLR, gradient clipping."""
import ember as torch
import ember.nn as nn
import ember.optim as optim


class ViT(nn.Module):
    def __init__(self, image_size=16, patch_size=4, num_classes=10, dim=32, depth=2, heads=4,
                 mlp_dim=64, dropout=0.1):
        super().__init__()
        num_patches = (image_size // patch_size) ** 2
        self.patch_embed = nn.Conv2d(3, dim, kernel_size=patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embedding = nn.Parameter(torch.randn(1, num_patches + 1, dim) * 0.02)
        layer = nn.TransformerEncoderLayer(dim, heads, mlp_dim, dropout, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.transformer = nn.TransformerEncoder(layer, depth)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, img):
        x = self.patch_embed(img).flatten(2).transpose(1, 2)  # (B, patches, dim)
        cls_tokens = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat((cls_tokens, x), dim=1) + self.pos_embedding
        x = self.transformer(x)
        return self.head(self.norm(x[:, 0]))


def make_model(device):
    return ViT().to(device)


def make_data(rng, steps=4, batch_size=8):
    images = rng.standard_normal((steps + 1, batch_size, 3, 16, 16)).astype("float32")
    return images, rng.integers(0, 10, (steps + 1, batch_size))


def train(model, data, steps, device):
    images, labels = data
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    optimizer = optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=steps + 1)
    numbers = []
    model.train()
    for step in range(steps):
        x = torch.from_numpy(images[step]).to(device)
        y = torch.from_numpy(labels[step]).to(device)
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
        numbers += [loss.item(), scheduler.get_last_lr()[0]]
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(images[-1]).to(device))
        numbers.append(criterion(logits, torch.from_numpy(labels[-1])).item())
        numbers.append(float((logits.argmax(1) == torch.from_numpy(labels[-1])).sum()))
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 4, "cpu"))
