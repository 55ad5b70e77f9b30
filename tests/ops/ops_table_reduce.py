"""Reference table: reductions, scans and the softmax family (see ops_harness)."""
from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from ops_harness import (FLOATS, INTS, Case, Example, Operand, away_from_zero, dims, distinct, normal,
                         scaled, shapes, small_integers, uniform)


@st.composite
def reductions(draw, domain=normal, min_side=0, allow_none=True, allow_tuple=True, keepdim=True,
               min_dims=0, max_side=4, **extra):
    """A tensor, a ``dim`` and (optionally) ``keepdim``; ``extra`` maps keyword -> strategy."""
    shape = draw(shapes(min_side=min_side, min_dims=min_dims, max_side=max_side))
    kwargs = {"dim": draw(dims(len(shape), allow_none, allow_tuple))}
    if keepdim:
        kwargs["keepdim"] = draw(st.booleans())
    for name, strategy in extra.items():
        kwargs[name] = draw(strategy)
    return Example((Operand(shape, domain),), kwargs)


def _whole_or_dim(function):
    """PyTorch's prod/argmax-style call: no ``dim`` argument at all when reducing everything."""
    def call(x, dim, keepdim):
        return function(x) if dim is None else function(x, dim, keepdim)
    return call


def _amax_dim(dim):
    return () if dim is None else dim


def values_and_indices(function):
    """``max(x, dim)`` returns (values, indices); both are compared."""
    def call(x, dim, keepdim):
        result = function(x, dim, keepdim)
        return result.values, result.indices
    return call


@st.composite
def prod_examples(draw, domain):
    shape = draw(shapes(max_side=3))
    dim = draw(dims(len(shape), allow_tuple=False))
    return Example((Operand(shape, domain),), {"dim": dim, "keepdim": dim is not None and draw(st.booleans())})


def with_zeros(rng, shape):
    """Values near 1 in magnitude with some exact zeros (prod's gradient must handle them)."""
    values = rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 1.5, shape)
    return np.where(rng.random(shape) < 0.3, 0.0, values)


def all_equal_rows(rng, shape):
    """A tensor whose every element is the same value (zero vectors for norm)."""
    return np.zeros(shape)


@st.composite
def norm_examples(draw):
    p, domain = draw(st.sampled_from([("fro", normal), (2, normal), (1, away_from_zero), (3, normal),
                                      (0.5, away_from_zero), (math.inf, distinct),
                                      (-math.inf, distinct)]))
    min_side = 1 if p in (math.inf, -math.inf) else 0
    return draw(reductions(domain, min_side=min_side, p=st.just(p)))


def ember_norm(x, dim, keepdim, p):
    return ember.norm(x, p, dim, keepdim)


def torch_norm(x, dim, keepdim, p):
    return torch.linalg.vector_norm(x, 2 if p == "fro" else p, dim, keepdim)


@st.composite
def single_dim_examples(draw, domain=normal):
    shape = draw(shapes())
    return Example((Operand(shape, domain),), {"dim": draw(dims(len(shape), False, False))})


def bool_reduction_examples():
    return shapes().flatmap(lambda shape: st.tuples(
        hnp.arrays(np.bool_, shape), dims(len(shape)), st.booleans())).map(
        lambda drawn: Example((drawn[0],), {"dim": drawn[1], "keepdim": drawn[2]}))


def _softmax_cases(name, ember_fn, torch_fn, primitives):
    examples = {"": normal, "_large": scaled(1e4), "_large_negative": uniform(-3e4, -1e4)}
    return [Case(f"{name}{suffix}", ember_fn, torch_fn, primitives,
                 single_dim_examples(domain), second_order=True,
                 tolerance={"float32": (1e-5, 1e-5)} if suffix else {})
            for suffix, domain in examples.items()]


REDUCTIONS = [
    Case("sum", ember.sum, torch.sum, ("sum",), reductions(), FLOATS + INTS, second_order=True),
    Case("sum_bool", ember.sum, torch.sum, ("sum",), bool_reduction_examples(), grad=False),
    Case("mean", ember.mean, torch.mean, ("sum", "div"), reductions(), second_order=True),
    Case("prod", _whole_or_dim(ember.prod), _whole_or_dim(torch.prod), ("prod",),
         prod_examples(uniform(0.5, 1.5)), FLOATS + INTS, second_order=True),
    Case("prod_with_zeros", _whole_or_dim(ember.prod), _whole_or_dim(torch.prod), ("prod",),
         prod_examples(with_zeros), finite_differences=False, second_order=True),
    Case("amax", lambda x, dim, keepdim: ember.amax(x, _amax_dim(dim), keepdim),
         lambda x, dim, keepdim: torch.amax(x, _amax_dim(dim), keepdim), ("amax",),
         reductions(distinct, min_side=1), FLOATS + INTS, second_order=True),
    Case("amin", lambda x, dim, keepdim: ember.amin(x, _amax_dim(dim), keepdim),
         lambda x, dim, keepdim: torch.amin(x, _amax_dim(dim), keepdim), ("amin",),
         reductions(distinct, min_side=1), FLOATS + INTS, second_order=True),
    Case("amax_ties", lambda x, dim, keepdim: ember.amax(x, _amax_dim(dim), keepdim),
         lambda x, dim, keepdim: torch.amax(x, _amax_dim(dim), keepdim), ("amax",),
         reductions(small_integers, min_side=1), finite_differences=False),
    Case("amin_ties", lambda x, dim, keepdim: ember.amin(x, _amax_dim(dim), keepdim),
         lambda x, dim, keepdim: torch.amin(x, _amax_dim(dim), keepdim), ("amin",),
         reductions(small_integers, min_side=1), finite_differences=False),
    Case("max_all", ember.max, torch.max, ("amax",), reductions(distinct, min_side=1, allow_tuple=False,
                                                                 keepdim=False).map(
        lambda e: Example(e.args))),
    Case("min_all", ember.min, torch.min, ("amin",), reductions(distinct, min_side=1, allow_tuple=False,
                                                                 keepdim=False).map(
        lambda e: Example(e.args))),
    Case("max_dim", values_and_indices(ember.max), values_and_indices(torch.max), ("argmax",
                                                                                  "take_along_axis"),
         reductions(distinct, min_side=1, allow_none=False, allow_tuple=False), FLOATS + INTS),
    Case("min_dim", values_and_indices(ember.min), values_and_indices(torch.min), ("argmin",),
         reductions(distinct, min_side=1, allow_none=False, allow_tuple=False), FLOATS + INTS),
    Case("argmax", ember.argmax, torch.argmax, ("argmax",),
         reductions(distinct, min_side=1, allow_tuple=False), FLOATS + INTS, grad=False),
    Case("argmin", ember.argmin, torch.argmin, ("argmin",),
         reductions(distinct, min_side=1, allow_tuple=False), FLOATS + INTS, grad=False),
    Case("argmax_ties", ember.argmax, torch.argmax, ("argmax",),
         reductions(small_integers, min_side=1, allow_tuple=False), grad=False),
    Case("all", ember.all, torch.all, ("all",), bool_reduction_examples(), grad=False),
    Case("any", ember.any, torch.any, ("any",), bool_reduction_examples(), grad=False),
    Case("all_numbers", ember.all, torch.all, ("all",), reductions(small_integers), FLOATS + INTS,
         grad=False),
    Case("any_numbers", ember.any, torch.any, ("any",), reductions(small_integers), FLOATS + INTS,
         grad=False),
    Case("count_nonzero", ember.count_nonzero, torch.count_nonzero, ("ne", "sum"),
         reductions(small_integers, keepdim=False), FLOATS + INTS, grad=False),
    Case("var", lambda x, dim, keepdim, correction: ember.var(x, dim, correction=correction, keepdim=keepdim),
         lambda x, dim, keepdim, correction: torch.var(x, dim, correction=correction, keepdim=keepdim),
         ("sum", "sub", "mul", "div"),
         reductions(min_side=3, min_dims=1, correction=st.sampled_from([0, 1, 2])), second_order=True),
    # correction >= count: inf/nan values like PyTorch's (gradients there are meaningless)
    Case("var_degenerate", lambda x, dim, keepdim, correction: ember.var(x, dim, correction=correction,
                                                                         keepdim=keepdim),
         lambda x, dim, keepdim, correction: torch.var(x, dim, correction=correction, keepdim=keepdim),
         ("sum",), reductions(max_side=2, correction=st.sampled_from([1, 2, 3])), grad=False),
    Case("std", lambda x, dim, keepdim, correction: ember.std(x, dim, correction=correction, keepdim=keepdim),
         lambda x, dim, keepdim, correction: torch.std(x, dim, correction=correction, keepdim=keepdim),
         ("sqrt",), reductions(min_side=2, correction=st.sampled_from([0, 1])), second_order=True),
    Case("var_mean", lambda x, dim, keepdim: ember.var_mean(x, dim, keepdim=keepdim),
         lambda x, dim, keepdim: torch.var_mean(x, dim, keepdim=keepdim), ("sum",),
         reductions(min_side=2)),
    Case("logsumexp", ember.logsumexp, torch.logsumexp, ("exp", "log", "amax"),
         reductions(allow_none=False), second_order=True),
    Case("logsumexp_large", ember.logsumexp, torch.logsumexp, ("exp", "log"),
         reductions(scaled(1e4), allow_none=False), second_order=True,
         tolerance={"float32": (1e-5, 1e-5)}),
    Case("norm", ember_norm, torch_norm, ("sum",), norm_examples(), second_order=True),
    Case("norm_of_zeros", ember_norm, torch_norm, ("sum",),
         reductions(all_equal_rows, p=st.sampled_from(["fro", 2, 3])), finite_differences=False),
    Case("cumsum", ember.cumsum, torch.cumsum, ("cumsum",), single_dim_examples(), FLOATS + INTS,
         second_order=True),
]

SOFTMAX = (_softmax_cases("softmax", ember.softmax, torch.softmax, ("softmax",))
           + _softmax_cases("log_softmax", ember.log_softmax, torch.log_softmax, ("log_softmax",)))

CASES = REDUCTIONS + SOFTMAX
