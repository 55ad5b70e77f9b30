"""A sequence classifier on nn.TransformerEncoder (batch_first, pre-norm layers, GELU) over
padded variable-length token sequences: a [CLS]-free masked mean pool, src_key_padding_mask
from the lengths, a learned positional embedding initialised with nn.init.normal_,
CrossEntropyLoss with label smoothing, AdamW with weight decay off for biases/norms (two
param groups), a linear warmup written by editing param_groups, clip_grad_norm_; then a
test pass in eval mode under torch.no_grad() for loss and accuracy."""
import math

import ember as torch
import ember.nn as nn
from ember.nn.utils.rnn import pad_sequence

PAD = 0


class TransformerClassifier(nn.Module):
    def __init__(self, vocab_size=40, d_model=16, nhead=4, num_layers=2, num_classes=3,
                 max_len=32):
        super().__init__()
        self.d_model = d_model
        self.embedding = nn.Embedding(vocab_size, d_model, padding_idx=PAD)
        self.pos_embedding = nn.Parameter(torch.empty(1, max_len, d_model))
        nn.init.normal_(self.pos_embedding, std=0.02)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=32, dropout=0.1,
                                           activation="gelu", batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, norm=nn.LayerNorm(d_model),
                                             enable_nested_tensor=False)
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, tokens, padding_mask):
        x = self.embedding(tokens) * math.sqrt(self.d_model)
        x = x + self.pos_embedding[:, :tokens.size(1)]
        x = self.encoder(x, src_key_padding_mask=padding_mask)
        keep = (~padding_mask).unsqueeze(-1).type_as(x)
        pooled = (x * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1.0)
        return self.head(pooled)


def make_model(device):
    return TransformerClassifier().to(device)


def make_data(rng, n_train=24, n_test=12):
    """Class c: sequences drawn mostly from tokens [1 + 13c, 14 + 13c)."""
    def split(n):
        samples = []
        for _ in range(n):
            label = int(rng.integers(0, 3))
            length = int(rng.integers(3, 11))
            own = rng.integers(1 + 13 * label, 14 + 13 * label, length)
            noise = rng.integers(1, 40, length)
            keep = rng.random(length) < 0.7
            samples.append(([int(o) if k else int(z) for o, z, k in zip(own, noise, keep)],
                            label))
        return samples
    return split(n_train), split(n_test)


def collate(samples):
    tokens = pad_sequence([torch.tensor(seq) for seq, _ in samples], batch_first=True,
                          padding_value=PAD)
    lengths = torch.tensor([len(seq) for seq, _ in samples])
    padding_mask = torch.arange(tokens.size(1)).unsqueeze(0) >= lengths.unsqueeze(1)
    return tokens, padding_mask, torch.tensor([label for _, label in samples])


def train(model, data, steps, device, batch_size=6, base_lr=3e-3, warmup=4):
    train_set, test_set = data
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if name.endswith("bias") or "norm" in name or "embedding" in name
         else decay).append(p)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=base_lr)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    numbers, step = [], 0
    for epoch in range(steps):
        model.train()
        for start in range(0, len(train_set), batch_size):
            tokens, mask, labels = collate(train_set[start:start + batch_size])
            step += 1
            for group in optimizer.param_groups:
                group["lr"] = base_lr * min(1.0, step / warmup)
            optimizer.zero_grad()
            loss = criterion(model(tokens.to(device), mask.to(device)), labels.to(device))
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            numbers += [loss.item(), norm.item()]
        model.eval()
        with torch.no_grad():
            tokens, mask, labels = collate(test_set)
            logits = model(tokens.to(device), mask.to(device))
            numbers += [criterion(logits, labels).item(),
                        (logits.argmax(-1) == labels).float().mean().item()]
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 2, "cpu"))
