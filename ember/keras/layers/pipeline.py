"""Pipeline: preprocessing layers applied one after another, as one layer (not a model).

Unlike ``Sequential``, a Pipeline has no weights of its own to train and can
be used on data outside a model (in a ``tf.data``-style ``map``); each layer
receives the previous one's output and mask, and ``training`` (default True,
so augmentation layers augment) is passed to the layers that take it.

Example:
    >>> import ember
    >>> from ember import keras
    >>> pipeline = keras.layers.Pipeline([keras.layers.Rescaling(1 / 255), keras.layers.CenterCrop(2, 2)])
    >>> pipeline(ember.full((1, 4, 4, 3), 255.0)).shape, len(pipeline.layers)
    ((1, 2, 2, 3), 2)
"""
from __future__ import annotations

from . import masks
from .layer import Layer


class Pipeline(Layer):
    """Applies ``layers`` in order."""

    def __init__(self, layers, name: str | None = None):
        super().__init__(name=name)
        self._pipeline_layers = list(layers)

    @property
    def layers(self) -> list:
        return list(self._pipeline_layers)

    def call(self, inputs, training: bool = True, mask=None):
        outputs = inputs
        for layer in self._pipeline_layers:
            kwargs = {}
            if mask is not None and layer._accepts("mask", explicit=True):
                kwargs["mask"] = mask
            if training is not None and layer._accepts("training", explicit=True):
                kwargs["training"] = training
            outputs = layer(outputs, **kwargs)
            mask = masks.masks_of(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        for layer in self._pipeline_layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def get_config(self) -> dict:
        from ..saving import serialize_layer
        return {"layers": [serialize_layer(layer) for layer in self._pipeline_layers], "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> "Pipeline":
        from ..saving import deserialize_layer
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError(f"`Pipeline` config must contain a `layers` key mapping to a list of serialized "
                             f"layers. Received config with layers={layers}.")
        return cls([deserialize_layer(layer) for layer in layers], name=config.get("name"))
