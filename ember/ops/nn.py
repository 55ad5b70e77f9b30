"""Neural-network math: ``softmax`` and ``log_softmax`` (fused primitives, see
``ember/primitives/softmax.py``) and ``dropout``."""
from __future__ import annotations

from ..errors import EmberValueError
from ..tensor import Tensor
from ..primitives import dropout as D
from ..primitives import softmax as S
from ..primitives.core import bind
from ._operands import _axes, _float, _tensor, cast


def softmax(input, dim: int, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``, shifted by the maximum so it never overflows."""
    x = _float(input, "softmax") if dtype is None else cast(input, dtype)
    return bind(S.Softmax, (x,), (_softmax_axes("softmax", dim, x.ndim),))


def log_softmax(input, dim: int, dtype=None) -> Tensor:
    """log(softmax(x)) computed as (x - max) - log(sum(exp(x - max))), as PyTorch does.

    Subtracting the maximum first keeps float32 exact for large inputs, where
    ``x - logsumexp(x)`` would lose the low digits of both terms.
    """
    x = _float(input, "log_softmax") if dtype is None else cast(input, dtype)
    return bind(S.LogSoftmax, (x,), (_softmax_axes("log_softmax", dim, x.ndim),))


def _softmax_axes(op: str, dim, ndim: int) -> tuple:
    """``dim`` as the primitives' sorted tuple of axes (None: every axis)."""
    axes = _axes(op, dim, ndim)
    return tuple(range(ndim)) if axes is None else axes


def dropout(input, p: float = 0.5, training: bool = True, *, generator=None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (training only)."""
    if not 0.0 <= p <= 1.0:
        raise EmberValueError(f"dropout: probability has to be between 0 and 1, but got {p}")
    x = _tensor(input)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    from .random import rand
    draw = rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
    return bind(D.DropoutApply, (x, draw), (float(p),))  # one fused primitive: see primitives/dropout.py
