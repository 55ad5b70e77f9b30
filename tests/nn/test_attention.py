"""scaled_dot_product_attention and MultiheadAttention against PyTorch 2.13:
values, attention weights and gradients with every kind of mask."""
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

TF = torch.nn.functional
TOLERANCE = dict(rtol=1e-9, atol=1e-10)


def _pair(array, grad=True):
    if array is None:
        return None, None
    grad = grad and array.dtype.kind == "f"
    return ember.tensor(array, requires_grad=grad), torch.tensor(array, requires_grad=grad)


def compare_sdpa(q, k, v, mask=None, seed=0, **kwargs):
    rng = np.random.default_rng(seed)
    tensors = [_pair(a) for a in (q, k, v, mask)]
    ours = F.scaled_dot_product_attention(*[t[0] for t in tensors], **kwargs)
    theirs = TF.scaled_dot_product_attention(*[t[1] for t in tensors], **kwargs)
    assert_close(ours, theirs, "float64", "value", **TOLERANCE)
    upstream = rng.standard_normal(tuple(theirs.shape))
    ours.backward(ember.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    for name, (a, b) in zip("qkvm", tensors):
        if b is not None and b.requires_grad:
            assert_close(a.grad, b.grad, "float64", f"grad {name}", **TOLERANCE)


@pytest.fixture
def qkv():
    rng = np.random.default_rng(1)
    return rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((2, 3, 6, 7))


def test_sdpa_plain_scaled_and_causal(qkv):
    q, k, v = qkv
    compare_sdpa(q, k, v)
    compare_sdpa(q, k, v, scale=0.3)
    compare_sdpa(q, k, v, is_causal=True)  # L=4 < S=6: top-left aligned triangle


def test_sdpa_boolean_and_float_masks_broadcast(qkv):
    q, k, v = qkv
    rng = np.random.default_rng(2)
    bool_mask = rng.random((4, 6)) < 0.7
    bool_mask[:, 0] = True
    compare_sdpa(q, k, v, bool_mask)
    compare_sdpa(q, k, v, rng.standard_normal((2, 1, 4, 6)))  # float mask: added, and differentiable


def test_sdpa_fully_masked_rows_give_zeros_like_torch(qkv):
    q, k, v = qkv
    mask = np.ones((4, 6), dtype=bool)
    mask[1] = False
    compare_sdpa(q, k, v, mask)
    float_mask = np.zeros((4, 6))
    float_mask[2] = -np.inf
    compare_sdpa(q, k, v, float_mask)


def test_sdpa_grouped_query_attention():
    rng = np.random.default_rng(3)
    q, k, v = rng.standard_normal((2, 4, 3, 5)), rng.standard_normal((2, 2, 6, 5)), rng.standard_normal((2, 2, 6, 5))
    compare_sdpa(q, k, v, enable_gqa=True)


def test_sdpa_three_dimensional_inputs():
    rng = np.random.default_rng(4)
    compare_sdpa(rng.standard_normal((3, 4, 5)), rng.standard_normal((3, 6, 5)), rng.standard_normal((3, 6, 2)))


def test_sdpa_dropout_is_applied_when_asked():
    x = ember.randn(1, 1, 64, 8)
    first = F.scaled_dot_product_attention(x, x, x, dropout_p=0.5)
    second = F.scaled_dot_product_attention(x, x, x, dropout_p=0.5)
    assert not np.allclose(first.numpy(), second.numpy())


# --- MultiheadAttention -------------------------------------------------------------
def build(*args, **kwargs):
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(*args, **kwargs).double()
    ours = nn.MultiheadAttention(*args, **kwargs, dtype=ember.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(theirs, ours)
    return ours, theirs


def compare_mha(ours, theirs, query, key=None, value=None, masks=None, seed=0, **kwargs):
    """Forward both, compare output and weights, backward both, compare input and parameter grads."""
    key = query if key is None else key
    value = key if value is None else value
    rng = np.random.default_rng(seed)
    inputs = [_pair(a) for a in (query, key, value)]
    mask_pairs = {name: _pair(a, grad=False) for name, a in (masks or {}).items()}
    out_ours, w_ours = ours(*[t[0] for t in inputs], **{n: p[0] for n, p in mask_pairs.items()}, **kwargs)
    out_theirs, w_theirs = theirs(*[t[1] for t in inputs], **{n: p[1] for n, p in mask_pairs.items()},
                                  **kwargs)
    assert_close(out_ours, out_theirs, "float64", "output", **TOLERANCE)
    if w_theirs is None:
        assert w_ours is None
        loss_ours, loss_theirs = 0, 0
    else:
        assert_close(w_ours, w_theirs, "float64", "weights", **TOLERANCE)
        w_up = rng.standard_normal(tuple(w_theirs.shape))
        loss_ours, loss_theirs = (w_ours * ember.tensor(w_up)).sum(), (w_theirs * torch.tensor(w_up)).sum()
    upstream = rng.standard_normal(tuple(out_theirs.shape))
    (loss_ours + (out_ours * ember.tensor(upstream)).sum()).backward()
    (loss_theirs + (out_theirs * torch.tensor(upstream)).sum()).backward()
    for name, (a, b) in zip(("query", "key", "value"), inputs):
        if b.grad is not None:
            assert_close(a.grad, b.grad, "float64", f"{name} grad", **TOLERANCE)
    ours_params = dict(ours.named_parameters())
    for name, param in theirs.named_parameters():
        assert_close(ours_params[name].grad, param.grad, "float64", f"{name} grad", **TOLERANCE)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("average", [True, False])
def test_self_attention_with_weights(batch_first, average):
    ours, theirs = build(8, 2, batch_first=batch_first)
    x = np.random.default_rng(5).standard_normal((3, 5, 8))
    compare_mha(ours, theirs, x, average_attn_weights=average)


def test_cross_attention_without_weights_and_kdim_vdim():
    ours, theirs = build(8, 4, kdim=6, vdim=3)
    rng = np.random.default_rng(6)
    compare_mha(ours, theirs, rng.standard_normal((4, 2, 8)), rng.standard_normal((7, 2, 6)),
                rng.standard_normal((7, 2, 3)), need_weights=False)
    compare_mha(ours, theirs, rng.standard_normal((4, 2, 8)), rng.standard_normal((7, 2, 6)),
                rng.standard_normal((7, 2, 3)))


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("kind", ["bool", "float"])
def test_masks(need_weights, kind):
    ours, theirs = build(8, 2, batch_first=True)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 5, 8))
    padding = np.zeros((3, 5), dtype=bool)
    padding[0, 3:] = True
    padding[2, 4] = True
    causal = np.triu(np.ones((5, 5), dtype=bool), 1)
    if kind == "float":
        padding = np.where(padding, -np.inf, 0.0)
        causal = np.where(causal, -np.inf, 0.0)
    compare_mha(ours, theirs, x, masks=dict(key_padding_mask=padding, attn_mask=causal),
                need_weights=need_weights)


def test_per_head_three_dimensional_attn_mask():
    ours, theirs = build(8, 2)
    rng = np.random.default_rng(8)
    mask = rng.standard_normal((2 * 2, 4, 6))
    compare_mha(ours, theirs, rng.standard_normal((4, 2, 8)), rng.standard_normal((6, 2, 8)),
                masks=dict(attn_mask=mask), average_attn_weights=False)


def test_is_causal_hint_matches_torch():
    ours, theirs = build(8, 2)
    x = np.random.default_rng(9).standard_normal((5, 2, 8))
    mask = np.triu(np.ones((5, 5), dtype=bool), 1)
    compare_mha(ours, theirs, x, masks=dict(attn_mask=mask), is_causal=True, need_weights=False)
    with pytest.raises(ValueError, match="need attn_mask"):
        ours(ember.tensor(x), ember.tensor(x), ember.tensor(x), is_causal=True)


@pytest.mark.parametrize("kwargs", [dict(add_bias_kv=True), dict(add_zero_attn=True), dict(bias=False),
                                    dict(add_bias_kv=True, add_zero_attn=True)])
def test_options(kwargs):
    ours, theirs = build(8, 2, **kwargs)
    rng = np.random.default_rng(10)
    padding = np.zeros((2, 6), dtype=bool)
    padding[1, -1] = True
    compare_mha(ours, theirs, rng.standard_normal((4, 2, 8)), rng.standard_normal((6, 2, 8)),
                masks=dict(key_padding_mask=padding))


def test_unbatched_input():
    ours, theirs = build(8, 2, batch_first=True)
    rng = np.random.default_rng(11)
    compare_mha(ours, theirs, rng.standard_normal((4, 8)), rng.standard_normal((6, 8)),
                masks=dict(key_padding_mask=np.array([False] * 5 + [True])))


def test_eval_mode_turns_dropout_off_and_matches_torch_inference():
    ours, theirs = build(8, 2, dropout=0.5, batch_first=True)
    ours.eval()
    theirs.eval()
    compare_mha(ours, theirs, np.random.default_rng(12).standard_normal((2, 5, 8)))
    x = np.random.default_rng(13).standard_normal((2, 5, 8))
    with torch.no_grad():  # PyTorch's fused inference path
        expected = theirs(*[torch.tensor(x)] * 3)[0]
    with ember.no_grad():
        actual = ours(*[ember.tensor(x)] * 3)[0]
    assert_close(actual, expected, "float64", "inference output", rtol=1e-7, atol=1e-9)
    ours.train()
    first, second = (ours(*[ember.tensor(x)] * 3)[0] for _ in range(2))
    assert not np.allclose(first.detach().numpy(), second.detach().numpy())


def test_initialisation_follows_torch():
    layer = nn.MultiheadAttention(16, 4, add_bias_kv=True)
    bound = np.sqrt(6 / (16 + 48))  # xavier_uniform on (3E, E)
    values = layer.in_proj_weight.detach().numpy()
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.8 * bound
    assert not layer.in_proj_bias.detach().numpy().any() and not layer.out_proj.bias.detach().numpy().any()
    assert np.abs(layer.out_proj.weight.detach().numpy()).max() <= 1 / 4  # Linear's U(±1/√16)
    assert layer.bias_k.shape == (1, 1, 16)
    assert repr(layer) == repr(torch.nn.MultiheadAttention(16, 4, add_bias_kv=True))


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.MultiheadAttention(10, 3), ValueError, "divisible by num_heads"),
    (lambda: nn.MultiheadAttention(8, 2)(ember.ones(3, 2, 8), ember.ones(4, 2, 8), ember.ones(4, 2, 8),
                                         attn_mask=ember.ones(3, 3)), ember.ShapeError,
     r"the shape of the 2D attn_mask is \(3, 3\), but should be \(3, 4\)"),
    (lambda: nn.MultiheadAttention(8, 2)(ember.ones(3, 2, 8), ember.ones(4, 2, 8), ember.ones(4, 2, 8),
                                         key_padding_mask=ember.zeros(2, 3, dtype=ember.bool)),
     ember.ShapeError, r"expecting key_padding_mask shape of \(2, 4\)"),
])
def test_errors_are_clear(call, error, message):
    with pytest.raises(error, match=message):
        call()
