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


def _torch_gru(projected, h0, w_hh, b_hh):
    h, hs = h0, []
    for step in projected:
        hidden = h @ w_hh.T + b_hh
        r, z, _ = (step + hidden).chunk(3, -1)
        r, z = torch.sigmoid(r), torch.sigmoid(z)
        n = torch.tanh(step.chunk(3, -1)[2] + r * hidden.chunk(3, -1)[2])
        h = (1 - z) * n + z * h
        hs.append(h)
    return torch.stack(hs)


def _torch_rnn(projected, h0, w_hh, nonlinearity):
    activation = torch.tanh if nonlinearity == "tanh" else torch.relu
    h, hs = h0, []
    for step in projected:
        h = activation(step + h @ w_hh.T)
        hs.append(h)
    return torch.stack(hs)


@st.composite
def _sequences(draw, gates: int, cell_state: bool = False, hidden_bias: bool = False, nonlinearity=None):
    steps, batch, hidden = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    state = (Operand((batch, hidden), small),) * (2 if cell_state else 1)
    extra = (Operand((gates * hidden,)),) if hidden_bias else ()
    if nonlinearity is not None:
        extra = (draw(nonlinearity),)
    return Example((Operand((steps, batch, gates * hidden)), *state, Operand((gates * hidden, hidden), small),
                    *extra))


CASES = [
    Case("lstm_sequence", R.lstm_sequence, _torch_lstm, ("lstm_sequence", "lstm_sequence_backward"),
         _sequences(4, cell_state=True), second_order=True),
    Case("gru_sequence", R.gru_sequence, _torch_gru, ("gru_sequence", "gru_sequence_backward"),
         _sequences(3, hidden_bias=True), second_order=True),
    # relu's kink: finite differences step over it only where a pre-activation is within 1e-6 of 0
    Case("rnn_sequence", R.rnn_sequence, _torch_rnn, ("rnn_sequence", "rnn_sequence_backward"),
         _sequences(1, nonlinearity=st.sampled_from(["tanh", "relu"])), second_order=True),
]
