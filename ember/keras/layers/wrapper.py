"""``Wrapper``: the base class of layers that hold and call another layer (``self.layer``).

A subclass overrides ``call`` (and usually ``build``); the wrapped layer is
built with the wrapper's input shape, its weights are the wrapper's weights,
and ``get_config`` holds it serialized under ``"layer"``.

Example:
    >>> import ember
    >>> from ember import keras
    >>> class Doubled(keras.layers.Wrapper):
    ...     def call(self, inputs):
    ...         return 2.0 * self.layer(inputs)
    >>> wrapped = Doubled(keras.layers.Dense(3, kernel_initializer="ones"))
    >>> wrapped(ember.ones(1, 2)).tolist(), len(wrapped.weights)
    ([[4.0, 4.0, 4.0]], 2)
"""
from __future__ import annotations

from .layer import Layer


class Wrapper(Layer):
    """Holds ``layer`` (a Keras layer) and builds it with the wrapper's input shape."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer type. Please ensure "
                             "wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None) -> None:
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True

    def call(self, inputs, *args, **kwargs):
        return self.layer(inputs, *args, **kwargs)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict:
        from ..saving import serialize_layer
        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        from ..saving import deserialize_layer
        config = dict(config)
        return cls(deserialize_layer(config.pop("layer"), custom_objects), **config)
