"""MNIST convnet in the style of PyTorch's official example: device selection, Adadelta, StepLR."""
import argparse

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim
from ember.optim.lr_scheduler import StepLR


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def pick_device(no_accel=False):
    use_accel = not no_accel and torch.accelerator.is_available()
    if use_accel:
        return torch.accelerator.current_accelerator()
    if torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def make_model(device):
    return Net().to(device)


def make_data(rng, batches=4, batch_size=16):
    images = rng.random((batches * batch_size + 64, 1, 28, 28), dtype="float32")
    labels = rng.integers(0, 10, size=len(images))
    return (images - 0.1307) / 0.3081, labels


def train(model, data, steps, device, batch_size=16):
    images, labels = data
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    numbers = []
    model.train()
    for step in range(steps):
        start = step * batch_size
        batch = torch.from_numpy(images[start:start + batch_size]).to(device)
        target = torch.from_numpy(labels[start:start + batch_size]).to(device)
        optimizer.zero_grad()
        output = model(batch)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        numbers.append(loss.item())
        print("Train step: {} \tLoss: {:.6f}".format(step, loss.item()))
        if step % 2 == 1:
            scheduler.step()
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        batch = torch.tensor(images[-64:], device=device)
        target = torch.tensor(labels[-64:], device=device)
        output = model(batch)
        test_loss += F.nll_loss(output, target, reduction="sum").item()
        pred = output.argmax(dim=1, keepdim=True)
        correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= 64
    print("\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n".format(
        test_loss, correct, 64, 100. * correct / 64))
    return numbers + [test_loss, float(correct)]


def main():
    parser = argparse.ArgumentParser(description="PyTorch MNIST Example")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--no-accel", action="store_true")
    args = parser.parse_args()
    torch.manual_seed(1)
    device = pick_device(args.no_accel)
    import numpy as np
    train(make_model(device), make_data(np.random.default_rng(1)), args.steps, device)


if __name__ == "__main__":
    main()
