"""Primitives between complex tensors and their real parts: real, imag, complex, conj, abs, angle.

Gradients follow PyTorch's convention for complex numbers: the gradient of a
real loss ``L`` with respect to ``z = x + iy`` is ``dL/dx + i dL/dy`` (twice
the conjugate Wirtinger derivative), so ``sum(|z|**2)`` has gradient ``2z``.
A VJP therefore multiplies the upstream gradient by the *conjugate* of a
holomorphic derivative, and maps a real part's gradient back as a real
complex number, an imaginary part's as an imaginary one.

``real`` and ``imag`` return copies, not views as PyTorch does: writing
into ``z.real`` in place does not change ``z``.
"""
from __future__ import annotations

import numpy

from ..errors import DTypeError
from .core import Aval, Primitive, primitive
from .rules import broadcast_shapes

_PARTS = {numpy.dtype(numpy.complex64): numpy.dtype(numpy.float32),
          numpy.dtype(numpy.complex128): numpy.dtype(numpy.float64)}
_WHOLES = {part: whole for whole, part in _PARTS.items()}


def part_dtype(dtype) -> numpy.dtype:
    """float32 for complex64, float64 for complex128."""
    return _PARTS[numpy.dtype(dtype)]


def whole_dtype(dtype) -> numpy.dtype:
    """complex64 for float32, complex128 for float64."""
    return _WHOLES[numpy.dtype(dtype)]


def _require_complex(op: str, x) -> None:
    if isinstance(x, Aval) and x.dtype.kind != "c":
        raise DTypeError(f"{op}: expected a complex tensor, got dtype {x.dtype}")


def _parts_rule(op):
    def rule(x):
        _require_complex(op, x)
        return x.shape, part_dtype(x.dtype)
    return rule


@primitive
class Real(Primitive):
    """The real part of a complex tensor (a copy)."""

    name = "real"
    saves_inputs = False
    forward = staticmethod(lambda xp, x: xp.real(x).copy())
    abstract = staticmethod(_parts_rule("real"))

    @staticmethod
    def vjp(ctx, g):
        return (F.cast(g, whole_dtype(g._data.dtype)),)  # g + 0j


@primitive
class Imag(Primitive):
    """The imaginary part of a complex tensor (a copy)."""

    name = "imag"
    saves_inputs = False
    forward = staticmethod(lambda xp, x: xp.imag(x).copy())
    abstract = staticmethod(_parts_rule("imag"))

    @staticmethod
    def vjp(ctx, g):
        return (F.complex(F.zeros_like(g), g),)  # 0 + ig


@primitive
class Complex(Primitive):
    """``complex(real, imag)``: a complex tensor from two floating tensors of one dtype, broadcast."""

    name = "complex"
    saves_inputs = False

    @staticmethod
    def forward(xp, real, imag):
        shape = xp.broadcast_shapes(real.shape, imag.shape)
        out = xp.empty(shape, whole_dtype(real.dtype))
        out.real[...] = real  # through the part views: no multiplication by 1j (inf * 1j has a nan part)
        out.imag[...] = imag
        return out

    @staticmethod
    def abstract(real, imag):
        if real.dtype != imag.dtype or real.dtype not in _WHOLES:
            raise DTypeError(f"complex: expected real and imag to be both float32 or both float64, "
                             f"got {real.dtype} and {imag.dtype}")
        return broadcast_shapes("complex", real.shape, imag.shape), whole_dtype(real.dtype)

    @staticmethod
    def vjp(ctx, g):
        return F.real(g), F.imag(g)


@primitive
class Conj(Primitive):
    """The complex conjugate (a copy)."""

    name = "conj"
    saves_inputs = False
    forward = staticmethod(lambda xp, x: xp.conj(x))

    @staticmethod
    def abstract(x):
        _require_complex("conj", x)
        return x.shape, x.dtype

    @staticmethod
    def vjp(ctx, g):
        return (F.conj(g),)


@primitive
class ComplexAbs(Primitive):
    """``|z|`` of a complex tensor: a floating result."""

    name = "complex_abs"
    forward = staticmethod(lambda xp, z: xp.abs(z))
    abstract = staticmethod(_parts_rule("abs"))

    @staticmethod
    def vjp(ctx, g):
        z = ctx.inputs[0]
        magnitude = F.abs(z)
        # g * z / |z|, and 0 at z == 0 (PyTorch's sgn); the divisor 1 there keeps nan out
        return (g * z / F.where(magnitude == 0, 1.0, magnitude),)


@primitive
class Angle(Primitive):
    """The argument ``atan2(imag, real)`` of a complex tensor: a floating result."""

    name = "angle"
    forward = staticmethod(lambda xp, z: xp.angle(z))
    abstract = staticmethod(_parts_rule("angle"))

    @staticmethod
    def vjp(ctx, g):
        z = ctx.inputs[0]
        squared = F.real(z * F.conj(z))
        # d angle = (x dy - y dx) / |z|^2, so the gradient is g * i z / |z|^2 (0 at z == 0)
        return (g * (z * 1j) / F.where(squared == 0, 1.0, squared),)


def _elementwise_batching(prim):
    """vmap's broadcasting rule (imported on first use: ``batching`` needs the whole table)."""
    def rule(inputs, batched, attrs, size):
        from .batching import elementwise_rule
        return elementwise_rule(prim)(inputs, batched, attrs, size)
    return rule


for _prim in (Real, Imag, Complex, Conj, ComplexAbs, Angle):
    _prim.batch = _elementwise_batching(_prim)

from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
