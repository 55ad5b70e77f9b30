"""Recurrent layers with Keras's cells, gate orders and weight layouts.

- ``SimpleRNNCell``: ``h = activation(x @ kernel + h @ recurrent_kernel + bias)``.
- ``LSTMCell``: ``kernel (in, 4u)``, ``recurrent_kernel (u, 4u)``, ``bias (4u,)``, gates in
  the order input, forget, cell, output (PyTorch's order too, with one bias
  instead of two); ``unit_forget_bias`` starts the forget bias at 1.
- ``GRUCell``: gates update (z), reset (r), candidate (h) (PyTorch orders r, z, n);
  with ``reset_after=True`` (the default) the bias is ``(2, 3u)``: an input and
  a recurrent row, and the reset gate scales the recurrent candidate term.

``RNN(cell)`` runs a cell over the time axis of ``(batch, time, features)``;
SimpleRNN, LSTM and GRU are RNNs over their cells. The input projection of the
whole sequence is one matmul; the recurrent part is one whole-sequence
primitive (:mod:`ember.ops.recurrent`, gates permuted to PyTorch's order for
the GRU) unless a mask, recurrent dropout, other activations, ``reset_after=False``
or a subclass's own ``step`` needs the step-by-step loop.

Example:
    >>> import ember
    >>> from ember import keras
    >>> lstm = keras.layers.LSTM(8, return_sequences=True)
    >>> lstm(ember.ones(2, 5, 3)).shape, lstm.count_params()
    ((2, 5, 8), 384)
    >>> output, h, c = keras.layers.LSTM(4, return_state=True)(ember.ones(2, 5, 3))
    >>> output.shape, c.shape
    ((2, 4), (2, 4))
    >>> keras.layers.GRU(4).build((None, 5, 3)) is None, keras.layers.GRU(4)(ember.ones(1, 2, 3)).shape
    (True, (1, 4))
"""
from __future__ import annotations

import ember
from ember.nn import functional as F
from ember.ops import recurrent as recurrent_ops

from .. import activations, constraints, initializers, regularizers
from . import masks
from .layer import Layer


class _Cell(Layer):
    """Shared cell arguments and weights: kernel, recurrent_kernel, bias."""

    gates = 1

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout, self.recurrent_dropout, self.seed = dropout, recurrent_dropout, seed

    @property
    def state_size(self):
        return self.units

    def build(self, input_shape) -> None:
        width = self.gates * self.units
        self.kernel = self.add_weight(shape=(input_shape[-1], width), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, width), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight(shape=self._bias_shape(), initializer=self._bias_initializer(),
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                                    name="bias") if self.use_bias else None

    def _bias_shape(self) -> tuple:
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def project_inputs(self, inputs):
        """``inputs @ kernel (+ input bias)`` for a whole sequence at once."""
        projected = ember.matmul(inputs, self.kernel)
        return projected if self.bias is None else projected + self._input_bias()

    def _input_bias(self):
        return self.bias

    def initial_state(self, batch: int, dtype) -> list:
        return [ember.zeros(batch, self.units, dtype=dtype)]

    def call(self, inputs, states, training: bool = False):
        """One step on raw inputs (what a user-level ``RNN(cell)`` calls)."""
        return self.step(self.project_inputs(inputs), states)

    def sequence(self, projected, states):
        """The whole sequence ``projected`` ``(T, B, gates * units)`` as one recurrent primitive:
        ``(outputs (T, B, units), final states)``, or None where this cell has none (``step`` runs)."""
        return None

    def _standard(self, cell_class, activation, recurrent_activation="sigmoid") -> bool:
        """Whether the cell computes what the primitive does: ``cell_class``'s ``step`` (a subclass
        overriding it computes something else) and these activations."""
        return (type(self).step is cell_class.step
                and self.activation is activations.get(activation)
                and (recurrent_activation is None or self.recurrent_activation is activations.get(recurrent_activation)))

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout, "seed": self.seed}


class SimpleRNNCell(_Cell):
    def __init__(self, units: int, activation="tanh", **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, **kwargs)

    def step(self, projected, states):
        h = self.activation(projected + ember.matmul(states[0], self.recurrent_kernel))
        return h, [h]

    def sequence(self, projected, states):
        for nonlinearity in ("tanh", "relu"):
            if self._standard(SimpleRNNCell, nonlinearity, None):
                outputs = recurrent_ops.rnn_sequence(projected, states[0], ember.t(self.recurrent_kernel),
                                                     nonlinearity)
                return outputs, [outputs[-1]]
        return None

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("recurrent_activation")  # Keras's SimpleRNN has none (and refuses the key)
        return config


class LSTMCell(_Cell):
    gates = 4

    def __init__(self, units: int, unit_forget_bias: bool = True, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = unit_forget_bias

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, units = self.bias_initializer, self.units

        def forget_bias_one(shape, dtype=None):  # zeros (or the given init) with the forget gate at 1
            return ember.cat([base((units,), dtype), ember.ones(units, dtype=ember.as_dtype(dtype)),
                              base((2 * units,), dtype)])
        return forget_bias_one

    def initial_state(self, batch: int, dtype) -> list:
        return [ember.zeros(batch, self.units, dtype=dtype), ember.zeros(batch, self.units, dtype=dtype)]

    @property
    def state_size(self):
        return [self.units, self.units]

    def step(self, projected, states):
        h, c = states
        z = projected + ember.matmul(h, self.recurrent_kernel)
        z_i, z_f, z_c, z_o = ember.chunk(z, 4, -1)
        i, f, o = self.recurrent_activation(z_i), self.recurrent_activation(z_f), self.recurrent_activation(z_o)
        c = f * c + i * self.activation(z_c)
        h = o * self.activation(c)
        return h, [h, c]

    def sequence(self, projected, states):
        if not self._standard(LSTMCell, "tanh"):
            return None
        # Keras's gate order (i, f, c, o) is PyTorch's (i, f, g, o): the kernels are used as they are
        result = recurrent_ops.lstm_sequence(projected, states[0], states[1], ember.t(self.recurrent_kernel))
        return result[:-1], [result[-2], result[-1]]

    def get_config(self) -> dict:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    gates = 3

    def __init__(self, units: int, reset_after: bool = True, **kwargs):
        super().__init__(units, **kwargs)
        self.reset_after = reset_after

    def _bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        return self.bias[0] if self.reset_after else self.bias

    def step(self, projected, states):
        h = states[0]
        x_z, x_r, x_h = ember.chunk(projected, 3, -1)
        recurrent = ember.matmul(h, self.recurrent_kernel)
        if self.reset_after and self.bias is not None:
            recurrent = recurrent + self.bias[1]
        r_z, r_r, r_h = ember.chunk(recurrent, 3, -1)
        z = self.recurrent_activation(x_z + r_z)
        r = self.recurrent_activation(x_r + r_r)
        if self.reset_after:
            candidate = self.activation(x_h + r * r_h)
        else:  # the reset gate scales the state before its product with the candidate kernel
            candidate = self.activation(x_h + ember.matmul(r * h, self.recurrent_kernel[:, 2 * self.units:]))
        h = z * h + (1.0 - z) * candidate
        return h, [h]

    def sequence(self, projected, states):
        if not self.reset_after or not self._standard(GRUCell, "tanh"):
            return None  # reset_after=False resets the state before its product: not PyTorch's GRU
        # Keras orders the gates (z, r, h), PyTorch's primitive (r, z, n): swap the first two blocks
        units = self.units
        update, reset, candidate = ember.chunk(projected, 3, -1)
        recurrent = ember.t(self.recurrent_kernel)
        recurrent = ember.cat([recurrent[units:2 * units], recurrent[:units], recurrent[2 * units:]], 0)
        if self.bias is None:
            bias = ember.zeros(3 * units, dtype=projected.dtype)
        else:
            bias = ember.cat([self.bias[1, units:2 * units], self.bias[1, :units], self.bias[1, 2 * units:]], 0)
        outputs = recurrent_ops.gru_sequence(ember.cat([reset, update, candidate], -1), states[0], recurrent, bias)
        return outputs, [outputs[-1]]

    def get_config(self) -> dict:
        return {**super().get_config(), "reset_after": self.reset_after}


class StackedRNNCells(Layer):
    """Several cells run one after another at each step (``RNN([cell_1, cell_2])``).

    Their states are kept as one flat list (each cell's in turn); ``RNN(...,
    return_state=True)`` returns them flat, where Keras nests them per cell.
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        self.cells = list(cells)

    @property
    def units(self):
        return self.cells[-1].units

    @property
    def state_size(self):
        return [size for cell in self.cells for size in (
            cell.state_size if isinstance(cell.state_size, list) else [cell.state_size])]

    def _state_counts(self) -> list[int]:
        return [len(cell.state_size) if isinstance(cell.state_size, list) else 1 for cell in self.cells]

    def build(self, input_shape) -> None:
        shape = tuple(input_shape)
        for cell in self.cells:
            if not cell.built:
                cell.build(shape)
                cell.built = True
            shape = shape[:-1] + (cell.units,)

    def initial_state(self, batch: int, dtype) -> list:
        return [state for cell in self.cells for state in cell.initial_state(batch, dtype)]

    def call(self, inputs, states, training: bool = False):
        new_states, start = [], 0
        for cell, count in zip(self.cells, self._state_counts()):
            inputs, cell_states = cell.call(inputs, list(states[start:start + count]))
            new_states.extend(cell_states)
            start += count
        return inputs, new_states

    def get_config(self) -> dict:
        from ..saving import serialize_layer
        return {**super().get_config(), "cells": [serialize_layer(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config: dict) -> "StackedRNNCells":
        from . import deserialize
        config = dict(config)
        return cls([deserialize(cell) for cell in config.pop("cells")], **config)


class RNN(Layer):
    """Runs ``cell`` over the time axis; returns the last output, or all of them, and the states.

    A mask (from ``Embedding(mask_zero=True)``, ``Masking`` or ``mask=``) of shape
    ``(batch, time)`` skips steps: a masked step keeps the previous output and
    states (zeros instead with ``zero_output_for_mask``). ``stateful=True`` keeps
    the final states of a batch as the initial states of the next (a fixed
    batch size is needed) until ``reset_states()``.
    """

    supports_masking = True

    def __init__(self, cell, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.cell = StackedRNNCells(cell) if isinstance(cell, (list, tuple)) else cell
        self.return_sequences, self.return_state, self.go_backwards = return_sequences, return_state, go_backwards
        self.stateful, self.unroll, self.zero_output_for_mask = stateful, unroll, zero_output_for_mask
        self._state_names: list[str] = []

    def build(self, input_shape) -> None:
        if not self.cell.built:
            self.cell.build((input_shape[0], input_shape[-1]))
            self.cell.built = True
        if self.stateful:
            if input_shape[0] is None:
                raise ValueError(f"When using `stateful=True` in a RNN, the batch size must be static. Found "
                                 f"dynamic batch size: sequence.shape={tuple(input_shape)}")
            # Buffers (not weights): compiled steps read and write them like BatchNormalization's statistics.
            for index, state in enumerate(self._zero_states(input_shape, ember.as_dtype(self.dtype))):
                self.register_buffer(f"rnn_state_{index}", state)
                self._state_names.append(f"rnn_state_{index}")

    def _own_weights(self) -> list:
        states = {id(self._buffers[name]) for name in self._state_names}
        return [weight for weight in super()._own_weights() if id(weight) not in states]

    @property
    def states(self):
        """The carried states of a stateful RNN (None otherwise)."""
        return [self._buffers[name] for name in self._state_names] if self._state_names else None

    def reset_state(self) -> None:
        """Zero the carried states of a stateful RNN."""
        with ember.no_grad():
            for state in self.states or ():
                state.zero_()

    reset_states = reset_state

    def call(self, inputs, initial_state=None, mask=None, training: bool = False):
        states = self._initial_states(inputs, initial_state)
        if mask is not None:
            mask = masks.check_mask(mask, inputs, self.name)
        inputs = self._input_dropout(inputs, training)
        projected = self.cell.project_inputs(inputs) if hasattr(self.cell, "project_inputs") else None
        fused = None
        if projected is not None and mask is None and not (training and getattr(self.cell, "recurrent_dropout", 0)):
            fused = self._fused(projected, states)
        if fused is not None:
            return self._finish(*fused)
        steps = inputs.shape[1]
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs = []
        for t in order:
            if projected is not None:
                output, new_states = self.cell.step(projected[:, t], self._recurrent_dropout(states, training))
            else:
                output, new_states = self.cell(inputs[:, t], states)
            if mask is not None:
                output, new_states = self._masked_step(mask[:, t : t + 1], output, new_states, states, outputs)
            outputs.append(output)
            states = list(new_states)
        if self.stateful:
            self._carry(states)
        result = ember.stack(outputs, 1) if self.return_sequences else outputs[-1]
        if mask is not None and self.zero_output_for_mask:
            if self.return_sequences:  # outputs are in processing order
                kept = ember.flip(mask, (1,)) if self.go_backwards else mask
            else:
                kept = mask[:, order[-1]]
            result = ember.where(ember.reshape(kept, tuple(kept.shape) + (1,) * (result.ndim - kept.ndim)),
                                 result, 0.0)
        return [result] + list(states) if self.return_state else result

    def _fused(self, projected, states):
        """The whole sequence through the cell's recurrent primitive (None: the cell has none)."""
        sequence = getattr(self.cell, "sequence", None)
        if sequence is None:
            return None
        projected = ember.transpose(projected, 0, 1)  # (time, batch, ...): the primitives' layout
        if self.go_backwards:
            projected = ember.flip(projected, (0,))
        return sequence(projected, states)

    def _finish(self, outputs, states):
        """The layer's result from a fused run's outputs ``(T, B, units)`` (in processing order)."""
        if self.stateful:
            self._carry(states)
        result = ember.transpose(outputs, 0, 1) if self.return_sequences else outputs[-1]
        return [result] + list(states) if self.return_state else result

    def _carry(self, states) -> None:
        with ember.no_grad():
            for carried, state in zip(self.states, states):
                carried.copy_(state.detach())

    def _initial_states(self, inputs, initial_state) -> list:
        if initial_state is not None:
            return list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if self.stateful:
            if inputs.shape[0] != self.states[0].shape[0]:
                raise ValueError(f"If an RNN is stateful, the batch size of the input sequences must be the "
                                 f"same as the batch size of the initial state.\n- Expected batch size: "
                                 f"{self.states[0].shape[0]}\n- Received batch size: {inputs.shape[0]}")
            # Copies: the carried states are overwritten in place after this call, while the
            # backward pass of this call still needs the values it started from.
            return [state.clone() for state in self.states]
        return self._zero_states(tuple(inputs.shape), inputs.dtype)

    def _zero_states(self, input_shape, dtype) -> list:
        """The initial states for sequences of ``input_shape`` (zeros)."""
        if hasattr(self.cell, "initial_state"):  # Ember's own cells
            return self.cell.initial_state(input_shape[0], dtype)
        if hasattr(self.cell, "get_initial_state"):  # a user cell that defines Keras's method
            states = self.cell.get_initial_state(batch_size=input_shape[0])
            return list(states) if isinstance(states, (list, tuple)) else [states]
        # A user cell with only ``state_size`` (an int or a list; each size an int or a shape)
        sizes = self.cell.state_size if isinstance(self.cell.state_size, (list, tuple)) else [self.cell.state_size]
        return [ember.zeros((input_shape[0],) + (tuple(size) if isinstance(size, (list, tuple)) else (size,)),
                            dtype=dtype) for size in sizes]

    def _cell_output_size(self) -> int:
        """Keras's rule: the cell's ``output_size``, else its first state size."""
        size = getattr(self.cell, "output_size", None)
        if size is None:
            size = getattr(self.cell, "units", None)
        if size is None:
            size = self.cell.state_size[0] if isinstance(self.cell.state_size, (list, tuple)) else self.cell.state_size
        return size

    @staticmethod
    def _masked_step(keep, output, new_states, states, outputs):
        """Where a step is masked, the previous output (zeros at first) and states carry over."""
        previous = outputs[-1] if outputs else ember.zeros_like(output)

        def widen(value):  # (batch, 1) → (batch, 1, …) against a state of any rank (ConvLSTM's are 4D)
            return ember.reshape(keep, (keep.shape[0],) + (1,) * (value.ndim - 1))
        output = ember.where(widen(output), output, previous)
        return output, [ember.where(widen(new), new, old) for new, old in zip(new_states, states)]

    def compute_mask(self, inputs, previous_mask):
        mask = previous_mask[0] if isinstance(previous_mask, list) else previous_mask
        output_mask = mask if self.return_sequences else None
        if not self.return_state:
            return output_mask
        sizes = self.cell.state_size if isinstance(self.cell.state_size, list) else [self.cell.state_size]
        return [output_mask] + [None] * len(sizes)

    def _input_dropout(self, inputs, training: bool):
        rate = getattr(self.cell, "dropout", 0.0)
        if not training or not rate:
            return inputs
        mask = F.dropout(ember.ones(inputs.shape[0], 1, inputs.shape[-1], dtype=inputs.dtype), rate, True)
        return inputs * mask  # one mask for every time step, as Keras

    def _recurrent_dropout(self, states, training: bool):
        rate = getattr(self.cell, "recurrent_dropout", 0.0)
        if not training or not rate:
            return states
        return [F.dropout(states[0], rate, True)] + list(states[1:])

    def compute_output_shape(self, input_shape):
        batch, units = input_shape[0], self._cell_output_size()
        output = (batch, input_shape[1], units) if self.return_sequences else (batch, units)
        if not self.return_state:
            return output
        sizes = self.cell.state_size if isinstance(self.cell.state_size, list) else [self.cell.state_size]
        return [output] + [(batch, size) for size in sizes]

    def get_config(self) -> dict:
        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask,
                "cell": {"class_name": type(self.cell).__name__, "config": self.cell.get_config()}}

    @classmethod
    def from_config(cls, config: dict) -> "RNN":
        from . import deserialize
        config = dict(config)
        config["cell"] = deserialize(config["cell"])
        return cls(**config)


class _RNNOverCell(RNN):
    """SimpleRNN, LSTM and GRU: the cell's arguments are the layer's."""

    cell_class = _Cell
    _layer_arguments = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                        "zero_output_for_mask", "name", "trainable", "dtype", "input_shape", "input_dim",
                        "batch_input_shape", "batch_size", "activity_regularizer")

    def __init__(self, units: int, **kwargs):
        layer_kwargs = {key: kwargs.pop(key) for key in list(kwargs) if key in self._layer_arguments}
        kwargs.pop("implementation", None)
        kwargs.pop("time_major", None)
        cell = self.cell_class(units, name=f"{type(self).__name__.lower()}_cell", **kwargs)
        super().__init__(cell, **layer_kwargs)

    def __getattr__(self, name: str):
        cell = self.__dict__.get("_modules", {}).get("cell")
        if cell is not None and name in ("units", "activation", "recurrent_activation", "use_bias",
                                         "dropout", "recurrent_dropout", "reset_after", "unit_forget_bias"):
            return getattr(cell, name)
        return super().__getattr__(name)

    def get_config(self) -> dict:
        config = {key: value for key, value in super().get_config().items() if key != "cell"}
        cell_config = {key: value for key, value in self.cell.get_config().items()
                       if key not in ("name", "trainable", "dtype")}
        return {**config, **cell_config,
                "activity_regularizer": regularizers.serialize(self.activity_regularizer)}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class SimpleRNN(_RNNOverCell):
    cell_class = SimpleRNNCell


class LSTM(_RNNOverCell):
    cell_class = LSTMCell


class GRU(_RNNOverCell):
    cell_class = GRUCell
