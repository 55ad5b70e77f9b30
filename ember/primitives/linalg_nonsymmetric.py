"""``eig`` of general square matrices and Householder ``geqrf``.

- ``eig_values``/``eig_vectors``: complex eigenvalues and unit-norm eigenvectors (LAPACK's
  ``geev`` through ``xp.linalg.eig``), complex64 for float32 input, complex128 for float64;
- ``geqrf_a``/``geqrf_tau``: LAPACK's packed QR (``R`` on and above the diagonal, the Householder
  vectors below it) and the reflectors' scales, as ``xp.linalg.qr(mode='raw')`` gives them.

The eigenvalues differentiate (PyTorch's rule, real input): ``Re(V^-H diag(g) V^H)``, the complex
solve done as a real one of twice the size. The eigenvectors and ``geqrf`` have no gradient yet
(``geqrf`` has none in PyTorch either): their VJPs raise an error naming the op, so a backward pass
through them fails loudly instead of dropping the gradient. ``linalg.qr`` and ``linalg.eigh``
differentiate.
"""
from __future__ import annotations

import numpy

from ..errors import EmberError
from .core import Primitive, primitive
from .decompositions import _check_matrix, _lapack

_COMPLEX = {numpy.dtype(numpy.float32): numpy.dtype(numpy.complex64),
            numpy.dtype(numpy.float64): numpy.dtype(numpy.complex128)}


def _no_gradient(op, advice):
    raise EmberError(f"{op}: the gradient is not implemented in Ember; {advice}")


def _eig(xp, a, index):
    complex_dtype = _COMPLEX[numpy.dtype(a.dtype)]
    if a.size == 0:
        return xp.zeros(a.shape[:-1] if index == 0 else a.shape, complex_dtype)
    return _lapack("eig", a, xp.linalg.eig)[index].astype(complex_dtype, copy=False)


def _check_eig(a):
    _check_matrix("eig", a)
    if numpy.dtype(a.dtype) not in _COMPLEX:
        raise EmberError(f"linalg.eig: expected float32 or float64 input, got {a.dtype}")


@primitive
class EigValues(Primitive):
    """The (complex) eigenvalues of general square matrices, in LAPACK's order (differentiable)."""

    name = "eig_values"

    @staticmethod
    def forward(xp, a):
        return _eig(xp, a, 0)

    @staticmethod
    def abstract(a):
        _check_eig(a)
        return a.shape[:-1], _COMPLEX[numpy.dtype(a.dtype)]

    @staticmethod
    def vjp(ctx, g):
        return (_eigenvalue_vjp(ctx.inputs[0], g),)


@primitive
class EigVectors(Primitive):
    """The unit-norm (complex) eigenvectors, as columns matching ``eig_values``."""

    name = "eig_vectors"
    saves_inputs = False

    @staticmethod
    def forward(xp, a):
        return _eig(xp, a, 1)

    @staticmethod
    def abstract(a):
        _check_eig(a)
        return a.shape, _COMPLEX[numpy.dtype(a.dtype)]

    @staticmethod
    def vjp(ctx, g):
        _no_gradient("linalg.eig (eigenvectors)", "eigenvalues differentiate; for symmetric matrices use "
                     "linalg.eigh, whose eigenvectors differentiate")


def _eigenvalue_vjp(a, g):
    """``Re(V^-H diag(g) V^H)`` for real ``a`` = V diag(L) V^-1: ``X`` with ``V^H X = diag(g) V^H``,
    solved as the real system ``[[R, -I], [I, R]] [Xr; Xi] = [Dr; Di]`` of ``V^H = R + iI``."""
    vectors_h = F.conj(F.swap_last(LM.eig(a).eigenvectors))  # (a second derivative stops here, loudly)
    rhs = F.unsqueeze(g, -1) * vectors_h
    real, imag = F.real(vectors_h), F.imag(vectors_h)
    system = F.cat([F.cat([real, -imag], -1), F.cat([imag, real], -1)], -2)
    solution = F.linalg_solve(system, F.cat([F.real(rhs), F.imag(rhs)], -2))
    return solution[..., :a.shape[-1], :]


def _geqrf(xp, a):
    m, n = a.shape[-2:]
    if a.size == 0:
        return a.copy(), xp.zeros(a.shape[:-2] + (min(m, n),), a.dtype)
    transposed, tau = xp.linalg.qr(a, mode="raw")  # NumPy hands back the reflectors transposed
    return xp.swapaxes(transposed, -1, -2).astype(a.dtype), tau.astype(a.dtype, copy=False)


@primitive
class GeqrfA(Primitive):
    """LAPACK's packed QR: ``R`` on and above the diagonal, Householder vectors below."""

    name = "geqrf_a"
    saves_inputs = False

    @staticmethod
    def forward(xp, a):
        return _geqrf(xp, a)[0]

    @staticmethod
    def abstract(a):
        _check_matrix("geqrf", a, square=False)
        return a.shape, a.dtype

    @staticmethod
    def vjp(ctx, g):
        _no_gradient("geqrf", "PyTorch has none either; differentiate linalg.qr instead")


@primitive
class GeqrfTau(Primitive):
    """The scales ``tau`` (..., min(m, n)) of ``geqrf``'s Householder reflectors."""

    name = "geqrf_tau"
    saves_inputs = False

    @staticmethod
    def forward(xp, a):
        return _geqrf(xp, a)[1]

    @staticmethod
    def abstract(a):
        _check_matrix("geqrf", a, square=False)
        return a.shape[:-2] + (min(a.shape[-2:]),), a.dtype

    @staticmethod
    def vjp(ctx, g):
        _no_gradient("geqrf", "PyTorch has none either; differentiate linalg.qr instead")


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
from ..ops import linalg_more as LM  # noqa: E402
