"""Keras 3's own ``.keras`` layout: ``model.weights.h5`` and configs written by real Keras.

Keras 3 stores weights in HDF5, one group per layer named after its class in
snake case (``layers/dense``, ``layers/dense_1`` for the second Dense of a
model, in the order of ``model.layers``), each holding its variables as
datasets ``vars/0``, ``vars/1``… in creation order; a recurrent layer keeps its
cell's variables under ``layers/lstm/cell/vars`` (each sub-layer under the
attribute that holds it). Ember's layers hold their
weights in Keras's shapes and order, so the mapping is positional per layer.

Configs written by Keras carry serialization details Ember does not need
(``module``, ``registered_name``, ``shared_object_id``, ``build_config``, a
``DTypePolicy`` object for ``dtype``) and a few options Ember lacks; these are
normalized away before Ember's ``from_config`` sees them.

h5py is imported only when an HDF5 weights file is read or written, so Ember
itself needs only NumPy.
"""
from __future__ import annotations

import io
import re

import numpy as np

WEIGHTS_H5 = "model.weights.h5"
# Keras's class names that Ember spells differently.
CLASS_ALIASES = {"Functional": "Model"}
# Classes Keras exports under another name than their own (the name its configs use).
KERAS_EXPORT_NAMES = {"GroupedQueryAttention": "GroupQueryAttention"}
_SERIALIZATION_ONLY = ("module", "registered_name", "shared_object_id", "build_config")
# Options newer Keras writes that Ember lacks, with the value that leaves them inactive:
# dropped when they hold it, kept (and refused by the layer, by name) when they do not.
_KERAS_ONLY_DEFAULTS = {"optional": False, "sparse": False, "ragged": False, "quantization_config": None,
                        "synchronized": False, "renorm": False, "renorm_clipping": None,
                        "renorm_momentum": 0.99, "input_axes": None, "output_axes": None,
                        "lora_rank": None, "lora_alpha": None}


def require_h5py():
    """The h5py module, or an ImportError saying how to get it."""
    try:
        import h5py
    except ImportError:
        raise ImportError("Reading or writing Keras's HDF5 weights (model.weights.h5) needs h5py: "
                          "`pip install h5py` (it is in Ember's `test` extra)") from None
    return h5py


# --- weights ------------------------------------------------------------------------
def _snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _child_layers(model) -> list:
    """The layers Keras lists in ``model.layers`` (a Sequential's InputLayer excluded)."""
    from .layers.input_layer import InputLayer
    from .models.sequential import Sequential
    layers = list(model.layers)
    if isinstance(model, Sequential):
        layers = [layer for layer in layers if not isinstance(layer, InputLayer)]
    return layers


def _layer_groups(model):
    """(path, layer) for each layer, named as Keras's saver names them."""
    used: dict[str, int] = {}
    for layer in _child_layers(model):
        name = _snake_case(type(layer).__name__)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        yield f"layers/{name}", layer


def _variable_groups(layer, path: str):
    """(group path, weights) pairs for one layer: its own vars, then each sub-layer's under its attribute name.

    That is Keras's walk too: an LSTM's cell lands in ``lstm/cell/vars``, a
    Bidirectional's halves in ``forward_layer``/``backward_layer``, a nested
    model's layers in ``<model>/layers/<layer>``.
    """
    from .layers.layer import Layer
    from .models.model import Model
    if isinstance(layer, Model):
        yield f"{path}/vars", []
        for child_path, child in _layer_groups(layer):
            yield from _variable_groups(child, f"{path}/{child_path}")
        return
    yield f"{path}/vars", list(layer._own_weights())
    for name, child in layer._modules.items():
        if isinstance(child, Layer):
            yield from _variable_groups(child, f"{path}/{name}")


def write_weights_h5(model) -> bytes:
    """The bytes of a Keras 3 ``model.weights.h5`` holding ``model``'s weights."""
    h5py = require_h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        file.create_group("vars")
        for path, layer in _layer_groups(model):
            for group_path, weights in _variable_groups(layer, path):
                group = file.require_group(group_path)
                for index, weight in enumerate(weights):
                    group.create_dataset(str(index), data=np.asarray(weight.detach().numpy()))
    return buffer.getvalue()


def load_weights_h5(model, data: bytes, filepath: str) -> None:
    """Copy the arrays of a Keras 3 ``model.weights.h5`` into ``model``'s weights, in place."""
    h5py = require_h5py()
    with h5py.File(io.BytesIO(data), "r") as file:
        for path, layer in _layer_groups(model):
            for group_path, weights in _variable_groups(layer, path):
                if not weights:
                    continue
                if group_path not in file:
                    raise ValueError(f"{filepath!r}: {WEIGHTS_H5} has no group {group_path!r} for layer "
                                     f"{layer.name!r} ({type(layer).__name__}); its groups: {list(file['layers'])}")
                group = file[group_path]
                if len(group) != len(weights):
                    raise ValueError(f"{filepath!r}: layer {layer.name!r} ({type(layer).__name__}) has "
                                     f"{len(weights)} weights but {group_path!r} holds {len(group)}")
                for index, weight in enumerate(weights):
                    _assign(weight, np.asarray(group[str(index)]), layer, group_path, index, filepath)


def _assign(weight, value, layer, group_path, index, filepath) -> None:
    if tuple(weight.shape) != value.shape:
        raise ValueError(f"{filepath!r}: weight {index} of layer {layer.name!r} ({type(layer).__name__}) has "
                         f"shape {tuple(weight.shape)}, but {group_path}/{index} holds shape {value.shape}")
    weight._data[...] = value.astype(weight._data.dtype)  # in place: optimizers keep the same tensors
    weight._shared_version().value += 1


# --- configs written by Keras ---------------------------------------------------------
def normalize_config(value):
    """A Keras-written config with its serialization-only details removed, recursively."""
    if isinstance(value, list):
        return [normalize_config(item) for item in value]
    if not isinstance(value, dict):
        return value
    if value.get("class_name") in ("DTypePolicy", "FloatDTypePolicy") and "config" in value:
        return value["config"].get("name", "float32")
    serialized_object = "class_name" in value  # only these carry Keras's bookkeeping keys
    result = {key: normalize_config(item) for key, item in value.items()
              if not (serialized_object and key in _SERIALIZATION_ONLY)
              and not (key in _KERAS_ONLY_DEFAULTS and item == _KERAS_ONLY_DEFAULTS[key])}
    if "class_name" in result:
        result["class_name"] = CLASS_ALIASES.get(result["class_name"], result["class_name"])
    return result


# --- configs real Keras reads ----------------------------------------------------------
def to_keras_config(entry: dict) -> dict:
    """An Ember model or layer entry with the ``module`` keys Keras 3 uses to find its classes."""
    entry = dict(entry)
    config = entry.get("config")
    if entry.get("class_name") == "Model" and isinstance(config, dict) and "input_layers" in config:
        entry.update(class_name="Functional", module="keras.src.models.functional")
    elif entry.get("class_name") in ("Sequential", "Model"):
        entry["module"] = "keras"
    else:
        entry.setdefault("module", "keras.layers")
        entry["class_name"] = KERAS_EXPORT_NAMES.get(entry.get("class_name"), entry.get("class_name"))
    if isinstance(config, dict) and isinstance(config.get("layers"), list):
        entry["config"] = config = {**config, "layers": [to_keras_config(layer) for layer in config["layers"]]}
    if isinstance(config, dict):  # wrappers (Bidirectional, TimeDistributed, RNN) hold layers too
        entry["config"] = {key: to_keras_config(value) if key in _LAYER_KEYS and isinstance(value, dict)
                           and "class_name" in value else value for key, value in config.items()}
    return entry


_LAYER_KEYS = ("layer", "forward_layer", "backward_layer", "cell")


def to_keras_compile_config(compile_config: dict | None) -> dict | None:
    """Compile settings with the ``module`` keys Keras 3 needs to find optimizers, losses and metrics."""
    if not compile_config:
        return compile_config
    modules = {"optimizer": "keras.optimizers", "loss": "keras.losses", "metrics": "keras.metrics",
               "weighted_metrics": "keras.metrics"}
    return {key: _with_module(value, modules[key]) if key in modules else value
            for key, value in compile_config.items()}


def _with_module(value, module: str):
    if isinstance(value, list):
        return [_with_module(item, module) for item in value]
    if isinstance(value, dict) and "class_name" in value:
        return {"module": module, **value}
    if isinstance(value, dict):
        return {key: _with_module(item, module) for key, item in value.items()}
    return value
