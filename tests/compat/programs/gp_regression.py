"""Exact Gaussian-process regression written directly in PyTorch (as in the GP chapters of
the PyTorch-based tutorials): an RBF kernel from cdist, the Cholesky factor of the kernel
matrix (cholesky_ex), cholesky_solve, cholesky_inverse and solve_triangular for the posterior, and the negative log marginal
likelihood minimised by Adam over log-hyperparameters (lengthscale, signal and noise)."""
import math

import numpy as np

import ember as torch
from ember import nn, optim
from ember.distributions import MultivariateNormal


class ExactGP(nn.Module):
    def __init__(self, train_x, train_y):
        super().__init__()
        self.train_x, self.train_y = train_x, train_y
        self.log_lengthscale = nn.Parameter(torch.tensor(0.0, dtype=torch.float64))
        self.log_signal = nn.Parameter(torch.tensor(0.0, dtype=torch.float64))
        self.log_noise = nn.Parameter(torch.tensor(-1.0, dtype=torch.float64))
        self.mean_constant = nn.Parameter(torch.zeros((), dtype=torch.float64))

    def kernel(self, a, b):
        sqdist = torch.cdist(a / self.log_lengthscale.exp(), b / self.log_lengthscale.exp()) ** 2
        return self.log_signal.exp() ** 2 * torch.exp(-0.5 * sqdist)

    def marginal_nll(self):
        n = self.train_x.shape[0]
        K = self.kernel(self.train_x, self.train_x)
        K = K + (self.log_noise.exp() ** 2 + 1e-6) * torch.eye(n, dtype=K.dtype)
        L, info = torch.linalg.cholesky_ex(K)
        if info.item() != 0:
            raise RuntimeError(f"kernel matrix not positive-definite (minor {info.item()})")
        r = (self.train_y - self.mean_constant).unsqueeze(-1)
        alpha = torch.cholesky_solve(r, L)
        data_fit = 0.5 * (r * alpha).sum()
        complexity = torch.log(torch.diagonal(L)).sum()
        return (data_fit + complexity + 0.5 * n * math.log(2 * math.pi)) / n

    def posterior(self, test_x):
        n = self.train_x.shape[0]
        K = self.kernel(self.train_x, self.train_x)
        K = K + (self.log_noise.exp() ** 2 + 1e-6) * torch.eye(n, dtype=K.dtype)
        L = torch.linalg.cholesky(K)
        Ks = self.kernel(self.train_x, test_x)
        r = (self.train_y - self.mean_constant).unsqueeze(-1)
        alpha = torch.cholesky_solve(r, L)
        mean = self.mean_constant + (Ks.T @ alpha).squeeze(-1)
        v = torch.linalg.solve_triangular(L, Ks, upper=False)
        cov = self.kernel(test_x, test_x) - v.T @ v
        return mean, cov


def make_model(device):
    # the training data are part of the model (as in GPyTorch's ExactGP); fixed here, so the
    # harness can build the model before it draws the data
    rng = np.random.default_rng(7)
    x = np.sort(rng.uniform(-3, 3, 24))
    y = np.sin(2 * x) + 0.3 * x + 0.1 * rng.standard_normal(24)
    train_x = torch.from_numpy(x[:, None])
    train_y = torch.from_numpy(y)
    return ExactGP(train_x, train_y).to(device)


def make_data(rng):
    return np.linspace(-4, 4, 9)[:, None]


def train(model, data, steps, device):
    optimizer = optim.Adam(model.parameters(), lr=0.1)
    numbers = []
    for i in range(steps):
        optimizer.zero_grad()
        loss = model.marginal_nll()
        loss.backward()
        optimizer.step()
        numbers.append(loss.item())
    numbers += [p.item() for p in (model.log_lengthscale, model.log_signal, model.log_noise)]
    with torch.no_grad():
        test_x = torch.from_numpy(data)
        mean, cov = model.posterior(test_x)
        var = cov.diagonal().clamp_min(1e-10)
        numbers += mean.tolist() + var.sqrt().tolist()
        # the predictive distribution as a MultivariateNormal (jitter keeps it positive-definite)
        predictive = MultivariateNormal(mean, cov + 1e-4 * torch.eye(len(mean), dtype=cov.dtype))
        numbers.append(predictive.log_prob(torch.sin(2 * test_x[:, 0]) + 0.3 * test_x[:, 0]).item())
        numbers.append(predictive.entropy().item())
        # the same marginal likelihood from the distribution, against the hand-written one
        K = model.kernel(model.train_x, model.train_x)
        K = K + (model.log_noise.exp() ** 2 + 1e-6) * torch.eye(len(K), dtype=K.dtype)
        prior = MultivariateNormal(model.mean_constant.expand(len(K)), scale_tril=torch.linalg.cholesky(K))
        nll = -prior.log_prob(model.train_y) / len(K)
        # and once more from the precision matrix and log-determinant
        precision = torch.cholesky_inverse(torch.linalg.cholesky(K))
        r = model.train_y - model.mean_constant
        by_precision = 0.5 * (r @ precision @ r + torch.logdet(K) + len(K) * math.log(2 * math.pi))
        assert abs(by_precision.item() / len(K) - nll.item()) < 1e-8
        assert abs(nll.item() - model.marginal_nll().item()) < 1e-8
        numbers.append(nll.item())
    return numbers


if __name__ == "__main__":
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 50, "cpu"))
