"""Models and training helpers shared by the test folders (on pytest's ``pythonpath``).

Graph tests train ``SeedMLP``, ``LeNet``, ``LSTMNet`` and ``TransformerBlock`` in
float64 through ``train_step`` and ``batches``; export tests convert ``seed_mlp``,
``mnist_mlp``, ``lenet5``, ``LSTMNet`` and ``TransformerBlock``.
"""
import numpy

import ember
from ember import nn


class SeedMLP(nn.Module):
    """The seed's regression MLP, scaled down."""

    def __init__(self, features=6, hidden=16, outputs=4):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(features, hidden), nn.Tanh(), nn.Linear(hidden, outputs))

    def forward(self, x):
        return self.net(x)


class LeNet(nn.Module):
    """A LeNet-style CNN with BatchNorm and Dropout, sized for 8x8 inputs."""

    def __init__(self, outputs=4):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(36, outputs))

    def forward(self, x):
        return self.head(self.features(x))


def seed_mlp():
    """The seed's regression MLP: 10 -> 10 -> 1 with ReLU."""
    return nn.Sequential(nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 1))


def mnist_mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def lenet5():
    """LeNet-5 with BatchNorm after each convolution, its running statistics made non-trivial."""
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    randomize_batch_norm(model)
    return model


def randomize_batch_norm(model, seed=0):
    """Running statistics and affine weights away from 0/1, so a wrong mapping shows."""
    generator = numpy.random.default_rng(seed)
    for name, tensor in model.state_dict().items():
        if name.endswith(("running_mean", "running_var")):
            values = generator.uniform(0.5, 1.5, tensor.shape) if name.endswith("var") else \
                generator.normal(0, 0.2, tensor.shape)
            tensor.copy_(ember.tensor(values.astype(numpy.float32)))


class LSTMNet(nn.Module):
    def __init__(self, features=3, hidden=5, outputs=2):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, outputs)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


class TransformerBlock(nn.Module):
    def __init__(self, width=8, outputs=3):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(width, 2, 16, dropout=0.1, batch_first=True)
        self.head = nn.Linear(width, outputs)

    def forward(self, x):
        return self.head(self.layer(x).mean(1))


def train_step(model, optimizer, loss_fn):
    """The step every test compiles: forward, loss, backward, update, in one function."""
    def step(x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss
    return step


def batches(shape, target, seed=0, dtype=numpy.float64):
    """An endless stream of random (x, y) batches; ``target``: an int (classes) or a shape."""
    rng = numpy.random.default_rng(seed)
    while True:
        x = ember.tensor(rng.standard_normal(shape).astype(dtype))
        if isinstance(target, int):
            y = ember.tensor(rng.integers(0, target, shape[0]))
        else:
            y = ember.tensor(rng.standard_normal(target).astype(dtype))
        yield x, y


def parameters_of(model):
    return [numpy.array(p.detach()) for p in model.parameters()]


def buffers_of(model):
    return [numpy.array(b) for b in model.buffers()]
