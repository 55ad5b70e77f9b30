"""Super-resolution network after PyTorch's official super_resolution example: convs with
orthogonal init, sub-pixel upscaling with nn.PixelShuffle, MSELoss, PSNR on a test batch."""
import math

import ember as torch
import ember.nn as nn
import ember.nn.init as init
import ember.optim as optim


class Net(nn.Module):
    def __init__(self, upscale_factor):
        super(Net, self).__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 16, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(16, 16, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(16, 8, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(8, upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)
        self._initialize_weights()

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        return self.pixel_shuffle(self.conv4(x))

    def _initialize_weights(self):
        init.orthogonal_(self.conv1.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv2.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv3.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv4.weight)


def make_model(device):
    return Net(upscale_factor=2).to(device)


def make_data(rng, steps=4, batch_size=4):
    targets = rng.random((steps + 1, batch_size, 1, 16, 16), dtype="float32")
    # low-resolution inputs: 2x2 average pooling of the targets
    inputs = targets.reshape(steps + 1, batch_size, 1, 8, 2, 8, 2).mean(axis=(4, 6))
    return inputs, targets


def train(model, data, steps, device):
    inputs, targets = data
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    numbers = []
    for iteration in range(steps):
        x = torch.from_numpy(inputs[iteration]).to(device)
        target = torch.from_numpy(targets[iteration]).to(device)
        optimizer.zero_grad()
        loss = criterion(model(x), target)
        loss.backward()
        optimizer.step()
        numbers.append(loss.item())
    with torch.no_grad():
        prediction = model(torch.from_numpy(inputs[-1]).to(device))
        mse = criterion(prediction, torch.from_numpy(targets[-1]).to(device))
        psnr = 10 * math.log10(1 / mse.item())
    print("===> Avg. PSNR: {:.4f} dB".format(psnr))
    return numbers + [psnr]


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(123)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 4, "cpu"))
