"""Reference table: sorting, selection by rank, running extrema and scans, searchsorted (see ops_harness).

Values are ``distinct`` where PyTorch leaves the order of ties (and so the
indices) unspecified; ``small_integers`` entries check the tie rules PyTorch
does specify (cummax/cummin's latest index, mode's smallest value).
"""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

import ember
from ember.ops import functions as F
from ops_harness import (FLOATS, INTS, Case, Example, Operand, distinct, normal, shapes, small_integers,
                         uniform)

BOTH = FLOATS + INTS


def _axis(draw, ndim):
    bound = max(ndim, 1)
    return draw(st.integers(-bound, bound - 1))


@st.composite
def along_dim(draw, domain=distinct, min_side=0, max_side=4, **extra):
    """One operand and a ``dim``; ``extra`` maps keyword -> strategy (or a function of the shape)."""
    shape = draw(shapes(min_side=min_side, max_side=max_side))
    kwargs = {"dim": _axis(draw, len(shape))}
    for name, strategy in extra.items():
        kwargs[name] = draw(strategy(shape, kwargs["dim"]) if callable(strategy) else strategy)
    return Example((Operand(shape, domain),), kwargs)


def _size(shape, dim):
    return shape[dim] if shape else 1


def _k_up_to_size(shape, dim):
    return st.integers(0, _size(shape, dim))


def _k_from_one(shape, dim):
    return st.integers(1, _size(shape, dim))


def pair(function):
    """A (values, indices) result as a list, so both are compared."""
    def call(*args, **kwargs):
        result = function(*args, **kwargs)
        return [result[0], result[1]]
    return call


def pair_unindexed_nan(function, module):
    """:func:`pair`, with the index of an all-NaN slice (whose value is NaN) set to -1: PyTorch's
    index there is an artifact of its unstable sort (0, 2, 3, 5 for slices of 3, 4, 6, 7 NaNs)."""
    def call(*args, **kwargs):
        values, indices = function(*args, **kwargs)
        return [values, module.where(module.isnan(values), -1, indices)]
    return call


@st.composite
def median_examples(draw, with_dim):
    shape = draw(shapes(min_side=1))
    if not with_dim:
        return Example((Operand(shape, distinct),))
    return Example((Operand(shape, distinct),), {"dim": _axis(draw, len(shape)), "keepdim": draw(st.booleans())})


def _nan_sprinkled(rng, shape):
    values = distinct(rng, shape)
    return np.where(rng.random(shape) < 0.2, np.nan, values)


@st.composite
def quantile_examples(draw, domain=normal):
    shape = draw(shapes(min_side=1, max_dims=3))
    if draw(st.booleans()):
        q = draw(st.floats(0, 1))
    else:
        q = torch.tensor(draw(st.lists(st.floats(0, 1), min_size=1, max_size=3)), dtype=torch.float64)
    dim = None if draw(st.booleans()) else _axis(draw, len(shape))
    interpolation = draw(st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"]))
    return Example((Operand(shape, domain),), {"q": q, "dim": dim, "keepdim": draw(st.booleans()),
                                              "interpolation": interpolation})


def _quantile(module, name="quantile"):
    def call(x, q, dim, keepdim, interpolation):
        if isinstance(q, torch.Tensor):
            q = q.to(x.dtype) if module is torch else ember.tensor(q.numpy()).to(x.dtype)
        return getattr(module, name)(x, q, dim, keepdim, interpolation=interpolation)
    return call


@st.composite
def searchsorted_examples(draw):
    batched = draw(st.booleans())
    length = draw(st.integers(0, 5))
    lead = tuple(draw(st.integers(0, 3)) for _ in range(draw(st.integers(1, 2)))) if batched else ()
    boundaries = np.sort(np.asarray(draw(st.lists(st.integers(-4, 4), min_size=int(np.prod(lead + (length,))),
                                                      max_size=int(np.prod(lead + (length,)))))).reshape(
        lead + (length,)), axis=-1).astype(np.float64)
    values = Operand(lead + (draw(st.integers(0, 4)),) if batched else draw(shapes(max_side=3)), small_integers,
                     grad=False)
    return Example((boundaries, values), {"right": draw(st.booleans())})


def _searchsorted(module):
    def call(boundaries, values, right):
        if module is torch:
            boundaries = torch.as_tensor(np.asarray(boundaries), dtype=values.dtype)
        else:
            boundaries = F.cast(boundaries, values.dtype)
        return module.searchsorted(boundaries, values, right=right)
    return call


def _bucketize(module):
    def call(boundaries, values, right):
        if boundaries.ndim != 1:
            boundaries = boundaries.reshape(-1)[:0] if boundaries.size == 0 else np.sort(boundaries.reshape(-1))
        boundaries = np.ascontiguousarray(boundaries)
        if module is torch:
            return torch.bucketize(values, torch.as_tensor(boundaries, dtype=values.dtype), right=right)
        return F.bucketize(values, F.cast(boundaries, values.dtype), right=right)
    return call


def _cumulative(module, name):
    def call(x, dim):
        return list(getattr(module, name)(x, dim))
    return call


def _scan_examples(domain=normal, max_side=4):
    return along_dim(domain, max_side=max_side)


CASES = [
    Case("sort", pair(F.sort), pair(torch.sort), ("argsort", "take_along_axis"),
         along_dim(descending=st.booleans()), BOTH, second_order=True),
    Case("sort (ties, stable)", pair(lambda x, dim, descending: F.sort(x, dim, descending, stable=True)),
         pair(lambda x, dim, descending: torch.sort(x, dim=dim, descending=descending, stable=True)),
         ("argsort",), along_dim(small_integers, descending=st.booleans()), BOTH, finite_differences=False),
    Case("argsort", F.argsort, torch.argsort, ("argsort",), along_dim(descending=st.booleans()), BOTH,
         grad=False),
    Case("msort", F.msort, torch.msort, ("argsort",),
         shapes(min_dims=1).map(lambda s: Example((Operand(s, distinct),))), BOTH),
    Case("topk", pair(F.topk), pair(torch.topk), ("argsort", "take_along_axis"),
         along_dim(k=_k_up_to_size, largest=st.booleans()), BOTH, second_order=True),
    Case("kthvalue", pair(F.kthvalue), pair(torch.kthvalue), ("argsort", "take_along_axis"),
         along_dim(min_side=1, k=_k_from_one, keepdim=st.booleans()).map(
             lambda e: Example(e.args, {"k": e.kwargs["k"], "dim": e.kwargs["dim"], "keepdim": e.kwargs["keepdim"]})),
         BOTH),
    Case("median (all)", F.median, torch.median, ("argsort", "take_along_axis"), median_examples(False), BOTH),
    Case("median (dim)", pair(F.median), pair(torch.median), ("argsort", "take_along_axis"),
         median_examples(True), BOTH),
    Case("median with NaN", pair(F.median), pair(torch.median), ("argsort",),
         median_examples(True).map(lambda e: Example((Operand(e.args[0].shape, _nan_sprinkled),), e.kwargs)),
         grad=False),
    Case("nanmedian", pair_unindexed_nan(F.nanmedian, ember), pair_unindexed_nan(torch.nanmedian, torch),
         ("argsort",),
         median_examples(True).map(lambda e: Example((Operand(e.args[0].shape, _nan_sprinkled),), e.kwargs)),
         grad=False),
    Case("quantile", _quantile(F), _quantile(torch), ("argsort", "take_along_axis"), quantile_examples()),
    Case("nanquantile", _quantile(F, "nanquantile"), _quantile(torch, "nanquantile"), ("argsort",),
         quantile_examples(_nan_sprinkled), grad=False),
    Case("mode", pair(F.mode), pair(torch.mode), ("mode_index", "take_along_axis"),
         along_dim(small_integers, min_side=1, keepdim=st.booleans()), BOTH, finite_differences=False),
    Case("cummax", _cumulative(F, "cummax"), _cumulative(torch, "cummax"),
         ("cum_extremum_index", "take_along_axis"), along_dim(small_integers), BOTH, finite_differences=False),
    Case("cummin", _cumulative(F, "cummin"), _cumulative(torch, "cummin"), ("cum_extremum_index",),
         along_dim(small_integers), BOTH, finite_differences=False),
    Case("cummax with NaN", _cumulative(F, "cummax"), _cumulative(torch, "cummax"), ("cum_extremum_index",),
         along_dim(_nan_sprinkled), grad=False),
    Case("cumprod", F.cumprod, torch.cumprod, ("cumprod",), _scan_examples(uniform(-2, 2)), BOTH,
         second_order=True),
    Case("cumprod with zeros", F.cumprod, torch.cumprod, ("cumprod",), _scan_examples(small_integers),
         second_order=True),
    Case("logcumsumexp", F.logcumsumexp, torch.logcumsumexp, ("logcumsumexp",), _scan_examples(),
         second_order=True),
    Case("logcumsumexp (wide range)", F.logcumsumexp, torch.logcumsumexp, ("logcumsumexp",),
         _scan_examples(uniform(-300, 300)), finite_differences=False),
    Case("searchsorted", _searchsorted(F), _searchsorted(torch), ("searchsorted",), searchsorted_examples(),
         BOTH, grad=False),
    Case("bucketize", _bucketize(F), _bucketize(torch), ("searchsorted",),
         searchsorted_examples().filter(lambda e: e.args[0].ndim == 1), BOTH, grad=False),
]
