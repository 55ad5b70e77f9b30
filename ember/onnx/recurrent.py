"""ONNX mappings of Ember's whole-sequence recurrent primitives.

``lstm_sequence`` reads the input projection ``x W_ihᵀ + b`` already computed,
so it becomes ONNX's ``LSTM`` with that projection as the input and a
permutation matrix as ``W``: the permutation also reorders PyTorch's gates
(i, f, g, o) into ONNX's (i, o, f, c). ``R`` is ``w_hh`` with its rows in the
same order. Ember's output (every hidden state, then the last cell state) is
ONNX's ``Y`` with the direction axis squeezed, followed by ``Y_c``.

Example:
    >>> _onnx_gate_rows(2).tolist()  # hidden size 2: blocks i, o, f, g of PyTorch's i, f, g, o
    [0, 1, 6, 7, 2, 3, 4, 5]
"""
from __future__ import annotations

import numpy


def _onnx_gate_rows(hidden: int):
    """Row indices taking PyTorch's gate blocks (i, f, g, o) to ONNX's order (i, o, f, c)."""
    return numpy.concatenate([numpy.arange(block * hidden, (block + 1) * hidden) for block in (0, 3, 1, 2)])


def lstm_sequence(builder, node):
    projected, h0, c0, w_hh = node.inputs
    hidden = int(w_hh.shape[1])
    rows = _onnx_gate_rows(hidden)
    permutation = numpy.eye(4 * hidden, dtype=projected.dtype)[rows][None]
    recurrent = builder.emit("Gather", [builder.name(w_hh), builder.constant(rows.astype(numpy.int64))], axis=0)
    recurrent = builder.emit("Unsqueeze", [recurrent, builder.axes([0])])
    states = [builder.emit("Unsqueeze", [builder.name(value), builder.axes([0])]) for value in (h0, c0)]
    outputs, _, last_cell = builder.emit(
        "LSTM", [builder.name(projected), builder.constant(permutation), recurrent, "", "", *states],
        outputs=3, hidden_size=hidden)
    hidden_states = builder.emit("Squeeze", [outputs, builder.axes([1])])
    return builder.emit("Concat", [hidden_states, last_cell], axis=0)


CONVERTERS = dict(lstm_sequence=lstm_sequence)
