"""Gradient clipping, in place and outside the graph, as ``torch.nn.utils.clip_grad_*``.

The norms and the scaling work on the gradients' backend arrays directly (as the
optimizers do): clipping a GPT's 30 gradients through Ember ops cost about 240
dispatched operations per step, a third of the step's. Written with the
namespace's functions (``xp.multiply``, ``xp.sum`` …, ``out=`` for the in-place
scaling), so a traced training step (``ember.function``) records the same math.
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy

from ... import backend
from ...autograd.grad_mode import no_grad
from ...ops.creation import tensor
from ...tensor import Tensor


def _grads(parameters) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _accumulated(array, xp):
    """``array`` in the dtype its norm accumulates in: float16/bfloat16 in float32, as PyTorch."""
    if array.dtype.kind == "f" and array.dtype.itemsize < 4:
        return array.astype(numpy.float32)
    return array


def _partial(xp, array, norm_type: float):
    """One tensor's share of the total: Σ|x|^p, or max/min |x| for ±inf, or the count of non-zeros for 0."""
    if norm_type == 2.0:
        return xp.sum(xp.multiply(array, array))
    if norm_type == math.inf:
        return xp.max(xp.abs(array))
    if norm_type == -math.inf:
        return xp.min(xp.abs(array))
    if norm_type == 0.0:
        return xp.sum(xp.not_equal(array, 0), dtype=array.dtype)
    magnitude = xp.abs(array)
    return xp.sum(magnitude if norm_type == 1.0 else xp.power(magnitude, norm_type))


def _combine(xp, shares: list, norm_type: float):
    """The total norm from the per-tensor shares of :func:`_partial`.

    PyTorch takes the norm of the per-tensor norms; for p=0 that counts the
    tensors with a non-zero element, not the elements.
    """
    if norm_type == 0.0:
        shares = [xp.not_equal(share, 0).astype(share.dtype) for share in shares]
    total = shares[0]
    merge = xp.maximum if norm_type == math.inf else xp.minimum if norm_type == -math.inf else xp.add
    for share in shares[1:]:
        total = merge(total, share)
    if norm_type == 2.0:
        return xp.sqrt(total)
    if norm_type in (1.0, 0.0, math.inf, -math.inf):
        return total
    return xp.power(total, 1.0 / norm_type)


def get_total_norm(tensors: Iterable[Tensor], norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` together (as if concatenated).

    Example:
        >>> import ember
        >>> get_total_norm([ember.tensor([3.0]), ember.tensor([4.0])])
        tensor(5.)
    """
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if not tensors:
        return tensor(0.0)
    norm_type = float(norm_type)
    arrays = [t._data for t in tensors]
    xp = backend.namespace_of(arrays[0])
    dtype = arrays[0].dtype
    shares = [_partial(xp, _accumulated(array, xp), norm_type) for array in arrays]
    total = _combine(xp, shares, norm_type)
    if total.dtype != dtype and dtype.kind == "f":
        total = total.astype(dtype)  # back to the gradients' (16-bit) dtype, as PyTorch returns it
    total = Tensor._make(xp.asarray(total), None, False)
    if error_if_nonfinite and not bool(xp.isfinite(total._data)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is "
                           "non-finite, so it cannot be clipped. To disable this error and scale "
                           "the gradients by the non-finite norm anyway, set "
                           "`error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters, max_norm: float, total_norm: Tensor, foreach=None) -> None:
    """Scale the gradients by ``max_norm / (total_norm + 1e-6)`` when that is below 1.

    Example:
        >>> import ember
        >>> w = ember.nn.Parameter(ember.zeros(2))
        >>> w.grad = ember.tensor([3.0, 4.0])
        >>> clip_grads_with_norm_([w], 1.0, ember.tensor(5.0))
        >>> [round(g, 4) for g in w.grad.tolist()]
        [0.6, 0.8]
    """
    grads = _grads(parameters)
    if not grads:
        return
    norm = total_norm._data if isinstance(total_norm, Tensor) else total_norm
    xp = backend.namespace_of(grads[0]._data)
    # clamped to 1, and applied even then, as PyTorch does (one multiply per gradient)
    coefficient = xp.minimum(xp.divide(float(max_norm), xp.add(norm, 1e-6)), 1.0)
    for grad in grads:
        array = grad._data
        xp.multiply(array, coefficient.astype(array.dtype), out=array)
        grad._shared_version().value += 1  # an in-place write, as ``mul_`` counts it


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Rescale the gradients so their total norm is at most ``max_norm``; returns the norm before.

    Example:
        >>> import ember
        >>> w = ember.nn.Parameter(ember.zeros(2))
        >>> w.grad = ember.tensor([3.0, 4.0])
        >>> clip_grad_norm_([w], max_norm=1.0)
        tensor(5.)
        >>> [round(g, 4) for g in w.grad.tolist()]
        [0.6, 0.8]
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    parameters = list(parameters)
    total = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element to [-clip_value, clip_value] in place.

    Example:
        >>> import ember
        >>> w = ember.nn.Parameter(ember.zeros(2))
        >>> w.grad = ember.tensor([-3.0, 0.5])
        >>> clip_grad_value_([w], 1.0)
        >>> w.grad.tolist()
        [-1.0, 0.5]
    """
    clip_value = float(clip_value)
    with no_grad():
        for grad in _grads(parameters):
            grad.clamp_(-clip_value, clip_value)
