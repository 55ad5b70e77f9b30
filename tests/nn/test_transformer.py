"""TransformerEncoderLayer and TransformerEncoder against PyTorch 2.13 on the same weights."""
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
from nn_core_helpers import assert_close, copy_weights  # noqa: E402

TOLERANCE = dict(rtol=1e-8, atol=1e-9)


def build(name, *args, **kwargs):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    ours = getattr(nn, name)(*args, **kwargs, dtype=ember.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(theirs, ours)
    return ours, theirs


def compare(ours, theirs, x, seed=0, **masks):
    """Forward, backward a random upstream gradient, compare output and all gradients."""
    ours_in, theirs_in = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_ours = ours(ours_in, **{k: ember.tensor(v) for k, v in masks.items()})
    out_theirs = theirs(theirs_in, **{k: torch.tensor(v) for k, v in masks.items()})
    assert_close(out_ours, out_theirs, "float64", "output", **TOLERANCE)
    upstream = np.random.default_rng(seed).standard_normal(x.shape)
    out_ours.backward(ember.tensor(upstream))
    out_theirs.backward(torch.tensor(upstream))
    assert_close(ours_in.grad, theirs_in.grad, "float64", "input grad", **TOLERANCE)
    ours_params = dict(ours.named_parameters())
    for name, param in theirs.named_parameters():
        assert_close(ours_params[name].grad, param.grad, "float64", f"{name} grad", **TOLERANCE)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_in_eval_mode_matches_torch(norm_first, activation, batch_first):
    ours, theirs = build("TransformerEncoderLayer", 8, 2, dim_feedforward=16, activation=activation,
                         norm_first=norm_first, batch_first=batch_first)
    ours.eval()
    theirs.eval()
    compare(ours, theirs, np.random.default_rng(1).standard_normal((3, 5, 8)))


def test_encoder_layer_without_dropout_trains_like_torch_with_masks():
    ours, theirs = build("TransformerEncoderLayer", 8, 4, dim_feedforward=12, dropout=0.0, batch_first=True,
                         layer_norm_eps=1e-6)
    padding = np.zeros((2, 6), dtype=bool)
    padding[1, 4:] = True
    causal = np.triu(np.ones((6, 6), dtype=bool), 1)
    compare(ours, theirs, np.random.default_rng(2).standard_normal((2, 6, 8)), src_mask=causal,
            src_key_padding_mask=padding)


def test_encoder_layer_without_bias_and_with_a_callable_activation():
    torch.manual_seed(0)
    theirs = torch.nn.TransformerEncoderLayer(8, 2, 16, 0.0, torch.nn.functional.silu, bias=False).double()
    ours = nn.TransformerEncoderLayer(8, 2, 16, 0.0, F.silu, bias=False, dtype=ember.float64)
    copy_weights(theirs, ours)
    compare(ours, theirs, np.random.default_rng(3).standard_normal((4, 2, 8)))


def test_encoder_layer_is_causal_hint():
    ours, theirs = build("TransformerEncoderLayer", 8, 2, dim_feedforward=16, dropout=0.0)
    mask = np.triu(np.ones((5, 5), dtype=bool), 1)
    x = np.random.default_rng(4).standard_normal((5, 2, 8))
    out_ours = ours(ember.tensor(x), src_mask=ember.tensor(mask), is_causal=True)
    out_theirs = theirs(torch.tensor(x), src_mask=torch.tensor(mask), is_causal=True)
    assert_close(out_ours, out_theirs, "float64", "output", **TOLERANCE)


def test_dropout_is_active_in_training_only():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.5)
    x = ember.randn(4, 2, 8)
    assert not np.allclose(layer(x).detach().numpy(), layer(x).detach().numpy())
    layer.eval()
    np.testing.assert_array_equal(layer(x).detach().numpy(), layer(x).detach().numpy())


def test_encoder_stack_matches_torch():
    torch.manual_seed(0)
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16, 0.0), 2,
                                         norm=torch.nn.LayerNorm(8), enable_nested_tensor=False).double()
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, 0.0, dtype=ember.float64), 2,
                                 norm=nn.LayerNorm(8, dtype=ember.float64), enable_nested_tensor=False)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(theirs, ours)
    padding = np.zeros((2, 5), dtype=bool)
    padding[0, 3:] = True
    compare(ours, theirs, np.random.default_rng(5).standard_normal((5, 2, 8)), src_key_padding_mask=padding)


def test_stack_layers_are_independent_copies():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2, enable_nested_tensor=False)
    first, second = encoder.layers[0].linear1.weight, encoder.layers[1].linear1.weight
    assert first is not second
    with ember.no_grad():
        first.fill_(0.0)
    assert second.detach().numpy().any()


def test_repr_and_defaults_match_torch():
    ours, theirs = nn.TransformerEncoderLayer(16, 4), torch.nn.TransformerEncoderLayer(16, 4)
    assert repr(ours) == repr(theirs)
    assert ours.linear1.weight.shape == (2048, 16)
    assert ours.dropout.p == theirs.dropout.p == 0.1
    assert ours.norm1.eps == theirs.norm1.eps


def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="activation should be relu/gelu"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
