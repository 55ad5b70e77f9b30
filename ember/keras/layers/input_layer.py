"""``keras.Input`` and ``InputLayer``: where a functional graph starts.

Example:
    >>> from ember import keras
    >>> x = keras.Input(shape=(28, 28, 1), batch_size=32, name="images")
    >>> x.shape, x.dtype, x.name
    ((32, 28, 28, 1), 'float32', 'images')
    >>> keras.Input(shape=(None,), dtype="int32").shape
    (None, None)
"""
from __future__ import annotations

from .. import backend
from .layer import Layer
from .symbolic import KerasTensor, Node


class InputLayer(Layer):
    """The layer behind :func:`Input`; its only output is the input KerasTensor."""

    def __init__(self, shape=None, batch_size: int | None = None, dtype=None, sparse: bool | None = None,
                 batch_shape=None, input_tensor=None, name: str | None = None, **kwargs):
        if "input_shape" in kwargs:  # Keras 2 spelling
            shape = kwargs.pop("input_shape")
        kwargs.pop("ragged", None)
        super().__init__(name=name or backend.unique_name("input_layer"), dtype=dtype, **kwargs)
        if sparse:
            raise NotImplementedError("Ember has no sparse tensors; feed dense arrays")
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument to Input, e.g. Input(shape=(784,))")
            batch_shape = (batch_size,) + tuple(shape)
        self.batch_shape = tuple(batch_shape)
        self.output_tensor = KerasTensor(self.batch_shape, self._dtype, self.name)
        Node(self, (), {}, self.output_tensor)
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {"batch_shape": list(self.batch_shape), "dtype": self._dtype, "name": self.name}


def Input(shape=None, batch_size: int | None = None, dtype=None, sparse: bool | None = None,
          batch_shape=None, name: str | None = None, tensor=None) -> KerasTensor:
    """A symbolic input of ``shape`` (batch dimension excluded) to start a functional model."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name)
    return layer.output_tensor
