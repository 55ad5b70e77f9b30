"""Weight averaging (torch.optim.swa_utils) against PyTorch: SWA/EMA models, update_bn, SWALR."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember


def _twin_models(seed: int = 0, batch_norm: bool = False):
    """The same small network in both frameworks (with a BatchNorm if asked), float64."""
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((6, 4)) * 0.5, rng.standard_normal(6) * 0.1,
               rng.standard_normal((2, 6)) * 0.5, rng.standard_normal(2) * 0.1]
    models = []
    for library in (ember, torch):
        nn = library.nn
        layers = [nn.Linear(4, 6)] + ([nn.BatchNorm1d(6)] if batch_norm else []) + [nn.Tanh(), nn.Linear(6, 2)]
        model = nn.Sequential(*layers).double()
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        with library.no_grad():
            for layer, (weight, bias) in zip(linears, [weights[:2], weights[2:]]):
                layer.weight.copy_(library.tensor(weight))
                layer.bias.copy_(library.tensor(bias))
        models.append(model)
    return models


def _batches(count: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((8, 4)), rng.standard_normal((8, 2))) for _ in range(count)]


def _train_and_average(library, model, make_average, batches):
    optimizer = library.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    average = make_average(library, model)
    for x, y in batches:
        optimizer.zero_grad()
        ((model(library.tensor(x)) - library.tensor(y)) ** 2).mean().backward()
        optimizer.step()
        average.update_parameters(model)
    return average


def _arrays(module, with_buffers=True):
    tensors = list(module.parameters()) + (list(module.buffers()) if with_buffers else [])
    return [np.array(t.detach().numpy()) for t in tensors]


AVERAGES = {
    "swa": lambda library, model: library.optim.swa_utils.AveragedModel(model),
    "ema-multi": lambda library, model: library.optim.swa_utils.AveragedModel(
        model, multi_avg_fn=library.optim.swa_utils.get_ema_multi_avg_fn(0.9)),
    "swa-multi": lambda library, model: library.optim.swa_utils.AveragedModel(
        model, multi_avg_fn=library.optim.swa_utils.get_swa_multi_avg_fn()),
    "ema-single": lambda library, model: library.optim.swa_utils.AveragedModel(
        model, avg_fn=library.optim.swa_utils.get_ema_avg_fn(0.8)),
    "swa-single": lambda library, model: library.optim.swa_utils.AveragedModel(
        model, avg_fn=library.optim.swa_utils.get_swa_avg_fn()),
    "ema-buffers": lambda library, model: library.optim.swa_utils.AveragedModel(
        model, multi_avg_fn=library.optim.swa_utils.get_ema_multi_avg_fn(0.7), use_buffers=True),
    "swa-buffers": lambda library, model: library.optim.swa_utils.AveragedModel(model, use_buffers=True),
}


@pytest.mark.parametrize("name", list(AVERAGES))
def test_averaged_weights_and_buffers_follow_pytorch(name):
    mine, theirs = _twin_models(batch_norm=True)
    batches = _batches(6)
    ours = _train_and_average(ember, mine, AVERAGES[name], batches)
    reference = _train_and_average(torch, theirs, AVERAGES[name], batches)
    assert int(ours.n_averaged) == int(reference.n_averaged) == 6
    for a, b in zip(_arrays(ours.module), _arrays(reference.module)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    x = np.random.default_rng(2).standard_normal((3, 4))
    ours.eval(), reference.eval()
    np.testing.assert_allclose(ours(ember.tensor(x)).detach().numpy(),
                               reference(torch.tensor(x)).detach().numpy(), rtol=1e-10)


def test_update_bn_recomputes_batch_norm_statistics_as_pytorch():
    mine, theirs = _twin_models(batch_norm=True, seed=3)
    loader = [(x, y) for x, y in _batches(5, seed=4)]
    results = []
    for library, model in ((ember, mine), (torch, theirs)):
        swa = library.optim.swa_utils.AveragedModel(model)
        swa.update_parameters(model)
        model.eval()
        library.optim.swa_utils.update_bn([(library.tensor(x), library.tensor(y)) for x, y in loader], swa)
        batch_norm = swa.module[1]
        results.append((batch_norm.running_mean.numpy().copy(), batch_norm.running_var.numpy().copy(),
                        int(batch_norm.num_batches_tracked), batch_norm.momentum, swa.training))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-10)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10)
    assert results[0][2:] == results[1][2:] == (5, 0.1, True)


@pytest.mark.parametrize("options", [dict(swa_lr=0.05), dict(swa_lr=[0.05, 0.01], anneal_epochs=4,
                                                                 anneal_strategy="linear"),
                                     dict(swa_lr=0.02, anneal_epochs=0)])
def test_swalr_after_cosine_annealing_follows_pytorch(options):
    """The usual recipe: a cosine schedule, then SWALR from ``swa_start`` on."""
    rates = []
    for library in (ember, torch):
        groups = [{"params": [library.zeros(1, requires_grad=True)]},
                  {"params": [library.zeros(1, requires_grad=True)], "lr": 0.2}]
        optimizer = library.optim.SGD(groups, lr=0.5, momentum=0.9)
        cosine = library.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=20)
        swa = library.optim.swa_utils.SWALR(optimizer, **options)
        trace = []
        for epoch in range(25):
            optimizer.step()
            (swa if epoch >= 8 else cosine).step()
            trace.append([group["lr"] for group in optimizer.param_groups])
        rates.append(trace)
    np.testing.assert_allclose(rates[0], rates[1], rtol=1e-12)


@pytest.mark.parametrize("make, message", [
    (lambda: ember.optim.swa_utils.get_ema_multi_avg_fn(1.5), "decay"),
    (lambda: ember.optim.swa_utils.AveragedModel(ember.nn.Linear(1, 1), avg_fn=ember.optim.swa_utils.get_swa_avg_fn(),
                                                 multi_avg_fn=ember.optim.swa_utils.get_swa_multi_avg_fn()),
     "only one"),
    (lambda: ember.optim.swa_utils.SWALR(ember.optim.SGD([ember.zeros(1, requires_grad=True)]), 0.1,
                                         anneal_strategy="step"), "anneal_strategy"),
    (lambda: ember.optim.swa_utils.SWALR(ember.optim.SGD([ember.zeros(1, requires_grad=True)]), 0.1,
                                         anneal_epochs=-1), "anneal_epochs"),
])
def test_bad_arguments_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()
