"""Small models trained through the added distributions, Ember and PyTorch from the same float64
initial values: a mixture density network's NLL (MixtureSameFamily of Independent Normals), a
negative-binomial count model (as scVI's), and a reparameterised LogNormal/Weibull fit; after
several Adam steps the parameters agree."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED

rng = np.random.default_rng(3)
X = rng.normal(size=(64, 2))
Y = np.sin(X[:, :1] * 2) + 0.3 * rng.normal(size=(64, 1)) + np.where(X[:, 1:] > 0, 1.5, -1.5)
COUNTS = rng.poisson(np.exp(X @ np.array([0.8, -0.5]) + 1.0)).astype(float)


def _mdn_loss(lib, module, w, x, y):
    out = x @ w  # (n, 3 K): logits, means, log-scales of K = 3 components, one output dim
    logits, loc, log_scale = out[:, :3], out[:, 3:6], out[:, 6:9]
    components = module.Independent(module.Normal(loc.unsqueeze(-1), log_scale.exp().unsqueeze(-1)), 1)
    mixture = module.MixtureSameFamily(module.Categorical(logits=logits), components)
    return -mixture.log_prob(y).mean()


def _nb_loss(lib, module, w, x, counts):
    out = x @ w
    total_count, logits = out[:, 0].exp() + 0.1, out[:, 1]
    return -module.NegativeBinomial(total_count, logits=logits).log_prob(counts).mean()


def _fit_loss(lib, module, w, x, y):
    """-E[log p(y | z)] + KL-like penalty with z ~ LogNormal rsampled from shared noise."""
    noise = lib.tensor(np.linspace(-1.5, 1.5, 16), dtype=lib.float64)
    loc, log_scale = w[0, 0], w[1, 0]
    base = module.Normal(loc, log_scale.exp())
    z = module.LogNormal(loc, log_scale.exp()).transforms[0](loc + log_scale.exp() * noise)
    weibull = module.Weibull(z, lib.tensor(1.5, dtype=lib.float64))
    return -weibull.log_prob(lib.tensor(1.2, dtype=lib.float64)).mean() + base.entropy() * 0.01


@pytest.mark.parametrize("loss_fn,inputs,width", [(_mdn_loss, (X, Y), 9), (_nb_loss, (X, COUNTS), 2),
                                                  (_fit_loss, (X, Y), 1)])
def test_adam_steps_agree_with_torch(loss_fn, inputs, width):
    w0 = rng.normal(size=(2, width)) * 0.3
    final = {}
    for lib, module in ((ember, ED), (torch, TD)):
        w = lib.tensor(w0, dtype=lib.float64, requires_grad=True)
        optimiser = (ember.optim if lib is ember else torch.optim).Adam([w], lr=0.05)
        data = [lib.tensor(a, dtype=lib.float64) for a in inputs]
        losses = []
        for _ in range(8):
            optimiser.zero_grad()
            loss = loss_fn(lib, module, w, *data)
            loss.backward()
            optimiser.step()
            losses.append(float(loss.detach()))
        final[lib.__name__] = (np.array(losses), w.detach().numpy())
    np.testing.assert_allclose(final["ember"][0], final["torch"][0], rtol=1e-8)
    np.testing.assert_allclose(final["ember"][1], final["torch"][1], rtol=1e-7, atol=1e-9)
    assert final["ember"][0][-1] < final["ember"][0][0]  # the loss went down
