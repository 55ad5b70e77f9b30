"""``eig`` of general square matrices and Householder ``geqrf``.

- ``eig_values``/``eig_vectors``: complex eigenvalues and unit-norm eigenvectors (LAPACK's
  ``geev`` through ``xp.linalg.eig``), complex64 for float32 input, complex128 for float64;
- ``geqrf_a``/``geqrf_tau``: LAPACK's packed QR (``R`` on and above the diagonal, the Householder
  vectors below it) and the reflectors' scales, as ``xp.linalg.qr(mode='raw')`` gives them.

``eig`` differentiates by PyTorch's rule for real input (see ``_eig_vjp``), its complex solve done
as a real one of twice the size, in Ember ops (so it differentiates again). ``geqrf`` has no
gradient (PyTorch has none either): its VJPs raise an error naming the op, so a backward pass
through it fails loudly instead of dropping the gradient; ``linalg.qr`` differentiates.
"""
from __future__ import annotations

import numpy

from ..backend.namespaces import to_numpy
from ..errors import EmberError
from .core import Primitive, primitive
from .decompositions import _check_matrix, _lapack
from .linalg_triangular import stacked_batching

_COMPLEX = {numpy.dtype(numpy.float32): numpy.dtype(numpy.complex64),
            numpy.dtype(numpy.float64): numpy.dtype(numpy.complex128)}


def _no_gradient(op, advice):
    raise EmberError(f"{op}: the gradient is not implemented in Ember; {advice}")


def _eig(xp, a, index):
    complex_dtype = _COMPLEX[numpy.dtype(a.dtype)]
    if a.size == 0:
        return xp.zeros(a.shape[:-1] if index == 0 else a.shape, complex_dtype)
    if not hasattr(xp.linalg, "eig"):  # CuPy has no general eigensolver: LAPACK's on the host
        host = _lapack("eig", to_numpy(a), numpy.linalg.eig)[index]
        return xp.asarray(host.astype(complex_dtype, copy=False))
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
        return (_eig_vjp(ctx.inputs[0], g, None),)


@primitive
class EigVectors(Primitive):
    """The unit-norm (complex) eigenvectors, as columns matching ``eig_values`` (differentiable for
    losses that ignore their phases)."""

    name = "eig_vectors"

    @staticmethod
    def forward(xp, a):
        return _eig(xp, a, 1)

    @staticmethod
    def abstract(a):
        _check_eig(a)
        return a.shape, _COMPLEX[numpy.dtype(a.dtype)]

    @staticmethod
    def vjp(ctx, g):
        return (_eig_vjp(ctx.inputs[0], None, g),)


def _real_part_of_solve(system, rhs):
    """``Re(X)`` for complex ``system X = rhs``, as the real system ``[[R, -I], [I, R]] [Xr; Xi] = [Br; Bi]``."""
    real, imag = F.real(system), F.imag(system)
    block = F.cat([F.cat([real, -imag], -1), F.cat([imag, real], -1)], -2)
    return F.linalg_solve(block, F.cat([F.real(rhs), F.imag(rhs)], -2))[..., :system.shape[-1], :]


def _eig_vjp(a, grad_values, grad_vectors):
    """PyTorch's rule for real ``a = V diag(L) V^-1`` (distinct eigenvalues; a loss that does not
    depend on the eigenvectors' phases): ``Re(V^-H M V^H)`` with ``M``'s diagonal ``gL`` and, off it,
    ``(V^H gV - V^H V diag(Re(diag(V^H gV)))) / conj(L_j - L_i)``."""
    values, vectors = LM.eig(a)
    vectors_h = F.conj(F.swap_last(vectors))
    n = a.shape[-1]
    eye = F.eye(n, dtype=a.dtype, device=a.device)
    if grad_vectors is not None:
        projected = vectors_h @ grad_vectors
        diagonal = F.real(F.diagonal(projected, 0, -2, -1))
        inner = projected - vectors_h @ (vectors * F.unsqueeze(diagonal, -2))
        gaps = F.conj(F.unsqueeze(values, -2) - F.unsqueeze(values, -1))
        inner = inner / F.where(eye > 0, 1, gaps) * (1 - eye)
    else:
        inner = F.zeros_like(vectors)
    if grad_values is not None:
        inner = inner + F.unsqueeze(grad_values, -1) * eye
    return _real_part_of_solve(vectors_h, inner @ vectors_h)


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


for _prim in (EigValues, EigVectors, GeqrfA, GeqrfTau):
    _prim.batch = stacked_batching(_prim, (2,))


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
from ..ops import linalg_more as LM  # noqa: E402
