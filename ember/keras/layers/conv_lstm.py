"""ConvLSTM1D/2D/3D: LSTMs whose gates are convolutions, over ``(batch, time, *spatial, channels)``.

The cell has Keras's weights: ``kernel (*kernel_size, in, 4 filters)``,
``recurrent_kernel (*kernel_size, filters, 4 filters)`` and ``bias (4 filters,)``,
gates in the order input, forget, cell, output. The input convolution (with
the layer's strides, padding and dilation) runs on all time steps at once;
the recurrent one is a stride-1 ``same`` convolution of the state. The time
loop, masks, ``return_sequences``/``return_state``, ``go_backwards`` and
``stateful`` are :class:`~.recurrent.RNN`'s.

Example:
    >>> import ember
    >>> from ember import keras
    >>> layer = keras.layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True)
    >>> layer(ember.ones(2, 5, 6, 6, 1)).shape, layer.count_params()
    ((2, 5, 6, 6, 4), 736)
    >>> keras.layers.ConvLSTM1D(4, 3)(ember.ones(2, 5, 6, 1)).shape
    (2, 4, 4)
"""
from __future__ import annotations

import ember
from ember.nn import functional as F

from .. import regularizers
from .conv import as_tuple, output_size, pad_spatial, same_padding, to_channels_first, to_channels_last
from .recurrent import RNN, LSTMCell


_CONVOLUTIONS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


class ConvLSTMCell(LSTMCell):
    """One ConvLSTM step over ``rank`` spatial axes; ``project_inputs`` convolves a whole sequence at once."""

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", data_format=None,
                 dilation_rate=1, rank: int = 2, **kwargs):
        super().__init__(filters, **kwargs)
        if rank not in _CONVOLUTIONS:
            raise ValueError(f"Rank {rank} convolutions are not currently implemented. Received: rank={rank}")
        self.rank = rank
        if data_format not in (None, "channels_last"):
            raise ValueError("Ember's Keras layers are channels_last only (data_format='channels_last')")
        self.filters = filters
        self.kernel_size = as_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = as_tuple(strides, self.rank, "strides")
        self.dilation_rate = as_tuple(dilation_rate, self.rank, "dilation_rate")
        self.padding = padding.lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"Invalid padding {padding!r}: use 'valid' or 'same'")

    def build(self, input_shape) -> None:
        width = 4 * self.filters
        self.kernel = self.add_weight(shape=self.kernel_size + (input_shape[-1], width), name="kernel",
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=self.kernel_size + (self.filters, width),
                                                initializer=self.recurrent_initializer, name="recurrent_kernel",
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight(shape=(width,), initializer=self._bias_initializer(), name="bias",
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None

    def output_spatial(self, *sizes) -> tuple:
        return tuple(output_size(size, k, s, d, self.padding) for size, k, s, d in zip(
            sizes, self.kernel_size, self.strides, self.dilation_rate))

    def initial_state(self, batch: int, dtype, spatial=None) -> list:
        shape = (batch,) + tuple(spatial) + (self.filters,)
        return [ember.zeros(shape, dtype=dtype), ember.zeros(shape, dtype=dtype)]

    def _torch_kernel(self, kernel):
        # (*kernel_size, in, out) → (out, in, *kernel_size)
        return ember.permute(kernel, (self.rank + 1, self.rank) + tuple(range(self.rank)))

    def _convolve(self, x, kernel, bias=None, strides=None, dilation=None):
        return _CONVOLUTIONS[self.rank](x, self._torch_kernel(kernel), bias, strides or 1, 0, dilation or 1)

    def project_inputs(self, inputs):
        """The input convolution of every step: ``(batch, time, *spatial', 4 filters)``."""
        batch, steps = inputs.shape[0], inputs.shape[1]
        x = to_channels_first(ember.reshape(inputs, (batch * steps,) + tuple(inputs.shape[2:])))
        if self.padding == "same":
            x = pad_spatial(x, [same_padding(size, k, s, d) for size, k, s, d in zip(
                x.shape[2:], self.kernel_size, self.strides, self.dilation_rate)])
        projected = to_channels_last(self._convolve(x, self.kernel, self.bias, self.strides, self.dilation_rate))
        return ember.reshape(projected, (batch, steps) + tuple(projected.shape[1:]))

    def step(self, projected, states):
        h, c = states
        x = to_channels_first(h)
        x = pad_spatial(x, [same_padding(size, k, 1, 1) for size, k in zip(x.shape[2:], self.kernel_size)])
        recurrent = to_channels_last(self._convolve(x, self.recurrent_kernel))
        z_i, z_f, z_c, z_o = ember.chunk(projected + recurrent, 4, -1)
        i, f, o = self.recurrent_activation(z_i), self.recurrent_activation(z_f), self.recurrent_activation(z_o)
        c = f * c + i * self.activation(z_c)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self) -> dict:
        config = {key: value for key, value in super().get_config().items() if key != "units"}
        return {**config, "filters": self.filters, "kernel_size": list(self.kernel_size),
                "strides": list(self.strides), "padding": self.padding, "data_format": "channels_last",
                "dilation_rate": list(self.dilation_rate), "rank": self.rank}


ConvLSTM2DCell = ConvLSTMCell


class ConvLSTM(RNN):
    """A convolutional LSTM over ``(batch, time, *spatial, channels)`` sequences (``rank`` spatial axes)."""

    rank = 2

    _layer_arguments = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "name",
                        "zero_output_for_mask",
                        "trainable", "dtype", "input_shape", "batch_input_shape", "batch_size",
                        "activity_regularizer")

    def __init__(self, filters: int, kernel_size, **kwargs):
        layer_kwargs = {key: kwargs.pop(key) for key in list(kwargs) if key in self._layer_arguments}
        cell = ConvLSTMCell(filters, kernel_size, rank=self.rank, name="conv_lstm_cell", **kwargs)
        super().__init__(cell, **layer_kwargs)

    def build(self, input_shape) -> None:
        if len(input_shape) != self.rank + 3:
            raise ValueError(f"{type(self).__name__} expects inputs of rank {self.rank + 3} (batch, time, "
                             f"{self.rank} spatial axes, channels); received input shape {tuple(input_shape)}")
        if not self.cell.built:
            self.cell.build((input_shape[0],) + tuple(input_shape[2:]))
            self.cell.built = True
        RNN.build(self, input_shape)  # the cell is built: this makes the stateful states, if any

    def _zero_states(self, input_shape, dtype) -> list:
        spatial = self.cell.output_spatial(*input_shape[2:-1])
        return self.cell.initial_state(input_shape[0], dtype, spatial)

    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        state = (batch,) + self.cell.output_spatial(*input_shape[2:-1]) + (self.cell.filters,)
        output = (batch, steps) + state[1:] if self.return_sequences else state
        return [output, state, state] if self.return_state else output

    def get_config(self) -> dict:
        config = {key: value for key, value in super().get_config().items() if key != "cell"}
        cell_config = {key: value for key, value in self.cell.get_config().items()
                       if key not in ("name", "trainable", "dtype", "rank")}
        return {**config, **cell_config, "activity_regularizer": regularizers.serialize(self.activity_regularizer)}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __getattr__(self, name: str):
        cell = self.__dict__.get("_modules", {}).get("cell")
        if cell is not None and name in ("filters", "kernel_size", "strides", "padding", "dilation_rate",
                                         "activation", "recurrent_activation", "use_bias", "dropout",
                                         "recurrent_dropout"):
            return getattr(cell, name)
        return super().__getattr__(name)


class ConvLSTM1D(ConvLSTM):
    """A convolutional LSTM over ``(batch, time, steps, channels)`` sequences."""

    rank = 1


class ConvLSTM2D(ConvLSTM):
    """A convolutional LSTM over ``(batch, time, rows, cols, channels)`` sequences."""

    rank = 2


class ConvLSTM3D(ConvLSTM):
    """A convolutional LSTM over ``(batch, time, dim1, dim2, dim3, channels)`` sequences."""

    rank = 3
