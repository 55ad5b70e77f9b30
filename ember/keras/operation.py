"""``keras.Operation`` (a stateless op usable on tensors and on KerasTensors) and ``keras.Function``.

An ``Operation`` subclass defines ``call`` (on Ember tensors) and
``compute_output_spec`` (KerasTensors in, KerasTensors out); calling it on
KerasTensors gives the symbolic result without computing. A ``Function`` is
the graph of layer calls between KerasTensor inputs and outputs, runnable on
real values without making a Model (no weights tracking, no training loop).

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> class Double(keras.Operation):
    ...     def call(self, x):
    ...         return x * 2
    ...     def compute_output_spec(self, x):
    ...         return keras.KerasTensor(x.shape, x.dtype)
    >>> Double()(keras.KerasTensor((None, 3))).shape
    (None, 3)
    >>> inputs = keras.Input(shape=(3,))
    >>> function = keras.Function(inputs, keras.layers.Dense(2, kernel_initializer="ones")(inputs))
    >>> np.asarray(function(np.ones((1, 3), "float32"))).tolist()
    [[3.0, 3.0]]
"""
from __future__ import annotations

from . import backend
from .layers.symbolic import KerasTensor
from .utils import tree


class Operation:
    """Base class of stateless operations: override ``call`` and ``compute_output_spec``."""

    def __init__(self, name: str | None = None):
        self.name = name or backend.unique_name(backend.snake_case(type(self).__name__))

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define call()")

    def compute_output_spec(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define compute_output_spec() to be called "
                                  "on KerasTensors")

    def __call__(self, *args, **kwargs):
        if any(isinstance(value, KerasTensor) for value in tree.flatten((list(args), kwargs))):
            return self.compute_output_spec(*args, **kwargs)
        return self.call(*args, **kwargs)

    def get_config(self) -> dict:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> "Operation":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<Operation name={self.name}>"


class Function:
    """The layer calls from ``inputs`` to ``outputs`` (nested KerasTensors), callable on real values."""

    def __init__(self, inputs, outputs, name: str | None = None):
        from .models.functional import FunctionalGraph
        self.name = name or backend.unique_name("function")
        self._graph = FunctionalGraph(inputs, outputs)

    @property
    def inputs(self):
        return self._graph.inputs

    @property
    def outputs(self):
        return self._graph.outputs

    @property
    def operations(self) -> list:
        """The layers in the graph, inputs first."""
        return list(self._graph.layers)

    def _flat_inputs(self, inputs) -> list:
        flat = tree.flatten(inputs)
        if len(flat) != len(self._graph.flat_inputs):
            raise ValueError(f"Function {self.name!r} expects {len(self._graph.flat_inputs)} input(s); received "
                             f"{len(flat)}")
        return flat

    def call(self, inputs):
        """The outputs computed from real ``inputs`` (the structure given at construction)."""
        return self._graph.run(self._flat_inputs(inputs), lambda layer, args, kwargs: layer(*args, **kwargs))

    def compute_output_spec(self, inputs):
        return self._graph.run(self._flat_inputs(inputs), lambda layer, a, k: layer.compute_output_spec(*a, **k))

    def __call__(self, inputs):
        if any(isinstance(value, KerasTensor) for value in tree.flatten(inputs)):
            return self.compute_output_spec(inputs)
        return self.call(inputs)
