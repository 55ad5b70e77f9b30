"""ONNX mappings of Ember's whole-sequence recurrent primitives.

Each primitive reads the input projection ``x W_ihᵀ + b`` already computed, so
it becomes ONNX's ``LSTM``, ``GRU`` or ``RNN`` with that projection as the
input and a permutation matrix as ``W``: the permutation also reorders
PyTorch's gates into ONNX's (LSTM i, f, g, o → i, o, f, c; GRU r, z, n → z, r, h).
``R`` (and the GRU's hidden bias) take their rows in the same order. Ember's
results are ONNX's ``Y`` with the direction axis squeezed (the LSTM's followed
by ``Y_c``, the last cell state).

Example:
    >>> _onnx_gate_rows(2, (0, 3, 1, 2)).tolist()  # LSTM, hidden size 2: PyTorch's blocks i, o, f, g
    [0, 1, 6, 7, 2, 3, 4, 5]
"""
from __future__ import annotations

import numpy


_LSTM_BLOCKS, _GRU_BLOCKS = (0, 3, 1, 2), (1, 0, 2)


def _onnx_gate_rows(hidden: int, blocks):
    """Row indices taking PyTorch's gate blocks to ONNX's order (``blocks``: PyTorch's block per ONNX gate)."""
    return numpy.concatenate([numpy.arange(block * hidden, (block + 1) * hidden) for block in blocks])


def _reordered(builder, value, rows):
    """``value[rows]`` with a leading direction axis (ONNX's ``R`` and ``B`` layouts)."""
    picked = builder.emit("Gather", [builder.name(value), builder.constant(rows.astype(numpy.int64))], axis=0)
    return builder.emit("Unsqueeze", [picked, builder.axes([0])])


def _operands(builder, projected, w_hh, hidden, blocks):
    """ONNX's ``X``, ``W`` (a permutation) and ``R`` for a projection of ``len(blocks)`` gates."""
    rows = _onnx_gate_rows(hidden, blocks)
    permutation = numpy.eye(len(blocks) * hidden, dtype=projected.dtype)[rows][None]
    return [builder.name(projected), builder.constant(permutation), _reordered(builder, w_hh, rows)], rows


def _state(builder, value):
    return builder.emit("Unsqueeze", [builder.name(value), builder.axes([0])])


def lstm_sequence(builder, node):
    projected, h0, c0, w_hh = node.inputs
    hidden = int(w_hh.shape[1])
    operands, _ = _operands(builder, projected, w_hh, hidden, _LSTM_BLOCKS)
    outputs, _, last_cell = builder.emit("LSTM", [*operands, "", "", _state(builder, h0), _state(builder, c0)],
                                         outputs=3, hidden_size=hidden)
    hidden_states = builder.emit("Squeeze", [outputs, builder.axes([1])])
    return builder.emit("Concat", [hidden_states, last_cell], axis=0)


def gru_sequence(builder, node):
    projected, h0, w_hh, b_hh = node.inputs
    hidden = int(w_hh.shape[1])
    operands, rows = _operands(builder, projected, w_hh, hidden, _GRU_BLOCKS)
    input_bias = builder.constant(numpy.zeros((1, 3 * hidden), dtype=projected.dtype))
    bias = builder.emit("Concat", [input_bias, _reordered(builder, b_hh, rows)], axis=1)
    # linear_before_reset: the reset gate scales (h R_hᵀ + Rb_h), PyTorch's formula
    outputs, _ = builder.emit("GRU", [*operands, bias, "", _state(builder, h0)], outputs=2,
                              hidden_size=hidden, linear_before_reset=1)
    return builder.emit("Squeeze", [outputs, builder.axes([1])])


def rnn_sequence(builder, node):
    projected, h0, w_hh = node.inputs
    (nonlinearity,) = node.attrs
    hidden = int(w_hh.shape[1])
    operands, _ = _operands(builder, projected, w_hh, hidden, (0,))
    outputs, _ = builder.emit("RNN", [*operands, "", "", _state(builder, h0)], outputs=2, hidden_size=hidden,
                              activations=["Tanh" if nonlinearity == "tanh" else "Relu"])
    return builder.emit("Squeeze", [outputs, builder.axes([1])])


CONVERTERS = dict(lstm_sequence=lstm_sequence, gru_sequence=gru_sequence, rnn_sequence=rnn_sequence)
