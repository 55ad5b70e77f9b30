"""Reference table: the torch-namespace composites added in session 5 (stacking and splitting,
``vdot``/``mv``/``addr``, ``ldexp``, ``fmax``/``fmin``, ``rsub``, ``repeat_interleave`` ...),
each checked against PyTorch forward and gradient (see ops_harness)."""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

import ember
from ops_harness import FLOATS, INTS, Case, Example, Operand, binary, normal, shapes

BOTH = FLOATS + INTS


def _listed(name):
    """``name([a, b, ...])`` for both frameworks (the harness passes operands positionally)."""
    return (lambda *xs: getattr(ember, name)(list(xs)), lambda *xs: getattr(torch, name)(list(xs)))


@st.composite
def same_rank_pairs(draw, rank, joined_axis):
    """Two shapes of one rank that differ only along ``joined_axis`` (0-d and 1-D are free)."""
    shape = list(draw(shapes(min_dims=rank, max_dims=rank, min_side=1)))
    other = list(shape)
    if rank > joined_axis:
        other[joined_axis] = draw(st.integers(0, 3))
    return Example((Operand(tuple(shape)), Operand(tuple(other))))


@st.composite
def tensor_split_examples(draw):
    shape = draw(shapes(min_dims=1, max_dims=3))
    dim = draw(st.integers(0, len(shape) - 1))
    if draw(st.booleans()):
        sections = draw(st.integers(1, 4))
    else:
        sections = sorted(draw(st.lists(st.integers(0, shape[dim] + 1), max_size=3)))
    return Example((Operand(shape), sections), {"dim": dim})


@st.composite
def hsplit_examples(draw):
    shape = list(draw(shapes(min_dims=1, max_dims=3, min_side=1)))
    axis = 1 if len(shape) > 1 else 0
    sections = draw(st.integers(1, 3))
    shape[axis] = sections * draw(st.integers(1, 2))
    return Example((Operand(tuple(shape)), sections))


@st.composite
def repeat_interleave_examples(draw):
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=1))
    dim = draw(st.integers(0, len(shape) - 1))
    if draw(st.booleans()):
        return Example((Operand(shape), draw(st.integers(0, 3))), {"dim": dim})
    counts = draw(st.lists(st.integers(0, 3), min_size=shape[dim], max_size=shape[dim]))
    return Example((Operand(shape), np.array(counts, dtype=np.int64)), {"dim": dim})


@st.composite
def addr_examples(draw):
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    base = draw(st.sampled_from([(n, m), (m,), ()]))
    return Example((Operand(base), Operand((n,)), Operand((m,))),
                   {"beta": draw(st.sampled_from([1, 0.5, 0])), "alpha": draw(st.sampled_from([1, 2.0]))})


def _ties_and_nans(rng, shape):
    values = rng.choice([-1.0, 0.0, 1.0, 2.5, np.nan], shape)
    return values + np.where(rng.random(shape) < 0.5, rng.standard_normal(shape), 0.0)


@st.composite
def gradient_examples(draw):
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=3))
    dims = draw(st.sampled_from([None, 0] + ([(0, len(shape) - 1)] if len(shape) > 1 else [])))
    count = len(shape) if dims is None else (1 if isinstance(dims, int) else 2)
    spacing = draw(st.sampled_from([1, 0.5, [2.0] * count]))
    return Example((Operand(shape),), {"spacing": spacing, "dim": dims, "edge_order": draw(st.sampled_from([1, 2]))})


@st.composite
def as_strided_examples(draw):
    size = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    stride = draw(st.lists(st.integers(0, 3), min_size=len(size), max_size=len(size)))
    offset = draw(st.integers(0, 2))
    needed = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
    return Example((Operand((needed + draw(st.integers(0, 2)),)), tuple(size), tuple(stride), offset))


def _qr_r(module):
    return lambda a: module.qr(a)[1].abs()  # R's rows are unique up to sign


CASES = [
    Case("hstack", *_listed("hstack"), ("concatenate",), same_rank_pairs(2, 1), BOTH),
    Case("hstack 1-D", *_listed("hstack"), ("concatenate",), same_rank_pairs(1, 0), BOTH),
    Case("vstack", *_listed("vstack"), ("concatenate",), same_rank_pairs(1, 0).map(
        lambda e: Example((Operand(e.args[0].shape), Operand(e.args[0].shape)))), BOTH),
    Case("dstack", *_listed("dstack"), ("concatenate",), same_rank_pairs(3, 2), BOTH),
    Case("column_stack", *_listed("column_stack"), ("concatenate", "reshape"), st.integers(0, 3).map(
        lambda n: Example((Operand((n,)), Operand((n, 2)))))),
    Case("atleast_3d", ember.atleast_3d, torch.atleast_3d, ("reshape",), st.sampled_from([(), (3,), (2, 3)]).map(
        lambda s: Example((Operand(s),)))),
    Case("tensor_split", ember.tensor_split, torch.tensor_split, ("getitem",), tensor_split_examples(), BOTH),
    Case("hsplit", ember.hsplit, torch.hsplit, ("getitem",), hsplit_examples()),
    Case("diagflat", ember.diagflat, torch.diagflat, ("reshape",), st.builds(
        lambda s, k: Example((Operand(s),), {"offset": k}), shapes(max_dims=2), st.integers(-2, 2))),
    Case("repeat_interleave", ember.repeat_interleave, torch.repeat_interleave, ("getitem",),
         repeat_interleave_examples(), BOTH),
    Case("combinations", ember.combinations, torch.combinations, ("getitem",), st.builds(
        lambda n, r, w: Example((Operand((n,)),), {"r": r, "with_replacement": w}),
        st.integers(1, 4), st.integers(1, 3), st.booleans())),
    Case("vdot", ember.vdot, torch.vdot, ("matmul",), st.integers(0, 5).map(
        lambda n: Example((Operand((n,)), Operand((n,))))), second_order=True),
    Case("mv", ember.mv, torch.mv, ("matmul",), st.tuples(st.integers(1, 4), st.integers(0, 4)).map(
        lambda nm: Example((Operand(nm), Operand((nm[1],)))))),
    Case("addr", ember.addr, torch.addr, ("mul",), addr_examples()),
    Case("ldexp", ember.ldexp, torch.ldexp, ("pow", "mul"), binary(normal, lambda rng, s: rng.integers(-3, 4, s)
                                                                  .astype(float))),
    # ties and NaNs: the gradient goes where PyTorch sends it (ties to the first operand); finite
    # differences are meaningless across a tie, so they run on the tie-free entries only
    Case("fmax (ties, nan)", ember.fmax, torch.fmax, ("where", "isnan"), binary(_ties_and_nans, _ties_and_nans),
         finite_differences=False),
    Case("fmin (ties, nan)", ember.fmin, torch.fmin, ("where", "isnan"), binary(_ties_and_nans, _ties_and_nans),
         finite_differences=False),
    Case("fmax", ember.fmax, torch.fmax, ("where",), binary(), BOTH),
    Case("fmin", ember.fmin, torch.fmin, ("where",), binary(), BOTH),
    Case("rsub", lambda x, y: ember.rsub(x, y, alpha=2), lambda x, y: torch.rsub(x, y, alpha=2), ("sub", "mul"),
         binary(), second_order=True),
    Case("gradient", lambda x, **k: list(ember.gradient(x, **k)), lambda x, **k: list(torch.gradient(x, **k)),
         ("concatenate", "getitem", "sub"), gradient_examples()),
    Case("as_strided", ember.as_strided, torch.as_strided, ("getitem",), as_strided_examples()),
    Case("cholesky_inverse", lambda l: ember.cholesky_inverse(
        ember.tril(l) + 3 * ember.eye(l.shape[0], dtype=l.dtype, device=l.device)),
         lambda l: torch.cholesky_inverse(torch.tril(l) + 3 * torch.eye(l.shape[0], dtype=l.dtype)), ("matmul",),
         st.integers(1, 4).map(lambda n: Example((Operand((n, n)),)))),
]
