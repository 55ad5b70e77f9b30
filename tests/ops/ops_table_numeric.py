"""Reference table: more elementwise math, special functions and matrix products (see ops_harness)."""
from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import strategies as st

from ember.ops import functions as F
from ops_harness import (FLOATS, INTS, Case, Example, Operand, away_from_zero, binary, broadcast_shapes,
                         normal, off_integers, positive, scaled, shapes, uniform, unary)

BOTH = FLOATS + INTS


def _with_specials(rng, shape):
    """Normal values with some nan, +inf and -inf."""
    values = rng.standard_normal(shape)
    choice = rng.random(shape)
    values = np.where(choice < 0.1, np.nan, values)
    values = np.where((choice >= 0.1) & (choice < 0.2), np.inf, values)
    return np.where((choice >= 0.2) & (choice < 0.3), -np.inf, values)


def _signed_zeros(rng, shape):
    values = rng.standard_normal(shape)
    return np.where(rng.random(shape) < 0.3, rng.choice([-0.0, 0.0], shape), values)


def _near(rng, shape):
    """Pairs of close, equal and far values for isclose (the second operand)."""
    return rng.choice([1.0, 1.0 + 1e-7, 1.0 + 1e-3, np.inf, -np.inf, np.nan], shape)


@st.composite
def lerp_examples(draw):
    a, b, w = draw(broadcast_shapes(3))
    weight = Operand(w) if draw(st.booleans()) else draw(st.sampled_from([0.0, 0.25, 1.5]))
    return Example((Operand(a), Operand(b), weight))


@st.composite
def isclose_examples(draw):
    a, b = draw(broadcast_shapes(2))
    return Example((Operand(a, _near, grad=False), Operand(b, _near, grad=False)),
                   {"equal_nan": draw(st.booleans()), "rtol": draw(st.sampled_from([1e-5, 1e-2])),
                    "atol": draw(st.sampled_from([1e-8, 0.0]))})


@st.composite
def nan_to_num_examples(draw):
    kwargs = {}
    for name in ("nan", "posinf", "neginf"):
        if draw(st.booleans()):
            kwargs[name] = draw(st.sampled_from([0.5, -2.0, 100.0]))
    return Example((Operand(draw(shapes()), _with_specials),), kwargs)


@st.composite
def std_mean_examples(draw):
    shape = draw(shapes(min_side=1))
    dim = None if draw(st.booleans()) or not shape else draw(st.integers(0, len(shape) - 1))
    return Example((Operand(shape),), {"dim": dim, "correction": draw(st.sampled_from([0, 1])),
                                      "keepdim": draw(st.booleans())})


@st.composite
def aminmax_examples(draw):
    shape = draw(shapes(min_side=1))
    kwargs = {"keepdim": draw(st.booleans())}
    if shape and draw(st.booleans()):
        kwargs["dim"] = draw(st.integers(-len(shape), len(shape) - 1))
    return Example((Operand(shape, _distinct_values),), kwargs)


def _distinct_values(rng, shape):
    size = int(np.prod(shape))
    return (rng.permutation(size) - size // 2 + rng.uniform(-0.2, 0.2, size)).reshape(shape)


_DIMS = st.integers(0, 3)


@st.composite
def addmm_examples(draw, kind):
    n, k, m = draw(_DIMS), draw(_DIMS), draw(_DIMS)
    b = draw(_DIMS)
    if kind == "mm":
        a, c, out = (n, k), (k, m), (n, m)
    elif kind == "mv":
        n, k = max(n, 1), max(k, 1)  # PyTorch 2.13's addmv mis-shapes results with empty operands
        a, c, out = (n, k), (k,), (n,)
    elif kind == "bmm":
        a, c, out = (b, n, k), (b, k, m), (b, n, m)
    else:  # addbmm: the batch is summed
        a, c, out = (b, n, k), (b, k, m), (n, m)
    # (addmv broadcasts its input wrongly in PyTorch 2.13: it gets the full shape)
    target = out if kind == "mv" else out[len(out) - draw(st.integers(0, len(out))):]
    target = tuple(1 if draw(st.booleans()) else s for s in target)
    return Example((Operand(target), Operand(a), Operand(c)),
                   {"beta": draw(st.sampled_from([1, 0.5, 0])), "alpha": draw(st.sampled_from([1, -2.0]))})


def _addmm(module, name):
    def call(x, a, b, beta, alpha):
        return getattr(module, name)(x, a, b, beta=beta, alpha=alpha)
    return call


@st.composite
def tensordot_examples(draw):
    count = draw(st.integers(0, 2))
    shared = tuple(draw(_DIMS) for _ in range(count))
    left = tuple(draw(_DIMS) for _ in range(draw(st.integers(0, 2))))
    right = tuple(draw(_DIMS) for _ in range(draw(st.integers(0, 2))))
    if draw(st.booleans()):
        return Example((Operand(left + shared), Operand(shared + right)), {"dims": count})
    # explicit lists: the shared dims sit in a shuffled order on the right
    order = draw(st.permutations(range(count)))
    dims_a = [len(left) + i for i in range(count)]
    dims_b = [order.index(i) for i in range(count)]
    b_shape = tuple(shared[order[j]] for j in range(count)) + right
    return Example((Operand(left + shared), Operand(b_shape)), {"dims": (dims_a, dims_b)})


@st.composite
def cdist_examples(draw):
    batch = tuple(draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 1))))
    m = draw(st.integers(1, 3))
    p = draw(st.sampled_from([1.0, 2.0, 3.0, math.inf]))
    return Example((Operand(batch + (draw(_DIMS), m)), Operand(batch + (draw(_DIMS), m))), {"p": p})


def _torch_xlogy(x, y):
    return torch.xlogy(x, y)


CASES = [
    Case("lerp", F.lerp, torch.lerp, ("add", "mul"), lerp_examples(), second_order=True),
    Case("hypot", F.hypot, torch.hypot, ("hypot",), binary(away_from_zero, away_from_zero), second_order=True),
    Case("logaddexp", F.logaddexp, torch.logaddexp, ("maximum", "log1p"), binary(), second_order=True),
    Case("logaddexp (infinities)", F.logaddexp, torch.logaddexp, ("maximum",),
         binary(_with_specials, _with_specials), grad=False),
    Case("logaddexp2", F.logaddexp2, torch.logaddexp2, ("log1p",), binary(scaled(3))),
    Case("clamp_min", lambda x: F.clamp_min(x, 0.1), lambda x: torch.clamp_min(x, 0.1), ("where",), unary(), BOTH),
    Case("clamp_max", lambda x: F.clamp_max(x, 0.1), lambda x: torch.clamp_max(x, 0.1), ("where",), unary(), BOTH),
    Case("trunc", F.trunc, torch.trunc, ("floor", "ceil"), unary(off_integers), grad=False),
    Case("frac", F.frac, torch.frac, ("sub",), unary(off_integers), second_order=True),
    Case("fmod", F.fmod, torch.fmod, ("fmod",), binary(off_integers, away_from_zero)),
    Case("fmod (integers)", F.fmod, torch.fmod, ("fmod",), binary(scaled(5), away_from_zero), INTS),
    Case("fmod scalar", lambda x: F.fmod(x, 1.5), lambda x: torch.fmod(x, 1.5), ("fmod",), unary(off_integers)),
    # the sign operand gets no gradient (PyTorch's is 0), and differences across its 0 would jump
    Case("copysign", F.copysign, torch.copysign, ("signbit", "where"), broadcast_shapes(2).map(
        lambda p: Example((Operand(p[0], away_from_zero), Operand(p[1], _signed_zeros, grad=False))))),
    Case("signbit", F.signbit, torch.signbit, ("signbit",), unary(_signed_zeros), BOTH, grad=False),
    Case("nan_to_num", F.nan_to_num, torch.nan_to_num, ("where", "isnan"), nan_to_num_examples()),
    Case("isclose", F.isclose, torch.isclose, ("le",), isclose_examples(), grad=False),
    Case("std_mean", lambda x, **k: list(F.std_mean(x, **k)), lambda x, **k: list(torch.std_mean(x, **k)),
         ("sum",), std_mean_examples()),
    Case("aminmax", lambda x, **k: list(F.aminmax(x, **k)), lambda x, **k: list(torch.aminmax(x, **k)),
         ("amax", "amin"), aminmax_examples(), BOTH),
    Case("addmm", _addmm(F, "addmm"), _addmm(torch, "addmm"), ("matmul",), addmm_examples("mm"), second_order=True),
    Case("addmv", _addmm(F, "addmv"), _addmm(torch, "addmv"), ("matmul",), addmm_examples("mv")),
    Case("baddbmm", _addmm(F, "baddbmm"), _addmm(torch, "baddbmm"), ("matmul",), addmm_examples("bmm")),
    Case("addbmm", _addmm(F, "addbmm"), _addmm(torch, "addbmm"), ("einsum",), addmm_examples("addbmm")),
    Case("trace", F.trace, torch.trace, ("einsum",), shapes(min_dims=2, max_dims=2).map(
        lambda s: Example((Operand(s),))), BOTH, second_order=True),
    Case("tensordot", F.tensordot, torch.tensordot, ("einsum",), tensordot_examples(), second_order=True),
    Case("cdist", F.cdist, torch.cdist, ("sum",), cdist_examples(),
         tolerance={"float32": (1e-4, 1e-4)}),
    # p = 0 counts differing coordinates: no gradient in Ember (PyTorch records a zero one)
    Case("cdist p=0", lambda a, b, p: F.cdist(a, b, 0.0), lambda a, b, p: torch.cdist(a, b, 0.0), ("sum",),
         cdist_examples(), grad=False),
    # special functions
    Case("erfc", F.erfc, torch.erfc, ("erfc",), unary(scaled(3)), second_order=True),
    Case("erfinv", F.erfinv, torch.erfinv, ("erfinv",), unary(uniform(-0.95, 0.95)), second_order=True,
         tolerance={"float32": (1e-4, 1e-5)}),
    Case("lgamma", F.lgamma, torch.lgamma, ("lgamma",), unary(positive), second_order=True,
         tolerance={"float32": (1e-4, 1e-5)}),
    Case("digamma", F.digamma, torch.digamma, ("digamma",), unary(positive), second_order=True,
         tolerance={"float32": (1e-4, 1e-5)}),
    Case("polygamma", lambda x, n: F.polygamma(n, x), lambda x, n: torch.polygamma(n, x), ("polygamma",),
         shapes().flatmap(lambda s: st.sampled_from([1, 2]).map(lambda n: Example((Operand(s, positive),), {"n": n}))),
         tolerance={"float32": (1e-4, 1e-5)}),
    Case("i0", F.i0, torch.i0, ("i0", "i1"), unary(scaled(2)), second_order=True,
         tolerance={"float32": (1e-4, 1e-5)}),
    Case("special.i1", F.special_i1, torch.special.i1, ("i1", "i0"), unary(scaled(2)), second_order=True,
         tolerance={"float32": (1e-4, 1e-5)}),
    Case("logit", F.logit, torch.logit, ("log",), unary(uniform(0.05, 0.95)), second_order=True),
    Case("logit eps", lambda x: F.logit(x, 0.2), lambda x: torch.logit(x, 0.2), ("log",), unary(uniform(0.05, 0.95))),
    Case("xlogy", F.xlogy, _torch_xlogy, ("log", "where"),
         binary(lambda rng, s: np.where(rng.random(s) < 0.3, 0.0, rng.standard_normal(s)), positive)),
    Case("xlog1py", F.xlog1py, torch.special.xlog1py, ("log1p",), binary(normal, positive)),
    Case("entr", F.entr, torch.special.entr, ("log",), unary(positive)),
    Case("sinc", F.sinc, torch.sinc, ("sin",), unary(off_integers)),
]

_UNIT = uniform(-0.9, 0.9)


@st.composite
def diagonal_examples(draw):
    shape = draw(shapes(min_dims=2))
    first, second = draw(st.permutations(range(len(shape))))[:2]
    return Example((Operand(shape),), {"offset": draw(st.integers(-3, 3)), "dim1": first, "dim2": second})


@st.composite
def diag_embed_examples(draw):
    shape = draw(shapes(min_dims=1, max_dims=2))
    ndim = len(shape) + 1
    first, second = draw(st.permutations(range(ndim)))[:2]
    return Example((Operand(shape),), {"offset": draw(st.integers(-2, 2)), "dim1": first, "dim2": second})


@st.composite
def narrow_examples(draw):
    shape = draw(shapes(min_dims=1))
    axis = draw(st.integers(0, len(shape) - 1))
    start = draw(st.integers(0, shape[axis]))
    return Example((Operand(shape),), {"dim": axis, "start": start,
                                      "length": draw(st.integers(0, shape[axis] - start))})


@st.composite
def select_examples(draw):
    shape = draw(shapes(min_dims=1, min_side=1))
    axis = draw(st.integers(0, len(shape) - 1))
    return Example((Operand(shape),), {"dim": axis, "index": draw(st.integers(-shape[axis], shape[axis] - 1))})


@st.composite
def take_examples(draw):
    shape = draw(shapes(min_side=1))
    size = int(np.prod(shape))
    index = np.array(draw(st.lists(st.integers(-size, size - 1), max_size=5)), dtype=np.int64)
    return Example((Operand(shape), index.reshape(draw(st.sampled_from([(-1,), (1, -1)])))))


@st.composite
def cross_examples(draw):
    lead = tuple(draw(st.integers(0, 3)) for _ in range(draw(st.integers(0, 2))))
    axis = draw(st.integers(0, len(lead)))
    shape = lead[:axis] + (3,) + lead[axis:]
    return Example((Operand(shape), Operand(shape)), {"dim": axis})


@st.composite
def trapezoid_examples(draw, with_x):
    shape = draw(shapes(min_dims=1, min_side=1))
    axis = draw(st.integers(0, len(shape) - 1))
    args = (Operand(shape),)
    kwargs = {"dim": axis}
    if with_x:
        args += (Operand((shape[axis],), grad=False),)
    elif draw(st.booleans()):
        kwargs["dx"] = draw(st.sampled_from([0.5, 2.0]))
    return Example(args, kwargs)


def _with_nans(rng, shape):
    """A NaN at the first position only, so no slice is all NaN (there PyTorch's gradient is NaN, Ember's 0)."""
    values = rng.standard_normal(shape)
    values.reshape(-1)[:1] = np.nan
    return values


@st.composite
def nan_reduction_examples(draw):
    shape = draw(shapes(min_dims=1, min_side=2, max_dims=2))
    dim = None if not shape or draw(st.booleans()) else draw(st.integers(0, len(shape) - 1))
    return Example((Operand(shape, _with_nans),), {"dim": dim, "keepdim": draw(st.booleans())})


@st.composite
def cov_examples(draw):
    shape = draw(st.sampled_from([(draw(st.integers(2, 5)),), (draw(st.integers(1, 3)), draw(st.integers(2, 5)))]))
    return Example((Operand(shape),), {"correction": draw(st.sampled_from([0, 1]))})


CASES += [
    Case("asin", F.asin, torch.asin, ("asin",), unary(_UNIT), second_order=True),
    Case("acos", F.acos, torch.acos, ("acos",), unary(_UNIT), second_order=True),
    Case("atan", F.atan, torch.atan, ("atan",), unary(), second_order=True),
    Case("sinh", F.sinh, torch.sinh, ("sinh", "cosh"), unary(), second_order=True),
    Case("cosh", F.cosh, torch.cosh, ("cosh", "sinh"), unary(), second_order=True),
    Case("asinh", F.asinh, torch.asinh, ("asinh",), unary(), second_order=True),
    Case("acosh", F.acosh, torch.acosh, ("acosh",), unary(uniform(1.2, 3.0)), second_order=True),
    Case("atanh", F.atanh, torch.atanh, ("atanh",), unary(_UNIT), second_order=True),
    Case("atan2", F.atan2, torch.atan2, ("atan2",), binary(away_from_zero, away_from_zero), second_order=True),
    Case("deg2rad", F.deg2rad, torch.deg2rad, ("mul",), unary()),
    Case("diagonal", F.diagonal, torch.diagonal, ("getitem", "index_add"), diagonal_examples(), BOTH,
         second_order=True),
    Case("diag_embed", F.diag_embed, torch.diag_embed, ("index_put",), diag_embed_examples(), BOTH),
    Case("diag", F.diag, torch.diag, ("getitem", "index_put"), shapes(min_dims=1, max_dims=2).flatmap(
        lambda s: st.integers(-2, 2).map(lambda d: Example((Operand(s),), {"diagonal": d}))), BOTH),
    Case("fliplr", F.fliplr, torch.fliplr, ("flip",), unary(min_dims=2), BOTH),
    Case("flipud", F.flipud, torch.flipud, ("flip",), unary(min_dims=1), BOTH),
    Case("narrow", F.narrow, torch.narrow, ("getitem",), narrow_examples(), BOTH),
    Case("select", F.select, torch.select, ("getitem",), select_examples(), BOTH),
    Case("take", F.take, lambda x, index: torch.take(x, torch.as_tensor(index)), ("getitem", "index_add"),
         take_examples(), BOTH),
    Case("inner", F.inner, torch.inner, ("einsum",), st.tuples(shapes(max_dims=2), shapes(max_dims=2), _DIMS).map(
        lambda t: Example((Operand(t[0] + (t[2],) if t[0] else t[0]), Operand(t[1] + (t[2],) if t[0] else t[1])))),
         second_order=True),
    Case("dist", F.dist, torch.dist, ("sum",), binary(away_from_zero, normal)),
    Case("cross", F.cross, torch.cross, ("mul", "concatenate"), cross_examples(), BOTH, second_order=True),
    Case("cov", F.cov, torch.cov, ("matmul",), cov_examples()),
    Case("corrcoef", F.corrcoef, torch.corrcoef, ("einsum",), cov_examples().map(lambda e: Example(e.args)),
         tolerance={"float32": (1e-4, 1e-4)}),
    Case("trapezoid", F.trapezoid, torch.trapezoid, ("sum",), trapezoid_examples(False), second_order=True),
    Case("trapezoid with x", F.trapezoid, torch.trapezoid, ("sum",), trapezoid_examples(True)),
    Case("cumulative_trapezoid", F.cumulative_trapezoid, torch.cumulative_trapezoid, ("cumsum",),
         trapezoid_examples(False)),
    Case("nansum", F.nansum, torch.nansum, ("sum", "isnan"), nan_reduction_examples()),
    Case("nanmean", F.nanmean, torch.nanmean, ("sum", "isnan"), nan_reduction_examples()),
    Case("heaviside", F.heaviside, torch.heaviside, ("where",),
         binary(lambda rng, s: rng.integers(-1, 2, s).astype(float), normal), BOTH, grad=False),
    Case("float_power", F.float_power, torch.float_power, ("pow",), binary(positive, normal)),
]
