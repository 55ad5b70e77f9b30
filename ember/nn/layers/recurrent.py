"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their single-step cells.

Parameter names, shapes, order and initialisation are PyTorch's
(``weight_ih_l0``, ``weight_hh_l0_reverse``, ``bias_ih_l1``, ...), so state
dicts load unchanged, and ``forward`` returns ``(output, h_n)`` (``(output,
(h_n, c_n))`` for LSTM) exactly as PyTorch does.

The input projection of a whole sequence is one ``linear`` per layer and
direction; the recurrence itself is one whole-sequence primitive
(:mod:`ember.ops.recurrent`: a NumPy loop forward, a reverse loop backward).
The single-step cells run a one-step sequence through the same primitives.
Packed sequences and LSTM projections (``proj_size``) run the step functions
below, composed of ordinary ops.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy

from ...errors import EmberValueError, ShapeError
from ...ops import functions as E
from ...ops import recurrent as recurrent_ops
from ...ops.creation import empty, tensor, zeros
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, _padded_sorted, _sorted_lengths

__all__ = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# --- one time step ------------------------------------------------------------------
# ``projected`` is this step's x W_ihᵀ plus biases, computed for the whole sequence at
# once; ``weights`` holds ``(W_hhᵀ, hidden bias or None, W_hrᵀ or None)``, transposed
# once per call. Each step is written with as few ops as possible: in eager mode the
# per-op overhead, not the arithmetic, is what a recurrent layer spends its time on.
def _rnn_step(mode, projected, h, weights):
    activation = E.tanh if mode == "RNN_TANH" else E.relu
    return activation(projected + E.matmul(h, weights[0]))


def _lstm_step(projected, state, weights):
    h, c = state
    hidden_size = c.shape[-1]
    gates = projected + E.matmul(h, weights[0])
    # one sigmoid over all four gates (the cell gate's share is unused): fewer ops
    active = E.sigmoid(gates)
    i, f, o = active[:, :hidden_size], active[:, hidden_size:2 * hidden_size], active[:, 3 * hidden_size:]
    c = f * c + i * E.tanh(gates[:, 2 * hidden_size:3 * hidden_size])
    h = o * E.tanh(c)
    if weights[2] is not None:  # LSTM with projections: h = h W_hrᵀ
        h = E.matmul(h, weights[2])
    return h, c


def _gru_step(projected, h, weights):
    hidden_size = h.shape[-1]
    hidden = E.matmul(h, weights[0])
    if weights[1] is not None:
        hidden = hidden + weights[1]
    reset_update = E.sigmoid(projected[:, :2 * hidden_size] + hidden[:, :2 * hidden_size])
    r, z = reset_update[:, :hidden_size], reset_update[:, hidden_size:]
    # the reset gate scales the hidden term only (bias included), as in PyTorch
    n = E.tanh(projected[:, 2 * hidden_size:] + r * hidden[:, 2 * hidden_size:])
    return n + z * (h - n)  # = (1 - z) * n + z * h


def _step(mode, projected, state, weights):
    if mode == "LSTM":
        return _lstm_step(projected, state, weights)
    if mode == "GRU":
        return _gru_step(projected, state, weights)
    return _rnn_step(mode, projected, state, weights)


def _output_of(mode, state):
    return state[0] if mode == "LSTM" else state


def _prepare_weights(mode, parameters):
    """``(w_ih, w_hh, b_ih, b_hh, w_hr)`` → input weight and bias, and the per-step weights.

    Except in GRU (whose hidden bias sits inside the reset product), the hidden
    bias is folded into the input projection, computed once per sequence.
    """
    w_ih, w_hh, b_ih, b_hh, w_hr = parameters
    hidden_bias = b_hh if mode == "GRU" else None
    input_bias = b_ih if mode == "GRU" or b_hh is None else b_ih + b_hh
    step_weights = (E.t(w_hh), hidden_bias, None if w_hr is None else E.t(w_hr))
    return w_ih, input_bias, step_weights


def _keep_finished(mode, mask, new, old):
    """``new`` for the rows still inside their sequence (``mask`` true), ``old`` for finished ones."""
    if mode == "LSTM":
        return E.where(mask, new[0], old[0]), E.where(mask, new[1], old[1])
    return E.where(mask, new, old)


def _run_direction(mode, x, state, parameters, reverse: bool, masks=None, lengths=None):
    """One layer in one direction over ``x`` ``(L, N, In)``: outputs ``(L, N, H)`` and the last state.

    ``masks`` (packed input) holds, per step, which rows are still inside their
    sequence; the others keep their state, so each row's final state is the one
    at its own last step, and the reverse direction starts at each row's own end.
    ``lengths`` holds the same as each row's length (NumPy).
    """
    if parameters[4] is None:
        if masks is None:
            return _run_fused(mode, x, state, parameters, reverse)
        if mode in ("LSTM", "GRU"):
            return _run_fused_packed(mode, x, state, parameters, reverse, lengths)
    input_weight, input_bias, step_weights = _prepare_weights(mode, parameters)
    projected = E.unbind(F.linear(x, input_weight, input_bias), 0)
    steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
    outputs = [None] * x.shape[0]
    for t in steps:
        stepped = _step(mode, projected[t], state, step_weights)
        state = stepped if masks is None else _keep_finished(mode, masks[t], stepped, state)
        outputs[t] = _output_of(mode, state)
    return E.stack(outputs, 0), state


def _run_fused(mode, x, state, parameters, reverse: bool):
    """One layer and direction as one whole-sequence primitive (``ember.ops.recurrent``)."""
    w_ih, _, b_ih, b_hh, _ = parameters
    input_bias = b_ih if mode == "GRU" or b_hh is None else b_ih + b_hh
    if reverse:  # the primitive runs forward in time: feed it the reversed sequence
        x = E.flip(x, (0,))
    projected = F.linear(x, w_ih, input_bias)
    states = _SEQUENCE_OPS[mode](projected, state, parameters)
    if mode == "LSTM":
        outputs, final = states[:-1], (states[-2], states[-1])
    else:
        outputs, final = states, states[-1]
    return (E.flip(outputs, (0,)) if reverse else outputs), final


def _run_fused_packed(mode, x, state, parameters, reverse: bool, lengths):
    """A packed batch (``lengths`` per row) through the whole-sequence primitive.

    Past its own end a row's gates are pinned so its state carries over exactly
    (LSTM: forget gate 1, input gate 0, so the cell state carries; GRU: update
    gate 1, so the hidden state carries): pre-activations of ±inf, which the
    sigmoids map to exactly 0 and 1 with slope 0, so no gradient leaks through
    them. The LSTM's hidden output past the end is not carried; the final hidden
    state is read at each row's last step. The reverse direction reverses each
    row within its own length, so it also starts at the row's own end.
    """
    steps, batch = x.shape[0], x.shape[1]
    order = None
    if reverse:  # row b's step s reads x[len_b - 1 - s] (padding steps stay in place)
        position = numpy.arange(steps)[:, None]
        order = numpy.where(position < lengths[None, :], lengths[None, :] - 1 - position, position)
        x = E.take_along_dim(x, tensor(order[:, :, None], device=x.device), 0)
    w_ih, _, b_ih, b_hh, _ = parameters
    projected = F.linear(x, w_ih, b_ih if mode == "GRU" or b_hh is None else b_ih + b_hh)
    projected = projected + _carry_pins(mode, lengths, steps, w_ih.shape[0] // _GATES[mode], x)
    states = _SEQUENCE_OPS[mode](projected, state, parameters)
    outputs = states[:-1] if mode == "LSTM" else states
    last = tensor((lengths - 1)[None, :, None], device=x.device)
    h_n = E.squeeze(E.take_along_dim(outputs, last, 0), 0)
    if order is not None:  # the same per-row reversal undoes itself
        outputs = E.take_along_dim(outputs, tensor(order[:, :, None], device=x.device), 0)
    return outputs, ((h_n, states[-1]) if mode == "LSTM" else h_n)


def _carry_pins(mode, lengths, steps, hidden, like):
    """``(T, N, gates * H)``: 0 inside each row's length, ±inf on the gates that carry the state after it."""
    finished = numpy.arange(steps)[:, None] >= lengths[None, :]
    pins = numpy.zeros((steps, len(lengths), _GATES[mode], hidden))
    if mode == "LSTM":
        pins[finished, 0] = -numpy.inf  # input gate 0
        pins[finished, 1] = numpy.inf   # forget gate 1
    else:
        pins[finished, 1] = numpy.inf   # update gate 1
    return tensor(pins.reshape(steps, len(lengths), -1), dtype=like.dtype, device=like.device)


def _gru_sequence(projected, state, parameters):
    w_hh, b_hh = parameters[1], parameters[3]
    if b_hh is None:  # bias=False: the primitive always adds a hidden bias
        b_hh = zeros(w_hh.shape[0], dtype=w_hh.dtype, device=w_hh.device)
    return recurrent_ops.gru_sequence(projected, state, w_hh, b_hh)


_SEQUENCE_OPS = {
    "LSTM": lambda projected, state, parameters: recurrent_ops.lstm_sequence(projected, *state, parameters[1]),
    "GRU": _gru_sequence,
    "RNN_TANH": lambda projected, state, parameters: recurrent_ops.rnn_sequence(projected, state, parameters[1]),
    "RNN_RELU": lambda projected, state, parameters: recurrent_ops.rnn_sequence(projected, state, parameters[1],
                                                                                "relu"),
}


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameter table and the layer/direction loop."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None, dtype=None):
        super().__init__()
        _check_arguments(mode, hidden_size, num_layers, dropout, proj_size)
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            for direction in range(2 if bidirectional else 1):
                self._add_layer_parameters(layer, direction, dtype)
        self.reset_parameters()

    def _add_layer_parameters(self, layer: int, direction: int, dtype) -> None:
        real_hidden = self.proj_size or self.hidden_size
        directions = 2 if self.bidirectional else 1
        layer_input = self.input_size if layer == 0 else real_hidden * directions
        gates = _GATES[self.mode] * self.hidden_size
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        shapes = {"weight_ih": (gates, layer_input), "weight_hh": (gates, real_hidden)}
        if self.bias:
            shapes.update({"bias_ih": (gates,), "bias_hh": (gates,)})
        if self.proj_size:
            shapes["weight_hr"] = (self.proj_size, self.hidden_size)
        for kind, shape in shapes.items():
            setattr(self, kind + suffix, Parameter(empty(*shape, dtype=dtype)))
            self._flat_weights_names.append(kind + suffix)

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    @property
    def all_weights(self) -> list:
        """The parameters of each layer and direction, in PyTorch's order."""
        per_layer = 4 if self.bias else 2
        per_layer += 1 if self.proj_size else 0
        flat = [getattr(self, name) for name in self._flat_weights_names]
        return [flat[i:i + per_layer] for i in range(0, len(flat), per_layer)]

    def _weights(self, layer: int, direction: int):
        """``(w_ih, w_hh, b_ih, b_hh, w_hr)`` for one layer and direction (None when absent)."""
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        return tuple(getattr(self, kind + suffix, None)
                     for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"))

    def _state_shapes(self, batch: int):
        layers = self.num_layers * (2 if self.bidirectional else 1)
        return (layers, batch, self.proj_size or self.hidden_size), (layers, batch, self.hidden_size)

    def _run(self, x: Tensor, states, masks=None, lengths=None):
        """All layers over ``x`` ``(L, N, In)``; ``states``: one initial state per layer and direction."""
        finals = []
        directions = 2 if self.bidirectional else 1
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                out, final = _run_direction(self.mode, x, states[index], self._weights(layer, direction),
                                            reverse=direction == 1, masks=masks, lengths=lengths)
                outputs.append(out)
                finals.append(final)
            x = outputs[0] if directions == 1 else E.cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        return x, finals

    def _forward_packed(self, packed: PackedSequence, hx):
        """Run over a :class:`PackedSequence`: a packed output and per-sequence final states.

        ``hx`` and the returned states are in the caller's batch order; inside,
        the batch is in the packing's (length-sorted) order, as in PyTorch.
        """
        x = _padded_sorted(packed, 0.0)
        if x.shape[-1] != self.input_size:
            raise ShapeError(f"{type(self).__name__}: input.size(-1) must be equal to input_size. "
                             f"Expected {self.input_size}, got {x.shape[-1]}")
        lengths = _sorted_lengths(packed.batch_sizes)
        masks = [tensor((lengths > t)[:, None], device=x.device) for t in range(x.shape[0])]
        h_shape, c_shape = self._state_shapes(x.shape[1])

        def initial(state, shape, name):
            if state is not None and packed.sorted_indices is not None:
                state = E.index_select(state, 1, packed.sorted_indices)
            return self._initial(state, shape, True, name, x)

        def restore(stacked):
            if packed.unsorted_indices is None:
                return stacked
            return E.index_select(stacked, 1, packed.unsorted_indices)

        if self.mode == "LSTM":
            h0, c0 = (None, None) if hx is None else hx
            states = list(zip(E.unbind(initial(h0, h_shape, "h0"), 0), E.unbind(initial(c0, c_shape, "c0"), 0)))
        else:
            states = E.unbind(initial(hx, h_shape, "hx"), 0)
        output, finals = self._run(x, states, masks, lengths)
        sizes = [int(size) for size in packed.batch_sizes.tolist()]
        data = E.cat([output[t, :size] for t, size in enumerate(sizes)], 0)
        packed_output = PackedSequence(data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices)
        if self.mode == "LSTM":
            return packed_output, (restore(E.stack([h for h, _ in finals], 0)),
                                   restore(E.stack([c for _, c in finals], 0)))
        return packed_output, restore(E.stack(finals, 0))

    def _prepare(self, input: Tensor):
        """``(input as (L, N, In), batched?)`` with PyTorch's checks."""
        if input.ndim not in (2, 3):
            raise ShapeError(f"{type(self).__name__}: expected input to be 2D or 3D, got {input.ndim}D "
                             f"(shape {tuple(input.shape)})")
        if input.shape[-1] != self.input_size:
            raise ShapeError(f"{type(self).__name__}: input.size(-1) must be equal to input_size. "
                             f"Expected {self.input_size}, got {input.shape[-1]}")
        if input.ndim == 2:
            return E.unsqueeze(input, 1), False
        return (E.transpose(input, 0, 1) if self.batch_first else input), True

    def _initial(self, hx, shape, batched: bool, name: str, like: Tensor):
        """The initial state as ``(layers * directions, N, H)``: zeros, or ``hx`` checked."""
        if hx is None:
            return zeros(*shape, dtype=like.dtype, device=like.device)
        if not batched:
            if hx.ndim != 2:
                raise ShapeError(f"{type(self).__name__}: for unbatched 2-D input, {name} should also "
                                 f"be 2-D but got {hx.ndim}-D tensor")
            hx = E.unsqueeze(hx, 1)
        if tuple(hx.shape) != tuple(shape):
            raise ShapeError(f"{type(self).__name__}: expected hidden size {tuple(shape)}, got "
                             f"{list(hx.shape)}")
        return hx

    def _finish(self, output: Tensor, batched: bool) -> Tensor:
        if not batched:
            return E.squeeze(output, 1)
        return E.transpose(output, 0, 1) if self.batch_first else output

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text


def _check_arguments(mode, hidden_size, num_layers, dropout, proj_size) -> None:
    if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
        raise EmberValueError("dropout should be a number in range [0, 1] representing the probability "
                              "of an element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero "
                      f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                      f"num_layers={num_layers}", stacklevel=3)
    if not isinstance(hidden_size, int) or hidden_size <= 0:
        raise EmberValueError(f"hidden_size must be a positive integer, got {hidden_size!r}")
    if not isinstance(num_layers, int) or num_layers <= 0:
        raise EmberValueError(f"num_layers must be a positive integer, got {num_layers!r}")
    if proj_size < 0 or (proj_size and (mode != "LSTM" or proj_size >= hidden_size)):
        raise EmberValueError("proj_size must be a non-negative integer smaller than hidden_size, "
                              "and is only supported by LSTM")


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)`` (or relu).

    Returns ``(output, h_n)``: ``output`` ``(L, N, D * H)`` (``(N, L, D * H)``
    with ``batch_first``) and ``h_n`` ``(D * num_layers, N, H)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> rnn = nn.RNN(10, 20, num_layers=2, nonlinearity="relu")
        >>> output, h_n = rnn(ember.ones(5, 3, 10))
        >>> output.shape, h_n.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise EmberValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size,
                         num_layers, bias, batch_first, dropout, bidirectional, 0, device, dtype)

    def forward(self, input: Tensor, hx=None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        x, batched = self._prepare(input)
        shape = self._state_shapes(x.shape[1])[0]
        h0 = self._initial(hx, shape, batched, "hx", x)
        output, finals = self._run(x, E.unbind(h0, 0))
        h_n = E.stack(finals, 0)
        return self._finish(output, batched), (h_n if batched else E.squeeze(h_n, 1))


class LSTM(RNNBase):
    """Long short-term memory, PyTorch's gate order (input, forget, cell, output) and ``proj_size``.

    Returns ``(output, (h_n, c_n))``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> lstm = nn.LSTM(8, 16, batch_first=True, bidirectional=True)
        >>> output, (h_n, c_n) = lstm(ember.ones(4, 7, 8))
        >>> output.shape, h_n.shape, c_n.shape
        ((4, 7, 32), (2, 4, 16), (2, 4, 16))
        >>> [name for name, _ in lstm.named_parameters()][:5]
        ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l0_reverse']
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)

    def forward(self, input: Tensor, hx=None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        x, batched = self._prepare(input)
        h_shape, c_shape = self._state_shapes(x.shape[1])
        h0, c0 = (None, None) if hx is None else hx
        h0 = self._initial(h0, h_shape, batched, "h0", x)
        c0 = self._initial(c0, c_shape, batched, "c0", x)
        output, finals = self._run(x, list(zip(E.unbind(h0, 0), E.unbind(c0, 0))))
        h_n = E.stack([h for h, _ in finals], 0)
        c_n = E.stack([c for _, c in finals], 0)
        if not batched:
            h_n, c_n = E.squeeze(h_n, 1), E.squeeze(c_n, 1)
        return self._finish(output, batched), (h_n, c_n)


class GRU(RNNBase):
    """Gated recurrent unit, PyTorch's gate order (reset, update, new).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> gru = nn.GRU(6, 12, num_layers=2)
        >>> output, h_n = gru(ember.ones(9, 6))  # unbatched (L, H_in)
        >>> output.shape, h_n.shape
        ((9, 12), (2, 12))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)

    forward = RNN.forward


class _CellBase(Module):
    """A single recurrent step with parameters ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool = True, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gates = _GATES[self.mode] * hidden_size
        self.weight_ih = Parameter(empty(gates, input_size, dtype=dtype))
        self.weight_hh = Parameter(empty(gates, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(gates, dtype=dtype))
            self.bias_hh = Parameter(empty(gates, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        RNNBase.reset_parameters(self)

    def _step(self, input: Tensor, state):
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise ShapeError(f"{type(self).__name__}: expected input of shape (N, {self.input_size}) or "
                             f"({self.input_size},), got {tuple(input.shape)}")
        batched = input.ndim == 2
        x = input if batched else E.unsqueeze(input, 0)
        if state is None:
            state = zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)
            state = (state, state) if self.mode == "LSTM" else state
        elif not batched:
            state = tuple(E.unsqueeze(s, 0) for s in state) if self.mode == "LSTM" else E.unsqueeze(state, 0)
        parameters = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, None)
        # one step as a one-step sequence: a single primitive instead of a dozen ops each way
        _, state = _run_fused(self.mode, E.unsqueeze(x, 0), state, parameters, reverse=False)
        if batched:
            return state
        return tuple(E.squeeze(s, 0) for s in state) if self.mode == "LSTM" else E.squeeze(state, 0)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        return text if self.bias else text + ", bias=False"


class RNNCell(_CellBase):
    """One Elman RNN step: ``h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.RNNCell(4, 3)(ember.ones(2, 4)).shape
        (2, 3)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise EmberValueError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size,
                         bias, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx=None) -> Tensor:
        return self._step(input, hx)


class LSTMCell(_CellBase):
    """One LSTM step; returns ``(h', c')``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> h, c = nn.LSTMCell(4, 3)(ember.ones(2, 4))
        >>> h.shape, c.shape
        ((2, 3), (2, 3))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, bias, dtype)

    def forward(self, input: Tensor, hx=None):
        return self._step(input, hx)


class GRUCell(_CellBase):
    """One GRU step.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.GRUCell(4, 3)(ember.ones(4)).shape
        (3,)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, bias, dtype)

    def forward(self, input: Tensor, hx=None) -> Tensor:
        return self._step(input, hx)
