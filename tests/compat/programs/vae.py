"""Variational autoencoder on MNIST-shaped data, after PyTorch's official VAE example:
reparameterization trick, BCE + KL loss, and a grid of samples saved with save_image."""
import os
import tempfile

import ember as torch
from ember import nn, optim
from ember.nn import functional as F
from ember.vision.utils import save_image


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar, eps=None):
        std = torch.exp(0.5 * logvar)
        if eps is None:
            eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x, eps=None):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar, eps)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    """Reconstruction + KL divergence losses summed over all elements and batch."""
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def make_model(device):
    return VAE().to(device)


def make_data(rng, batches=4, batch_size=16):
    images = rng.random((batches * batch_size, 1, 28, 28), dtype="float32")
    # the noise of each step is part of the data, so both runs see the same draws
    noise = rng.standard_normal((batches, batch_size, 20)).astype("float32")
    return images, noise


def train(model, data, steps, device, batch_size=16, out_dir=None):
    images, noise = data
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    numbers = []
    for step in range(steps):
        x = torch.from_numpy(images[step * batch_size:(step + 1) * batch_size]).to(device)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(x, torch.from_numpy(noise[step]).to(device))
        loss = loss_function(recon_batch, x, mu, logvar)
        loss.backward()
        optimizer.step()
        numbers.append(loss.item() / len(x))
    model.eval()
    with torch.no_grad():
        sample = torch.randn(64, 20).to(device)
        sample = model.decode(sample).cpu()
        out_dir = out_dir or tempfile.mkdtemp()
        path = os.path.join(out_dir, "sample.png")
        save_image(sample.view(64, 1, 28, 28), path)
        assert os.path.getsize(path) > 0
    return numbers


if __name__ == "__main__":
    import numpy as np
    torch.manual_seed(1)
    print(train(make_model("cpu"), make_data(np.random.default_rng(1)), 4, "cpu"))
