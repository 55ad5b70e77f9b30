"""SpectralNormalization: keeps a wrapped layer's kernel at spectral norm 1 (Miyato et al., 2018).

In training, each call runs ``power_iterations`` steps of the power method
from the stored estimate ``vector_u`` (a non-trainable weight of shape
``(1, kernel.shape[-1])``) to estimate the kernel's largest singular value
σ, divides the kernel by σ *in place* (as Keras assigns it), then calls the
wrapped layer; the gradient reaches the kernel through that call only. At
inference the layer is the wrapped layer. A kernel of zeros is left as it is.

Example:
    >>> import ember
    >>> from ember import keras
    >>> layer = keras.layers.SpectralNormalization(keras.layers.Dense(4), power_iterations=50)
    >>> _ = layer(ember.ones(2, 3), training=True)
    >>> round(float(ember.linalg.matrix_norm(layer.layer.kernel, ord=2)), 3)
    1.0
"""
from __future__ import annotations

import ember

from .. import initializers
from .wrapper import Wrapper

_EPSILON = 1e-7  # keras.config.epsilon(): the smallest norm ops.normalize divides by


def _unit(vector):
    """``vector`` scaled to L2 norm 1 over all its entries (Keras's ``normalize(axis=None)``)."""
    return vector * ember.clamp(ember.rsqrt(ember.sum(vector * vector)), max=1.0 / _EPSILON)


class SpectralNormalization(Wrapper):
    """Divides the wrapped layer's ``kernel`` (or ``embeddings``) by its spectral norm in training."""

    def __init__(self, layer, power_iterations: int = 1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError(f"`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.power_iterations = power_iterations

    def build(self, input_shape) -> None:
        super().build(input_shape)
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' nor 'embeddings'")
        self.kernel_shape = tuple(kernel.shape)
        self.vector_u = self.add_weight(shape=(1, self.kernel_shape[-1]), name="vector_u", trainable=False,
                                        initializer=initializers.TruncatedNormal(stddev=0.02))

    def _own_weights(self) -> list:
        # Keras tracks the wrapped kernel as this layer's own weight too: its weight order (kernel,
        # vector_u, then the wrapped layer's others) and its .keras file group follow from that.
        return [self._kernel()] + super()._own_weights()

    def _kernel(self):
        kernel = getattr(self.layer, "kernel", None)
        return kernel if kernel is not None else self.layer.embeddings

    def call(self, inputs, training: bool = False):
        if training:
            with ember.no_grad():
                kernel = self._kernel()
                if bool(ember.any(kernel != 0)):
                    vector_u, normalized = self.normalized_weights()
                    self.vector_u.assign(vector_u)
                    kernel.assign(normalized)
        outputs = self.layer(inputs)
        return ember.cast(outputs, inputs.dtype) if outputs.dtype != inputs.dtype else outputs

    def normalized_weights(self):
        """``(new vector_u, kernel / σ)`` after ``power_iterations`` power-method steps."""
        kernel = self._kernel()
        weights = ember.reshape(kernel, (-1, self.kernel_shape[-1]))
        vector_u = ember.as_tensor(self.vector_u).detach()
        for _ in range(self.power_iterations):
            vector_v = _unit(ember.matmul(vector_u, ember.t(weights)))
            vector_u = _unit(ember.matmul(vector_v, weights))
        vector_u, vector_v = vector_u.detach(), vector_v.detach()
        sigma = ember.matmul(ember.matmul(vector_v, weights), ember.t(vector_u))
        return vector_u, ember.reshape(kernel / sigma, self.kernel_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "power_iterations": self.power_iterations}
