"""Reference table: loss primitives and guards (see ops_harness).

``binary_cross_entropy`` is a fused primitive (its gradient at x = 0 or 1 is
PyTorch's ±1e12-scale rule, not the composite's 0); ``check_values`` is the
guard that class-index losses bind, exercised here through ``nll_loss`` with
valid targets (the failing side is in test_value_guards.py). ``mse_loss`` is
fused for speed; size-0 inputs give PyTorch's nan mean.
"""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

import ember.nn.functional as F
from ops_harness import Case, Example, Operand

TF = torch.nn.functional


def probabilities(rng, shape):
    """Values in [0.05, 0.95]: inside (0, 1), away from the clamps."""
    return rng.uniform(0.05, 0.95, shape)


def _bce_examples(draw_shape):
    return st.builds(lambda shape, reduction: Example(
        (Operand(shape, probabilities), Operand(shape, probabilities)), {"reduction": reduction}),
        draw_shape, st.sampled_from(["mean", "sum", "none"]))


_SHAPES = st.sampled_from([(), (3,), (2, 3), (0,)])


@st.composite
def _nll_examples(draw):
    rows, classes = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    target = np.array([draw(st.integers(0, classes - 1)) for _ in range(rows)], np.int64)
    return Example((Operand((rows, classes)), target))


def _mse_examples(draw_shape):
    return st.builds(lambda shape, reduction: Example((Operand(shape), Operand(shape)), {"reduction": reduction}),
                     draw_shape, st.sampled_from(["mean", "sum", "none"]))


CASES = [
    Case("mse_loss", F.mse_loss, TF.mse_loss, ("mse_loss",), _mse_examples(_SHAPES), second_order=True),
    Case("binary_cross_entropy", F.binary_cross_entropy, TF.binary_cross_entropy,
         ("binary_cross_entropy",), _bce_examples(_SHAPES), second_order=True),
    Case("nll_loss_guarded", F.nll_loss, TF.nll_loss, ("check_values",), _nll_examples()),
]
