"""Linear-algebra primitives: batched matmul and einsum.

``matmul`` here takes operands with at least two dimensions; the public
``ember.matmul`` adds and removes the unit axes of PyTorch's 1-D rules around
it, so those cases need no gradient code of their own.
"""
from __future__ import annotations

import math
import string

import numpy

from ..backend import threads as _threads
from ..errors import ShapeError
from ..ops.creation import eye
from .core import Primitive, primitive
from .rules import broadcast_shapes

_policy = _threads._policy  # the process's one BLAS thread policy


def matmul_kernel(xp, a, b, out=None):
    """``xp.matmul(a, b, out=out)`` as one 2-D GEMM where the layout allows, under the thread policy.

    NumPy runs ``(B, T, K) @ (K, N)`` as B small GEMMs; a C-contiguous ``a``
    reshapes to ``(B*T, K)`` without copying, and one GEMM is about twice as
    fast (more under load). Products below ``threads.LARGE_PRODUCT``
    multiply-adds run on one BLAS thread (see ``ember.backend.threads``).
    Eager code (``Matmul.forward``) and compiled code (``_matmul``) both call it.
    """
    if out is None and a.ndim == 2 and b.ndim == 2 and _policy.applied:
        if a.size * b.shape[1] < _threads.LARGE_PRODUCT:  # the common small product: no more checks
            return xp.matmul(a, b)
    if not _policy.applied:
        _threads.ensure_policy()
    if a.ndim > 2 and b.ndim == 2 and a.flags.c_contiguous and (out is None or out.flags.c_contiguous):
        count = math.prod(a.shape[:-1])  # not -1: a size-0 operand has no inferable size
        rows = a.reshape(count, a.shape[-1])
        flat = _product(xp, rows, b, None if out is None else out.reshape(count, b.shape[-1]))
        return flat.reshape(a.shape[:-1] + (b.shape[-1],)) if out is None else out
    return _product(xp, a, b, out)


def _product(xp, a, b, out):
    if a.size * b.shape[-1] < _threads.LARGE_PRODUCT:
        return xp.matmul(a, b) if out is None else xp.matmul(a, b, out=out)
    with _threads.large_product:
        return xp.matmul(a, b) if out is None else xp.matmul(a, b, out=out)


@primitive
class Matmul(Primitive):
    """Matrix product of the last two axes, broadcasting the leading (batch) axes."""

    name = "matmul"

    @staticmethod
    def forward(xp, a, b):
        if a.ndim == 2 and b.ndim == 2 and _policy.applied and a.size * b.shape[1] < _threads.LARGE_PRODUCT:
            return xp.matmul(a, b)  # matmul_kernel's first case, inlined: a call less per small product
        return matmul_kernel(xp, a, b)

    @staticmethod
    def abstract(a, b):
        if a.shape[-1] != b.shape[-2]:
            raise ShapeError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                             f"({a.shape[-1]} columns vs {b.shape[-2]} rows)")
        batch = broadcast_shapes("matmul", a.shape[:-2], b.shape[:-2])
        return batch + (a.shape[-2], b.shape[-1]), a.dtype

    @staticmethod
    def vjp(ctx, g):
        a, b = ctx.inputs
        grad_a = F.matmul(g, F.swap_last(b)) if ctx.wants(0) else None
        return grad_a, (_weight_grad(a, b, g) if ctx.wants(1) else None)


def _weight_grad(a, b, g):
    """The gradient for ``b``, laid out like ``b``'s memory.

    A 2-D ``b`` shared by a batch (``linear``'s weight) gets one matmul over
    the flattened batch instead of a batched matmul and a sum. When ``b`` is
    a transposed view (``x @ w.T``) the product is computed as ``(gᵀa)ᵀ``, so
    after the transpose's own VJP the parameter receives a C-ordered
    gradient that needs no copy.
    """
    if b.ndim == 2 and a.ndim > 2:
        rows = math.prod(a.shape[:-1])  # not -1: that is ambiguous when a dimension is 0
        a = F.reshape(a, (rows, a.shape[-1]))
        g = F.reshape(g, (rows, g.shape[-1]))
    if b.ndim == 2 and a.ndim == 2 and _is_transposed(b):
        return F.swap_last(F.matmul(F.swap_last(g), a))
    return F.matmul(F.swap_last(a), g)


def _is_transposed(tensor) -> bool:
    flags = getattr(tensor._data, "flags", None)
    return flags is not None and flags.f_contiguous and not flags.c_contiguous


def _parse_einsum(equation: str, count: int):
    equation = equation.replace(" ", "")
    if "->" in equation:
        inputs, output = equation.split("->")
    else:
        inputs = equation
        letters = inputs.replace(",", "")
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    subscripts = inputs.split(",")
    if len(subscripts) != count or "." in equation:
        raise ShapeError(f"einsum: equation {equation!r} does not fit {count} operand(s) "
                         "(the primitive takes explicit subscripts: ember.einsum spells out '...')")
    return subscripts, output


@primitive
class Einsum(Primitive):
    """Einstein summation; attribute ``equation`` is explicit (``'ij,jk->ik'``)."""

    name = "einsum"

    @staticmethod
    def forward(xp, *arrays_and_equation):
        *arrays, equation = arrays_and_equation
        return xp.einsum(equation, *arrays, optimize=len(arrays) > 2)

    @staticmethod
    def abstract(*avals_and_equation):
        *avals, equation = avals_and_equation
        subscripts, output = _parse_einsum(equation, len(avals))
        sizes = {}
        for letters, aval in zip(subscripts, avals):
            if len(letters) != len(aval.shape):
                raise ShapeError(f"einsum: subscripts {letters!r} do not match an operand of shape {aval.shape}")
            for letter, size in zip(letters, aval.shape):
                if sizes.setdefault(letter, size) != size:
                    raise ShapeError(f"einsum: index {letter!r} has sizes {sizes[letter]} and {size} "
                                     f"in {equation!r}")
        dtype = numpy.result_type(*(a.dtype for a in avals))
        return tuple(sizes[letter] for letter in output), dtype

    @staticmethod
    def vjp(ctx, g):
        equation = ctx.attrs[0]
        operands = ctx.inputs
        subscripts, output = _parse_einsum(equation, len(operands))
        grads = []
        for i, target in enumerate(subscripts):
            others = [s for j, s in enumerate(subscripts) if j != i]
            available = set(output).union(*others)
            unique = "".join(dict.fromkeys(target))
            sizes = dict(zip(target, operands[i].shape))
            kept = "".join(c for c in unique if c in available)
            grad = F.einsum(",".join([output] + others) + "->" + kept,
                            g, *[o for j, o in enumerate(operands) if j != i])
            if kept != unique:  # letters summed away inside operand i come back by broadcasting
                grad = F.reshape(grad, [sizes[c] if c in kept else 1 for c in unique])
                grad = F.broadcast_to(grad, [sizes[c] for c in unique])
            if unique != target:  # a repeated letter read a diagonal: write the gradient back onto it
                grad = _onto_diagonals(grad, unique, target, sizes, equation)
            grads.append(grad)
        return tuple(grads)


def _onto_diagonals(grad, unique, target, sizes, equation):
    """Spread ``grad`` (subscripts ``unique``) onto the diagonals that ``target`` repeats.

    Each repeat of a letter gets a fresh letter tied to the first by an identity
    matrix: ``ii`` becomes ``i,iA->iA`` with ``eye(n)`` as the second operand.
    """
    fresh = iter(c for c in string.ascii_letters if c not in equation)
    renamed, identities = "", []
    for position, letter in enumerate(target):
        if letter in target[:position]:
            new_letter = next(fresh)
            identities.append(letter + new_letter)
            renamed += new_letter
        else:
            renamed += letter
    eyes = [eye(sizes[pair[0]], dtype=grad.dtype, device=grad.device) for pair in identities]
    return F.einsum(",".join([unique] + identities) + "->" + renamed, grad, *eyes)


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
