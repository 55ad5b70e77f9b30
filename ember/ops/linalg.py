"""Linear-algebra primitives: batched matmul and einsum.

``matmul`` here takes operands with at least two dimensions; the public
``ember.matmul`` adds and removes the unit axes of PyTorch's 1-D rules around
it, so those cases need no gradient code of their own.
"""
from __future__ import annotations

import numpy

from ..errors import ShapeError
from .primitive import Primitive, primitive
from .rules import broadcast_shapes


@primitive
class Matmul(Primitive):
    """Matrix product of the last two axes, broadcasting the leading (batch) axes."""

    name = "matmul"

    @staticmethod
    def forward(xp, a, b):
        return xp.matmul(a, b)

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
        return F.matmul(g, F.swap_last(b)), F.matmul(F.swap_last(a), g)


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
                         "(ellipsis is not supported)")
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
            kept = "".join(c for c in dict.fromkeys(target) if c in available)
            if len(set(target)) != len(target):
                raise ShapeError(f"einsum: the gradient of repeated subscripts {target!r} is not supported")
            grad = F.einsum(",".join([output] + others) + "->" + kept,
                            g, *[o for j, o in enumerate(operands) if j != i])
            if kept != target:  # letters summed away inside operand i come back by broadcasting
                shape = operands[i].shape
                grad = F.reshape(grad, [shape[k] if c in kept else 1 for k, c in enumerate(target)])
                grad = F.broadcast_to(grad, shape)
            grads.append(grad)
        return tuple(grads)


from . import functions as F  # noqa: E402  (VJPs are written in the public ops)
