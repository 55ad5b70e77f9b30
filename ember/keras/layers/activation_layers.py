"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax (Keras's arguments and defaults).

Each calls the function in :mod:`ember.keras.activations`; PReLU learns its
slope ``alpha`` (one per input value, shared along ``shared_axes``); Softmax
takes a mask (masked positions get probability 0).

Example:
    >>> import ember
    >>> from ember import keras
    >>> x = ember.tensor([[-2.0, 0.5, 8.0]])
    >>> keras.layers.ReLU(max_value=6.0)(x).tolist(), keras.layers.LeakyReLU()(x).tolist()
    ([[0.0, 0.5, 6.0]], [[-0.6000000238418579, 0.5, 8.0]])
    >>> keras.layers.Softmax()(x, mask=ember.tensor([[True, True, False]])).detach().numpy().round(3).tolist()
    [[0.076, 0.924, 0.0]]
    >>> prelu = keras.layers.PReLU(shared_axes=[1, 2])
    >>> prelu(ember.ones(2, 4, 4, 3)).shape, prelu.alpha.shape
    ((2, 4, 4, 3), (1, 1, 3))
"""
from __future__ import annotations

import warnings

import ember

from .. import activations, constraints, initializers, regularizers
from .layer import Layer


class _Elementwise(Layer):
    """A layer whose output has its input's shape (and mask)."""

    supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape


class ReLU(_Elementwise):
    """``relu`` with an optional ceiling ``max_value``, leak ``negative_slope`` and ``threshold``."""

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0,
                 **kwargs):
        super().__init__(**kwargs)
        for name, value in (("max_value", max_value), ("negative_slope", negative_slope), ("threshold", threshold)):
            if value is not None and value < 0:
                raise ValueError(f"ReLU: `{name}` must be >= 0 (or None for max_value); received {name}={value}")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, inputs):
        return activations.relu(inputs, self.negative_slope, self.max_value, self.threshold)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """``x`` above 0, ``negative_slope * x`` below (Keras's default slope is 0.3)."""

    def __init__(self, negative_slope: float = 0.3, **kwargs):
        if "alpha" in kwargs:  # Keras 2's name
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.", stacklevel=2)
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"LeakyReLU: negative_slope must be a float >= 0; received {negative_slope}")
        self.negative_slope = negative_slope

    def call(self, inputs):
        return activations.leaky_relu(inputs, self.negative_slope)

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_Elementwise):
    """``x`` above 0, ``alpha * (exp(x) - 1)`` below."""

    def __init__(self, alpha: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        return activations.elu(inputs, self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(_Elementwise):
    """``relu(x) - alpha * relu(-x)`` with a learned ``alpha`` of the input's per-sample shape."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None or isinstance(shared_axes, (list, tuple)):
            self.shared_axes = None if shared_axes is None else list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            shape[axis - 1] = 1
        self.alpha = self.add_weight(shape=tuple(shape), initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint,
                                     name="alpha")

    def call(self, inputs):
        return ember.relu(inputs) - self.alpha * ember.relu(-inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint), "shared_axes": self.shared_axes}


_LARGE_NEGATIVE = -1e9  # Keras's stand-in for -inf in float32 masks


class Softmax(_Elementwise):
    """Softmax over ``axis`` (an int or several axes); a mask sends masked positions to 0."""
    _mixed_precision_safe = False  # float32 statistics/exponentials under mixed_float16

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = ember.as_tensor(mask)
            if mask.ndim > inputs.ndim or any(m not in (1, i) for m, i in zip(mask.shape[::-1], inputs.shape[::-1])):
                raise ValueError(f"The `mask` must be broadcastable to `inputs`. Received: "
                                 f"inputs.shape={tuple(inputs.shape)}, mask.shape={tuple(mask.shape)}")
            mask = mask if mask.dtype == ember.bool else mask > 0.5
            inputs = ember.where(mask, inputs, _LARGE_NEGATIVE)
        if isinstance(self.axis, (tuple, list)):
            outputs = ember.exp(inputs - ember.logsumexp(inputs, tuple(self.axis), keepdim=True))
        else:
            outputs = ember.softmax(inputs, self.axis)
        # An entirely masked row would otherwise come out uniform.
        return outputs if mask is None else ember.where(mask, outputs, 0.0)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
