"""Whole-sequence recurrent ops: one primitive per layer and direction (see :mod:`ember.primitives.recurrent`).

The recurrent layers of :mod:`ember.nn` and :mod:`ember.keras` call these with
the input projection of the whole sequence already computed (one ``linear``).
"""
from __future__ import annotations

from ..primitives import recurrent as P
from ..primitives.core import bind
from ..tensor import Tensor


def lstm_sequence(projected: Tensor, h0: Tensor, c0: Tensor, w_hh: Tensor) -> Tensor:
    """Run an LSTM over ``projected`` ``(T, B, 4H)`` (``x W_ihᵀ + b_ih + b_hh``, gates i, f, g, o).

    Returns ``(T + 1, B, H)``: every step's hidden state, then the last cell
    state (so the output sequence is ``result[:-1]``, ``h_n`` is ``result[-2]``
    and ``c_n`` is ``result[-1]``).

    Example:
        >>> import ember
        >>> from ember.ops.recurrent import lstm_sequence
        >>> states = lstm_sequence(ember.zeros(5, 2, 12), ember.zeros(2, 3), ember.ones(2, 3), ember.zeros(12, 3))
        >>> c1 = lstm_sequence(ember.zeros(1, 2, 12), ember.zeros(2, 3), ember.ones(2, 3), ember.zeros(12, 3))[-1]
        >>> states.shape, c1[0, 0].item()  # c1 = sigmoid(0) * c0 + sigmoid(0) * tanh(0)
        ((6, 2, 3), 0.5)
    """
    return bind(P.LstmSequence, (projected, h0, c0, w_hh))


def gru_sequence(projected: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor) -> Tensor:
    """Run a GRU over ``projected`` ``(T, B, 3H)`` (``x W_ihᵀ + b_ih``, gates r, z, n): ``(T, B, H)``.

    ``b_hh`` is separate because the reset gate scales the hidden term with its bias.

    Example:
        >>> import ember
        >>> from ember.ops.recurrent import gru_sequence
        >>> states = gru_sequence(ember.zeros(4, 2, 9), ember.ones(2, 3), ember.zeros(9, 3), ember.zeros(9))
        >>> states.shape, states[0, 0, 0].item()  # z = 1/2, n = 0: h1 = h0 / 2
        ((4, 2, 3), 0.5)
    """
    return bind(P.GruSequence, (projected, h0, w_hh, b_hh))


def rnn_sequence(projected: Tensor, h0: Tensor, w_hh: Tensor, nonlinearity: str = "tanh") -> Tensor:
    """Run an Elman RNN over ``projected`` ``(T, B, H)`` (``x W_ihᵀ + b_ih + b_hh``): ``(T, B, H)``.

    Example:
        >>> import ember
        >>> from ember.ops.recurrent import rnn_sequence
        >>> rnn_sequence(ember.ones(3, 1, 2), ember.zeros(1, 2), ember.eye(2), "relu")[:, 0, 0].tolist()
        [1.0, 2.0, 3.0]
    """
    return bind(P.RnnSequence, (projected, h0, w_hh), (nonlinearity,))
