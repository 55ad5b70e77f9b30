"""``keras.Sequential``: layers applied one after another.

Layers come as a list or through ``add()``. When the input shape is known
(a ``keras.Input`` first, or ``input_shape=`` on the first layer) the model
builds at once, so ``summary()`` works before any data; otherwise it builds on
its first call.

Example:
    >>> import ember
    >>> from ember import keras
    >>> model = keras.Sequential([keras.layers.Dense(10, activation="relu"), keras.layers.Dense(1)])
    >>> model.built
    False
    >>> model(ember.ones(4, 3)).shape, model.built, model.count_params()
    ((4, 1), True, 51)
    >>> model.add(keras.layers.Dense(2)); [layer.output_shape for layer in model.layers]
    [(None, 10), (None, 1), (None, 2)]
"""
from __future__ import annotations

from .. import backend
from ..layers.input_layer import InputLayer
from ..layers.layer import Layer, to_tensor
from ..layers.symbolic import KerasTensor
from .functional import adjust_input_rank
from .model import Model


class Sequential(Model):
    """A linear stack of layers; ``Sequential(layers=None, trainable=True, name=None)``."""

    def __init__(self, layers=None, trainable: bool = True, name: str | None = None):
        super().__init__(trainable=trainable, name=name or backend.unique_name("sequential"))
        self._input_layer = None
        self._sequence: list = []
        self._output_shapes: list = []
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build()

    def add(self, layer, rebuild: bool = True) -> None:
        """Append a layer (or set the input with a ``keras.Input``)."""
        if isinstance(layer, KerasTensor):
            layer = layer._history[0].layer
        if isinstance(layer, InputLayer):
            if self._sequence or self._input_layer is not None:
                raise ValueError("A Sequential model's InputLayer must come first, and only once")
            object.__setattr__(self, "_input_layer", layer)  # not a child module (see build)
        else:
            if not isinstance(layer, Layer):
                raise TypeError(f"Only instances of `keras.Layer` can be added to a Sequential model. "
                                f"Received: {layer!r} (of type {type(layer).__name__})")
            if layer.name in self._modules:
                raise ValueError(f"All layers added to a Sequential model should have unique names. Name "
                                 f"{layer.name!r} is already the name of a layer in this model.")
            self._modules[layer.name] = layer  # the child store itself, as Model._register_layers
            self._sequence.append(layer)
            self.built = False
        if rebuild:
            self._maybe_build()

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self._sequence:
            raise TypeError("There are no layers in the model.")
        layer = self._sequence.pop()
        del self._modules[layer.name]
        self.built = False
        if rebuild:
            self._maybe_build()
        return layer

    def _known_input_shape(self):
        if self._input_layer is not None:
            return self._input_layer.batch_shape
        if self._sequence:
            return self._sequence[0]._batch_input_shape
        return None

    def _maybe_build(self) -> None:
        shape = self._known_input_shape()
        if shape is not None and self._sequence:
            self.build(shape)

    def build(self, input_shape=None) -> None:
        """Build every layer by passing a symbolic input of ``input_shape`` through the stack."""
        input_shape = input_shape or self._known_input_shape()
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument to build a Sequential model "
                             "without a keras.Input.")
        if self._input_layer is None or tuple(self._input_layer.batch_shape) != tuple(input_shape):
            # Not a child module: it holds no weights, and is not one of `layers`.
            object.__setattr__(self, "_input_layer", InputLayer(batch_shape=input_shape))
        x, self._output_shapes = self._input_layer.output_tensor, []
        for layer in self._sequence:
            x = layer(x)
            self._output_shapes.append(x.shape if isinstance(x, KerasTensor) else None)
        # The symbolic ends of the stack: Keras's model.inputs/outputs (and input/output).
        object.__setattr__(self, "_symbolic_ends", (self._input_layer.output_tensor, x))
        self._build_shapes = tuple(input_shape)
        self.built = True

    def build_from_call(self, args, kwargs) -> None:
        self.build((None,) + tuple(args[0].shape[1:]))

    def call(self, inputs, training=None, mask=None):
        outputs = inputs
        if self._input_layer is not None and not isinstance(inputs, (KerasTensor, list, tuple, dict)):
            outputs = adjust_input_rank(to_tensor(inputs), self._input_layer.output_tensor)
        for layer in self._sequence:
            outputs = layer(outputs)
        return outputs

    def compute_output_spec(self, *args, **kwargs):
        outputs = args[0]
        for layer in self._sequence:
            outputs = layer.compute_output_spec(outputs)
        return outputs

    @property
    def layers(self) -> list:
        return list(self._sequence)

    # --- Keras's symbolic view, once the input shape is known --------------------------
    def _ends(self, what: str):
        ends = self.__dict__.get("_symbolic_ends")
        if not self.built or ends is None:
            raise AttributeError(f"Sequential model {self.name!r} has no defined {what}: it is not built yet "
                                 "(start it with keras.Input, or call or build it first)")
        return ends

    @property
    def inputs(self):
        return [self._ends("inputs")[0]]

    @property
    def outputs(self):
        return [self._ends("outputs")[1]]

    @property
    def input(self):
        return self._ends("input")[0]

    @property
    def output(self):
        return self._ends("output")[1]

    @property
    def output_names(self) -> list[str]:
        return [self._sequence[-1].name] if self._sequence else ["output"]

    @property
    def output_shape(self):
        return self._output_shapes[-1] if self._output_shapes else super().output_shape

    def _summary_rows(self) -> list:
        shapes = self._output_shapes or [None] * len(self._sequence)
        return [(layer.name, type(layer).__name__, shape, int(sum(w.numel() for w in layer.weights)), [])
                for layer, shape in zip(self._sequence, shapes)]

    def get_config(self) -> dict:
        from ..saving import serialize_layer
        layers = [serialize_layer(layer) for layer in self._sequence]
        if self._input_layer is not None:
            layers.insert(0, serialize_layer(self._input_layer))
        return {"name": self.name, "trainable": self.trainable, "layers": layers,
                "build_input_shape": None if self._build_shapes is None else list(self._build_shapes)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Sequential":
        from ..saving import deserialize_layer
        layers = [deserialize_layer(item, custom_objects) for item in config["layers"]]
        model = cls(layers, trainable=config.get("trainable", True), name=config.get("name"))
        if not model.built and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        return model
