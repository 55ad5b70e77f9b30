"""Comparisons and logic: ``eq``/``lt``/..., ``logical_*``, ``isnan``/``isinf``/``isfinite``,
``equal_all`` and ``allclose``."""
from __future__ import annotations

from .. import backend
from ..tensor import Tensor
from ..primitives import elementwise as E
from ._operands import _binary, _tensor
from ..primitives.core import bind


def _comparison(prim, doc):
    def function(input, other) -> Tensor:
        return _binary(prim, input, other)
    function.__name__ = prim.name
    function.__doc__ = doc
    return function


eq = _comparison(E.eq, "Elementwise ==.")
ne = _comparison(E.ne, "Elementwise !=.")
def _ordered(prim, doc):
    """An order comparison: complex numbers have no order, so complex operands are refused."""
    def function(input, other) -> Tensor:
        if type(input) is Tensor and input._data.dtype.kind == "c" or type(other) is not float and (
                isinstance(other, complex) or isinstance(other, Tensor) and other._data.dtype.kind == "c"):
            from .complex_parts import refuse_complex
            refuse_complex(prim.name, input, other)
        return _binary(prim, input, other)
    function.__name__ = prim.name
    function.__doc__ = doc
    return function


lt = _ordered(E.lt, "Elementwise <.")
le = _ordered(E.le, "Elementwise <=.")
gt = _ordered(E.gt, "Elementwise >.")
ge = _ordered(E.ge, "Elementwise >=.")
logical_and = _comparison(E.logical_and, "Elementwise logical and.")
logical_or = _comparison(E.logical_or, "Elementwise logical or.")
logical_xor = _comparison(E.logical_xor, "Elementwise logical xor.")
greater, less, equal, not_equal = gt, lt, eq, ne


def logical_not(input) -> Tensor:
    return bind(E.logical_not, (_tensor(input),))


def isnan(input) -> Tensor:
    return bind(E.isnan, (_tensor(input),))


def isinf(input) -> Tensor:
    return bind(E.isinf, (_tensor(input),))


def isfinite(input) -> Tensor:
    x = _tensor(input)
    if x._data.dtype.kind != "f":
        return ones_like_bool(x)
    return logical_not(logical_or(isnan(x), isinf(x)))


def ones_like_bool(x: Tensor) -> Tensor:
    return Tensor._make(backend.namespace_of(x._data).ones(x.shape, bool), None, False)


def equal_all(input, other) -> bool:
    """True if both tensors have the same shape and elements (``torch.equal``)."""
    a, b = _tensor(input), _tensor(other)
    return a.shape == b.shape and bool(backend.namespace_of(a._data).array_equal(a._data, b._data))


def allclose(input, other, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
    a, b = _tensor(input)._data, _tensor(other)._data
    return bool(backend.namespace_of(a).allclose(a, b, rtol, atol, equal_nan))

