"""RealNVP normalising flow on 2-D toy data (two moons), after the affine-coupling flows of
the PyTorch tutorials: alternating binary masks kept as buffers, scale and translation nets,
the log-determinant of the Jacobian summed over the coupling layers, a MultivariateNormal
prior, and sampling by running the couplings backwards, against a Gaussian-mixture
baseline fitted by gradient descent (MixtureSameFamily). A data-standardising
AffineTransform and a TransformedDistribution give the flow's density in the data's units."""
import math

import numpy as np

import ember as torch
from ember import nn, optim
from ember.distributions import MultivariateNormal, Normal, TransformedDistribution
from ember.distributions import Categorical, Independent, MixtureSameFamily
from ember.distributions.transforms import AffineTransform, ComposeTransform, ExpTransform


def two_moons(rng, n, noise=0.05):
    half = n // 2
    outer = np.linspace(0, math.pi, half)
    inner = np.linspace(0, math.pi, n - half)
    x = np.concatenate([np.stack([np.cos(outer), np.sin(outer)], 1),
                        np.stack([1 - np.cos(inner), 1 - np.sin(inner) - 0.5], 1)])
    x = x + noise * rng.standard_normal(x.shape)
    return x[rng.permutation(n)].astype("float32")


class RealNVP(nn.Module):
    def __init__(self, nets, nett, mask, prior):
        super(RealNVP, self).__init__()
        self.prior = prior
        self.register_buffer("mask", mask)
        self.t = torch.nn.ModuleList([nett() for _ in range(len(mask))])
        self.s = torch.nn.ModuleList([nets() for _ in range(len(mask))])

    def g(self, z):
        """Latent to data: the couplings in reverse order."""
        x = z
        for i in reversed(range(len(self.t))):
            x_ = x * self.mask[i]
            s = self.s[i](x_) * (1 - self.mask[i])
            t = self.t[i](x_) * (1 - self.mask[i])
            x = x_ + (1 - self.mask[i]) * (x * torch.exp(s) + t)
        return x

    def f(self, x):
        """Data to latent, with log|det J| of the map."""
        log_det_J, z = x.new_zeros(x.shape[0]), x
        for i in range(len(self.t)):
            z_ = self.mask[i] * z
            s = self.s[i](z_) * (1 - self.mask[i])
            t = self.t[i](z_) * (1 - self.mask[i])
            z = (1 - self.mask[i]) * (z - t) * torch.exp(-s) + z_
            log_det_J -= s.sum(dim=1)
        return z, log_det_J

    def log_prob(self, x):
        z, logp = self.f(x)
        return self.prior.log_prob(z) + logp

    def sample(self, batchSize, z=None):
        if z is None:
            z = self.prior.sample((batchSize,))
        return self.g(z)


def make_model(device):
    nets = lambda: nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(), nn.Linear(64, 64),
                                 nn.LeakyReLU(), nn.Linear(64, 2), nn.Tanh())
    nett = lambda: nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(), nn.Linear(64, 64),
                                 nn.LeakyReLU(), nn.Linear(64, 2))
    masks = torch.from_numpy(np.array([[0, 1], [1, 0]] * 3).astype(np.float32))
    prior = MultivariateNormal(torch.zeros(2), torch.eye(2))
    return RealNVP(nets, nett, masks, prior).to(device)


def make_data(rng, batches=8, batch_size=100):
    data = two_moons(rng, batches * batch_size)
    latents = rng.standard_normal((64, 2)).astype("float32")
    return data, latents


def train(flow, data, steps, device, batch_size=100):
    points, latents = data
    mean, std = points.mean(0), points.std(0)
    standardise = AffineTransform(torch.from_numpy(-mean / std), torch.from_numpy(1 / std))
    optimizer = optim.Adam([p for p in flow.parameters() if p.requires_grad], lr=1e-4)
    numbers = []
    for t in range(steps):
        x = torch.from_numpy(points[t * batch_size:(t + 1) * batch_size]).to(device)
        z = standardise(x)
        loss = -(flow.log_prob(z) + standardise.log_abs_det_jacobian(x, z).sum(-1)).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        numbers.append(loss.item())
    # the baseline: a four-component Gaussian mixture on the standardised data
    logits = torch.zeros(4, requires_grad=True)
    means = torch.tensor([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]], requires_grad=True)
    log_scales = torch.zeros(4, 2, requires_grad=True)
    gmm_optimizer = optim.Adam([logits, means, log_scales], lr=0.05)
    for t in range(steps):
        z = standardise(torch.from_numpy(points[t * batch_size:(t + 1) * batch_size]))
        gmm = MixtureSameFamily(Categorical(logits=logits),
                                Independent(Normal(means, log_scales.exp()), 1))
        gmm_loss = -gmm.log_prob(z).mean()
        gmm_optimizer.zero_grad()
        gmm_loss.backward()
        gmm_optimizer.step()
        numbers.append(gmm_loss.item())
    with torch.no_grad():
        gmm = MixtureSameFamily(Categorical(logits=logits),
                                Independent(Normal(means, log_scales.exp()), 1))
        numbers += gmm.mean.tolist() + gmm.variance.tolist()
        # the mixture's density by hand: logsumexp over the components
        per_component = Normal(means, log_scales.exp()).log_prob(z.unsqueeze(1)).sum(-1)
        by_hand = torch.logsumexp(per_component + torch.log_softmax(logits, 0), dim=1)
        assert torch.allclose(by_hand, gmm.log_prob(z), atol=1e-5)
    flow.eval()
    with torch.no_grad():
        x = torch.from_numpy(points[:batch_size])
        z, log_det = flow.f(standardise(x))
        numbers += [z.mean().item(), z.std().item(), log_det.mean().item()]
        # round trip: g inverts f
        assert torch.allclose(flow.g(z), standardise(x), atol=1e-4)
        samples = standardise.inv(flow.sample(64, torch.from_numpy(latents)))
        numbers += samples.mean(0).tolist() + samples.std(0).tolist()
        # the same standardisation as a distribution: a standard normal pushed through the
        # inverse affine map, whose log_prob matches the change of variables done by hand
        base = Independent(Normal(torch.zeros(2), torch.ones(2)), 1)
        gaussian_fit = TransformedDistribution(base, [standardise.inv])
        by_hand = base.log_prob(standardise(x)) + standardise.log_abs_det_jacobian(
            x, standardise(x)).sum(-1)
        assert torch.allclose(gaussian_fit.log_prob(x), by_hand, atol=1e-5)
        numbers.append(gaussian_fit.log_prob(x).mean().item())
        # a log-normal as a composed transform of the prior's first coordinate
        lognormal = TransformedDistribution(Normal(torch.tensor(0.0), torch.tensor(0.5)),
                                            ComposeTransform([AffineTransform(0.1, 2.0),
                                                              ExpTransform()]))
        numbers.append(lognormal.log_prob(torch.tensor([0.5, 1.0, 2.0])).sum().item())
        # a flow sample, as the program would draw one (not compared)
        print("sampled mean", flow.sample(256).mean(0).tolist())
    return numbers


if __name__ == "__main__":
    torch.manual_seed(0)
    print(train(make_model("cpu"), make_data(np.random.default_rng(0)), 8, "cpu"))
