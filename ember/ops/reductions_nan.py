"""Reductions that skip NaN: ``nansum`` and ``nanmean``, and ``heaviside``/``float_power``/``exp2``."""
from __future__ import annotations

from ..tensor import Tensor
from ._operands import _float, _operand, _tensor, cast
from .comparison import isnan
from .elementwise import pow, where
from .reduce import sum


def nansum(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The sum over ``dim``, treating NaN as 0.

    Example:
        >>> import ember
        >>> ember.nansum(ember.tensor([1.0, float("nan"), 2.0])).item()
        3.0
    """
    x = _tensor(input)
    if x._data.dtype.kind == "f":
        x = where(isnan(x), 0, x)
    return sum(x, dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The mean over ``dim`` of the entries that are not NaN.

    Example:
        >>> import ember
        >>> ember.nanmean(ember.tensor([1.0, float("nan"), 2.0])).item()
        1.5
    """
    x = _tensor(input) if dtype is None else cast(_tensor(input), dtype)
    present = ~isnan(x)
    return nansum(x, dim, keepdim) / sum(cast(present, x.dtype), dim, keepdim)


def heaviside(input, values) -> Tensor:
    """0 where ``input < 0``, 1 where ``input > 0`` and ``values`` where it is 0."""
    x = _tensor(input)
    return where(x == 0, _operand(values), where(x > 0, 1, 0)).to(x.dtype)


def float_power(input, exponent) -> Tensor:
    """``input ** exponent`` computed in float64, as PyTorch's ``float_power``."""
    base = cast(_tensor(input), "float64")
    exponent = cast(_tensor(exponent), "float64") if isinstance(exponent, Tensor) else float(exponent)
    return pow(base, exponent)


def exp2(input) -> Tensor:
    """``2 ** input``."""
    return pow(2.0, _float(input))
