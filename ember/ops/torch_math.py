"""Small PyTorch math functions composed from existing ops: vector/matrix products (``vdot``,
``mv``, ``addr``), ``ldexp``/``frexp``, NaN-ignoring ``fmax``/``fmin``, ``rsub``, ``positive``,
membership and infinity tests, and the ``logspace``/``kaiser_window``/``scalar_tensor``/
``randint_like`` factories.

Example:
    >>> import ember
    >>> ember.fmax(ember.tensor([1.0, float("nan")]), ember.tensor([float("nan"), 2.0])).tolist()
    [1.0, 2.0]
"""
from __future__ import annotations

from collections import namedtuple

import numpy

from ..errors import DTypeError, ShapeError
from ..tensor import Tensor
from ._operands import _tensor

FrexpResult = namedtuple("frexp", ["mantissa", "exponent"])


def vdot(input, other) -> Tensor:
    """The dot product of two 1-D tensors, conjugating the first (as ``numpy.vdot``).

    Example:
        >>> import ember
        >>> ember.vdot(ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])).item()
        11.0
    """
    from .complex_parts import conj
    from .linalg import dot
    a, b = _tensor(input), _tensor(other)
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    return dot(conj(a), b)


def mv(input, vec) -> Tensor:
    """A matrix times a vector: ``(n, m) @ (m,)``.

    Example:
        >>> import ember
        >>> ember.mv(ember.eye(2), ember.tensor([1.0, 2.0])).tolist()
        [1.0, 2.0]
    """
    from .linalg import matmul
    matrix, vector = _tensor(input), _tensor(vec)
    if matrix.ndim != 2 or vector.ndim != 1:
        raise ShapeError(f"mv: expected a 2-D matrix and a 1-D vector, got {matrix.ndim}-D and {vector.ndim}-D")
    if matrix.shape[1] != vector.shape[0]:
        raise ShapeError(f"size mismatch, got input ({matrix.shape[0]}), mat ({matrix.shape[0]}x{matrix.shape[1]}), "
                         f"vec ({vector.shape[0]})")
    return matmul(matrix, vector)


def addr(input, vec1, vec2, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)`` (``input`` is ignored, NaNs included, when beta is 0).

    Example:
        >>> import ember
        >>> ember.addr(ember.zeros(2, 2), ember.tensor([1.0, 2.0]), ember.tensor([1.0, 1.0])).tolist()
        [[1.0, 1.0], [2.0, 2.0]]
    """
    from .linalg import outer
    a, b = _tensor(vec1), _tensor(vec2)
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"addr: expected 1-D vectors, got {a.ndim}-D and {b.ndim}-D")
    product = outer(a, b)
    product = product if alpha == 1 else product * alpha
    base = _tensor(input)
    if beta == 0:
        return product.broadcast_to(numpy.broadcast_shapes(base.shape, product.shape))
    return (base if beta == 1 else base * beta) + product


def ldexp(input, other) -> Tensor:
    """``input * 2 ** other`` (a floating result).

    Example:
        >>> import ember
        >>> ember.ldexp(ember.tensor([1.0]), ember.tensor([3])).tolist()
        [8.0]
    """
    from .reductions_nan import exp2
    return _tensor(input) * exp2(_tensor(other))


def frexp(input) -> FrexpResult:
    """Split into a mantissa in (-1, 1) and an int32 power of two: ``input = mantissa * 2 ** exponent``.

    Example:
        >>> import ember
        >>> m, e = ember.frexp(ember.tensor([8.0]))
        >>> m.tolist(), e.tolist()
        ([0.5], [4])
    """
    from .creation import tensor
    x = _tensor(input)
    if not x.dtype.is_floating_point:
        raise DTypeError(f"torch.frexp() only supports floating-point dtypes, got {x.dtype}")
    mantissa, exponent = numpy.frexp(x.numpy())
    return FrexpResult(tensor(mantissa, dtype=x.dtype, device=x.device),
                       tensor(exponent.astype(numpy.int32), device=x.device))


def _nan_ignoring(first, second, prefer_first):
    from .elementwise import where
    from .comparison import isnan
    a, b = _tensor(first), _tensor(second)
    picks_first = prefer_first(a, b) | isnan(b)
    return where(picks_first, a, b)


def fmax(input, other) -> Tensor:
    """Elementwise maximum that ignores a NaN (NaN only where both are NaN); ties go to ``input``.

    Example:
        >>> import ember
        >>> ember.fmax(ember.tensor([1.0, 5.0]), ember.tensor([3.0, float("nan")])).tolist()
        [3.0, 5.0]
    """
    return _nan_ignoring(input, other, lambda a, b: a >= b)


def fmin(input, other) -> Tensor:
    """Elementwise minimum that ignores a NaN (NaN only where both are NaN); ties go to ``input``.

    Example:
        >>> import ember
        >>> ember.fmin(ember.tensor([1.0, 5.0]), ember.tensor([3.0, float("nan")])).tolist()
        [1.0, 5.0]
    """
    return _nan_ignoring(input, other, lambda a, b: a <= b)


def rsub(input, other, *, alpha=1) -> Tensor:
    """``other - alpha * input`` (subtraction with the operands swapped).

    Example:
        >>> import ember
        >>> ember.rsub(ember.tensor([1.0]), 5.0).tolist()
        [4.0]
    """
    x = _tensor(input)
    return other - (x if alpha == 1 else x * alpha)


def positive(input) -> Tensor:
    """The input itself (unary ``+``); an error for bool tensors, as PyTorch.

    Example:
        >>> import ember
        >>> x = ember.ones(2)
        >>> ember.positive(x) is x
        True
    """
    x = _tensor(input)
    if x.dtype.name == "bool":
        raise TypeError("The `+` operator, on a bool tensor is not supported.")
    return x


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Whether each element of ``elements`` occurs in ``test_elements`` (either may be a number).

    Example:
        >>> import ember
        >>> ember.isin(ember.tensor([1, 2, 3]), ember.tensor([2, 5])).tolist()
        [False, True, False]
    """
    from .creation import tensor
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin: expected at least one of elements and test_elements to be a tensor")
    like = elements if isinstance(elements, Tensor) else test_elements
    a = elements if isinstance(elements, Tensor) else tensor(elements, device=like.device)
    b = test_elements if isinstance(test_elements, Tensor) else tensor(test_elements, device=like.device)
    found = (a.detach().unsqueeze(-1) == b.detach().reshape(-1)).any(-1)
    return ~found if invert else found


def isneginf(input) -> Tensor:
    """Whether each element is negative infinity.

    Example:
        >>> import ember
        >>> ember.isneginf(ember.tensor([-float("inf"), 1.0])).tolist()
        [True, False]
    """
    from .comparison import isinf
    x = _tensor(input)
    return isinf(x) & (x < 0)


def isposinf(input) -> Tensor:
    """Whether each element is positive infinity.

    Example:
        >>> import ember
        >>> ember.isposinf(ember.tensor([float("inf"), 1.0])).tolist()
        [True, False]
    """
    from .comparison import isinf
    x = _tensor(input)
    return isinf(x) & (x > 0)


def isreal(input) -> Tensor:
    """Whether each element has a zero imaginary part (every element of a real tensor).

    Example:
        >>> import ember
        >>> ember.isreal(ember.tensor([1 + 0j, 1j])).tolist()
        [True, False]
    """
    from .complex_parts import imag
    x = _tensor(input)
    if x.dtype.is_complex:
        return imag(x) == 0
    from ..backend import bool_
    from .creation import ones
    return ones(x.shape, dtype=bool_, device=x.device)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` values from ``base ** start`` to ``base ** end``, evenly spaced in the exponent.

    Example:
        >>> import ember
        >>> ember.logspace(0, 2, 3).tolist()
        [1.0, 10.0, 100.0]
    """
    from ..backend import as_dtype, get_default_dtype
    from .creation import tensor
    dtype = get_default_dtype() if dtype is None else as_dtype(dtype)
    values = numpy.power(float(base), numpy.linspace(float(start), float(end), steps))
    return tensor(values.astype(dtype.numpy), dtype=dtype, device=device, requires_grad=requires_grad)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *, dtype=None,
                  device=None, requires_grad: bool = False) -> Tensor:
    """The Kaiser window ``I0(beta sqrt(1 - (2n/(N-1) - 1)^2)) / I0(beta)`` (periodic: N one longer).

    Example:
        >>> import ember
        >>> ember.kaiser_window(3, periodic=False, beta=0.0).tolist()
        [1.0, 1.0, 1.0]
    """
    from ..backend import as_dtype, get_default_dtype
    from ..errors import EmberValueError
    from .creation import tensor
    if window_length < 0:
        raise EmberValueError(f"kaiser_window requires non-negative window length, got window_length={window_length}")
    dtype = get_default_dtype() if dtype is None else as_dtype(dtype)
    if not dtype.is_floating_point:
        raise EmberValueError(f"kaiser_window expects floating point dtypes, got {dtype}")
    if window_length <= 1:
        values = numpy.ones(window_length)
    else:
        values = numpy.kaiser(window_length + 1 if periodic else window_length, beta)[:window_length]
    return tensor(values, dtype=dtype, device=device, requires_grad=requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A 0-d tensor holding ``s``, in the default float dtype unless told otherwise.

    Example:
        >>> import ember
        >>> ember.scalar_tensor(3)
        tensor(3.)
    """
    from ..backend import get_default_dtype
    from .creation import tensor
    return tensor(s, dtype=get_default_dtype() if dtype is None else dtype, device=device,
                  requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, device=None,
                 requires_grad: bool = False) -> Tensor:
    """Integers drawn from [low, high) in ``input``'s shape and dtype: ``randint_like(x, 10)``.

    Example:
        >>> import ember
        >>> draw = ember.randint_like(ember.zeros(3), 2, 4)
        >>> draw.shape, draw.dtype, set(draw.tolist()) <= {2.0, 3.0}
        ((3,), ember.float32, True)
    """
    from .random import randint
    like = _tensor(input)
    if high is None:
        low, high = 0, low
    return randint(low, high, like.shape, generator=generator, dtype=dtype or like.dtype,
                   device=device or like.device, requires_grad=requires_grad)
