"""Linear algebra with PyTorch's rules: ``matmul`` (1-D and batched operands), ``mm``, ``bmm``,
``einsum``, ``outer`` and ``dot``; complex operands are contracted as their real and imaginary parts."""
from __future__ import annotations

import string

import numpy

from .. import backend
from ..errors import DTypeError, ShapeError
from ..tensor import Tensor
from ..primitives import linalg as L
from ._operands import _promote, _tensor
from .elementwise import mul
from ..primitives.core import bind
from .shape import broadcast_to, squeeze, unsqueeze


def matmul(input, other) -> Tensor:
    """Matrix product with PyTorch's rules: 1-D operands, batched and broadcast operands.

    Example:
        >>> import ember
        >>> (ember.ones(2, 3) @ ember.ones(3)).shape
        (2,)
    """
    if isinstance(input, Tensor) and isinstance(other, Tensor):  # the common case, checked in one go
        data, other_data = input._data, other._data
        if (data.ndim >= 2 and other_data.ndim >= 2 and data.dtype is other_data.dtype
                and data.dtype.kind == "f"):
            return bind(L.Matmul, (input, other))
    a, b = _tensor(input), _tensor(other)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: both arguments need to be at least 1D, got shapes {a.shape} and {b.shape}")
    if a._data.dtype != b._data.dtype:
        raise DTypeError(f"matmul: expected both operands to have the same dtype, got {a.dtype} and {b.dtype}")
    if a._data.dtype.kind == "c":
        return _complex_matmul(a, b)
    if a.ndim >= 2 and b.ndim >= 2:
        return bind(L.Matmul, (a, b))
    if a.ndim == 1 and b.ndim == 1 and a.shape != b.shape:
        raise ShapeError(f"matmul: 1D tensors expected to have the same size, got {a.shape} and {b.shape}")
    a2 = unsqueeze(a, 0) if a.ndim == 1 else a
    b2 = unsqueeze(b, 1) if b.ndim == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise ShapeError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                         f"({a2.shape[-1]} vs {b2.shape[-2]})")
    result = bind(L.Matmul, (a2, b2))
    if b.ndim == 1:
        result = squeeze(result, -1)
    if a.ndim == 1:
        result = squeeze(result, -2 if b.ndim > 1 else -1)
    return result


def _complex_matmul(a: Tensor, b: Tensor) -> Tensor:
    """``(ar + i ai) @ (br + i bi)`` from four real products: each brings its own gradient, so the
    complex product follows PyTorch's complex convention with no rule of its own."""
    from .complex_parts import complex, imag, real
    ar, ai, br, bi = real(a), imag(a), real(b), imag(b)
    return complex(matmul(ar, br) - matmul(ai, bi), matmul(ar, bi) + matmul(ai, br))


def mm(input, mat2) -> Tensor:
    a, b = _tensor(input), _tensor(mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise ShapeError(f"mm: expected 2-D tensors, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def bmm(input, mat2) -> Tensor:
    a, b = _tensor(input), _tensor(mat2)
    if a.ndim != 3 or b.ndim != 3:
        raise ShapeError(f"bmm: expected 3-D tensors, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, e.g. ``einsum('bij,bjk->bik', a, b)``; ``...`` stands for broadcast dims.

    Example:
        >>> import ember
        >>> ember.einsum("...ij,...jk->...ik", ember.ones(5, 2, 3), ember.ones(3, 4)).shape
        (5, 2, 4)
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    tensors, dtype = _promote(*[_tensor(o) for o in operands])
    equation, tensors = _expand_ellipsis(equation.replace(" ", ""), tensors)
    if "->" not in equation:
        subscripts, output = L._parse_einsum(equation, len(tensors))
        equation = equation.replace(" ", "") + "->" + output
    if dtype.is_complex:
        return _complex_einsum(equation.replace(" ", ""), tensors)
    return bind(L.Einsum, tuple(tensors), (equation.replace(" ", ""),))


def _complex_einsum(equation: str, tensors) -> Tensor:
    """A complex contraction as real ones: the product of the operands' ``(real, imag)`` parts
    multiplied out, each term a real einsum whose sign and part come from its power of ``i``
    (so gradients follow from the real rule, as for :func:`_complex_matmul`)."""
    import itertools
    from .complex_parts import complex, imag, real
    parts = [(real(t), imag(t)) for t in tensors]
    sums = [None, None]  # real, imaginary
    for choice in itertools.product((0, 1), repeat=len(tensors)):
        term = bind(L.Einsum, tuple(part[c] for part, c in zip(parts, choice)), (equation,))
        power = sum(choice) % 4  # i**power: 1, i, -1, -i
        if power >= 2:
            term = -term
        index = power % 2
        sums[index] = term if sums[index] is None else sums[index] + term
    return complex(sums[0], sums[1])


def _expand_ellipsis(equation: str, tensors):
    """``equation`` with each ``...`` spelled out in unused letters, and the operands broadcast
    over those dimensions (right-aligned, size 1 stretching, as PyTorch and NumPy do).

    The einsum primitive then only ever sees explicit subscripts.
    """
    if "..." not in equation:
        return equation, tensors
    inputs, arrow, output = equation.partition("->")
    subscripts = inputs.split(",")
    if len(subscripts) != len(tensors) or any(s.count("...") > 1 for s in subscripts + [output]):
        raise ShapeError(f"einsum: equation {equation!r} does not fit {len(tensors)} operand(s)")
    ranks = []
    for letters, tensor in zip(subscripts, tensors):
        rank = tensor.ndim - len(letters.replace("...", "")) if "..." in letters else 0
        if rank < 0:
            raise ShapeError(f"einsum: subscripts {letters!r} have more dimensions than an operand of shape "
                             f"{tensor.shape}")
        ranks.append(rank)
    width = max(ranks)
    fresh = iter(c for c in string.ascii_letters if c not in equation)
    ellipsis = "".join(next(fresh) for _ in range(width))
    parts = [t.shape[s.index("..."):s.index("...") + r] if "..." in s else () for s, t, r in
             zip(subscripts, tensors, ranks)]
    try:
        target = numpy.broadcast_shapes(*parts)  # shapes only: no array namespace involved
    except ValueError:
        raise ShapeError(f"einsum: the dimensions '...' stands for do not broadcast: "
                         f"{', '.join(str(p) for p in parts)} in {equation!r}") from None
    expanded, broadcast = [], []
    for letters, tensor, rank, part in zip(subscripts, tensors, ranks, parts):
        if "..." in letters:
            start = letters.index("...")
            wanted = target[width - rank:]
            if tuple(part) != tuple(wanted):  # size-1 dims stretch: spell that out for the primitive
                tensor = broadcast_to(tensor, tensor.shape[:start] + wanted + tensor.shape[start + rank:])
            letters = letters.replace("...", ellipsis[width - rank:])
        expanded.append(letters)
        broadcast.append(tensor)
    if arrow:
        output = output.replace("...", ellipsis)
    else:  # implicit output: the '...' dims, then the letters used once, in order
        letters = "".join(expanded).replace(",", "")
        output = ellipsis + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis))
    return ",".join(expanded) + "->" + output, broadcast


def outer(input, vec2) -> Tensor:
    """Outer product of two vectors."""
    a, b = _tensor(input), _tensor(vec2)
    return mul(unsqueeze(a, 1), unsqueeze(b, 0))


ger = outer


def dot(input, other) -> Tensor:
    """Inner product of two 1-D tensors."""
    a, b = _tensor(input), _tensor(other)
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"dot: 1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    return matmul(a, b)

