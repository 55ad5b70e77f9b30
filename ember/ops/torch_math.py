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


def adjoint(input) -> Tensor:
    """The conjugate transpose of the last two dimensions.

    Example:
        >>> import ember
        >>> ember.adjoint(ember.tensor([[1.0, 2.0]])).tolist()
        [[1.0], [2.0]]
    """
    from .complex_parts import conj
    x = _tensor(input)
    if x.ndim < 2:
        raise ShapeError(f"adjoint() is only supported for matrices or batches of matrices. Got {x.ndim}-D tensor.")
    return conj(x.transpose(-2, -1))


def constant_pad_nd(input, pad, value=0) -> Tensor:
    """``F.pad(input, pad, value=value)`` (``torch.constant_pad_nd``; negative widths crop).

    Example:
        >>> import ember
        >>> ember.constant_pad_nd(ember.ones(2), (1, 0), 5.0).tolist()
        [5.0, 1.0, 1.0]
    """
    from .shape import pad as padded
    return padded(_tensor(input), tuple(pad), value=value)


def renorm(input, p, dim: int, maxnorm) -> Tensor:
    """Each slice along ``dim`` rescaled to a ``p``-norm of at most ``maxnorm`` (PyTorch's 1e-7 guard).

    Example:
        >>> import ember
        >>> ember.renorm(ember.tensor([[3.0, 4.0], [0.3, 0.4]]), 2, 0, 1.0).tolist()
        [[0.6000000238418579, 0.800000011920929], [0.30000001192092896, 0.4000000059604645]]
    """
    from .elementwise import where
    x = _tensor(input)
    axis = dim % x.ndim
    others = tuple(a for a in range(x.ndim) if a != axis)
    norms = (x.abs() ** p).sum(others, keepdim=True) ** (1.0 / p)
    scale = where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return x * scale


def frobenius_norm(input, dim=(-2, -1), keepdim: bool = False) -> Tensor:
    """The square root of the sum of squares over ``dim``.

    Example:
        >>> import ember
        >>> ember.frobenius_norm(ember.tensor([[3.0, 4.0]])).item()
        5.0
    """
    from .elementwise import sqrt
    x = _tensor(input)
    return sqrt((x * x).sum(dim, keepdim=keepdim))


def nuclear_norm(input, dim=(-2, -1), keepdim: bool = False) -> Tensor:
    """The sum of the singular values of the matrices in the planes ``dim``.

    Example:
        >>> import ember
        >>> round(ember.nuclear_norm(ember.tensor([[3.0, 0.0], [0.0, -4.0]])).item(), 5)
        7.0
    """
    from .decompositions import matrix_norm
    return matrix_norm(_tensor(input), "nuc", dim, keepdim)


def mvlgamma(input, p: int) -> Tensor:
    """The multivariate log-gamma ``p(p-1)/4 log(pi) + sum_j lgamma(x - j/2)``, j < p (needs x > (p-1)/2).

    Example:
        >>> import ember
        >>> round(ember.mvlgamma(ember.tensor([2.5]), 1).item(), 6) == round(ember.lgamma(ember.tensor([2.5])).item(), 6)
        True
    """
    import math
    from ..errors import EmberValueError
    from .special import lgamma
    x = _tensor(input)
    if p < 1:
        raise EmberValueError(f"p has to be greater than or equal to 1, got {p}")
    if bool((x <= (p - 1) / 2).any()):
        raise EmberValueError(f"All elements must be greater than (p-1)/2 = {(p - 1) / 2}")
    total = lgamma(x)
    for j in range(1, p):
        total = total + lgamma(x - j / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)


def nonzero_static(input, *, size: int, fill_value: int = -1) -> Tensor:
    """``nonzero(input)`` cut or padded (with ``fill_value``) to exactly ``size`` rows.

    Example:
        >>> import ember
        >>> ember.nonzero_static(ember.tensor([0, 3, 5]), size=3).tolist()
        [[1], [2], [-1]]
    """
    from .creation import full
    from .selection import nonzero
    from .shape import cat
    x = _tensor(input)
    found = nonzero(x)[:size]
    missing = size - found.shape[0]
    if missing == 0:
        return found
    return cat([found, full((missing, x.ndim), fill_value, dtype=found.dtype, device=x.device)])


def asarray(obj, *, dtype=None, device=None, copy: bool | None = None, requires_grad: bool = False) -> Tensor:
    """A tensor from ``obj``, sharing its memory when it is a tensor or array of the dtype (``copy=True``
    always copies).

    Example:
        >>> import ember, numpy
        >>> a = numpy.zeros(2, numpy.float32)
        >>> t = ember.asarray(a)
        >>> a[0] = 7
        >>> t.tolist()
        [7.0, 0.0]
    """
    from .creation import as_tensor, tensor
    if copy:
        result = tensor(obj, dtype=dtype, device=device)
    else:
        result = as_tensor(obj, dtype=dtype, device=device)
    return result.requires_grad_(True) if requires_grad else result


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor of ``size`` (Ember tensors are contiguous: ``stride`` is not kept).

    Example:
        >>> import ember
        >>> ember.empty_strided((2, 3), (3, 1)).shape
        (2, 3)
    """
    from .creation import empty
    return empty(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def frombuffer(buffer, *, dtype, count: int = -1, offset: int = 0, requires_grad: bool = False) -> Tensor:
    """A 1-D tensor sharing the memory of a Python buffer (bytes are copied: they are read-only).

    Example:
        >>> import ember, array
        >>> ember.frombuffer(array.array("i", [1, 2, 3]), dtype=ember.int32).tolist()
        [1, 2, 3]
    """
    from ..backend import as_dtype
    from .creation import from_numpy
    values = numpy.frombuffer(buffer, dtype=as_dtype(dtype).numpy, count=count, offset=offset)
    if not values.flags.writeable:
        values = values.copy()
    result = from_numpy(values)
    return result.requires_grad_(True) if requires_grad else result


def poisson(input, generator=None) -> Tensor:
    """Counts drawn from Poisson distributions with the rates in ``input`` (same shape and dtype).

    Example:
        >>> import ember
        >>> ember.poisson(ember.zeros(3)).tolist()
        [0.0, 0.0, 0.0]
    """
    from .creation import tensor
    from .random import _generator
    rates = _tensor(input)
    draws = _generator(generator).poisson(rates.numpy())
    return tensor(draws.astype(rates.dtype.numpy), device=rates.device)


def binomial(count, prob, generator=None) -> Tensor:
    """Successes drawn from binomial distributions of ``count`` trials with probability ``prob``.

    Example:
        >>> import ember
        >>> ember.binomial(ember.tensor([4.0]), ember.tensor([1.0])).tolist()
        [4.0]
    """
    from .creation import tensor
    from .random import _generator
    trials, chance = _tensor(count), _tensor(prob)
    draws = _generator(generator).binomial(trials.numpy().astype(numpy.int64), chance.numpy())
    return tensor(draws.astype(chance.dtype.numpy), device=chance.device)
