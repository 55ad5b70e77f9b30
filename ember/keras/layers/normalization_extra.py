"""UnitNormalization and GroupNormalization (channels last, Keras's defaults).

Example:
    >>> import ember
    >>> from ember import keras
    >>> keras.layers.UnitNormalization()(ember.tensor([[3.0, 4.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929]]
    >>> norm = keras.layers.GroupNormalization(groups=2)
    >>> norm(ember.ones(2, 5, 4)).shape, [w.shape for w in norm.weights]
    ((2, 5, 4), [(4,), (4,)])
"""
from __future__ import annotations

import ember
from ember.nn import functional as F

from .. import constraints, initializers, regularizers
from .layer import Layer


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm along ``axis`` (an int or several)."""
    _mixed_precision_safe = False  # float32 statistics/exponentials under mixed_float16

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else tuple(axis)

    def call(self, inputs):
        # Keras: x * min(1 / ||x||, 1 / 1e-12)
        inverse_norm = ember.rsqrt(ember.sum(inputs * inputs, self.axis, keepdim=True))
        return inputs * ember.clamp(inverse_norm, max=1e12)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis if isinstance(self.axis, int) else list(self.axis)}


class GroupNormalization(Layer):
    """Normalizes groups of channels (``groups`` of them; -1: one per channel) over each sample."""
    _mixed_precision_safe = False  # float32 statistics/exponentials under mixed_float16

    supports_masking = True

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer="zeros", gamma_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(f"Received an invalid value for argument `groups`, expected a positive integer "
                             f"(or `-1` for instance normalization). Received: groups={groups}")
        self.groups, self.axis, self.epsilon, self.center, self.scale = groups, axis, epsilon, center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape) -> None:
        channels = input_shape[self.axis]
        groups = channels if self.groups == -1 else self.groups
        if channels is None or channels % groups:
            raise ValueError(f"GroupNormalization {self.name!r}: the number of channels ({channels}) must be "
                             f"known and a multiple of groups={self.groups}; input shape {input_shape}")
        self._group_count = groups
        self.gamma = self.add_weight(shape=(channels,), initializer=self.gamma_initializer, name="gamma",
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(shape=(channels,), initializer=self.beta_initializer, name="beta",
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None

    def call(self, inputs):
        axis = self.axis % inputs.ndim
        order = [0, axis] + [a for a in range(1, inputs.ndim) if a != axis]  # channels on dimension 1
        outputs = F.group_norm(ember.permute(inputs, order), self._group_count, self.gamma, self.beta,
                               self.epsilon)
        return ember.permute(outputs, [order.index(a) for a in range(inputs.ndim)])

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}
