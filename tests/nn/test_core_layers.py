"""Dense, reshaping, dropout and embedding layers against PyTorch on the same weights."""
from __future__ import annotations

import math
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


def _randn(*shape, dtype="float32", seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(DTYPES[dtype][0])


def _pair(make, dtype):
    ours, theirs = make(nn), make(torch.nn)
    if dtype == "float64":
        ours.double(), theirs.double()
    copy_weights(theirs, ours)
    return ours, theirs


# --- Linear and Bilinear ---------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(shape, bias, dtype):
    ours, theirs = _pair(lambda n: n.Linear(3, 4, bias=bias), dtype)
    compare_modules(ours, theirs, [_randn(*shape, dtype=dtype)], dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("lead", [(6,), (2, 3)])
def test_bilinear_matches_torch(lead, dtype):
    ours, theirs = _pair(lambda n: n.Bilinear(2, 3, 4), dtype)
    compare_modules(ours, theirs, [_randn(*lead, 2, dtype=dtype), _randn(*lead, 3, dtype=dtype, seed=1)], dtype)


def test_linear_parameters_names_shapes_and_init_bounds():
    layer = nn.Linear(50, 7)
    assert [(n, p.shape) for n, p in layer.named_parameters()] == [("weight", (7, 50)), ("bias", (7,))]
    bound = 1 / math.sqrt(50)
    for param in layer.parameters():
        values = np.asarray(param.detach())
        assert values.dtype == np.float32 and np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.8 * bound  # really spread over U(-bound, bound)
    assert nn.Linear(3, 2, bias=False).bias is None
    assert nn.Linear(3, 2, dtype=ember.float64).weight.dtype == ember.float64


def test_linear_init_follows_the_default_generator():
    ember.manual_seed(3)
    first = nn.Linear(4, 4).weight.tolist()
    ember.manual_seed(3)
    assert nn.Linear(4, 4).weight.tolist() == first


def test_linear_wrong_feature_size_names_layer_and_shapes():
    with pytest.raises(RuntimeError) as info:
        nn.Linear(4, 8)(ember.zeros(2, 5))
    message = str(info.value)
    assert "Linear(in_features=4, out_features=8, bias=True)" in message
    assert "4" in message and "(2, 5)" in message


def test_functional_linear_and_bilinear_errors_show_both_shapes():
    with pytest.raises(RuntimeError, match=r"\(2, 5\).*\(8, 4\)"):
        F.linear(ember.zeros(2, 5), ember.zeros(8, 4))
    with pytest.raises(RuntimeError, match="bilinear"):
        F.bilinear(ember.zeros(2, 5), ember.zeros(2, 3), ember.zeros(4, 2, 3))


def test_functional_linear_with_1d_weight_matches_torch():
    compare_functions(F.linear, torch.nn.functional.linear, [_randn(4, 3, dtype="float64"), _randn(3, dtype="float64")])


# --- Identity, Flatten, Unflatten -------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda n: n.Identity(), lambda n: n.Flatten(), lambda n: n.Flatten(0, 1), lambda n: n.Flatten(-2),
    lambda n: n.Unflatten(1, (2, 3)), lambda n: n.Unflatten(-1, (-1, 2)),
])
def test_shape_layers_match_torch(make):
    compare_modules(make(nn), make(torch.nn), [_randn(4, 6, 2)])


# --- Dropout ------------------------------------------------------------------------
def test_dropout_train_scales_survivors_and_eval_is_identity():
    layer = nn.Dropout(0.3)
    x = ember.ones(20000)
    ember.manual_seed(0)
    y = layer(x)
    values = np.asarray(y)
    assert set(np.unique(values)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((values == 0).mean() - 0.3) < 0.02
    layer.eval()
    assert layer(x) is x


def test_dropout_gradient_uses_the_same_mask():
    x = ember.ones(1000, requires_grad=True)
    y = F.dropout(x, 0.5, generator=ember.Generator().manual_seed(1))
    y.sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), np.asarray(y.detach()))


def test_dropout_generator_makes_masks_reproducible_and_edge_probabilities():
    x = ember.ones(50)
    a = F.dropout(x, 0.5, generator=ember.Generator().manual_seed(7))
    b = F.dropout(x, 0.5, generator=ember.Generator().manual_seed(7))
    assert a.tolist() == b.tolist()
    assert F.dropout(x, 0.0).tolist() == x.tolist()
    assert F.dropout(x, 1.0).tolist() == [0.0] * 50
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


@pytest.mark.parametrize("name, shape", [("Dropout1d", (4, 8, 5)), ("Dropout2d", (4, 8, 3, 3)),
                                         ("Dropout3d", (2, 8, 2, 2, 2))])
def test_channel_dropout_zeroes_whole_channels(name, shape):
    ember.manual_seed(0)
    out = np.asarray(getattr(nn, name)(0.5)(ember.ones(*shape)))
    per_channel = out.reshape(shape[0], shape[1], -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1))
    assert 0 < (per_channel == 0).all(-1).mean() < 1


# --- Embedding ------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True}])
def test_embedding_matches_torch(kwargs, dtype):
    ours, theirs = _pair(lambda n: n.Embedding(7, 3, **kwargs), dtype)
    tokens = np.array([[1, 2, 2, 6], [0, 1, 6, 1]])
    out_ours, out_theirs = ours(ember.tensor(tokens)), theirs(torch.tensor(tokens))
    assert_close(out_ours, out_theirs, dtype)
    upstream = _randn(2, 4, 3, dtype=dtype)
    out_ours.backward(ember.tensor(upstream))
    out_theirs.backward(torch.tensor(upstream))
    assert_close(ours.weight.grad, theirs.weight.grad, dtype)


def test_embedding_padding_row_is_zero_at_init_and_gets_no_gradient():
    table = nn.Embedding(5, 4, padding_idx=1)
    assert table.weight[1].tolist() == [0.0] * 4
    assert float(table.weight[0].abs().sum()) > 0
    table(ember.tensor([1, 1, 3])).sum().backward()
    assert table.weight.grad[1].tolist() == [0.0] * 4
    assert table.weight.grad[3].tolist() == [1.0] * 4


def test_embedding_init_is_standard_normal():
    ember.manual_seed(0)
    values = np.asarray(nn.Embedding(1000, 100).weight.detach())
    assert abs(values.mean()) < 0.01 and abs(values.std() - 1) < 0.01


def test_embedding_max_norm_renormalises_looked_up_rows_like_torch():
    ours, theirs = _pair(lambda n: n.Embedding(6, 4, max_norm=1.0), "float32")
    tokens = np.array([0, 3, 3, 5])
    assert_close(ours(ember.tensor(tokens)), theirs(torch.tensor(tokens)), rtol=1e-5)
    assert_close(ours.weight, theirs.weight, rtol=1e-5)


def test_embedding_errors_and_from_pretrained():
    with pytest.raises(IndexError, match="out of range"):
        nn.Embedding(3, 2)(ember.tensor([3]))
    with pytest.raises(TypeError, match="integer"):
        nn.Embedding(3, 2)(ember.tensor([1.0]))
    with pytest.raises(ValueError, match="Padding_idx"):
        nn.Embedding(3, 2, padding_idx=3)
    frozen = nn.Embedding.from_pretrained(ember.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert not frozen.weight.requires_grad and frozen(ember.tensor([1])).tolist() == [[3.0, 4.0]]


def test_one_hot_matches_torch():
    labels = np.array([[0, 3], [2, 1]])
    ours = F.one_hot(ember.tensor(labels))
    theirs = torch.nn.functional.one_hot(torch.tensor(labels))
    assert ours.dtype == ember.int64 and ours.tolist() == theirs.tolist()
    assert F.one_hot(ember.tensor([1]), num_classes=4).tolist() == [[0, 1, 0, 0]]
    with pytest.raises(ValueError):
        F.one_hot(ember.tensor([5]), num_classes=3)


def test_functional_pad_matches_torch():
    x = _randn(2, 3, 4, dtype="float64")
    compare_functions(lambda t: F.pad(t, (1, 2, 0, 1), value=0.5),
                      lambda t: torch.nn.functional.pad(t, (1, 2, 0, 1), value=0.5), [x])
