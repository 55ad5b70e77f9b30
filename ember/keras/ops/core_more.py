"""``keras.ops``'s ``custom_gradient``, ``associative_scan`` and einops-style ``rearrange``.

``custom_gradient`` is an :class:`ember.autograd.Function` (Ember's user-defined primitive), so
the gradient it declares is what eager backward, ``create_graph`` and traced steps all use.

Example:
    >>> from ember.keras import ops
    >>> ops.rearrange(ops.ones((2, 3, 4)), "b h w -> b (h w)").shape
    (2, 12)
    >>> ops.associative_scan(lambda a, b: a + b, ops.convert_to_tensor([1.0, 2.0, 3.0])).tolist()
    [1.0, 3.0, 6.0]
"""
from __future__ import annotations

import functools
import math
import re

import ember
from ember.autograd import Function
from ember.ops import functions as F

from .numpy_ops import _t


class _CustomGradient(Function):
    """Runs ``f(*args) -> (output, grad_fn)``; backward returns ``grad_fn(*args, upstream=g)``."""

    @staticmethod
    def forward(ctx, function, *args):
        output, ctx.grad_fn = function(*args)
        ctx.save_for_backward(*args)
        return output

    @staticmethod
    def backward(ctx, upstream):
        grads = ctx.grad_fn(*ctx.saved_tensors, upstream=upstream)
        return (None,) + (tuple(grads) if isinstance(grads, (tuple, list)) else (grads,))


def custom_gradient(f):
    """Decorator: ``f(*args)`` returns ``(output, grad_fn)``; the result computes ``output`` and
    differentiates with ``grad_fn(*args, upstream=...)`` (Keras's torch-backend convention)."""
    @functools.wraps(f)
    def wrapper(*args):
        return _CustomGradient.apply(f, *(_t(a) for a in args))
    return wrapper


def _leaves(structure):
    return list(structure) if isinstance(structure, (list, tuple)) else [structure]


def associative_scan(f, elems, reverse: bool = False, axis: int = 0):
    """Running ``f`` along ``axis``: result ``i`` is ``f(result[i - 1], elems[i])`` (``elems`` may be a
    list or tuple of tensors; ``f`` then takes and returns such lists)."""
    nested = isinstance(elems, (list, tuple))
    leaves = [_t(e) for e in _leaves(elems)]
    length = leaves[0].shape[axis]

    def take(i):
        parts = [F.getitem_index(leaf, (slice(None),) * (axis % leaf.ndim) + (slice(i, i + 1),)) for leaf in leaves]
        return type(elems)(parts) if nested else parts[0]
    steps = range(length - 1, -1, -1) if reverse else range(length)
    results, carry = [], None
    for i in steps:
        carry = take(i) if carry is None else f(carry, take(i))
        results.append(_leaves(carry))
    if reverse:
        results.reverse()
    stacked = [F.concat([step[k] for step in results], axis) for k in range(len(leaves))]
    return type(elems)(stacked) if nested else stacked[0]


_TOKEN = re.compile(r"\([^()]*\)|\S+")


def _groups(side: str):
    return [token[1:-1].split() if token.startswith("(") else [token] for token in _TOKEN.findall(side)]


def _axis_lengths(groups, shape, given):
    lengths = dict(given)
    if len(groups) != len(shape):
        raise ValueError(f"rearrange: the pattern names {len(groups)} axes but the tensor has shape {tuple(shape)}")
    for group, size in zip(groups, shape):
        unknown = [name for name in group if name not in lengths]
        if len(unknown) > 1:
            raise ValueError(f"rearrange: cannot infer the sizes of {unknown} from one axis of size {size}")
        known = math.prod(lengths[name] for name in group if name in lengths)
        if unknown:
            lengths[unknown[0]] = size // known
        elif known != size:
            raise ValueError(f"rearrange: axes {group} have sizes whose product {known} is not the axis size {size}")
    return lengths


def rearrange(tensor, pattern: str, **axes_lengths):
    """Reorder, split and merge axes as an einops pattern says (``"b (h w) c -> b h w c"``, ``h=4``)."""
    value = _t(tensor)
    source, target = (_groups(side) for side in pattern.split("->"))
    lengths = _axis_lengths(source, value.shape, axes_lengths)
    elementary = [name for group in source for name in group]
    output_names = [name for group in target for name in group]
    if sorted(elementary) != sorted(output_names):
        raise ValueError(f"rearrange: both sides of {pattern!r} must name the same axes")
    split = F.reshape(value, tuple(lengths[name] for name in elementary))
    moved = F.permute(split, [elementary.index(name) for name in output_names])
    return F.reshape(moved, tuple(math.prod(lengths[name] for name in group) for group in target))


__all__ = ["associative_scan", "custom_gradient", "rearrange"]
