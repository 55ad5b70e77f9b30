"""Helpers shared by the distributions: broadcasting parameters, probabilities and logits."""
from __future__ import annotations

import numbers

import numpy

import ember


def broadcast_all(*values):
    """Parameters as float tensors of one broadcast shape (numbers take the tensors' dtype)."""
    tensors = [v for v in values if isinstance(v, ember.Tensor)]
    dtype = tensors[0].dtype if tensors else ember.get_default_dtype()
    converted = []
    for value in values:
        if isinstance(value, ember.Tensor):
            converted.append(value if value.dtype.is_floating_point else value.to(dtype))
        elif isinstance(value, numbers.Number):
            converted.append(ember.tensor(float(value), dtype=dtype))
        else:
            raise ValueError(f"Input arguments must all be instances of numbers.Number or "
                             f"Tensor, got {type(value).__name__}")
    shape = broadcast_shapes(*(t.shape for t in converted))
    return tuple(t.expand(shape) if tuple(t.shape) != shape else t for t in converted)


def broadcast_shapes(*shapes) -> tuple:
    try:
        return tuple(numpy.broadcast_shapes(*(tuple(s) for s in shapes)))
    except ValueError as error:
        raise ValueError(f"shapes {[tuple(s) for s in shapes]} cannot be broadcast together") from error


def probs_to_logits(probs, is_binary=False):
    """Logits of probabilities, clamped away from 0 and 1 so they stay finite."""
    clamped = clamp_probs(probs)
    if is_binary:
        return ember.log(clamped) - ember.log1p(-clamped)
    return ember.log(clamped)


def logits_to_probs(logits, is_binary=False):
    return ember.sigmoid(logits) if is_binary else ember.softmax(logits, dim=-1)


def clamp_probs(probs):
    eps = float(numpy.finfo(numpy.dtype(probs.dtype.name)).eps)
    return probs.clamp(min=eps, max=1 - eps)


def sum_rightmost(value, dims: int):
    return value if dims == 0 else value.sum(list(range(-dims, 0)))
