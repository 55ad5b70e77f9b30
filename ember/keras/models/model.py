"""``keras.Model``: the functional API (``Model(inputs, outputs)``) and subclassed models.

A Model is a Layer (so a Module) plus the :class:`~ember.keras.trainer.Trainer`
(``compile``/``fit``/…). Given ``inputs`` and ``outputs`` it holds a
:class:`~ember.keras.models.functional.FunctionalGraph` and its ``call`` runs
it; a subclass defines ``call`` itself and creates its layers in ``__init__``.

Example:
    >>> import ember
    >>> from ember import keras
    >>> inputs = keras.Input(shape=(8,), name="features")
    >>> hidden = keras.layers.Dense(4, activation="relu")(inputs)
    >>> model = keras.Model(inputs, [keras.layers.Dense(1, name="score")(hidden),
    ...                              keras.layers.Dense(3, name="kind")(hidden)])
    >>> [tuple(out.shape) for out in model(ember.ones(2, 8))]
    [(2, 1), (2, 3)]
    >>> model.output_names, model.count_params()
    (['score', 'kind'], 56)
    >>> class Tiny(keras.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.dense = keras.layers.Dense(2)
    ...     def call(self, x):
    ...         return self.dense(x)
    >>> Tiny()(ember.ones(1, 3)).shape
    (1, 2)
"""
from __future__ import annotations

import ember
from ember import nn

from .. import backend
from ..layers.input_layer import InputLayer
from ..layers.layer import Layer, to_tensor
from ..layers.symbolic import KerasTensor, map_shapes
from ..trainer import Trainer
from ..utils import tree
from .functional import FunctionalGraph, adjust_input_rank


class Model(Trainer, Layer):
    """A trainable stack of layers; see the module docstring for both ways to build one."""

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        default = "functional" if inputs is not None else backend.snake_case(type(self).__name__)
        name = kwargs.pop("name", None) or backend.unique_name(default)
        Layer.__init__(self, name=name, **kwargs)
        self._init_trainer()
        self._graph = None
        if inputs is not None:
            self._init_graph(inputs, outputs)

    # --- functional graphs ------------------------------------------------------
    def _init_graph(self, inputs, outputs) -> None:
        if outputs is None:
            raise ValueError("A functional Model needs both `inputs` and `outputs`")
        graph = FunctionalGraph(inputs, outputs)
        self._register_layers([layer for layer in graph.layers if not isinstance(layer, InputLayer)])
        self._graph = graph
        self._build_shapes = tree.map_structure(lambda kt: kt.shape, inputs)
        self.built = True

    def _register_layers(self, layers) -> None:
        names = [layer.name for layer in layers]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"All layer names should be unique; {duplicates} appear more than once")
        for layer in layers:
            # The child store itself: a layer may be named like a Model attribute ("output").
            self._modules[layer.name] = layer

    def call(self, inputs, training=None, mask=None):
        if self._graph is None:
            raise NotImplementedError(f"Model {type(self).__name__} has no call(): when subclassing "
                                      "`Model`, implement `call()`; or build it as Model(inputs, outputs)")
        flat = self._flatten_inputs(inputs)
        return self._graph.run(flat, lambda layer, args, kwargs: layer(*args, **kwargs))

    def _flatten_inputs(self, inputs) -> list:
        graph = self._graph
        if isinstance(inputs, dict):
            missing = [name for name in graph.input_names if name not in inputs]
            if missing:
                raise ValueError(f"Missing data for input(s) {missing}; the model's inputs are "
                                 f"{graph.input_names}, received keys {sorted(inputs)}")
            flat = [inputs[name] for name in graph.input_names]
        else:
            flat = tree.flatten(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(graph.flat_inputs):
            raise ValueError(f"Model {self.name!r} expects {len(graph.flat_inputs)} input(s) "
                             f"{graph.input_names}, but received {len(flat)}")
        return [adjust_input_rank(to_tensor(value), reference)
                for value, reference in zip(flat, graph.flat_inputs)]

    def compute_output_spec(self, *args, **kwargs):
        if self._graph is None:
            return super().compute_output_spec(*args, **kwargs)
        flat = self._flatten_inputs(args[0]) if not isinstance(args[0], KerasTensor) else [args[0]]
        return self._graph.run(flat, lambda layer, a, k: layer.compute_output_spec(*a, **k))

    def build(self, input_shape=None) -> None:
        """Build a subclassed model by calling it once on zeros of ``input_shape`` (None → 1)."""
        if self._graph is not None or input_shape is None:
            self.built = True
            return
        dummy = map_shapes(lambda s: ember.zeros(tuple(1 if d is None else d for d in s)), input_shape)
        with ember.no_grad():
            self(dummy, training=False)
        self._build_shapes = input_shape

    def build_from_call(self, args, kwargs) -> None:
        self._build_shapes = tree.map_structure(lambda value: tuple(value.shape), args[0]) if args else None
        self.built = True

    # --- structure --------------------------------------------------------------
    @property
    def layers(self) -> list:
        if self._graph is not None:
            return list(self._graph.layers)
        found = []
        for module in self._modules.values():  # a subclass's layers, lists and dicts of layers included
            children = module.values() if isinstance(module, nn.ModuleDict) else \
                module if isinstance(module, nn.ModuleList) else [module]
            found.extend(child for child in children if isinstance(child, Layer))
        return found

    def get_layer(self, name: str | None = None, index: int | None = None):
        """A layer by name or by position in :attr:`layers`."""
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[l.name for l in self.layers]}")

    @property
    def inputs(self):
        return None if self._graph is None else list(self._graph.flat_inputs)

    @property
    def outputs(self):
        return None if self._graph is None else list(self._graph.flat_outputs)

    @property
    def input(self):
        return self._graph.inputs if self._graph is not None else super().input

    @property
    def output(self):
        return self._graph.outputs if self._graph is not None else super().output

    @property
    def input_shape(self):
        return self._build_shapes

    @property
    def output_shape(self):
        if self._graph is not None:
            return tree.map_structure(lambda kt: kt.shape, self._graph.outputs)
        return super().output_shape

    @property
    def output_names(self) -> list[str]:
        return self._graph.output_names if self._graph is not None else ["output"]

    # --- summary ------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested: bool = False,
                show_trainable: bool = False, layer_range=None) -> None:
        """Print the layers, their output shapes and parameter counts (as Keras does)."""
        from ..utils.summary import print_summary
        print_summary(self, line_length, positions, print_fn, expand_nested, show_trainable, layer_range)

    def _summary_rows(self) -> list:
        """(name, class, output shape, parameter count, inbound layer names) per layer."""
        rows = []
        for layer in self.layers:
            shape = _output_shape_in(layer, self._graph)
            inbound = [] if self._graph is None else _inbound_names(layer, self._graph)
            rows.append((layer.name, type(layer).__name__, shape, _params(layer), inbound))
        return rows

    def _summary_has_connections(self) -> bool:
        if self._graph is None:
            return False
        return len(self._graph.flat_inputs) > 1 or any(len(node.input_tensors) > 1 for node in self._graph.nodes) \
            or len({node.layer for node in self._graph.nodes}) != len(self._graph.nodes)

    # --- saving -----------------------------------------------------------------------
    def get_config(self) -> dict:
        if self._graph is not None:
            from ..saving import functional_config
            return functional_config(self)
        return Layer.get_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        if "input_layers" in config:
            from ..saving import functional_from_config
            return functional_from_config(cls, config, custom_objects)
        return cls(**config)

    def to_json(self, **kwargs) -> str:
        from ..saving import model_to_json
        return model_to_json(self, **kwargs)

    def save(self, filepath, overwrite: bool = True, **kwargs) -> None:
        """Save architecture, weights and compile settings to a ``.keras`` zip archive."""
        from ..saving import save_model
        save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True) -> None:
        from ..saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch: bool = False) -> None:
        from ..saving import load_weights
        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    # --- export -------------------------------------------------------------------------
    def export(self, filepath, format: str = "onnx", *, input_signature=None, **kwargs):
        """Write the model for inference elsewhere; ``format="onnx"`` is the one format.

        A thin wrapper over :func:`ember.onnx.export`. ``input_signature``
        (a TensorSpec, or one per input) defaults to the model's input shapes
        with unknown sizes (the batch) left symbolic; other keyword arguments
        (``opset_version``, ``input_names``, …) pass through. Returns the
        ``onnx.ModelProto``.

        Example:
            >>> import os, tempfile
            >>> from ember import keras
            >>> model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
            >>> proto = model.export(os.path.join(tempfile.mkdtemp(), "model.onnx"))
            >>> proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param
            'batch'
        """
        if format != "onnx":
            raise ValueError(f"Unsupported export format {format!r}; Ember exports format='onnx'")
        if input_signature is None:
            if not self.built or self.input_shape is None:
                raise ValueError(f"Model {self.name!r} has no known input shape: build it (or call it) "
                                 "first, or pass `input_signature`")
            input_signature = map_shapes(lambda shape: ember.TensorSpec(shape, self._dtype), self.input_shape)
        from ember.onnx import export  # onnx is optional: import it only when exporting
        if not isinstance(input_signature, (list, tuple)):
            return export(self, input_signature, filepath, **kwargs)
        kwargs.setdefault("input_names", self._graph.input_names if self._graph is not None else None)
        return export(self, tuple(input_signature), filepath, **kwargs)

    def _traced_callable(self, count: int):
        """What an exporter traces for ``count`` inputs: exporters pass inputs as separate
        arguments, while a Keras model takes several inputs as one list."""
        if count > 1:
            return lambda *inputs: self(list(inputs), training=False)
        return self


def _params(layer) -> int:
    return int(sum(w.numel() for w in layer.weights)) if layer.weights else 0


def _output_shape_in(layer, graph):
    if graph is not None:
        nodes = [node for node in layer._inbound_nodes if node in graph._node_set]
        if nodes:
            return map_shapes(lambda s: s, tree.map_structure(lambda kt: kt.shape, nodes[0].outputs))
    return layer._node_output_shape() if not isinstance(layer, InputLayer) else layer.batch_shape


def _inbound_names(layer, graph) -> list[str]:
    names = []
    for node in layer._inbound_nodes:
        if node in graph._node_set:
            for tensor in node.input_tensors:
                parent, index = tensor._history
                names.append(f"{parent.layer.name}[{graph.node_index(parent)}][{index}]")
    return names
