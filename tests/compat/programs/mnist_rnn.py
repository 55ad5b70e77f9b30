"""MNIST classifier with an LSTM reading each image row by row (the classic RNN-on-MNIST
example): batch_first LSTM, last hidden state into a Linear head, Adam, device handling."""
import argparse

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim


class RNNNet(nn.Module):
    def __init__(self, input_size=28, hidden_size=32, num_layers=2, num_classes=10):
        super().__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        x = x.squeeze(1)  # (batch, 28 rows, 28 pixels)
        h0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size, device=x.device)
        c0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size, device=x.device)
        out, _ = self.lstm(x, (h0, c0))
        return F.log_softmax(self.fc(out[:, -1, :]), dim=1)


def make_model(device):
    return RNNNet().to(device)


def make_data(rng, batches=4, batch_size=8):
    images = rng.random((batches * batch_size + 16, 1, 28, 28), dtype="float32")
    labels = rng.integers(0, 10, size=len(images))
    return (images - 0.1307) / 0.3081, labels


def train(model, data, steps, device, batch_size=8):
    images, labels = data
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    numbers = []
    model.train()
    for step in range(steps):
        start = step * batch_size
        x = torch.from_numpy(images[start:start + batch_size]).to(device)
        y = torch.from_numpy(labels[start:start + batch_size]).to(device)
        optimizer.zero_grad()
        loss = F.nll_loss(model(x), y)
        loss.backward()
        optimizer.step()
        numbers.append(loss.item())
    model.eval()
    with torch.no_grad():
        output = model(torch.from_numpy(images[-16:]).to(device))
        target = torch.from_numpy(labels[-16:]).to(device)
        test_loss = F.nll_loss(output, target).item()
        correct = output.argmax(dim=1).eq(target).sum().item()
    print(f"test loss {test_loss:.4f}, accuracy {correct}/16")
    return numbers + [test_loss, float(correct)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args()
    import numpy as np
    torch.manual_seed(1)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train(make_model(device), make_data(np.random.default_rng(1)), args.steps, device)
