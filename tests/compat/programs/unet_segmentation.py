"""A small U-Net for binary segmentation: DoubleConv blocks (Conv2d, BatchNorm2d, ReLU),
MaxPool2d down, ConvTranspose2d up with torch.cat skip connections, a 1x1 head, weights
set by model.apply(nn.init.kaiming_normal_ ...), BCEWithLogitsLoss with pos_weight, Adam
with a lowered lr in a parameter group, a forward hook on the bottleneck, and IoU/Dice on
sigmoid > 0.5 in eval mode."""
import ember as torch
import ember.nn as nn
import ember.nn.functional as F


class DoubleConv(nn.Module):
    """(convolution => [BN] => ReLU) * 2"""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(in_channels, out_channels))

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
        self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x1, x2):
        x1 = self.up(x1)
        # pad in case the skip connection is larger (odd input sizes)
        diff_y = x2.size()[2] - x1.size()[2]
        diff_x = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diff_x // 2, diff_x - diff_x // 2, diff_y // 2, diff_y - diff_y // 2])
        x = torch.cat([x2, x1], dim=1)
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, n_channels=1, n_classes=1, width=4):
        super().__init__()
        self.inc = DoubleConv(n_channels, width)
        self.down1 = Down(width, width * 2)
        self.down2 = Down(width * 2, width * 4)
        self.up1 = Up(width * 4, width * 2)
        self.up2 = Up(width * 2, width)
        self.outc = nn.Conv2d(width, n_classes, kernel_size=1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x = self.up1(x3, x2)
        x = self.up2(x, x1)
        return self.outc(x)


def init_weights(m):
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.ones_(m.weight)
        nn.init.constant_(m.bias, 0.0)


def make_model(device):
    model = UNet().to(device)
    model.apply(init_weights)
    return model


def make_data(rng, n=12, size=16):
    """Noisy images of bright discs; the mask is the disc."""
    yy, xx = (a.astype("float32") for a in __import__("numpy").mgrid[0:size, 0:size])
    images, masks = [], []
    for _ in range(n):
        cy, cx = rng.uniform(4, size - 4, 2)
        r = rng.uniform(2, 4)
        mask = ((yy - cy) ** 2 + (xx - cx) ** 2 <= r * r).astype("float32")
        images.append(mask + 0.3 * rng.standard_normal((size, size)).astype("float32"))
        masks.append(mask)
    stack = __import__("numpy").stack
    return stack(images)[:, None].astype("float32"), stack(masks)[:, None].astype("float32")


def dice_and_iou(logits, target, eps=1e-6):
    pred = (torch.sigmoid(logits) > 0.5).float()
    intersection = (pred * target).sum(dim=(1, 2, 3))
    union = pred.sum(dim=(1, 2, 3)) + target.sum(dim=(1, 2, 3))
    dice = (2 * intersection + eps) / (union + eps)
    iou = (intersection + eps) / (union - intersection + eps)
    return dice.mean().item(), iou.mean().item()


def train(model, data, steps, device, batch_size=4):
    images, masks = data
    x_all, y_all = torch.from_numpy(images).to(device), torch.from_numpy(masks).to(device)
    criterion = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0]))
    decoder = [p for name, p in model.named_parameters() if name.startswith(("up", "outc"))]
    encoder = [p for name, p in model.named_parameters() if not name.startswith(("up", "outc"))]
    optimizer = torch.optim.Adam([{"params": encoder}, {"params": decoder, "lr": 5e-3}], lr=1e-2)
    captured = []
    handle = model.down2.register_forward_hook(
        lambda module, inputs, output: captured.append(output.detach().abs().mean().item()))
    numbers = []
    for epoch in range(steps):
        model.train()
        for start in range(0, len(x_all) - batch_size + 1, batch_size):
            x, y = x_all[start:start + batch_size], y_all[start:start + batch_size]
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            numbers.append(loss.item())
        for group in optimizer.param_groups:
            group["lr"] *= 0.5
    handle.remove()
    model.eval()
    with torch.no_grad():
        logits = model(x_all)
        numbers += [criterion(logits, y_all).item(), *dice_and_iou(logits, y_all)]
    numbers += captured + [model.inc.double_conv[1].running_mean.sum().item(),
                           model.inc.double_conv[1].running_var.sum().item(),
                           float(model.inc.double_conv[1].num_batches_tracked)]
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 2, "cpu"))
