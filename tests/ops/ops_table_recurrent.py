"""Reference table: the whole-sequence recurrent primitives (see ops_harness).

The PyTorch reference is the same recurrence written step by step in torch ops,
with PyTorch's gate orders, so its autograd gives the reference gradients; the
second-order check differentiates the Ember-op reverse loop (``create_graph``).
"""
from __future__ import annotations

import torch
from hypothesis import strategies as st

from ember.ops import recurrent as R
from ops_harness import Case, Example, Operand


def small(rng, shape):
    """Weights and states of moderate size, so float32 tolerances hold over a few steps."""
    return rng.uniform(-0.8, 0.8, shape)


def _torch_lstm(projected, h0, c0, w_hh):
    h, c, hs = h0, c0, []
    for step in projected:
        i, f, g, o = (step + h @ w_hh.T).chunk(4, -1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        hs.append(h)
    return torch.stack(hs + [c])


@st.composite
def _sequences(draw, gates: int, cell_state: bool = False):
    steps, batch, hidden = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    state = (Operand((batch, hidden), small),) * (2 if cell_state else 1)
    return Example((Operand((steps, batch, gates * hidden)), *state, Operand((gates * hidden, hidden), small)))


CASES = [
    Case("lstm_sequence", R.lstm_sequence, _torch_lstm, ("lstm_sequence", "lstm_sequence_backward"),
         _sequences(4, cell_state=True), second_order=True),
]
