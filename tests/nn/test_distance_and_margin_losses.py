"""CosineSimilarity, PairwiseDistance, PixelShuffle/Unshuffle and the margin / likelihood losses
against PyTorch 2.13 (values and input gradients in float64)."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import torch

import ember
from ember import nn

sys.path.insert(0, os.path.dirname(__file__))
from nn_core_helpers import compare_functions  # noqa: E402

TOL = dict(rtol=1e-10, atol=1e-10)


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def modules(name, *args, **kwargs):
    """The same module from both libraries, as callables."""
    return getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)


@pytest.mark.parametrize("dim,shapes", [(1, [(4, 5), (4, 5)]), (-1, [(3, 1, 6), (2, 6)]), (0, [(7,), (7,)])])
def test_cosine_similarity(dim, shapes):
    ours, theirs = modules("CosineSimilarity", dim=dim)
    compare_functions(ours, theirs, [rand(*shapes[0]), rand(*shapes[1], seed=1)], **TOL)


def test_cosine_similarity_floors_tiny_norms_like_torch():
    x = rand(3, 4)
    x[1] = 1e-12  # below eps: value floored, gradient passes as PyTorch's in-place no-grad clamp
    ours, theirs = modules("CosineSimilarity", dim=1, eps=1e-8)
    compare_functions(ours, theirs, [x, rand(3, 4, seed=1)], **TOL)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance(p, keepdim):
    ours, theirs = modules("PairwiseDistance", p=p, keepdim=keepdim)
    compare_functions(ours, theirs, [rand(5, 4), rand(5, 4, seed=1)], **TOL)


@pytest.mark.parametrize("shape,r", [((2, 8, 3, 5), 2), ((9, 2, 2), 3), ((2, 1, 4, 2, 2), 2)])
def test_pixel_shuffle_and_unshuffle(shape, r):
    ours, theirs = modules("PixelShuffle", r)
    assert repr(ours) == repr(theirs)
    compare_functions(ours, theirs, [rand(*shape)], **TOL)
    shuffled = tuple(torch.nn.PixelShuffle(r)(torch.zeros(shape)).shape)
    ours, theirs = modules("PixelUnshuffle", r)
    compare_functions(ours, theirs, [rand(*shuffled)], **TOL)


def test_pixel_shuffle_refuses_bad_channels():
    with pytest.raises(RuntimeError, match="pixel_shuffle"):
        nn.PixelShuffle(2)(ember.ones(1, 3, 2, 2))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_margin_ranking_loss(reduction):
    ours, theirs = modules("MarginRankingLoss", margin=0.3, reduction=reduction)
    target = np.sign(rand(6, seed=2))
    compare_functions(ours, theirs, [rand(6), rand(6, seed=1), target], differentiable=(0, 1), **TOL)


@pytest.mark.parametrize("p,swap,reduction", [(2.0, False, "mean"), (1.0, True, "sum"), (2.0, True, "none")])
def test_triplet_margin_loss(p, swap, reduction):
    ours, theirs = modules("TripletMarginLoss", margin=1.5, p=p, swap=swap, reduction=reduction)
    compare_functions(ours, theirs, [rand(6, 4), rand(6, 4, seed=1), rand(6, 4, seed=2)], **TOL)


@pytest.mark.parametrize("log_input,full", [(True, False), (False, False), (True, True), (False, True)])
def test_poisson_nll_loss(log_input, full):
    ours, theirs = modules("PoissonNLLLoss", log_input=log_input, full=full)
    x = rand(4, 5) if log_input else np.abs(rand(4, 5)) + 0.1
    target = np.random.default_rng(3).poisson(2.0, (4, 5)).astype(np.float64)
    compare_functions(ours, theirs, [x, target], differentiable=(0,), **TOL)


@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1)])
@pytest.mark.parametrize("full,reduction", [(False, "mean"), (True, "none")])
def test_gaussian_nll_loss(var_shape, full, reduction):
    ours, theirs = modules("GaussianNLLLoss", full=full, reduction=reduction)
    var = np.abs(rand(*var_shape, seed=2)) + 0.05
    var.flat[0] = 1e-9  # floored at eps: value clamped, gradient unclamped, as PyTorch
    compare_functions(ours, theirs, [rand(4, 3), rand(4, 3, seed=1), var], **TOL)


def test_gaussian_nll_loss_refuses_bad_var():
    with pytest.raises(ValueError, match="negative"):
        nn.GaussianNLLLoss()(ember.zeros(2, 3), ember.zeros(2, 3), -ember.ones(2, 3))
    with pytest.raises(ValueError, match="incorrect size"):
        nn.GaussianNLLLoss()(ember.zeros(2, 3), ember.zeros(2, 3), ember.ones(3, 2))


def test_triplet_margin_loss_trains_like_torch():
    torch.manual_seed(0)
    theirs_net = torch.nn.Linear(4, 3).double()
    ours_net = nn.Linear(4, 3, dtype=ember.float64)
    ours_net.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs_net.state_dict().items()})
    ours_opt = ember.optim.SGD(ours_net.parameters(), lr=0.1)
    theirs_opt = torch.optim.SGD(theirs_net.parameters(), lr=0.1)
    a, p, n = rand(8, 4), rand(8, 4, seed=1), rand(8, 4, seed=2)
    for _ in range(4):
        for opt in (ours_opt, theirs_opt):
            opt.zero_grad()
        lo = nn.TripletMarginLoss()(*(ours_net(ember.tensor(v)) for v in (a, p, n)))
        lt = torch.nn.TripletMarginLoss()(*(theirs_net(torch.tensor(v)) for v in (a, p, n)))
        lo.backward()
        lt.backward()
        ours_opt.step()
        theirs_opt.step()
        assert abs(lo.item() - lt.item()) < 1e-10
