"""Matrix functions and decompositions: ``inv``, ``det``, ``slogdet``, ``solve``, ``cholesky``,
``qr``, ``eigh``, ``svd``, ``matrix_exp``.

Every operand is a (batch of) matrices in the last two axes. A decomposition with
several outputs is one primitive per output (``qr_q``/``qr_r``, ``eigh_values``/
``eigh_vectors``, ``svd_u``/``svd_s``/``svd_vh``): a VJP is linear in the output
gradients, so each record's rule is the joint formula with the other outputs'
gradients set to zero, and the engine's sum of them is the whole gradient. The
rules recompute the factors with Ember ops from the input, so they differentiate again.
"""
from __future__ import annotations

import numpy

from ..errors import DTypeError, EmberError, ShapeError
from .core import Primitive, primitive


class LinAlgError(EmberError, RuntimeError):
    """A matrix the operation cannot handle: singular, not positive-definite, no convergence
    (``torch.linalg.LinAlgError`` is also a RuntimeError)."""


_PROBLEMS = {"inv": "is singular (not invertible)", "solve": "(A) is singular: the system has no unique solution",
             "cholesky": "is not positive-definite", "eigh": "did not converge", "svd": "did not converge",
             "qr": "could not be factorised"}


def _lapack(op, a, function, *args):
    """``function(a, *args)``, with LAPACK's failures as a :class:`LinAlgError` naming the op and shape."""
    try:
        return function(a, *args)
    except Exception as error:
        if type(error).__name__ != "LinAlgError":
            raise
        raise LinAlgError(f"linalg.{op}: the input of shape {a.shape} {_PROBLEMS.get(op, 'failed')} "
                          f"({error})") from None


def _check_matrix(op, a, square=True):
    if a.dtype.kind != "f":
        raise DTypeError(f"linalg.{op}: expected a floating-point tensor, got dtype {a.dtype}")
    if len(a.shape) < 2:
        raise ShapeError(f"linalg.{op}: expected a matrix or a batch of matrices, got shape {a.shape}")
    if square and a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"linalg.{op}: expected square matrices, got shape {a.shape} "
                         f"({a.shape[-2]} rows, {a.shape[-1]} columns)")


def _mT(x):
    return F.swap_last(x)


def _diag_embed(v):
    """Vectors (..., k) as diagonal matrices (..., k, k)."""
    k = v.shape[-1]
    return F.unsqueeze(v, -1) * F.eye(k, dtype=v.dtype, device=v.device)


@primitive
class Inv(Primitive):
    """The inverse of square matrices."""

    name = "inv"
    saves_inputs = False
    saves_output = True

    @staticmethod
    def forward(xp, a):
        if a.shape[-1] == 0:
            return a.copy()
        return _lapack("inv", a, xp.linalg.inv)

    @staticmethod
    def abstract(a):
        _check_matrix("inv", a)
        return a.shape, a.dtype

    @staticmethod
    def vjp(ctx, g):
        inverse_t = _mT(ctx.output)
        return (-(inverse_t @ g @ inverse_t),)


@primitive
class Det(Primitive):
    """The determinant of square matrices (the gradient needs them invertible)."""

    name = "det"
    saves_output = True

    @staticmethod
    def forward(xp, a):
        return xp.asarray(xp.linalg.det(a), dtype=a.dtype)

    @staticmethod
    def abstract(a):
        _check_matrix("det", a)
        return a.shape[:-2], a.dtype

    @staticmethod
    def vjp(ctx, g):
        a = ctx.inputs[0]
        scale = F.unsqueeze(F.unsqueeze(g * ctx.output, -1), -1)
        return (scale * _mT(F.linalg_inv(a)),)


@primitive
class LogAbsDet(Primitive):
    """``log|det(a)|`` of square matrices (its sign is ``slogdet_sign``)."""

    name = "logabsdet"

    @staticmethod
    def forward(xp, a):
        return xp.asarray(xp.linalg.slogdet(a)[1], dtype=a.dtype)

    @staticmethod
    def abstract(a):
        _check_matrix("slogdet", a)
        return a.shape[:-2], a.dtype

    @staticmethod
    def vjp(ctx, g):
        a = ctx.inputs[0]
        return (F.unsqueeze(F.unsqueeze(g, -1), -1) * _mT(F.linalg_inv(a)),)


@primitive
class SlogdetSign(Primitive):
    """The sign of ``det(a)`` (-1, 0 or 1): no gradient."""

    name = "slogdet_sign"
    saves_inputs = False
    differentiable = False

    @staticmethod
    def forward(xp, a):
        return xp.asarray(xp.linalg.slogdet(a)[0], dtype=a.dtype)

    @staticmethod
    def abstract(a):
        _check_matrix("slogdet", a)
        return a.shape[:-2], a.dtype

    @staticmethod
    def vjp(ctx, g):
        return (None,)


@primitive
class Solve(Primitive):
    """``X`` with ``a @ X = b`` for square ``a`` (..., n, n) and ``b`` (..., n, k), batches broadcast."""

    name = "solve"
    saves_output = True

    @staticmethod
    def forward(xp, a, b):
        batch = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a = xp.broadcast_to(a, batch + a.shape[-2:])
        b = xp.broadcast_to(b, batch + b.shape[-2:])
        if a.shape[-1] == 0 or b.shape[-1] == 0 or 0 in batch:
            return xp.zeros(batch + b.shape[-2:], a.dtype)
        return _lapack("solve", a, xp.linalg.solve, b)

    @staticmethod
    def abstract(a, b):
        _check_matrix("solve", a)
        if b.dtype != a.dtype:
            raise DTypeError(f"linalg.solve: A ({a.dtype}) and B ({b.dtype}) must have the same dtype")
        if len(b.shape) < 2 or b.shape[-2] != a.shape[-1]:
            raise ShapeError(f"linalg.solve: A of shape {a.shape} and B of shape {b.shape} do not fit "
                             f"(B needs {a.shape[-1]} rows)")
        from .rules import broadcast_shapes
        batch = broadcast_shapes("linalg.solve", a.shape[:-2], b.shape[:-2])
        return batch + b.shape[-2:], a.dtype

    @staticmethod
    def vjp(ctx, g):
        a, _ = ctx.inputs
        grad_b = F.linalg_solve(_mT(a), g)
        grad_a = -(grad_b @ _mT(ctx.output)) if ctx.wants(0) else None
        return grad_a, grad_b


@primitive
class Cholesky(Primitive):
    """The lower Cholesky factor of symmetric positive-definite matrices."""

    name = "cholesky"
    saves_inputs = False
    saves_output = True

    @staticmethod
    def forward(xp, a):
        if a.shape[-1] == 0:
            return a.copy()
        return _lapack("cholesky", a, xp.linalg.cholesky)

    @staticmethod
    def abstract(a):
        _check_matrix("cholesky", a)
        return a.shape, a.dtype

    @staticmethod
    def vjp(ctx, g):
        lower = ctx.output
        n = lower.shape[-1]
        # Phi(L^T g): the lower triangle with the diagonal halved
        product = _mT(lower) @ g
        phi = F.tril(product) - 0.5 * product * F.eye(n, dtype=g.dtype, device=g.device)
        lower_t = _mT(lower)
        middle = _mT(F.linalg_solve(lower_t, _mT(phi)))      # phi L^-1
        inner = F.linalg_solve(lower_t, middle)              # L^-T phi L^-1
        return (0.5 * (inner + _mT(inner)),)


def _qr_vjp(a, grad_q, grad_r):
    """The gradient of a reduced QR (tall or square ``a``) for output gradients ``grad_q``/``grad_r``."""
    q, r = F.linalg_qr(a)
    if a.shape[-2] < a.shape[-1]:
        raise ShapeError(f"linalg.qr: the gradient is implemented for matrices with at least as many rows "
                         f"as columns (got shape {a.shape})")
    m = (r @ _mT(grad_r) if grad_r is not None else 0) - (_mT(grad_q) @ q if grad_q is not None else 0)
    m = m if hasattr(m, "shape") else F.zeros_like(r)
    lower = F.tril(m, -1)
    symmetric = lower + _mT(lower) + m * F.eye(m.shape[-1], dtype=m.dtype, device=m.device)
    b = (grad_q if grad_q is not None else 0) + q @ symmetric
    # b R^-T: solve R X^T = b^T
    return _mT(F.linalg_solve(r, _mT(b)))


def _qr_factor(xp, a, which):
    if 0 in a.shape:
        m, n = a.shape[-2:]
        k = min(m, n)
        shape = a.shape[:-2] + ((m, k) if which == "q" else (k, n))
        if which == "q":
            out = xp.zeros(shape, a.dtype)
            return out + xp.eye(m, k, dtype=a.dtype) if out.size else out
        return xp.zeros(shape, a.dtype)
    q, r = xp.linalg.qr(a, mode="reduced")
    return q if which == "q" else r


@primitive
class QrQ(Primitive):
    """The orthonormal factor Q (..., m, k) of a reduced QR decomposition."""

    name = "qr_q"

    @staticmethod
    def forward(xp, a):
        return _qr_factor(xp, a, "q")

    @staticmethod
    def abstract(a):
        _check_matrix("qr", a, square=False)
        m, n = a.shape[-2:]
        return a.shape[:-2] + (m, min(m, n)), a.dtype

    @staticmethod
    def vjp(ctx, g):
        return (_qr_vjp(ctx.inputs[0], g, None),)


@primitive
class QrR(Primitive):
    """The upper-triangular factor R (..., k, n) of a reduced QR decomposition."""

    name = "qr_r"

    @staticmethod
    def forward(xp, a):
        return _qr_factor(xp, a, "r")

    @staticmethod
    def abstract(a):
        _check_matrix("qr", a, square=False)
        m, n = a.shape[-2:]
        return a.shape[:-2] + (min(m, n), n), a.dtype

    @staticmethod
    def vjp(ctx, g):
        return (_qr_vjp(ctx.inputs[0], None, g),)


def _eigh_vjp(a, grad_values, grad_vectors):
    """PyTorch's rule for symmetric input: V (diag(gL) + skew(V^T gV) / E) V^T, E_ij = L_j - L_i."""
    values, vectors = F.linalg_eigh(a)
    n = values.shape[-1]
    eye = F.eye(n, dtype=a.dtype, device=a.device)
    inner = F.zeros_like(a) if grad_values is None else _diag_embed(grad_values)
    if grad_vectors is not None:
        projected = _mT(vectors) @ grad_vectors
        skew = 0.5 * (projected - _mT(projected))
        gaps = F.unsqueeze(values, -2) - F.unsqueeze(values, -1)
        gaps = F.where(eye > 0, 1, gaps)
        inner = inner + skew / gaps * (1 - eye)
    return vectors @ inner @ _mT(vectors)


def _eigh(xp, a):
    if a.shape[-1] == 0:
        return xp.zeros(a.shape[:-1], a.dtype), a.copy()
    return _lapack("eigh", a, xp.linalg.eigh)


@primitive
class EighValues(Primitive):
    """Eigenvalues (ascending) of symmetric matrices, read from the lower triangle."""

    name = "eigh_values"

    @staticmethod
    def forward(xp, a):
        return _eigh(xp, a)[0]

    @staticmethod
    def abstract(a):
        _check_matrix("eigh", a)
        return a.shape[:-1], a.dtype

    @staticmethod
    def vjp(ctx, g):
        return (_eigh_vjp(ctx.inputs[0], g, None),)


@primitive
class EighVectors(Primitive):
    """Orthonormal eigenvectors (columns) of symmetric matrices, matching ``eigh_values``."""

    name = "eigh_vectors"

    @staticmethod
    def forward(xp, a):
        return _eigh(xp, a)[1]

    @staticmethod
    def abstract(a):
        _check_matrix("eigh", a)
        return a.shape, a.dtype

    @staticmethod
    def vjp(ctx, g):
        return (_eigh_vjp(ctx.inputs[0], None, g),)


def _svd(xp, a):
    m, n = a.shape[-2:]
    k = min(m, n)
    if 0 in a.shape:
        return (xp.zeros(a.shape[:-2] + (m, k), a.dtype), xp.zeros(a.shape[:-2] + (k,), a.dtype),
                xp.zeros(a.shape[:-2] + (k, n), a.dtype))
    return _lapack("svd", a, xp.linalg.svd, False)


def _svd_vjp(a, grad_u, grad_s, grad_vh):
    """PyTorch's reduced-SVD rule (real case), for distinct non-zero singular values."""
    u, s, vh = F.linalg_svd(a, full_matrices=False)
    m, n = a.shape[-2:]
    k = s.shape[-1]
    eye = F.eye(k, dtype=a.dtype, device=a.device)
    squares = s * s
    gaps = F.unsqueeze(squares, -2) - F.unsqueeze(squares, -1)   # E_ij = s_j^2 - s_i^2
    gaps = F.where(eye > 0, 1, gaps)
    inner = F.zeros_like(F.unsqueeze(s, -1) * eye)
    if grad_u is not None:
        projected = _mT(u) @ grad_u
        inner = inner + (projected - _mT(projected)) * F.unsqueeze(s, -2) / gaps * (1 - eye)
    if grad_vh is not None:
        projected = vh @ _mT(grad_vh)
        inner = inner + F.unsqueeze(s, -1) * (projected - _mT(projected)) / gaps * (1 - eye)
    if grad_s is not None:
        inner = inner + _diag_embed(grad_s)
    if m > k and grad_u is not None:
        scaled = grad_u / F.unsqueeze(s, -2)
        return (u @ inner + scaled - u @ (_mT(u) @ scaled)) @ vh
    if n > k and grad_vh is not None:
        scaled = grad_vh / F.unsqueeze(s, -1)
        return u @ (inner @ vh + scaled - (scaled @ _mT(vh)) @ vh)
    return u @ inner @ vh


class _SvdFactor(Primitive):
    index = 0

    def forward(self, xp, a):
        return _svd(xp, a)[self.index]

    def abstract(self, a):
        _check_matrix("svd", a, square=False)
        m, n = a.shape[-2:]
        k = min(m, n)
        return a.shape[:-2] + [(m, k), (k,), (k, n)][self.index], a.dtype


@primitive
class SvdU(_SvdFactor):
    """Left singular vectors U (..., m, k) of a reduced SVD."""

    name = "svd_u"
    index = 0

    @staticmethod
    def vjp(ctx, g):
        return (_svd_vjp(ctx.inputs[0], g, None, None),)


@primitive
class SvdS(_SvdFactor):
    """Singular values (..., k), descending."""

    name = "svd_s"
    index = 1

    @staticmethod
    def vjp(ctx, g):
        return (_svd_vjp(ctx.inputs[0], None, g, None),)


@primitive
class SvdVh(_SvdFactor):
    """Right singular vectors, transposed: Vh (..., k, n)."""

    name = "svd_vh"
    index = 2

    @staticmethod
    def vjp(ctx, g):
        return (_svd_vjp(ctx.inputs[0], None, None, g),)


def _expm(xp, a):
    """exp(a) by scaling and squaring with a degree-18 Taylor polynomial (SciPy's expm when installed)."""
    try:
        from scipy.linalg import expm
    except ImportError:  # pragma: no cover - depends on the environment
        expm = None
    if expm is not None and a.size and xp is numpy:  # SciPy reads host arrays only
        return xp.asarray(expm(a)).astype(a.dtype, copy=False)
    norm = float(xp.abs(a).sum(axis=-2).max()) if a.size else 0.0
    squarings = max(0, int(numpy.ceil(numpy.log2(norm))) + 1) if norm > 0.5 else 0
    scaled = a / (2.0 ** squarings)
    result = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()
    term = result.copy()
    for order in range(1, 19):
        term = term @ scaled / order
        result = result + term
    for _ in range(squarings):
        result = result @ result
    return result


@primitive
class MatrixExp(Primitive):
    """The matrix exponential of square matrices."""

    name = "matrix_exp"
    saves_inputs = True

    @staticmethod
    def forward(xp, a):
        return _expm(xp, a)

    @staticmethod
    def abstract(a):
        _check_matrix("matrix_exp", a)
        return a.shape, a.dtype

    @staticmethod
    def vjp(ctx, g):
        # the adjoint is the upper-right block of exp([[A^T, G], [0, A^T]])
        a = ctx.inputs[0]
        n = a.shape[-1]
        a_t = _mT(a)
        top = F.cat([a_t, g], -1)
        bottom = F.cat([F.zeros_like(a_t), a_t], -1)
        block = F.matrix_exp(F.cat([top, bottom], -2))
        return (block[..., :n, n:],)


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
