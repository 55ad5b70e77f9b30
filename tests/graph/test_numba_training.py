"""Whole training steps on the numba path (kernels and regions) equal eager execution.

The same comparisons as ``test_training.py``, in float64, with
``ember.function(numba=True, atol=1e-10)``: fused loop kernels, reductions and small
matmuls then run inside numba regions, and must give eager's losses,
parameters, buffers and optimizer state. Sums there run in another order
than NumPy's pairwise ones, so values that should be zero differ at 1e-12:
``atol`` is 1e-10 here.
"""
import importlib.util

import pytest

import ember
from ember import nn

from shared_models import LeNet, LSTMNet, SeedMLP, TransformerBlock, batches
from .test_training import compare_training

pytestmark = pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                reason="numba is an optional extra and is not installed")



@pytest.mark.slow  # numba compiles the whole step: 0.5-7 min on a loaded 2-core machine
def test_seed_mlp_adam_50_steps():
    compiled, *_ = compare_training(SeedMLP, lambda p: ember.optim.Adam(p, lr=0.01), batches((8, 6), (8, 4)),
                                    steps=50, numba=True, atol=1e-10)
    x, y = next(batches((8, 6), (8, 4)))
    assert "_region" in compiled.code(x, y)


@pytest.mark.slow  # numba compiles the whole step: 0.5-7 min on a loaded 2-core machine
def test_seed_mlp_sgd_nesterov_cross_entropy():
    compare_training(SeedMLP, lambda p: ember.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
                     batches((8, 6), 4), steps=5, loss_fn=nn.functional.cross_entropy, numba=True, atol=1e-10)


@pytest.mark.slow  # numba compiles the whole step: 0.5-7 min on a loaded 2-core machine
def test_lenet_with_batchnorm_and_dropout():
    compare_training(LeNet, lambda p: ember.optim.SGD(p, lr=0.05, momentum=0.9), batches((4, 1, 8, 8), 4),
                     steps=3, loss_fn=nn.functional.cross_entropy, numba=True, atol=1e-10)


@pytest.mark.slow  # numba compiles the whole step: 0.5-7 min on a loaded 2-core machine
def test_lstm():
    compare_training(LSTMNet, lambda p: ember.optim.Adam(p, lr=0.01), batches((4, 6, 3), (4, 2)), steps=3,
                     numba=True, atol=1e-10)


@pytest.mark.slow  # numba compiles the whole step: 0.5-7 min on a loaded 2-core machine
def test_transformer_block():
    compare_training(TransformerBlock, lambda p: ember.optim.AdamW(p, lr=0.01), batches((2, 5, 8), (2, 3)),
                     steps=2, numba=True, atol=1e-10)


def test_symbolic_batch_runs_every_size_with_one_trace():
    import numpy

    from .conftest import as_numpy, assert_close

    def step(x, w):
        return ((x @ w).relu() * 0.5 + 1.0).sum(1).mean()
    compiled = ember.function(step, numba=True,
                              input_signature=[ember.TensorSpec((None, 6), ember.float64), ember.TensorSpec((6, 3), ember.float64)])
    rng = numpy.random.default_rng(0)
    w = ember.tensor(rng.standard_normal((6, 3)))
    for batch in (1, 7, 128):
        x = ember.tensor(rng.standard_normal((batch, 6)))
        assert_close(as_numpy(compiled(x, w)), as_numpy(step(x, w)), rtol=1e-12, atol=1e-12)
    assert compiled.trace_count == 1
