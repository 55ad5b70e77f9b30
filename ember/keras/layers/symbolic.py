"""Symbolic values of the functional API: ``KerasTensor`` and the ``Node`` that made it.

``keras.Input(shape=(784,))`` returns a :class:`KerasTensor`: a shape and a
dtype, no data. Calling a layer on KerasTensors builds the layer, asks it for
its output shape, and records a :class:`Node` (layer, arguments, outputs);
``Model(inputs, outputs)`` walks those nodes back from the outputs.

Example:
    >>> from ember import keras
    >>> x = keras.Input(shape=(784,), name="pixels")
    >>> y = keras.layers.Dense(10)(x)
    >>> y
    <KerasTensor shape=(None, 10), dtype=float32, name=dense...>
    >>> y._history[0].layer.name == y.name
    True
"""
from __future__ import annotations

import ember

from .. import scopes
from ..utils import tree


class KerasTensor:
    """A placeholder with a shape (``None`` for unknown sizes) and a dtype."""

    def __init__(self, shape, dtype: str = "float32", name: str | None = None):
        self.shape = tuple(None if size is None else int(size) for size in shape)
        self.dtype = str(dtype).removeprefix("ember.")
        self.name = name
        self._history = None  # (node, index among the node's outputs)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __len__(self):
        raise TypeError("A KerasTensor is symbolic: it has no length. Use .shape instead.")

    def __bool__(self):
        raise TypeError("A KerasTensor is symbolic: it has no truth value. Branch on Python "
                        "values, or use a Lambda layer with ember.where for data-dependent choices.")

    def __hash__(self) -> int:
        return id(self)


class Node:
    """One call of a layer in a functional graph: its arguments and its outputs."""

    def __init__(self, layer, call_args: tuple, call_kwargs: dict, outputs):
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        self.input_tensors = [value for value in tree.flatten((list(call_args), call_kwargs))
                              if isinstance(value, KerasTensor)]
        for index, tensor in enumerate(tree.flatten(outputs)):
            tensor._history = (self, index)
        layer._inbound_nodes.append(self)

    @property
    def parent_nodes(self) -> list["Node"]:
        return [tensor._history[0] for tensor in self.input_tensors]


def is_symbolic(args, kwargs) -> bool:
    """True when any argument of a layer call is a KerasTensor."""
    return any(isinstance(value, KerasTensor) for value in tree.flatten((list(args), kwargs)))


def is_shape(value) -> bool:
    """A shape is a tuple (or list) of ints and Nones; anything else nests shapes."""
    return isinstance(value, (tuple, list)) and all(v is None or isinstance(v, int) for v in value)


def map_shapes(function, structure):
    """Apply ``function`` to every shape inside a nested structure of shapes."""
    if is_shape(structure):
        return function(tuple(structure))
    if isinstance(structure, dict):
        return {key: map_shapes(function, value) for key, value in structure.items()}
    return type(structure)(map_shapes(function, value) for value in structure)


def symbolic_call(layer, args: tuple, kwargs: dict):
    """Call ``layer`` on KerasTensors: build it, compute its output spec, record a Node."""
    if not layer.built:
        layer.build_from_call(args, kwargs)
    outputs = layer.compute_output_spec(*args, **kwargs)
    names = iter(range(len(tree.flatten(outputs))))
    outputs = tree.map_structure(lambda spec: _named(spec, layer.name, next(names)), outputs)
    Node(layer, args, kwargs, outputs)
    return outputs


def _named(spec: KerasTensor, name: str, index: int) -> KerasTensor:
    return KerasTensor(spec.shape, spec.dtype, name if index == 0 else f"{name}_{index}")


def spec_from_shape(shape_structure, dtype: str):
    return map_shapes(lambda shape: KerasTensor(shape, dtype), shape_structure)


def _concrete(value, fill_batch: int, fill_other: int):
    """A ones-filled tensor standing in for a KerasTensor (unknown sizes filled in)."""
    if not isinstance(value, KerasTensor):
        return value
    shape = tuple((fill_batch if axis == 0 else fill_other) if size is None else size
                  for axis, size in enumerate(value.shape))
    return ember.ones(shape, dtype=ember.as_dtype(value.dtype))


def dummy_output_spec(layer, args: tuple, kwargs: dict):
    """Output KerasTensors found by running the layer twice on small stand-in batches.

    Sizes that differ between the two runs depend on unknown input sizes and
    become ``None``; this serves layers with no ``compute_output_shape`` (Lambda,
    user layers, nested models).
    """
    runs = []
    for fill_batch, fill_other in ((2, 5), (3, 7)):
        concrete_args = tree.map_structure(lambda v: _concrete(v, fill_batch, fill_other), args)
        concrete_kwargs = tree.map_structure(lambda v: _concrete(v, fill_batch, fill_other), kwargs)
        concrete_kwargs["training"] = False
        # As Keras's symbolic call: inside a StatelessScope (state the call assigns, such as a
        # counter, is left as it was; added losses are dropped) and a SymbolicScope.
        with ember.no_grad(), scopes.StatelessScope(), scopes.SymbolicScope():
            runs.append(layer(*concrete_args, **concrete_kwargs))
    first, second = (tree.flatten(run) for run in runs)
    specs = [KerasTensor([a if a == b else None for a, b in zip(x.shape, y.shape)],
                         str(x.dtype)) for x, y in zip(first, second)]
    return tree.pack_sequence_as(runs[0], specs)


def dummy_output_shape(layer, input_shape):
    """``compute_output_shape`` for a one-argument layer, by :func:`dummy_output_spec`."""
    spec = dummy_output_spec(layer, (spec_from_shape(input_shape, layer.dtype),), {})
    return tree.map_structure(lambda kt: kt.shape, spec)
