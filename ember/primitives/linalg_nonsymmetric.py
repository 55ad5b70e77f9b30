"""Forward-only factorisations: ``eig`` of general square matrices and Householder ``geqrf``.

- ``eig_values``/``eig_vectors``: complex eigenvalues and unit-norm eigenvectors (LAPACK's
  ``geev`` through ``xp.linalg.eig``), complex64 for float32 input, complex128 for float64;
- ``geqrf_a``/``geqrf_tau``: LAPACK's packed QR (``R`` on and above the diagonal, the Householder
  vectors below it) and the reflectors' scales, as ``xp.linalg.qr(mode='raw')`` gives them.

Their gradients are not implemented (``geqrf`` has none in PyTorch either; ``eig``'s needs complex
linear algebra Ember does not have yet): the VJPs raise an error naming the op, so a backward pass
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
    """The (complex) eigenvalues of general square matrices, in LAPACK's order."""

    name = "eig_values"
    saves_inputs = False

    @staticmethod
    def forward(xp, a):
        return _eig(xp, a, 0)

    @staticmethod
    def abstract(a):
        _check_eig(a)
        return a.shape[:-1], _COMPLEX[numpy.dtype(a.dtype)]

    @staticmethod
    def vjp(ctx, g):
        _no_gradient("linalg.eig / linalg.eigvals", "for symmetric matrices use linalg.eigh, which differentiates")


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
        _no_gradient("linalg.eig", "for symmetric matrices use linalg.eigh, which differentiates")


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
