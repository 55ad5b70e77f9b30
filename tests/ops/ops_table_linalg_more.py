"""Reference table: the rest of ``torch.linalg`` (triangular solves, LU, the ``_ex`` forms, rank,
condition numbers, Householder products, ``eig``) and the legacy ``torch.lu``/``lu_solve``/
``lu_unpack``/``geqrf``/``orgqr``/``ormqr``, against PyTorch (see ops_harness).

Operands are drawn as plain matrices and made well-conditioned inside the compared functions,
the same way on both sides: ``X + 3I`` for solves; for LU the rows of ``X + 3I`` reversed, so the
factorisation must swap rows (pivots are compared too) while every pivot stays far from zero.
Rank tests zero whole columns (an exact rank). ``eig`` is compared through invariants of the
eigenvalue order: real parts sorted, imaginary parts sorted, eigenvector magnitudes in the
real parts' order (a conjugate pair's vectors have equal magnitudes, and magnitudes do not
depend on the vectors' phases, as the gradient requires), on matrices whose eigenvalues stay
well apart.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import strategies as st

import ember
from ops_harness import FLOATS, Case, Example, Operand, shapes_broadcasting_to, uniform

_LOOSE = {"float32": (5e-4, 5e-4), "float64": (1e-8, 1e-10)}


def _eye(module, x, rows=None, cols=None):  # made beside x (the stand-in device's table runs these)
    return module.eye(rows or x.shape[-2], cols or x.shape[-1], dtype=x.dtype, device=x.device)


def _shifted(module, x):
    return x + 3 * _eye(module, x)


def _pivoting(module, x):
    """``X + 3I`` with its rows reversed: row swaps are needed, pivots stay large."""
    return module.flip(_shifted(module, x), dims=(-2,))


@st.composite
def _batch(draw, max_dims=2):
    return tuple(draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, max_dims))))


@st.composite
def square(draw, min_side=1, max_side=3):
    n = draw(st.integers(min_side, max_side))
    return Example((Operand(draw(_batch()) + (n, n)),))


@st.composite
def matrices(draw, min_side=1, max_side=4):
    m, n = draw(st.integers(min_side, max_side)), draw(st.integers(min_side, max_side))
    return Example((Operand(draw(_batch()) + (m, n)),))


@st.composite
def systems(draw, vector_rhs=False):
    """A square system (..., n, n) and right-hand sides whose batch dims broadcast with it."""
    n = draw(st.integers(1, 3))
    batch_a = draw(_batch())
    if vector_rhs:  # PyTorch reads B as vectors only when its batch is A's (or B is 1-D)
        return Example((Operand(batch_a + (n, n)), Operand(draw(st.sampled_from([(), batch_a])) + (n,))))
    batch_b = draw(shapes_broadcasting_to(batch_a))
    if draw(st.booleans()):
        batch_a, batch_b = batch_b, batch_a
    return Example((Operand(batch_a + (n, n)), Operand(batch_b + (n, draw(st.integers(1, 3))))))


def _with_flags(strategy, **choices):
    """Add keyword arguments drawn from ``choices`` (name -> list of values) to each example."""
    @st.composite
    def build(draw):
        example = draw(strategy)
        kwargs = {name: draw(st.sampled_from(values)) for name, values in choices.items()}
        return Example(example.args, {**example.kwargs, **kwargs})
    return build()


# --- triangular solves and LU ------------------------------------------------------------------------
def _solve_triangular(module):
    def call(a, b, upper, left, unitriangular):
        rhs = b if left else b.mT
        return module.linalg.solve_triangular(_shifted(module, a), rhs, upper=upper, left=left,
                                              unitriangular=unitriangular)
    return call


def _lu_factor(module, ex=False):
    def call(x):
        if ex:
            return list(module.linalg.lu_factor_ex(_pivoting(module, x)))
        return list(module.linalg.lu_factor(_pivoting(module, x)))
    return call


def _lu(module):
    def call(x):
        return list(module.linalg.lu(_pivoting(module, x)))
    return call


def _lu_unpack(module):
    def call(x):
        return list(module.lu_unpack(*module.linalg.lu_factor(_pivoting(module, x))))
    return call


def _lu_solve(module):
    def call(a, b, left, adjoint):
        LU, pivots = module.linalg.lu_factor(_pivoting(module, a))
        return module.linalg.lu_solve(LU, pivots, b if left else b.mT, left=left, adjoint=adjoint)
    return call


def _legacy_lu_solve(module):
    def call(a, b):
        return module.lu_solve(b, *module.lu(_pivoting(module, a)))
    return call


def _solve_ex(module):
    def call(a, b):
        return list(module.linalg.solve_ex(_pivoting(module, a), b))
    return call


def _inv_ex(module):
    def call(x):
        return list(module.linalg.inv_ex(_pivoting(module, x)))
    return call


def _cholesky_ex(module):
    def call(x, upper):
        return list(module.linalg.cholesky_ex(x @ x.mT + _eye(module, x), upper=upper))
    return call


# --- rank, condition, small compositions ------------------------------------------------------------
@st.composite
def rank_examples(draw):
    m, n = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    kwargs = draw(st.sampled_from([{}, {"atol": 0.5}, {"rtol": 0.1}, {"atol": 0.3, "rtol": 0.05}]))
    hermitian = draw(st.booleans())
    return Example((Operand(draw(_batch()) + (m, n)), draw(st.integers(0, min(m, n)))),
                   {**kwargs, "hermitian": hermitian})


def _matrix_rank(module):
    def call(x, rank, hermitian, **tolerances):
        keep = (module.arange(x.shape[-1], device=x.device) < rank).to(x.dtype)
        low = x * keep  # exactly ``rank`` non-zero columns: the rank is ``rank`` or less
        if hermitian:
            low = low @ low.mT
            tolerances = tolerances or {"rtol": 1e-4}  # eigenvalues of x x^T carry rounding noise
        return module.linalg.matrix_rank(low, hermitian=hermitian, **tolerances)
    return call


@st.composite
def cond_examples(draw):
    p = draw(st.sampled_from([None, 2, -2, "fro", "nuc", 1, -1, math.inf, -math.inf]))
    if p in (None, 2, -2):
        return Example(draw(matrices()).args, {"p": p})
    return Example(draw(square()).args, {"p": p})


def _cond(module, definition=False):
    """``cond`` of a well-conditioned matrix; with ``definition``, PyTorch side as
    ``norm(A, p) * norm(inv(A), p)`` for the ``p`` whose ``cond`` PyTorch cannot differentiate
    (its backward trips over an in-place write inside ``inv_ex``)."""
    def call(x, p):
        m, n = x.shape[-2:]
        a = x + 3 * module.eye(m, n, dtype=x.dtype, device=x.device)
        if definition and p not in (None, 2, -2):
            return module.linalg.matrix_norm(a, p) * module.linalg.matrix_norm(module.linalg.inv(a), p)
        return module.linalg.cond(a, p)
    return call


@st.composite
def vecdot_examples(draw):
    batch = draw(_batch())
    n = draw(st.integers(1, 3))
    x = batch + (n,)
    y = draw(shapes_broadcasting_to(batch)) + (n,)  # (PyTorch's 1-D case will not broadcast along dim)
    if draw(st.booleans()):
        x, y = y, x
    # (PyTorch's backward fails for a dim that only one operand has: those stay -1)
    dims = [-1, -len(x)] if len(x) == len(y) else [-1]
    return Example((Operand(x), Operand(y)), {"dim": draw(st.sampled_from(dims))})


@st.composite
def vander_examples(draw):
    shape = draw(_batch()) + (draw(st.integers(1, 4)),)
    N = draw(st.sampled_from([None, 2, 3, 5]))
    if N is None and shape[-1] < 2:
        N = 2
    return Example((Operand(shape),), {"N": N})


@st.composite
def tensorinv_examples(draw):
    shape, ind = draw(st.sampled_from([((3, 3), 1), ((4, 2, 2), 1), ((2, 2, 4), 2), ((2, 3, 6), 2),
                                       ((6, 2, 3), 1), ((2, 2, 2, 2), 2), ((1, 1), 1)]))
    return Example((Operand(shape),), {"ind": ind})


def _tensorinv(module):
    def call(x, ind):
        rows = math.prod(x.shape[:ind])
        matrix = x.reshape(rows, rows) + 3 * module.eye(rows, dtype=x.dtype, device=x.device)
        return module.linalg.tensorinv(matrix.reshape(x.shape), ind=ind)
    return call


@st.composite
def tensorsolve_examples(draw):
    b, rest = draw(st.sampled_from([((2, 3), (6,)), ((3,), (3,)), ((2, 2), (4,)), ((4,), (2, 2)),
                                    ((2, 3), (3, 2)), ((1,), (1,))]))
    moved = draw(st.booleans()) and len(b) + len(rest) > 1
    dims = (0,) if moved else None
    a = b + rest
    if moved:  # A's dim 0 goes to the end: store it there first
        a = a[-1:] + a[:-1]
    return Example((Operand(a), Operand(b)), {"dims": dims})


def _tensorsolve(module):
    def call(a, b, dims):
        rows = math.prod(b.shape)
        if dims is not None:
            a = module.movedim(a, 0, -1)
        matrix = a.reshape(rows, rows) + 3 * module.eye(rows, dtype=a.dtype, device=a.device)
        a = matrix.reshape(a.shape)
        if dims is not None:
            a = module.movedim(a, -1, 0)
        return module.linalg.tensorsolve(a, b, dims=dims)
    return call


# --- eig, Householder -------------------------------------------------------------------------------
def _separated(module, x):
    """``0.5 X`` plus eigenvalues 1 +- 1.1i (a rotation block) and 4, 6, ...: complex pairs and real
    eigenvalues, all well apart, so the eigenvalues are smooth functions of ``X``."""
    n = x.shape[-1]
    base = np.diag(2.0 * np.arange(n))
    if n >= 2:
        base[0, 1], base[1, 0] = -1.5, 1.5
    return 0.5 * x + module.tensor(base, dtype=x.dtype, device=x.device)


def _eig(module):
    def call(x):
        values, vectors = module.linalg.eig(_separated(module, x))
        order = module.argsort(values.real, dim=-1)
        ordered = module.take_along_dim(module.abs(vectors), order.unsqueeze(-2), -1)
        return [module.take_along_dim(values.real, order, -1), module.sort(values.imag, dim=-1).values, ordered]
    return call


def _eigvals(module):
    def call(x):
        values = module.linalg.eigvals(_separated(module, x))
        # sorted parts do not depend on LAPACK's order (tied real parts of a conjugate pair get
        # equal gradients, so the tie does not matter either)
        return [module.sort(values.real, dim=-1).values, module.sort(values.imag, dim=-1).values]
    return call


@st.composite
def householder_examples(draw):
    n = draw(st.integers(1, 3))
    m = draw(st.integers(n, 4))
    k = draw(st.integers(1, n))  # k = 0 gives the identity: a constant in Ember, a zero-gradient graph in torch
    batch = draw(_batch())
    return Example((Operand(batch + (m, n)), Operand(batch + (k,), uniform(0.2, 1.8))))


@st.composite
def ormqr_examples(draw):
    left, transpose = draw(st.booleans()), draw(st.booleans())
    rows = draw(st.integers(1, 4))
    k = draw(st.integers(1, rows))
    other = draw(st.integers(1, 3))
    batch = draw(_batch())
    c = batch + ((rows, other) if left else (other, rows))
    return Example((Operand(batch + (rows, k)), Operand(batch + (k,), uniform(0.2, 1.8)), Operand(c)),
                   {"left": left, "transpose": transpose})


def _geqrf_orgqr(module):
    def call(x):
        a, tau = module.geqrf(x)
        return module.orgqr(a, tau)
    return call


@st.composite
def symmetric_examples(draw, with_rhs=False):
    n = draw(st.integers(1, 4))
    batch = draw(_batch())
    args = (Operand(batch + (n, n)), draw(st.sampled_from([0.0, 1.0, 4.0])))
    if with_rhs:
        args += (Operand(draw(shapes_broadcasting_to(batch)) + (n, draw(st.integers(1, 3)))),)
    return Example(args)


def _ldl(module, solve=False):
    """Symmetric ``X + X^T + shift I``: shift 0 makes 2x2 pivot blocks common, 4 makes them rare."""
    def call(x, shift, b=None):
        symmetric = x + x.mT + shift * _eye(module, x)
        if solve:
            return module.linalg.ldl_solve(*module.linalg.ldl_factor(symmetric), b)
        return list(module.linalg.ldl_factor_ex(symmetric))
    return call


@st.composite
def lobpcg_examples(draw, generalised=False):
    k = draw(st.integers(1, 2))
    m = draw(st.integers(3 * k, 3 * k + 2))
    batch = draw(_batch(max_dims=1))
    args = (Operand(batch + (m, m)),) + ((Operand(batch + (m, m)),) if generalised else ())
    return Example(args, {"k": k, "largest": draw(st.sampled_from([None, False]))})


def _lobpcg(module):
    """Symmetric ``A`` with eigenvalues about 1 apart (and ``B`` SPD): PyTorch's iteration converges
    to about 1e-8 (its gradients to about 1e-5), so they are compared loosely; finite differences
    check Ember's gradient tightly."""
    def call(x, b=None, k=1, largest=None):
        m = x.shape[-1]
        spread = module.diag(module.arange(m, dtype=x.dtype, device=x.device) + m)
        a = 0.3 * (x + x.mT) + spread
        extra = {} if b is None else {"B": 0.1 * (b @ b.mT) + _eye(module, b)}
        values, vectors = module.lobpcg(a, k=k, largest=largest, **extra)
        return [values, abs(vectors)]
    return call


_ITERATIVE = {"float64": (1e-4, 1e-4)}

_FLAGS = {"upper": [True, False], "left": [True, False], "unitriangular": [True, False]}

CASES = [
    Case("linalg.solve_triangular", _solve_triangular(ember), _solve_triangular(torch), ("solve_triangular",),
         _with_flags(systems(), **_FLAGS), second_order=True, tolerance=_LOOSE),
    Case("linalg.lu_factor", _lu_factor(ember), _lu_factor(torch), ("lu_factor", "lu_pivots", "solve_triangular"),
         matrices(), tolerance=_LOOSE),
    Case("linalg.lu_factor_ex", _lu_factor(ember, ex=True), _lu_factor(torch, ex=True),
         ("lu_factor", "lu_pivots"), matrices(), tolerance=_LOOSE),
    Case("linalg.lu", _lu(ember), _lu(torch), ("lu_factor", "lu_pivots"), matrices(), tolerance=_LOOSE),
    Case("lu_unpack", _lu_unpack(ember), _lu_unpack(torch), ("lu_factor", "lu_permutation"), matrices(),
         tolerance=_LOOSE),
    Case("linalg.lu_solve", _lu_solve(ember), _lu_solve(torch), ("lu_factor", "solve_triangular", "lu_permutation"),
         _with_flags(systems(), left=[True, False], adjoint=[True, False]), tolerance=_LOOSE),
    Case("lu_solve (legacy)", _legacy_lu_solve(ember), _legacy_lu_solve(torch), ("lu_factor", "solve_triangular"),
         systems(), tolerance=_LOOSE),
    Case("linalg.solve_ex", _solve_ex(ember), _solve_ex(torch), ("lu_factor", "solve_triangular"),
         st.one_of(systems(), systems(vector_rhs=True)), tolerance=_LOOSE),
    Case("linalg.inv_ex", _inv_ex(ember), _inv_ex(torch), ("lu_factor", "solve_triangular"), square(),
         tolerance=_LOOSE),
    Case("linalg.cholesky_ex", _cholesky_ex(ember), _cholesky_ex(torch), ("cholesky",),
         _with_flags(square(), upper=[True, False]), tolerance=_LOOSE),
    Case("linalg.matrix_rank", _matrix_rank(ember), _matrix_rank(torch), ("svd_s",), rank_examples(),
         grad=False),
    Case("linalg.cond", _cond(ember), _cond(torch, definition=True), ("lu_factor",), cond_examples(),
         tolerance=_LOOSE),
    Case("linalg.cond forward", _cond(ember), _cond(torch), ("svd_s",), cond_examples(), grad=False,
         tolerance=_LOOSE),
    Case("linalg.vecdot", lambda x, y, dim: ember.linalg.vecdot(x, y, dim=dim),
         lambda x, y, dim: torch.linalg.vecdot(x, y, dim=dim), ("mul", "sum"), vecdot_examples()),
    Case("linalg.vander", lambda x, N: ember.linalg.vander(x, N=N), lambda x, N: torch.linalg.vander(x, N=N),
         ("mul",), vander_examples(), dtypes=FLOATS + ("int64",), tolerance=_LOOSE),
    Case("linalg.tensorinv", _tensorinv(ember), _tensorinv(torch), ("inv",), tensorinv_examples(),
         tolerance=_LOOSE),
    Case("linalg.tensorsolve", _tensorsolve(ember), _tensorsolve(torch), ("solve",), tensorsolve_examples(),
         tolerance=_LOOSE),
    Case("linalg.eig", _eig(ember), _eig(torch), ("eig_values", "eig_vectors", "solve"), square(),
         tolerance=_LOOSE),
    Case("linalg.eigvals", _eigvals(ember), _eigvals(torch), ("eig_values", "eig_vectors", "solve"), square(),
         second_order=True, tolerance=_LOOSE),
    Case("geqrf", lambda x: list(ember.geqrf(x)), lambda x: list(torch.geqrf(x)), ("geqrf_a", "geqrf_tau"),
         matrices(), grad=False, tolerance=_LOOSE),
    Case("linalg.householder_product", ember.linalg.householder_product, torch.linalg.householder_product,
         ("matmul",), householder_examples(), second_order=True,
         tolerance={**_LOOSE, "float32": (5e-4, 5e-4, "scaled")}),  # CI saw 8.8e-4 off among entries of ~5
    Case("orgqr of geqrf", _geqrf_orgqr(ember), _geqrf_orgqr(torch), ("geqrf_a", "geqrf_tau"),
         matrices().filter(lambda e: e.args[0].shape[-2] >= e.args[0].shape[-1]), grad=False, tolerance=_LOOSE),
    Case("linalg.ldl_factor_ex", _ldl(ember), _ldl(torch), ("ldl_factor", "ldl_pivots"), symmetric_examples(),
         grad=False, tolerance=_LOOSE),
    Case("linalg.ldl_solve", _ldl(ember, solve=True), _ldl(torch, solve=True), ("ldl_factor", "ldl_solve"),
         symmetric_examples(with_rhs=True).filter(lambda e: e.args[1] > 0), grad=False, tolerance=_LOOSE),
    # (float64 only: PyTorch's float32 iteration starts from a random guess and stops about 1e-2 short)
    Case("lobpcg", _lobpcg(ember), _lobpcg(torch), ("eigh_values", "eigh_vectors"), lobpcg_examples(),
         dtypes=("float64",), tolerance=_ITERATIVE),
    # (PyTorch has no lobpcg gradient with B; Ember's goes through cholesky and solve_triangular)
    Case("lobpcg generalised", _lobpcg(ember), _lobpcg(torch), ("eigh_values", "cholesky", "solve_triangular"),
         lobpcg_examples(generalised=True), dtypes=("float64",), grad=False, tolerance=_ITERATIVE),
    Case("ormqr", ember.ormqr, torch.ormqr, ("matmul",), ormqr_examples(), tolerance=_LOOSE),
]
