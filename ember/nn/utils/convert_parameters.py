"""Flattening parameters into one vector and back."""
from __future__ import annotations

from typing import Iterable

from ...autograd.grad_mode import no_grad
from ...errors import ShapeError
from ...ops import functions as E
from ...tensor import Tensor


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D tensor (differentiable).

    Example:
        >>> import ember
        >>> parameters_to_vector([ember.ones(2, 2), ember.zeros(1)])
        tensor([1., 1., 1., 1., 0.])
    """
    return E.cat([E.reshape(p, (-1,)) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into each parameter, in place.

    Example:
        >>> import ember
        >>> a, b = ember.zeros(2), ember.zeros(1)
        >>> vector_to_parameters(ember.tensor([1.0, 2.0, 3.0]), [a, b])
        >>> a, b
        (tensor([1., 2.]), tensor([3.]))
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected a Tensor, but got: {type(vec).__name__}")
    parameters = list(parameters)
    total = sum(p.numel() for p in parameters)
    if vec.ndim != 1 or vec.numel() != total:
        raise ShapeError(f"vector_to_parameters: expected a vector of {total} elements, got shape {vec.shape}")
    start = 0
    with no_grad():
        for param in parameters:
            count = param.numel()
            param.copy_(E.reshape(vec[start:start + count], param.shape))
            start += count
