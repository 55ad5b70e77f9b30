"""Reference table: fused neural-network primitives (see ops_harness).

- ``linear`` (``x @ weightᵀ + bias``), drawn through ``ember.nn.functional.linear``:
  inputs of rank 1 to 3 (the leading axes are rows of one GEMM), size-0 rows and
  features, with and without a bias; second order runs the VJP's matmuls and sum.
- ``layer_norm`` over 1 or 2 trailing axes, with and without the affine terms. Its
  float32 gradient is ill-conditioned when a row's values nearly agree (variance
  near ``eps``): PyTorch and Ember's composite then differ by 100x the default
  tolerance, so inputs are ``distinct`` and float32 gets 2e-4.
- ``dropout_apply``, called on given uniform draws (PyTorch's own dropout draws its
  own mask, so the reference is its formula ``x · [u ≥ p] / (1 - p)``).
"""
from __future__ import annotations

import torch
from hypothesis import strategies as st

import ember.nn.functional as F
from ember.primitives.core import bind
from ember.primitives.dropout import DropoutApply
from ops_harness import Case, Example, Operand, distinct, uniform

_SIZES = st.integers(0, 3)


@st.composite
def linear_examples(draw):
    features, outputs = draw(st.integers(1, 4)), draw(_SIZES)
    lead = tuple(draw(st.lists(_SIZES, min_size=0, max_size=2)))
    args = (Operand(lead + (features,)), Operand((outputs, features)))
    if draw(st.booleans()):
        args += (Operand((outputs,)),)
    return Example(args)


@st.composite
def layer_norm_examples(draw):
    normalized = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=2)))
    lead = tuple(draw(st.lists(_SIZES, min_size=0, max_size=2)))
    args = (Operand(lead + normalized, distinct), normalized)
    if draw(st.booleans()):
        args += (Operand(normalized), Operand(normalized))
    return Example(args, {"eps": draw(st.sampled_from([1e-5, 0.1]))})


@st.composite
def dropout_examples(draw):
    shape = tuple(draw(st.lists(_SIZES, min_size=0, max_size=3)))
    return Example((Operand(shape), Operand(shape, uniform(0, 1), grad=False), draw(st.sampled_from([0.1, 0.5]))))


def _dropout_ember(x, draws, p):
    return bind(DropoutApply, (x, draws), (p,))


def _dropout_torch(x, draws, p):
    return x * (draws >= p).to(x.dtype) * (1.0 / (1.0 - p))


CASES = [
    Case("linear", F.linear, torch.nn.functional.linear, ("linear",), linear_examples(), second_order=True),
    Case("layer_norm", F.layer_norm, torch.nn.functional.layer_norm, ("layer_norm",), layer_norm_examples(),
         second_order=True, tolerance={"float32": (2e-4, 2e-4)}),
    Case("dropout_apply", _dropout_ember, _dropout_torch, ("dropout_apply",), dropout_examples(),
         second_order=True),
]
