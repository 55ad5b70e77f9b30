"""Affine maps: ``linear`` (x Wᵀ + b) and ``bilinear`` (x₁ᵀ W x₂ + b)."""
from __future__ import annotations

import math

from ...errors import DTypeError, ShapeError
from ...ops import functions as E
from ...primitives.affine import Linear
from ...primitives.core import bind
from ...tensor import Tensor


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` over the last dimension of ``input``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.linear(ember.ones(2, 3), ember.ones(4, 3), ember.zeros(4)).shape
        (2, 4)
    """
    x = E._tensor(input)
    features = weight.shape[-1]
    if x.ndim == 0 or x.shape[-1] != features:
        raise ShapeError(f"linear: input of shape {x.shape} does not fit weight of shape "
                         f"{weight.shape} (the input's last dimension must be {features})")
    bias = None if bias is None else E._tensor(bias)
    if weight.ndim != 2 or x._data.dtype.kind == "c" or (bias is not None and bias.ndim > 1):
        out = E.matmul(x, weight.T)  # PyTorch's 1-D weight, complex operands, a 2-D bias: composed
        return out if bias is None else out + bias
    operands = (x, weight) if bias is None else (x, weight, bias)
    if any(operand._data.dtype != x._data.dtype for operand in operands) and not _autocasting():
        raise DTypeError("linear: operands must share one dtype, got "
                         + ", ".join(str(operand.dtype) for operand in operands))
    return bind(Linear, operands)  # one fused primitive: see ember/primitives/affine.py


def _autocasting() -> bool:
    """Inside an ember.autocast region, where the operands are cast to one dtype on their way in."""
    from ...amp.autocast_mode import is_active
    return is_active()


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y_k = x1 · W_k · x2 + b_k`` with ``weight`` of shape ``(out, in1, in2)``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.bilinear(ember.ones(5, 2), ember.ones(5, 3), ember.ones(4, 2, 3)).shape
        (5, 4)
    """
    x1, x2 = E._tensor(input1), E._tensor(input2)
    if weight.ndim != 3 or x1.shape[:-1] != x2.shape[:-1] or x1.ndim == 0 \
            or x1.shape[-1] != weight.shape[1] or x2.shape[-1] != weight.shape[2]:
        raise ShapeError(f"bilinear: inputs of shapes {x1.shape} and {x2.shape} do not fit weight "
                         f"of shape {weight.shape} (expected (*, {weight.shape[1:2]}) and "
                         f"(*, {weight.shape[2:3]}) with the same leading dimensions)")
    lead = x1.shape[:-1]
    rows = math.prod(lead)
    flat1 = E.reshape(x1, (rows, x1.shape[-1]))
    flat2 = E.reshape(x2, (rows, x2.shape[-1]))
    out = E.einsum("ni,kij,nj->nk", flat1, weight, flat2)
    if bias is not None:
        out = out + bias
    return E.reshape(out, lead + (weight.shape[0],))
