"""A spatial transformer network, after PyTorch's STN tutorial: a localization net regresses
a 2x3 affine matrix (its last layer initialised to a near-identity transform), F.affine_grid
and F.grid_sample warp the input, then a small CNN classifies the warped image; SGD on
nll_loss, and a test pass reporting the average loss and accuracy."""
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5)
        self.conv2 = nn.Conv2d(6, 12, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(192, 32)
        self.fc2 = nn.Linear(32, 10)
        self.drop = nn.Dropout()

        # Spatial transformer localization-network
        self.localization = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=7),
            nn.MaxPool2d(2, stride=2),
            nn.ReLU(True),
            nn.Conv2d(8, 10, kernel_size=5),
            nn.MaxPool2d(2, stride=2),
            nn.ReLU(True)
        )

        # Regressor for the 3 * 2 affine matrix
        self.fc_loc = nn.Sequential(
            nn.Linear(10 * 3 * 3, 32),
            nn.ReLU(True),
            nn.Linear(32, 3 * 2)
        )

        # Initialize the weights/bias with a near-identity transformation (zoomed in slightly):
        # at the exact identity every sample lands on a pixel centre, where bilinear sampling
        # has a kink and the gradient to theta hinges on the last bit of the grid's rounding
        self.fc_loc[2].weight.data.zero_()
        self.fc_loc[2].bias.data.copy_(torch.tensor([0.9, 0, 0, 0, 0.9, 0], dtype=torch.float))

    # Spatial transformer network forward function
    def stn(self, x):
        xs = self.localization(x)
        xs = xs.view(-1, 10 * 3 * 3)
        theta = self.fc_loc(xs)
        theta = theta.view(-1, 2, 3)

        grid = F.affine_grid(theta, x.size(), align_corners=False)
        x = F.grid_sample(x, grid, align_corners=False)
        return x

    def forward(self, x):
        # transform the input
        x = self.stn(x)

        # Perform the usual forward pass
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 192)
        x = F.relu(self.fc1(x))
        x = self.drop(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def make_model(device):
    return Net().to(device)


def make_data(rng, n_train=32, n_test=16):
    # MNIST-shaped digits: a class-dependent bar pattern, shifted at random
    def batch(n):
        labels = rng.integers(0, 10, n)
        images = 0.1 * rng.standard_normal((n, 1, 28, 28)).astype("float32")
        for i, label in enumerate(labels):
            row, col = rng.integers(4, 10, 2)
            images[i, 0, row:row + 12, col + label:col + label + 3] += 1.0
        return images.astype("float32"), labels
    return batch(n_train), batch(n_test)


def train(model, data, steps, device, batch_size=8):
    (train_x, train_y), (test_x, test_y) = data
    optimizer = optim.SGD(model.parameters(), lr=0.05)
    numbers = []
    for epoch in range(steps):
        model.train()
        for start in range(0, len(train_x), batch_size):
            data_ = torch.from_numpy(train_x[start:start + batch_size]).to(device)
            target = torch.from_numpy(train_y[start:start + batch_size]).to(device)
            optimizer.zero_grad()
            output = model(data_)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            numbers.append(loss.item())

        with torch.no_grad():
            model.eval()
            data_ = torch.from_numpy(test_x).to(device)
            target = torch.from_numpy(test_y).to(device)
            output = model(data_)
            test_loss = F.nll_loss(output, target, reduction='sum').item() / len(test_x)
            pred = output.max(1, keepdim=True)[1]
            correct = pred.eq(target.view_as(pred)).sum().item()
            numbers += [test_loss, correct / len(test_x)]
            # the warped batch itself, as the tutorial's visualisation shows it
            warped = model.stn(data_[:2]).cpu()
            numbers += [warped.mean().item(), warped.abs().sum().item()]
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 2, "cpu"))
