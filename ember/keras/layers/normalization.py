"""BatchNormalization and LayerNormalization with Keras's defaults (epsilon 1e-3, momentum 0.99).

Both normalize over the last axis by default and compute with
``ember.nn.functional.batch_norm`` / ``layer_norm``. BatchNormalization keeps
Keras's moving statistics: ``moving = moving * momentum + batch * (1 - momentum)``
with the *biased* batch variance (PyTorch's running variance is unbiased), as
non-trainable weights; a frozen layer (``trainable=False``) runs in inference
mode, as in Keras.

Example:
    >>> import ember
    >>> from ember import keras
    >>> bn = keras.layers.BatchNormalization()
    >>> x = ember.tensor([[1.0, 2.0], [3.0, 6.0]])
    >>> bn(x, training=True).detach().numpy().round(4).tolist()
    [[-0.9995, -0.9999], [0.9995, 0.9999]]
    >>> bn.moving_mean.numpy().round(4).tolist(), [w.shape for w in bn.weights]
    ([0.02, 0.04], [(2,), (2,), (2,), (2,)])
    >>> keras.layers.LayerNormalization()(x).shape
    (2, 2)
"""
from __future__ import annotations

import ember
from ember.nn import functional as F

from .. import backend, constraints, initializers, regularizers
from .layer import Layer


class BatchNormalization(Layer):
    """Normalizes each feature (the ``axis`` dimension) over the batch and other axes."""
    _mixed_precision_safe = False  # float32 statistics/exponentials under mixed_float16

    supports_masking = True

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.axis, self.momentum, self.epsilon = axis, momentum, epsilon
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape) -> None:
        shape = (input_shape[self.axis],)
        self.gamma = self.add_weight(shape=shape, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
                                     name="gamma") if self.scale else None
        self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer, constraint=self.beta_constraint,
                                    name="beta") if self.center else None
        self.moving_mean = self.add_weight(shape=shape, initializer=self.moving_mean_initializer,
                                           trainable=False, name="moving_mean")
        self.moving_variance = self.add_weight(shape=shape, initializer=self.moving_variance_initializer,
                                               trainable=False, name="moving_variance")

    def call(self, inputs, training: bool = False, mask=None):
        if mask is not None and training and self.trainable:
            return self._masked_training(inputs, mask)
        axis = self.axis % inputs.ndim
        order = [a for a in range(inputs.ndim) if a != axis] + [axis]  # features last
        x = inputs if axis == inputs.ndim - 1 else ember.permute(inputs, order)
        flat = ember.reshape(x, (-1, x.shape[-1]))  # features on dimension 1, as F.batch_norm wants
        training = training and self.trainable
        if training:
            outputs = F.batch_norm(flat, None, None, self.gamma, self.beta, True, eps=self.epsilon)
            self._update_moving_statistics(flat.detach())
        else:
            outputs = F.batch_norm(flat, self.moving_mean, self.moving_variance, self.gamma, self.beta,
                                   False, eps=self.epsilon)
        outputs = ember.reshape(outputs, x.shape)
        if x is inputs:
            return outputs
        return ember.permute(outputs, [order.index(a) for a in range(inputs.ndim)])

    def _update_moving_statistics(self, flat, mean=None, variance=None) -> None:
        if mean is None:
            mean = ember.mean(flat, 0)
            variance = ember.mean((flat - mean) ** 2, 0)  # biased, as Keras
        with ember.no_grad():
            for moving, batch in ((self.moving_mean, mean), (self.moving_variance, variance)):
                # assign (not in-place ops): a keras.StatelessScope records the update instead
                moving.assign(moving * self.momentum + batch.detach() * (1.0 - self.momentum))

    def _masked_training(self, inputs, mask):
        """Keras's masked moments: statistics over the kept steps only, applied to every step."""
        if self.axis % inputs.ndim != inputs.ndim - 1 or mask.ndim != inputs.ndim - 1:
            raise ValueError(f"BatchNormalization {self.name!r}: a mask needs the features on the last axis and "
                             f"one dimension less than the inputs; mask.shape={tuple(mask.shape)}, "
                             f"inputs.shape={tuple(inputs.shape)}")
        flat = ember.reshape(inputs, (-1, inputs.shape[-1]))
        keep = ember.reshape(ember.as_tensor(mask) != 0, (-1, 1))
        weights = ember.cast(keep, inputs.dtype)
        count = ember.sum(weights, 0) + backend.epsilon()
        mean = ember.sum(ember.where(keep, flat, 0.0), 0) / count
        variance = ember.sum(ember.square(ember.where(keep, flat - mean, 0.0)), 0) / count
        outputs = (flat - mean) * ember.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            outputs = outputs * self.gamma
        if self.beta is not None:
            outputs = outputs + self.beta
        self._update_moving_statistics(None, mean, variance)
        return ember.reshape(outputs, inputs.shape)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}


class LayerNormalization(Layer):
    """Normalizes each sample over the trailing ``axis`` dimension(s)."""
    _mixed_precision_safe = False  # float32 statistics/exponentials under mixed_float16

    supports_masking = True

    def __init__(self, axis=-1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 rms_scaling: bool = False, beta_initializer="zeros", gamma_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if rms_scaling:
            raise NotImplementedError("LayerNormalization(rms_scaling=True) is not supported")
        self.axis = axis if isinstance(axis, int) else tuple(axis)
        self.epsilon, self.center, self.scale = epsilon, center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def _normalized_shape(self, input_shape) -> tuple:
        rank = len(input_shape)
        axes = sorted(a % rank for a in ((self.axis,) if isinstance(self.axis, int) else self.axis))
        if axes != list(range(rank - len(axes), rank)):
            raise ValueError(f"LayerNormalization {self.name!r}: only trailing axes are supported, "
                             f"got axis={self.axis} for inputs of rank {rank}")
        return tuple(input_shape[a] for a in axes)

    def build(self, input_shape) -> None:
        shape = self._normalized_shape(input_shape)
        self.gamma = self.add_weight(shape=shape, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
                                     name="gamma") if self.scale else None
        self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer, constraint=self.beta_constraint,
                                    name="beta") if self.center else None

    def call(self, inputs):
        return F.layer_norm(inputs, self._normalized_shape(inputs.shape), self.gamma, self.beta, self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}
