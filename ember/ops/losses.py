"""Elementwise loss terms bound to fused primitives (``ember.primitives.losses``).

The reductions, weights and argument rules live in ``ember.nn.functional``;
these are the unreduced terms it builds on.
"""
from __future__ import annotations

from ..primitives.core import bind
from ..primitives.losses import BinaryCrossEntropy
from ..tensor import Tensor
from ._operands import _float, _tensor, cast
from .guards import check_values


def binary_cross_entropy_terms(input, target) -> Tensor:
    """``-(y log x + (1 - y) log(1 - x))`` per element, each log clamped at -100 (PyTorch's rule).

    ``input`` must hold probabilities: a value outside [0, 1], or NaN, raises
    (in compiled code too). The gradient at x = 0 or 1 is PyTorch's
    ``(x - y) / max(x (1 - x), 1e-12)``.

    Example:
        >>> import ember
        >>> from ember.ops.losses import binary_cross_entropy_terms
        >>> binary_cross_entropy_terms(ember.tensor([0.5, 1.0]), ember.tensor([1.0, 0.0]))
        tensor([  0.6931, 100.0000])
    """
    x = _float(input)
    y = cast(_tensor(target), x.dtype)
    check_values(x, "probability", "binary_cross_entropy")
    return bind(BinaryCrossEntropy, (x, y))
