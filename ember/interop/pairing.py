"""Line up a PyTorch-style state dict with a Keras model's weighted layers, in order.

A state dict is grouped by module prefix (``"features.0.weight"`` →
``"features.0"``); each group and each Keras layer gets a *kind* (dense,
conv, batchnorm, lstm). Each weighted Keras layer, in call order, takes
the first remaining group of its kind whose shapes fit. Names never have
to match. A dict whose keys are sorted (a safetensors file sorts them,
losing the module order) is first put in natural order ("4" before "10").
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy

from ember.keras import layers as keras_layers
from ember.keras.layers.conv import _Conv
from ember.nn.state_dict import as_array

SKIPPED_KEYS = ("num_batches_tracked",)  # a counter, not a weight: Keras has no counterpart


class InteropError(ValueError):
    """The two models cannot be paired (different layers, or a layer kind with no conversion)."""


@dataclass
class TorchGroup:
    """One PyTorch module's entries: ``prefix`` plus its arrays by local name (``weight``, …)."""
    prefix: str
    arrays: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        names = set(self.arrays)
        if "weight_ih_l0" in names:
            return "lstm"
        if "running_mean" in names:
            return "batchnorm"
        weight = self.arrays.get("weight")
        if weight is not None and weight.ndim == 2:
            return "dense"
        if weight is not None and weight.ndim >= 3:
            return "conv"
        return "unknown"


def state_dict_of(source) -> dict:
    """A module's ``state_dict()`` (torch or Ember), or the mapping itself."""
    return source.state_dict() if hasattr(source, "state_dict") else dict(source)


def torch_groups(source) -> list[TorchGroup]:
    """The state dict as NumPy arrays grouped by module, in the dict's order.

    Example:
        >>> import numpy
        >>> groups = torch_groups({"fc.weight": numpy.ones((2, 3)), "fc.bias": numpy.ones(2)})
        >>> [(g.prefix, g.kind, sorted(g.arrays)) for g in groups]
        [('fc', 'dense', ['bias', 'weight'])]
    """
    groups: dict[str, TorchGroup] = {}
    state = state_dict_of(source)
    for key, value in state.items():
        prefix, _, local = key.rpartition(".")
        group = groups.setdefault(prefix, TorchGroup(prefix))
        group.arrays[local] = numpy.array(as_array(value))  # a copy: never alias the caller's tensors
    ordered = list(groups.values())
    keys = list(state)
    if keys == sorted(keys):  # as a safetensors file stores them: "10.weight" before "4.weight"
        ordered.sort(key=lambda group: _natural_key(group.prefix))
    return ordered


def _natural_key(prefix: str) -> list:
    """``"features.10"`` after ``"features.4"``: numeric parts compare as numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in prefix.split(".")]


def keras_kind(layer) -> str:
    """The conversion kind of a Keras layer, or ``"unknown"``."""
    if isinstance(layer, keras_layers.Dense):
        return "dense"
    if isinstance(layer, _Conv):
        return "conv"
    if isinstance(layer, keras_layers.BatchNormalization):
        return "batchnorm"
    if isinstance(layer, keras_layers.LSTM):
        return "lstm"
    return "unknown"


def keras_leaf_layers(model) -> list:
    """The model's layers in call order, nested models expanded."""
    found = []
    for layer in model.layers:
        if hasattr(layer, "layers") and not isinstance(layer, keras_layers.InputLayer):
            found.extend(keras_leaf_layers(layer))
        else:
            found.append(layer)
    return found


def weighted_layers_with_flatten(model) -> list[tuple]:
    """``(layer, flatten_shape)`` per weighted layer; ``flatten_shape`` is set for the Dense that
    reads a flattened convolutional feature map (its channels-last shape), else None."""
    pairs, seen_conv, pending = [], False, None
    for layer in keras_leaf_layers(model):
        if isinstance(layer, keras_layers.Flatten) and seen_conv:
            pending = _flatten_input_shape(layer)
        if not layer.weights:
            continue
        kind = keras_kind(layer)
        pairs.append((layer, pending if kind == "dense" else None))
        seen_conv = seen_conv or kind == "conv"
        pending = None  # only the first weighted layer after the Flatten reads it
    return pairs


def _flatten_input_shape(layer):
    shape = layer._build_shapes
    if shape is None:
        raise InteropError(f"Flatten layer {layer.name!r} was never called: build the Keras model "
                           "(give it an input shape or call it once) before converting weights")
    return tuple(shape[1:]) if len(shape) > 2 else None


def pair(groups: list[TorchGroup], pairs: list[tuple], expected_shapes) -> list[tuple]:
    """``(group, layer, flatten_shape)`` triples: each Keras layer, in order, takes the first
    remaining group of its kind whose shapes fit (``expected_shapes(layer, flatten_shape)``
    gives them by PyTorch name); anything left unpaired on either side is an error."""
    remaining, triples = list(groups), []
    for layer, flatten_shape in pairs:
        shapes = expected_shapes(layer, flatten_shape)
        group = next((g for g in remaining if g.kind == keras_kind(layer) and _fits(g, shapes)), None)
        if group is None:
            raise InteropError(f"No PyTorch module fits Keras layer {layer.name!r} ({type(layer).__name__}, "
                               f"expects {shapes}); unpaired modules: {_describe(remaining)}")
        remaining.remove(group)
        triples.append((group, layer, flatten_shape))
    if remaining:
        raise InteropError(f"PyTorch modules without a Keras layer: {_describe(remaining)}")
    return triples


def _fits(group: TorchGroup, shapes: dict) -> bool:
    common = set(group.arrays) & set(shapes)
    return all(group.arrays[name] is None or tuple(group.arrays[name].shape) == shapes[name] for name in common)


def _describe(groups: list[TorchGroup]) -> list[str]:
    return [f"{g.prefix or '<root>'} ({g.kind})" for g in groups]
