"""Reference table: the fused ``linear`` primitive (``x @ weightᵀ + bias``), see ops_harness.

Drawn through ``ember.nn.functional.linear``: inputs of rank 1 to 3 (the
leading axes are rows of one GEMM), size-0 rows and features, with and without
a bias; second order runs the VJP's own matmuls and sum.
"""
from __future__ import annotations

import torch
from hypothesis import strategies as st

import ember.nn.functional as F
from ops_harness import Case, Example, Operand

_SIZES = st.integers(0, 3)


@st.composite
def linear_examples(draw):
    features, outputs = draw(st.integers(1, 4)), draw(_SIZES)
    lead = tuple(draw(st.lists(_SIZES, min_size=0, max_size=2)))
    args = (Operand(lead + (features,)), Operand((outputs, features)))
    if draw(st.booleans()):
        args += (Operand((outputs,)),)
    return Example(args)


CASES = [
    Case("linear", F.linear, torch.nn.functional.linear, ("linear",), linear_examples(), second_order=True),
]
