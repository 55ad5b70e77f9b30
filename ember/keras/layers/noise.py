"""Regularization layers active in training only: SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout.

At inference (``training=False``, the default outside ``fit``) each returns its
input unchanged.

Example:
    >>> import ember
    >>> from ember import keras
    >>> x = ember.ones(2, 5, 3)
    >>> bool((keras.layers.GaussianNoise(0.5)(x) == x).all())
    True
    >>> dropped = keras.layers.SpatialDropout1D(0.5, seed=1)(x, training=True)
    >>> bool(((dropped[:, 0] == dropped[:, 1]).all()))  # whole feature maps drop together
    True
"""
from __future__ import annotations

import math

import ember
from ember.nn import functional as F

from .layer import Layer


def _generator(seed):
    return None if seed is None else ember.Generator().manual_seed(seed)


def dropout_mask_like(inputs, rate: float, noise_shape, generator):
    """A dropout mask (zeros and ``1/(1-rate)``) of ``noise_shape`` (None entries: the input's sizes)."""
    shape = tuple(inputs.shape[axis] if size is None else size for axis, size in enumerate(noise_shape))
    return F.dropout(ember.ones(shape, dtype=inputs.dtype), rate, True, generator=generator)


class _Noise(Layer):
    supports_masking = True

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between "
                             f"0 and 1. Received: rate={rate}")
        self.rate, self.seed = rate, seed
        self._generator = _generator(seed)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class SpatialDropout1D(_Noise):
    """Drops whole feature channels of ``(batch, steps, channels)`` (one draw per sample and channel)."""

    def call(self, inputs, training: bool = False):
        if not training or not self.rate:
            return inputs
        return inputs * dropout_mask_like(inputs, self.rate, (None, 1, None), self._generator)


class SpatialDropout2D(_Noise):
    """Drops whole feature maps of ``(batch, height, width, channels)``."""

    def __init__(self, rate: float, data_format=None, seed: int | None = None, **kwargs):
        super().__init__(rate, seed, **kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError("Ember's Keras layers are channels_last only (data_format='channels_last')")
        self.data_format = "channels_last"

    def call(self, inputs, training: bool = False):
        if not training or not self.rate:
            return inputs
        return inputs * dropout_mask_like(inputs, self.rate, (None, 1, 1, None), self._generator)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class GaussianDropout(_Noise):
    """Multiplies by noise drawn from ``N(1, rate / (1 - rate))`` during training."""

    def call(self, inputs, training: bool = False):
        if not training or not 0 < self.rate < 1:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = ember.randn(*inputs.shape, generator=self._generator, dtype=inputs.dtype)
        return inputs * (1.0 + stddev * noise)


class GaussianNoise(_Noise):
    """Adds noise drawn from ``N(0, stddev²)`` during training."""

    def __init__(self, stddev: float, seed: int | None = None, **kwargs):
        Layer.__init__(self, **kwargs)
        if stddev < 0:
            raise ValueError(f"GaussianNoise: stddev must be >= 0; received stddev={stddev}")
        self.stddev, self.seed = stddev, seed
        self._generator = _generator(seed)

    def call(self, inputs, training: bool = False):
        if not training or not self.stddev:
            return inputs
        return inputs + self.stddev * ember.randn(*inputs.shape, generator=self._generator, dtype=inputs.dtype)

    def get_config(self) -> dict:
        return {**Layer.get_config(self), "stddev": self.stddev, "seed": self.seed}


class AlphaDropout(_Noise):
    """Dropout that keeps a SELU network's mean and variance: dropped values become SELU's negative limit."""

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        super().__init__(rate, seed, **kwargs)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def call(self, inputs, training: bool = False):
        if not training or not 0 < self.rate < 1:
            return inputs
        alpha_p = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946
        shape = self.noise_shape or tuple(inputs.shape)
        shape = tuple(inputs.shape[axis] if size is None else size for axis, size in enumerate(shape))
        kept = ember.cast(ember.rand(*shape, generator=self._generator) >= self.rate, inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * kept + (1.0 - kept) * alpha_p) + b

    def get_config(self) -> dict:
        return {**super().get_config(), "noise_shape": self.noise_shape}


class SpatialDropout3D(SpatialDropout2D):
    """Drops whole feature volumes of ``(batch, dim1, dim2, dim3, channels)``."""

    def call(self, inputs, training: bool = False):
        if not training or not self.rate:
            return inputs
        return inputs * dropout_mask_like(inputs, self.rate, (None, 1, 1, 1, None), self._generator)
