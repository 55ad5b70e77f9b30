"""Models the export tests convert: the seed MLP, the MNIST MLP and CNN, an LSTM, a transformer block."""
import numpy

import ember
from ember import nn


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
