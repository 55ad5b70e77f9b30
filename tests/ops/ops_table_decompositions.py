"""Reference table: ``ember.linalg`` against ``torch.linalg`` (see ops_harness).

Operands are drawn as plain matrices and made well-posed inside the compared
functions (``X + 3I`` to invert, ``X X^T + I`` for Cholesky, ``X + X^T`` for
eigh), the same way on both sides, so gradients flow back to the drawn values.
Eigen- and singular vectors are compared up to sign (their absolute values).
"""
from __future__ import annotations

import math

import torch
from hypothesis import strategies as st

import ember
from ops_harness import FLOATS, Case, Example, Operand, scaled

_LOOSE = {"float32": (2e-4, 2e-4), "float64": (1e-8, 1e-10)}
_SIDES = st.integers(0, 3)


def _eye(module, x):
    return module.eye(x.shape[-1], dtype=x.dtype, device=x.device)  # beside x (benchmarks/gpu_check.py)


def _shifted(module, x):
    return x + 3 * _eye(module, x)


def _tall_shifted(module, x):
    """``x`` plus 3 on its leading diagonal: a tall matrix whose columns stay well apart, so a
    float32 least-squares gradient is not at the mercy of a near-singular draw."""
    m, n = x.shape[-2], x.shape[-1]
    return x + 3 * module.eye(m, n, dtype=x.dtype, device=x.device)


def _linalg(module):
    return module.linalg


@st.composite
def square(draw, min_side=0, batch=True):
    n = draw(st.integers(min_side, 3))
    lead = tuple(draw(st.integers(0, 2)) for _ in range(draw(st.integers(0, 1)))) if batch else ()
    return Example((Operand(lead + (n, n)),))


@st.composite
def rectangular(draw, tall_only=False, min_side=0):
    m, n = draw(st.integers(min_side, 4)), draw(st.integers(min_side, 4))
    if tall_only and m < n:
        m, n = n, m
    lead = tuple(draw(st.integers(0, 2)) for _ in range(draw(st.integers(0, 1))))
    return Example((Operand(lead + (m, n)),))


@st.composite
def solve_examples(draw):
    kind = draw(st.sampled_from(["vector", "matrix", "batched"]))
    left = kind != "matrix" or draw(st.booleans())  # PyTorch guesses vectors oddly with left=False
    n = draw(st.integers(0 if left else 1, 3))  # PyTorch refuses empty systems with left=False
    batch_a = tuple(draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 1) if left else st.just(0))))
    if kind == "vector":
        b = batch_a + (n,)
    elif kind == "matrix":
        b = (n, draw(_SIDES))
    else:
        b = (draw(st.integers(1, 2)),) * (1 - len(batch_a)) + batch_a + (n, draw(_SIDES))
    return Example((Operand(batch_a + (n, n)), Operand(b)), {"left": left})


def _solve(module):
    def call(a, b, left):
        a = _shifted(module, a)
        if not left:
            b = b.mT if b.ndim >= 2 else b
            return module.linalg.solve(a, b, left=False) if b.ndim >= 2 else module.linalg.solve(a, b)
        return module.linalg.solve(a, b)
    return call


def _cholesky(module, upper=False):
    def call(x):
        spd = x @ x.mT + _eye(module, x)
        return module.linalg.cholesky(spd, upper=upper)
    return call


def _eigh(module):
    def call(x):
        values, vectors = module.linalg.eigh(x + x.mT)
        return [values, abs(vectors)]
    return call


def _svd(module, full):
    def call(x):
        u, s, vh = module.linalg.svd(x, full_matrices=full)
        return [abs(u), s, abs(vh)]
    return call


@st.composite
def norm_examples(draw, kind):
    if kind == "vector":
        shape = tuple(draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 3))))
        ord_ = draw(st.sampled_from([2, 1, 3, 0.5, math.inf, -math.inf, -1]))
        dim = None if draw(st.booleans()) else draw(st.integers(-len(shape), len(shape) - 1))
        return Example((Operand(shape),), {"ord": ord_, "dim": dim, "keepdim": draw(st.booleans())})
    m, n = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    lead = tuple(draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 1))))
    ord_ = draw(st.sampled_from(["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf]))
    return Example((Operand(lead + (m, n)),), {"ord": ord_, "keepdim": draw(st.booleans())})


@st.composite
def power_examples(draw):
    example = draw(square())
    # n = 0 is the identity, which PyTorch keeps in the graph with a zero gradient (Ember: a constant)
    return Example(example.args, {"n": draw(st.sampled_from([-2, -1, 1, 2, 3, 4]))})


def _power(module):
    def call(x, n):
        return module.linalg.matrix_power(_shifted(module, x) if n < 0 else x, n)
    return call


@st.composite
def lstsq_examples(draw):
    m, n = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    m = max(m, n)
    return Example((Operand((m, n)), Operand((m, draw(st.integers(1, 2))))))


CASES = [
    Case("linalg.inv", lambda x: ember.linalg.inv(_shifted(ember, x)), lambda x: torch.linalg.inv(_shifted(torch, x)),
         ("inv",), square(), second_order=True, tolerance=_LOOSE),
    Case("linalg.det", lambda x: ember.linalg.det(_shifted(ember, x)), lambda x: torch.linalg.det(_shifted(torch, x)),
         ("det", "inv"), square(), second_order=True, tolerance=_LOOSE),
    # (PyTorch marks the sign as requiring grad; it has none: compared as values)
    Case("linalg.slogdet", lambda x: [ember.linalg.slogdet(x)[0], ember.linalg.slogdet(x)[1]],
         lambda x: [torch.linalg.slogdet(x)[0].detach(), torch.linalg.slogdet(x)[1]],
         ("slogdet_sign", "logabsdet", "inv"), square(min_side=1), tolerance=_LOOSE),
    Case("logdet", lambda x: ember.logdet(_shifted(ember, x)), lambda x: torch.logdet(_shifted(torch, x)),
         ("logabsdet",), square(), tolerance=_LOOSE),
    Case("linalg.solve", _solve(ember), _solve(torch), ("solve",), solve_examples(), second_order=True,
         tolerance=_LOOSE),
    Case("linalg.cholesky", _cholesky(ember), _cholesky(torch), ("cholesky", "solve"), square(),
         second_order=True, tolerance=_LOOSE),
    Case("linalg.cholesky upper", _cholesky(ember, True), _cholesky(torch, True), ("cholesky",), square(),
         tolerance=_LOOSE),
    Case("linalg.qr", lambda x: list(ember.linalg.qr(x)), lambda x: list(torch.linalg.qr(x)),
         ("qr_q", "qr_r", "solve"), rectangular(tall_only=True, min_side=1), tolerance=_LOOSE),
    Case("linalg.eigh", _eigh(ember), _eigh(torch), ("eigh_values", "eigh_vectors"), square(min_side=1),
         tolerance=_LOOSE),
    Case("linalg.eigvalsh", lambda x: ember.linalg.eigvalsh(x + x.mT), lambda x: torch.linalg.eigvalsh(x + x.mT),
         ("eigh_values",), square(), second_order=True, tolerance=_LOOSE),
    Case("linalg.svd", _svd(ember, False), _svd(torch, False), ("svd_u", "svd_s", "svd_vh"),
         rectangular(min_side=1), tolerance=_LOOSE),
    Case("linalg.svd full (square)", _svd(ember, True), _svd(torch, True), ("svd_s",),
         square(min_side=1), tolerance=_LOOSE),
    Case("linalg.svdvals", ember.linalg.svdvals, torch.linalg.svdvals, ("svd_s",), rectangular(),
         tolerance=_LOOSE),
    # float32 gradients of a near-singular matrix reach ~1e3 and their rounding with them (CI saw
    # 2e-3 off at 920): atol relative to the largest entry there
    Case("linalg.pinv", ember.linalg.pinv, torch.linalg.pinv, ("svd_u", "svd_s", "svd_vh"),
         rectangular(min_side=1), tolerance={**_LOOSE, "float32": (2e-4, 2e-5, "scaled")}),
    Case("linalg.lstsq", lambda a, b: ember.linalg.lstsq(_tall_shifted(ember, a), b).solution,
         lambda a, b: torch.linalg.lstsq(_tall_shifted(torch, a), b).solution, ("svd_s",), lstsq_examples(), tolerance=_LOOSE),
    Case("linalg.matrix_exp", ember.linalg.matrix_exp, torch.linalg.matrix_exp, ("matrix_exp",),
         square().map(lambda e: Example((Operand(e.args[0].shape, scaled(0.7)),))), second_order=True,
         tolerance=_LOOSE),
    Case("linalg.matrix_power", _power(ember), _power(torch), ("matmul",), power_examples(), tolerance=_LOOSE),
    Case("linalg.vector_norm", ember.linalg.vector_norm, torch.linalg.vector_norm, ("sum",),
         norm_examples("vector"), tolerance=_LOOSE),
    # ord = 0 counts non-zero entries: no gradient in Ember (PyTorch records a zero one)
    Case("linalg.vector_norm ord=0", lambda x, **k: ember.linalg.vector_norm(x, 0, k["dim"], k["keepdim"]),
         lambda x, **k: torch.linalg.vector_norm(x, 0, k["dim"], k["keepdim"]), ("sum",),
         norm_examples("vector"), grad=False),
    Case("linalg.matrix_norm", ember.linalg.matrix_norm, torch.linalg.matrix_norm, ("sum",),
         norm_examples("matrix"), tolerance=_LOOSE),
    Case("linalg.norm", lambda x, **k: ember.linalg.norm(x), lambda x, **k: torch.linalg.norm(x), ("sum",),
         norm_examples("vector"), tolerance=_LOOSE),
]
