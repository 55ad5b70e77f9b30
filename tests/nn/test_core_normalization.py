"""Normalisation layers against PyTorch: outputs, gradients, running statistics over several steps."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn import functional as F

sys.path.insert(0, os.path.dirname(__file__))
from nn_core_helpers import DTYPES, assert_close, compare_functions, compare_modules, copy_weights  # noqa: E402

BATCH_NORMS = {"BatchNorm1d": [(8, 3), (4, 3, 5)], "BatchNorm2d": [(4, 3, 2, 5)], "BatchNorm3d": [(2, 3, 2, 2, 3)]}


def _randn(*shape, dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * 2 + 0.5).astype(DTYPES[dtype][0])


def _pair(make, dtype="float32"):
    ours, theirs = make(nn), make(torch.nn)
    if dtype == "float64":
        ours.double(), theirs.double()
    # Non-trivial affine parameters, so their gradients and effect are tested too.
    with torch.no_grad():
        for param in theirs.parameters():
            param.copy_(torch.tensor(_randn(*param.shape, dtype=dtype, seed=9)))
    copy_weights(theirs, ours)
    return ours, theirs


def _cases():
    for name, shapes in BATCH_NORMS.items():
        for shape in shapes:
            yield name, shape


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("options", [{}, {"momentum": None}, {"affine": False}, {"track_running_stats": False},
                                     {"momentum": 0.5, "eps": 1e-3}, {"bias": False}])
@pytest.mark.parametrize("name, shape", list(_cases()))
def test_batch_norm_train_steps_then_eval_match_torch(name, shape, options, dtype):
    ours, theirs = _pair(lambda n: getattr(n, name)(3, **options), dtype)
    for step in range(3):  # running statistics must follow PyTorch's step by step
        ours.zero_grad(), theirs.zero_grad()
        compare_modules(ours, theirs, [_randn(*shape, dtype=dtype, seed=step)], dtype, seed=step)
        for key, value in theirs.state_dict().items():
            assert_close(ours.state_dict()[key], value, dtype, key)
    ours.eval(), theirs.eval()
    compare_modules(ours, theirs, [_randn(*shape, dtype=dtype, seed=5)], dtype)


def test_batch_norm_eval_uses_running_statistics_and_leaves_them_alone():
    layer = nn.BatchNorm1d(2)
    with ember.no_grad():
        layer.running_mean.copy_(ember.tensor([1.0, -1.0]))
        layer.running_var.copy_(ember.tensor([4.0, 0.25]))
    layer.eval()
    out = layer(ember.tensor([[3.0, 0.0]]))
    np.testing.assert_allclose(np.asarray(out), [[1.0, 2.0]], rtol=1e-4)
    assert layer.num_batches_tracked.item() == 0 and layer.running_mean.tolist() == [1.0, -1.0]


def test_batch_norm_errors():
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(3)(ember.zeros(2, 3, 4, 5))
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(ember.zeros(2, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        nn.BatchNorm1d(3)(ember.zeros(1, 3))
    with pytest.raises(ValueError, match=r"expected 3 channels.*\(2, 4\)"):
        nn.BatchNorm1d(3)(ember.zeros(2, 4))


def test_batch_norm_state_dict_keys_match_torch():
    assert list(nn.BatchNorm2d(3).state_dict()) == list(torch.nn.BatchNorm2d(3).state_dict())
    assert list(nn.BatchNorm2d(3, affine=False, track_running_stats=False).state_dict()) == []


def test_functional_batch_norm_updates_given_buffers_like_torch():
    x = _randn(6, 4, dtype="float64")
    ours_stats = [ember.zeros(4, dtype=ember.float64), ember.ones(4, dtype=ember.float64)]
    theirs_stats = [torch.zeros(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64)]
    compare_functions(lambda t: F.batch_norm(t, *ours_stats, training=True, momentum=0.3),
                      lambda t: torch.nn.functional.batch_norm(t, *theirs_stats, training=True, momentum=0.3),
                      [x])
    for mine, reference in zip(ours_stats, theirs_stats):
        assert_close(mine, reference, "float64")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("make, shape", [
    (lambda n: n.LayerNorm(5), (4, 5)),
    (lambda n: n.LayerNorm([3, 5]), (2, 3, 5)),
    (lambda n: n.LayerNorm(5, elementwise_affine=False), (2, 3, 5)),
    (lambda n: n.LayerNorm(5, bias=False, eps=1e-3), (3, 5)),
    (lambda n: n.GroupNorm(2, 6), (3, 6)),
    (lambda n: n.GroupNorm(3, 6), (2, 6, 4, 2)),
    (lambda n: n.GroupNorm(1, 4, affine=False), (2, 4, 3)),
    (lambda n: n.GroupNorm(4, 4, eps=1e-2), (2, 4, 5)),
    (lambda n: n.RMSNorm(5), (4, 5)),
    (lambda n: n.RMSNorm([2, 5], eps=1e-4), (3, 2, 5)),
], ids=["ln", "ln2d", "ln-noaffine", "ln-nobias", "gn", "gn4d", "gn-noaffine", "gn-instance", "rms", "rms2d"])
def test_layer_group_rms_norm_match_torch(make, shape, dtype):
    ours, theirs = _pair(make, dtype)
    compare_modules(ours, theirs, [_randn(*shape, dtype=dtype)], dtype)


@pytest.mark.parametrize("name, shape", [("InstanceNorm1d", (2, 3, 6)), ("InstanceNorm2d", (2, 3, 4, 4)),
                                         ("InstanceNorm1d", (3, 6))])
@pytest.mark.parametrize("options", [{}, {"affine": True, "track_running_stats": True}])
def test_instance_norm_matches_torch(name, shape, options):
    ours, theirs = _pair(lambda n: getattr(n, name)(3, **options))
    for step in range(2):
        compare_modules(ours, theirs, [_randn(*shape, seed=step)], seed=step)
    for key, value in theirs.state_dict().items():
        assert_close(ours.state_dict()[key], value, what=key)
    ours.eval(), theirs.eval()
    compare_modules(ours, theirs, [_randn(*shape, seed=3)])


def test_layer_norm_shape_error_names_the_expected_shape():
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[4\].*\[\*, 4\].*\(2, 5\)"):
        nn.LayerNorm(4)(ember.zeros(2, 5))
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(4, 6)


@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, -1), (3.0, 0)])
def test_normalize_matches_torch(p, dim):
    x = _randn(3, 4, dtype="float64")
    x[0] = 0.0  # a zero vector must keep a finite gradient
    compare_functions(lambda t: F.normalize(t, p, dim), lambda t: torch.nn.functional.normalize(t, p, dim), [x])
