""""What is torch.nn really?", step by step: logistic regression from scratch (weights made
with requires_grad_, a hand-written log_softmax and nll by fancy indexing, updates under
torch.no_grad with grad.zero_()), then F.cross_entropy, an nn.Module with nn.Parameter
(updates over model.parameters(), model.zero_grad()), nn.Linear, optim.SGD, TensorDataset,
DataLoader with loss_batch/fit/get_data and model.eval() validation; then a CNN with
view and F.avg_pool2d, the same CNN as nn.Sequential with a Lambda module, and finally
a WrappedDataLoader with nn.AdaptiveAvgPool2d and SGD with momentum."""
import math

import numpy as np

import ember as torch
import ember.nn.functional as F
from ember import nn, optim
from ember.utils.data import DataLoader, TensorDataset

bs = 16  # batch size
lr = 0.5  # learning rate


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(784, 10) / math.sqrt(784))
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.weights + self.bias


class Mnist_Logistic_Linear(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(784, 10)

    def forward(self, xb):
        return self.lin(xb)


class Mnist_CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

    def forward(self, xb):
        xb = xb.view(-1, 1, 28, 28)
        xb = F.relu(self.conv1(xb))
        xb = F.relu(self.conv2(xb))
        xb = F.relu(self.conv3(xb))
        xb = F.avg_pool2d(xb, 4)
        return xb.view(-1, xb.size(1))


class Lambda(nn.Module):
    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, x):
        return self.func(x)


def preprocess(x):
    return x.view(-1, 1, 28, 28)


def make_model(device):
    sequential = nn.Sequential(
        Lambda(preprocess),
        nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.AvgPool2d(4),
        Lambda(lambda x: x.view(x.size(0), -1)),
    )
    adaptive = nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        Lambda(lambda x: x.view(x.size(0), -1)),
    )
    return (Mnist_Logistic().to(device), Mnist_Logistic_Linear().to(device),
            Mnist_CNN().to(device), sequential.to(device), adaptive.to(device))


def make_data(rng, n_train=64, n_valid=32):
    x = rng.random((n_train + n_valid, 784), dtype="float32") ** 4  # mostly dark, like MNIST
    y = rng.integers(0, 10, size=n_train + n_valid)
    w = rng.standard_normal((784, 10)).astype("float32")
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:], w


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)

    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()

    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    history = []
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            history.append(loss_batch(model, loss_func, xb, yb, opt)[0])

        model.eval()
        with torch.no_grad():
            losses, nums = zip(
                *[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl]
            )
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
        print(epoch, val_loss)
        history.append(float(val_loss))
    return history


def get_data(train_ds, valid_ds, bs):
    return (
        DataLoader(train_ds, batch_size=bs),  # the tutorial shuffles; the libraries' draws differ
        DataLoader(valid_ds, batch_size=bs * 2),
    )


class WrappedDataLoader:
    def __init__(self, dl, func):
        self.dl = dl
        self.func = func

    def __len__(self):
        return len(self.dl)

    def __iter__(self):
        for b in self.dl:
            yield (self.func(*b))


def train(model, data, steps, device):
    logistic, linear, cnn, sequential, adaptive = model
    x_train, y_train, x_valid, y_valid, w = data
    x_train, y_train, x_valid, y_valid = map(
        torch.tensor, (x_train, y_train, x_valid, y_valid)
    )
    n, c = x_train.shape
    numbers = [float(n), float(c), float(y_train.min()), float(y_train.max())]

    # Neural net from scratch
    weights = torch.from_numpy(w) / math.sqrt(784)
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)

    def model_(xb):
        return log_softmax(xb @ weights + bias)

    loss_func = nll
    xb = x_train[0:bs]
    preds = model_(xb)
    numbers += preds[0].tolist() + [loss_func(preds, y_train[0:bs]).item(),
                                     accuracy(preds, y_train[0:bs]).item()]
    for epoch in range(steps):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model_(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
            numbers.append(loss.item())
    numbers += [loss_func(model_(xb), yb).item(), accuracy(model_(xb), yb).item()]

    # Using torch.nn.functional
    loss_func = F.cross_entropy

    def model_(xb):
        return xb @ weights + bias

    numbers.append(loss_func(model_(xb), yb).item())

    # Refactor using nn.Module
    numbers.append(loss_func(logistic(xb), yb).item())
    for epoch in range(steps):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = logistic(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            with torch.no_grad():
                for p in logistic.parameters():
                    p -= p.grad * lr
                logistic.zero_grad()
    numbers.append(loss_func(logistic(xb), yb).item())

    # Refactor using nn.Linear and optim, then Dataset
    opt = optim.SGD(linear.parameters(), lr=lr)
    train_ds = TensorDataset(x_train, y_train)
    for epoch in range(steps):
        for i in range((n - 1) // bs + 1):
            xb, yb = train_ds[i * bs: i * bs + bs]
            pred = linear(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            opt.step()
            opt.zero_grad()
            numbers.append(loss.item())

    # DataLoader, validation, fit() and get_data()
    valid_ds = TensorDataset(x_valid, y_valid)
    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    numbers += fit(steps, linear, loss_func, opt, train_dl, valid_dl)

    # Switch to CNN
    lr_cnn = 0.1
    opt = optim.SGD(cnn.parameters(), lr=lr_cnn, momentum=0.9)
    numbers += fit(steps, cnn, loss_func, opt, train_dl, valid_dl)

    # nn.Sequential
    opt = optim.SGD(sequential.parameters(), lr=lr_cnn, momentum=0.9)
    numbers += fit(steps, sequential, loss_func, opt, train_dl, valid_dl)

    # Wrapping DataLoader, AdaptiveAvgPool2d
    def preprocess_(x, y):
        return x.view(-1, 1, 28, 28).to(device), y.to(device)

    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    train_dl = WrappedDataLoader(train_dl, preprocess_)
    valid_dl = WrappedDataLoader(valid_dl, preprocess_)
    opt = optim.SGD(adaptive.parameters(), lr=lr_cnn, momentum=0.9)
    numbers += fit(steps, adaptive, loss_func, opt, train_dl, valid_dl)
    numbers.append(float(len(train_dl)))
    return numbers


if __name__ == "__main__":
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 2, "cpu"))
