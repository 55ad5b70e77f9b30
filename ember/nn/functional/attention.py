"""Attention with PyTorch's signatures: ``scaled_dot_product_attention`` and
``multi_head_attention_forward`` (the function behind ``nn.MultiheadAttention``).

Both are compositions of matmul, softmax and masking, so their gradients come
from those ops. Masks follow PyTorch's two conventions, which are opposite:
for ``scaled_dot_product_attention`` a boolean ``True`` means *may attend*;
for multi-head attention's ``attn_mask`` and ``key_padding_mask`` it means
*masked out*. Float masks are added to the scores in both.
"""
from __future__ import annotations

import math

from ... import backend
from ...backend import bool_
from ...errors import DTypeError, EmberValueError, ShapeError
from ...ops import functions as E
from ...ops.creation import as_tensor
from ...tensor import Tensor
from .dropout import dropout
from .linear import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _constant(array) -> Tensor:
    return as_tensor(array)


def _safe_softmax(scores: Tensor) -> Tensor:
    """Softmax over the last axis whose rows of only ``-inf`` give zeros (PyTorch's SDPA), not NaN.

    Such rows are replaced by zeros *before* the softmax, so no NaN ever
    enters the graph and their gradient is exactly zero. Written without
    Python branches on the data, so a traced graph computes the same.
    """
    empty = E.all(E.eq(scores.detach(), -math.inf), -1, keepdim=True)
    weights = E.softmax(E.where(empty, 0.0, scores), -1)
    return E.where(empty, 0.0, weights)


def _causal_mask(target: int, source: int, like: Tensor) -> Tensor:
    """Boolean ``(L, S)``: position i may attend to j <= i (top-left aligned, as in PyTorch), on ``like``'s device."""
    return _constant(backend.namespace_of(like._data).tri(target, source, 0, dtype=bool))


def _add_mask(scores: Tensor, mask, allowed_when_true: bool) -> Tensor:
    """Scores with a boolean or additive float mask applied."""
    if mask is None:
        return scores
    if mask.dtype == bool_:
        blocked = E.logical_not(mask) if allowed_when_true else mask
        return E.masked_fill(scores, blocked, -math.inf)
    if not mask.is_floating_point():
        raise DTypeError(f"attention: only bool and floating masks are supported, got {mask.dtype}")
    return scores + E.cast(mask, scores.dtype)


def _repeat_heads(x: Tensor, repeats: int) -> Tensor:
    """``repeat_interleave`` along the head axis (-3), for grouped-query attention."""
    if repeats == 1:
        return x
    expanded = E.unsqueeze(x, -3)
    shape = x.shape[:-3] + (x.shape[-3], repeats) + x.shape[-2:]
    return E.reshape(E.broadcast_to(expanded, shape), x.shape[:-3] + (-1,) + x.shape[-2:])


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale=None, enable_gqa: bool = False) -> Tensor:
    """``softmax(Q Kᵀ · scale + mask) V`` over the last two axes (PyTorch's function of that name).

    ``attn_mask`` is boolean (``True``: may attend) or float (added to the
    scores) and broadcasts to ``(..., L, S)``; ``is_causal`` applies a lower
    triangular mask; ``scale`` defaults to ``1/sqrt(E)``. Rows where nothing
    may be attended give zeros, as in PyTorch. ``dropout_p`` is applied
    whenever it is non-zero (pass 0.0 in evaluation, as in PyTorch).

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> q = k = v = ember.ones(2, 4, 5, 8)
        >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
        (2, 4, 5, 8)
    """
    if is_causal and attn_mask is not None:
        raise EmberValueError("scaled_dot_product_attention: pass either attn_mask or is_causal, not both")
    if query.ndim < 2 or key.ndim != query.ndim or value.ndim != query.ndim:
        raise ShapeError(f"scaled_dot_product_attention: query {tuple(query.shape)}, key "
                         f"{tuple(key.shape)} and value {tuple(value.shape)} must have the same rank >= 2")
    if enable_gqa and query.ndim >= 3:
        key = _repeat_heads(key, query.shape[-3] // key.shape[-3])
        value = _repeat_heads(value, query.shape[-3] // value.shape[-3])
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = E.matmul(query, E.transpose(key, -2, -1)) * scale
    if is_causal:
        attn_mask = _causal_mask(query.shape[-2], key.shape[-2], query)
    if attn_mask is None:  # nothing can mask a whole row: the plain softmax is enough
        weights = E.softmax(scores, -1)
    else:
        weights = _safe_softmax(_add_mask(scores, attn_mask, allowed_when_true=True))
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return E.matmul(weights, value)


# --- multi-head attention -------------------------------------------------------
def _canonical_mask(mask, name: str, dtype):
    """Boolean masks (``True``: masked out) become additive float masks, as in PyTorch."""
    if mask is None:
        return None
    if mask.dtype == bool_:
        xp = backend.namespace_of(mask._data)
        return E.masked_fill(_constant(xp.zeros(mask.shape, dtype=dtype)), mask, -math.inf)
    if not mask.is_floating_point():
        raise DTypeError(f"multi_head_attention_forward: only bool and floating types of {name} are "
                         f"supported, got {mask.dtype}")
    return mask


def _in_projection(query, key, value, weights, biases):
    """Project query, key and value with their (possibly packed) weights."""
    q_bias, k_bias, v_bias = biases if biases is not None else (None, None, None)
    return (linear(query, weights[0], q_bias), linear(key, weights[1], k_bias),
            linear(value, weights[2], v_bias))


def _split(tensor: Tensor, parts: int):
    return E.chunk(tensor, parts, 0) if tensor is not None else None


def _check_attn_mask(attn_mask, batch_heads: int, target: int, source: int):
    """A 2-D ``(L, S)`` mask gains a leading axis; a 3-D one must be ``(N * heads, L, S)``."""
    if attn_mask is None:
        return None
    if attn_mask.ndim == 2:
        if tuple(attn_mask.shape) != (target, source):
            raise ShapeError(f"multi_head_attention_forward: the shape of the 2D attn_mask is "
                             f"{tuple(attn_mask.shape)}, but should be {(target, source)}")
        return E.unsqueeze(attn_mask, 0)
    if attn_mask.ndim == 3 and tuple(attn_mask.shape) == (batch_heads, target, source):
        return attn_mask
    raise ShapeError(f"multi_head_attention_forward: attn_mask of shape {tuple(attn_mask.shape)} "
                     f"should be {(target, source)} or {(batch_heads, target, source)}")


def _pad_last(mask, width: int = 1):
    return None if mask is None else E.pad(mask, (0, width))


def _heads(x: Tensor, batch_heads: int, head_dim: int) -> Tensor:
    """``(L, N, E)`` → ``(N * heads, L, head_dim)``."""
    return E.transpose(E.reshape(x, (x.shape[0], batch_heads, head_dim)), 0, 1)


def multi_head_attention_forward(query, key, value, embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn: bool,
                                 dropout_p: float, out_proj_weight, out_proj_bias, training: bool = True,
                                 key_padding_mask=None, need_weights: bool = True, attn_mask=None,
                                 use_separate_proj_weight: bool = False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None,
                                 average_attn_weights: bool = True, is_causal: bool = False):
    """Multi-head attention on sequence-first inputs ``(L, N, E)`` (or unbatched ``(L, E)``).

    Returns ``(output, weights)``: the output ``(L, N, E)`` and, when
    ``need_weights``, the attention weights ``(N, L, S)`` averaged over heads
    (``(N, heads, L, S)`` with ``average_attn_weights=False``), else None.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> x = ember.ones(5, 2, 8)
        >>> w, b = ember.ones(24, 8) * 0.1, ember.zeros(24)
        >>> out, weights = F.multi_head_attention_forward(
        ...     x, x, x, 8, 2, w, b, None, None, False, 0.0, ember.ones(8, 8), ember.zeros(8))
        >>> out.shape, weights.shape
        ((5, 2, 8), (2, 5, 5))
    """
    batched = query.ndim == 3
    if not batched:
        query, key, value = (E.unsqueeze(t, 1) for t in (query, key, value))
        key_padding_mask = None if key_padding_mask is None else E.unsqueeze(key_padding_mask, 0)
    target, batch, embed_dim = query.shape
    if embed_dim != embed_dim_to_check or embed_dim % num_heads:
        raise ShapeError(f"multi_head_attention_forward: was expecting embedding dimension of "
                         f"{embed_dim_to_check} divisible by num_heads={num_heads}, but got {embed_dim}")
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", query.dtype.numpy)
    if is_causal and attn_mask is None:
        raise EmberValueError("multi_head_attention_forward: need attn_mask if specifying the "
                              "is_causal hint")
    # PyTorch drops a causal attn_mask for its causal kernel only when nothing else masks
    use_causal_kernel = is_causal and key_padding_mask is None and not need_weights
    attn_mask = None if use_causal_kernel else _canonical_mask(attn_mask, "attn_mask", query.dtype.numpy)

    weights = ((q_proj_weight, k_proj_weight, v_proj_weight) if use_separate_proj_weight
               else _split(in_proj_weight, 3))
    q, k, v = _in_projection(query, key, value, weights, _split(in_proj_bias, 3))
    masks = (_check_attn_mask(attn_mask, batch * num_heads, target, key.shape[0]), key_padding_mask)
    if bias_k is not None and bias_v is not None:
        k, v = (E.cat([t, E.broadcast_to(E.reshape(b, (1, 1, embed_dim)), (1, batch, embed_dim))])
                for t, b in ((k, bias_k), (v, bias_v)))
        masks = tuple(_pad_last(m) for m in masks)
    head_dim = embed_dim // num_heads
    q = _heads(q, batch * num_heads, head_dim)
    k = _heads(k, batch * num_heads, head_dim) if static_k is None else static_k
    v = _heads(v, batch * num_heads, head_dim) if static_v is None else static_v
    if add_zero_attn:
        zeros = _constant(backend.namespace_of(k._data).zeros((batch * num_heads, 1, head_dim), k.dtype.numpy))
        k, v = E.cat([k, zeros], 1), E.cat([v, zeros], 1)
        masks = tuple(_pad_last(m) for m in masks)
    attn_mask = _merge_padding_mask(*masks, batch, num_heads, k.shape[1])
    out, weights = _attend(q, k, v, attn_mask, dropout_p if training else 0.0, need_weights,
                           use_causal_kernel, batch, num_heads)
    out = E.reshape(E.transpose(out, 0, 1), (target * batch, embed_dim))
    out = E.reshape(linear(out, out_proj_weight, out_proj_bias), (target, batch, embed_dim))
    if weights is not None:
        weights = E.reshape(weights, (batch, num_heads, target, k.shape[1]))
        weights = E.mean(weights, 1) if average_attn_weights else weights
    if not batched:
        out = E.squeeze(out, 1)
        weights = None if weights is None else E.squeeze(weights, 0)
    return out, weights


def _merge_padding_mask(attn_mask, key_padding_mask, batch: int, num_heads: int, source: int):
    """Add the ``(N, S)`` key padding mask, repeated per head, to the ``(N * heads, L, S)`` mask."""
    if key_padding_mask is None:
        return attn_mask
    if tuple(key_padding_mask.shape) != (batch, source):
        raise ShapeError(f"multi_head_attention_forward: expecting key_padding_mask shape of "
                         f"{(batch, source)}, but got {tuple(key_padding_mask.shape)}")
    padding = E.broadcast_to(E.reshape(key_padding_mask, (batch, 1, 1, source)), (batch, num_heads, 1, source))
    padding = E.reshape(padding, (batch * num_heads, 1, source))
    return padding if attn_mask is None else attn_mask + padding


def _attend(q, k, v, attn_mask, dropout_p, need_weights, is_causal, batch, num_heads):
    """``(N * heads, L, head_dim)`` outputs, and the weights when asked for.

    With weights PyTorch uses a plain softmax (fully masked rows give NaN);
    without, its fused kernel (fully masked rows give zeros). Both are kept.
    """
    if not need_weights:
        if attn_mask is not None:
            attn_mask = E.reshape(attn_mask, (-1, num_heads) + tuple(attn_mask.shape[1:])) \
                if attn_mask.shape[0] != 1 else attn_mask
        shape = (batch, num_heads) + tuple(q.shape[1:])
        q4, k4, v4 = (E.reshape(t, (batch, num_heads) + tuple(t.shape[1:])) for t in (q, k, v))
        out = scaled_dot_product_attention(q4, k4, v4, attn_mask, dropout_p, is_causal)
        return E.reshape(out, (batch * num_heads,) + shape[2:]), None
    scores = E.matmul(q * math.sqrt(1.0 / q.shape[-1]), E.transpose(k, 1, 2))
    if attn_mask is not None:
        scores = scores + attn_mask
    weights = E.softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return E.matmul(weights, v), weights
