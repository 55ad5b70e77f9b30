"""Saving and loading Keras models: configs as JSON, weights as safetensors.

``model.save('m.keras')`` writes a zip archive holding ``config.json`` (the
architecture, from ``get_config``, plus the compile settings),
``metadata.json`` and the weights: ``model.weights.h5`` in Keras 3's own HDF5
layout when h5py is installed (so real Keras loads the file; see
``keras_format``), else ``model.weights.safetensors`` (the state dict, written
by ``ember.save``). Files written by real Keras 3 load too; ``load_model`` rebuilds the model from the config and
loads the weights. ``save_weights``/``load_weights`` write and read the
safetensors file alone. Files are written atomically; loading runs no code
(no pickle), and a Lambda layer's lambda is only rebuilt with ``safe_mode=False``.

Example:
    >>> import os, tempfile, numpy as np
    >>> from ember import keras
    >>> model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, name="out")])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
    >>> model.save(path)
    >>> restored = keras.models.load_model(path)
    >>> x = np.ones((1, 3), dtype="float32")
    >>> bool(np.allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0)))
    True
"""
from __future__ import annotations

import contextlib
import contextvars
import hashlib
import datetime
import io
import json
import os
import zipfile
from collections import deque

import ember
from ember.io.atomic import atomic_write

from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from . import keras_format
from .layers.symbolic import KerasTensor
from .utils import serialization
from .utils.serialization import (CustomObjectScope, custom_object_scope, deserialize_keras_object,
                                  get_custom_objects, get_registered_name, get_registered_object,
                                  register_keras_serializable, serialize_keras_object)

_SAFE_MODE = contextvars.ContextVar("keras_safe_mode", default=True)
_CONFIG, _METADATA, _WEIGHTS = "config.json", "metadata.json", "model.weights.safetensors"


# --- registry (keras.utils.serialization holds it; these are Keras's keras.saving spellings) -----
def _class_for(name: str, custom_objects: dict | None = None):
    """The class for ``name``: custom objects, scopes and registered ones, then Keras's own."""
    from . import layers, models
    name = keras_format.CLASS_ALIASES.get(name, name)
    found = serialization.get_registered_object(name, custom_objects)
    if found is None:  # a file may name a registered class by its bare name
        found = next((obj for key, obj in serialization.get_custom_objects().items()
                      if key.rpartition(">")[2] == name), None)
    if found is not None:
        return found
    for module in (layers, models):
        if isinstance(getattr(module, name, None), type):
            return getattr(module, name)
    raise ValueError(f"Could not locate class {name!r}: Ember has no layer or model of that name. Make sure custom classes are decorated with "
                     "`@keras.saving.register_keras_serializable()` or passed in `custom_objects`.")


def serialize_layer(layer) -> dict:
    entry = {"class_name": type(layer).__name__, "config": layer.get_config()}
    registered = get_registered_name(type(layer))
    if registered != type(layer).__name__:  # a registered custom class: Keras finds it by that name
        entry.update(module=type(layer).__module__, registered_name=registered)
    return entry


def deserialize_layer(config: dict, custom_objects: dict | None = None):
    cls = _class_for(config["class_name"], custom_objects)
    from .models import Model
    from .layers.core import Lambda
    if issubclass(cls, Model):
        return cls.from_config(config["config"], custom_objects=custom_objects)
    if issubclass(cls, Lambda):
        return cls.from_config(config["config"], safe_mode=_SAFE_MODE.get())
    return cls.from_config(config["config"])


@contextlib.contextmanager
def safe_mode_scope(safe_mode: bool):
    token = _SAFE_MODE.set(safe_mode)
    try:
        yield
    finally:
        _SAFE_MODE.reset(token)


# --- functional configs -------------------------------------------------------------
def functional_config(model) -> dict:
    """Layers with their inbound nodes, and the graph's inputs and outputs by history."""
    graph = model._graph

    def encode(value):
        if isinstance(value, KerasTensor):  # Keras 3's own spelling, so real Keras reads it
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(value.shape), "dtype": value.dtype,
                               "keras_history": graph.history_of(value)}}
        if isinstance(value, dict):
            return {key: encode(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [encode(item) for item in value]
        return value
    layers = []
    for layer in graph.layers:
        nodes = [node for node in layer._inbound_nodes if node in graph._node_set and node.call_args]
        layers.append({**serialize_layer(layer), "name": layer.name,
                       "inbound_nodes": [{"args": encode(list(node.call_args)), "kwargs": encode(node.call_kwargs)}
                                         for node in nodes]})
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": _histories(graph.inputs, graph), "output_layers": _histories(graph.outputs, graph)}


def _histories(value, graph):
    """A model's inputs or outputs as Keras writes them: [layer name, node index, tensor index] triples."""
    if isinstance(value, KerasTensor):
        return graph.history_of(value)
    if isinstance(value, dict):
        return {key: _histories(item, graph) for key, item in value.items()}
    return [_histories(item, graph) for item in value]


def _is_history(value) -> bool:
    return isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) \
        and all(isinstance(index, int) for index in value[1:])


def functional_from_config(cls, config: dict, custom_objects: dict | None = None):
    """Rebuild the layers, replay their calls on KerasTensors, and make ``cls(inputs, outputs)``."""
    layers = {item["name"]: deserialize_layer(item, custom_objects) for item in config["layers"]}
    produced = {name: [] for name in layers}  # outputs of each layer's nodes, in order
    for name, layer in layers.items():
        if not any(item["inbound_nodes"] for item in config["layers"] if item["name"] == name):
            produced[name].append(layer._inbound_nodes[0].outputs)  # an InputLayer's own node
    pending = deque((item["name"], node) for item in config["layers"] for node in item["inbound_nodes"])
    stalled = 0
    while pending:
        name, node = pending.popleft()
        try:
            args, kwargs = _decode(node["args"], produced), _decode(node["kwargs"], produced)
        except LookupError:
            pending.append((name, node))
            stalled += 1
            if stalled > len(pending):
                raise ValueError(f"Cannot rebuild the functional model: layer {name!r} needs outputs "
                                 "that no layer produces")
            continue
        stalled = 0
        produced[name].append(layers[name](*args, **kwargs))
    inputs = _decode(config["input_layers"], produced, top_level=True)
    outputs = _decode(config["output_layers"], produced, top_level=True)
    return cls(inputs=inputs, outputs=outputs, name=config.get("name"))


def _decode(value, produced: dict, top_level: bool = False):
    if top_level and _is_history(value):  # a model's inputs/outputs, in Keras's triple spelling
        value = {"keras_history": value}
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        value = value["config"]
    if isinstance(value, dict) and "keras_history" in value:
        name, node_index, tensor_index = value["keras_history"]
        if node_index >= len(produced[name]):
            raise LookupError(name)
        outputs = produced[name][node_index]
        from .utils import tree
        return tree.flatten(outputs)[tensor_index]
    if isinstance(value, dict):
        return {key: _decode(item, produced) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item, produced, top_level) for item in value]
    return value


# --- JSON ----------------------------------------------------------------------------
def model_to_json(model, **kwargs) -> str:
    return json.dumps(serialize_layer(model), **kwargs)


def model_from_json(json_string: str, custom_objects: dict | None = None):
    return deserialize_layer(json.loads(json_string), custom_objects)


def _compile_config(model) -> dict | None:
    if not getattr(model, "compiled", False):
        return None
    return {"optimizer": optimizers_module.serialize(model.optimizer),
            "loss": _serializable(model.loss, losses_module.serialize),
            "metrics": _serializable(model._compile_metrics._specs[0], metrics_module.serialize),
            "weighted_metrics": _serializable(model._compile_metrics._specs[1], metrics_module.serialize),
            "loss_weights": None if model._compile_loss is None else model._compile_loss.weights,
            "run_eagerly": model.run_eagerly}


def _serializable(spec, serialize):
    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, dict):
        return {key: _serializable(value, serialize) for key, value in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_serializable(value, serialize) for value in spec]
    return serialize(spec)


def _deserialize_spec(spec, get):
    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, dict) and "class_name" in spec:
        return get(spec)
    if isinstance(spec, dict):
        return {key: _deserialize_spec(value, get) for key, value in spec.items()}
    return [_deserialize_spec(value, get) for value in spec]


# --- whole models -------------------------------------------------------------------
def save_model(model, filepath, overwrite: bool = True, **kwargs) -> None:
    """Write ``model`` (config, compile settings and weights) to a ``.keras`` zip file."""
    filepath = os.fspath(filepath)
    if not filepath.endswith(".keras"):
        raise ValueError(f"The filepath must end in `.keras` (the native Keras format); received "
                         f"{filepath!r}. Use model.save_weights() for a weights-only file.")
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    config = {**keras_format.to_keras_config(serialize_layer(model)),
              "compile_config": keras_format.to_keras_compile_config(_compile_config(model)),
              "build_config": {"input_shape": _jsonable(model._build_shapes)}}
    metadata = {"keras_version": f"ember-{ember.__version__}",
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    weights_name, weights = _weights_entry(model)
    # HDF5 has no checksum of its own: the digest lets Ember notice a damaged file (Keras ignores it).
    metadata["weights_sha256"] = hashlib.sha256(weights).hexdigest()

    def write(file):
        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(_METADATA, json.dumps(metadata))
            archive.writestr(_CONFIG, json.dumps(config))
            archive.writestr(weights_name, weights)
    atomic_write(filepath, write)


def _weights_entry(model) -> tuple[str, bytes]:
    """Keras 3's HDF5 weights when h5py is installed (so real Keras reads the file), else safetensors."""
    try:
        return keras_format.WEIGHTS_H5, keras_format.write_weights_h5(model)
    except ImportError:
        weights = io.BytesIO()
        ember.save(_state(model), weights)
        return _WEIGHTS, weights.getvalue()


def _weights_name(filepath: str) -> str | tuple[str, str]:
    """Which weights entry the archive holds: Keras's HDF5 one or Ember's safetensors one."""
    try:
        with zipfile.ZipFile(filepath) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, EOFError, OSError):
        return _WEIGHTS  # _read_archive reports the problem with the file's name
    for name in (keras_format.WEIGHTS_H5, _WEIGHTS):
        if name in names:
            return name
    raise ValueError(f"{filepath!r} is not a valid .keras file: it holds no {keras_format.WEIGHTS_H5} "
                     f"or {_WEIGHTS} (its entries: {names[:8]})")


def _check_digest(filepath: str, name: str, weights: bytes) -> None:
    """Compare the weights with the digest Ember wrote in metadata.json, when there is one."""
    try:
        (raw,) = _read_archive(filepath, (_METADATA,))
        expected = json.loads(raw).get("weights_sha256")
    except (ValueError, AttributeError):
        return  # files written by Keras have no digest (or no readable metadata): nothing to check
    if expected and hashlib.sha256(weights).hexdigest() != expected:
        raise ember.io.CorruptFileError(f"{filepath!r}: its {name} is damaged: its SHA-256 digest does not "
                                        "match the one recorded in metadata.json")


def _load_entry(model, filepath: str, name: str, weights: bytes, skip_mismatch: bool) -> None:
    if name == keras_format.WEIGHTS_H5:
        _check_digest(filepath, name, weights)
        try:
            keras_format.load_weights_h5(model, weights, filepath)
        except OSError as error:  # h5py's error for bytes that are not HDF5
            raise ValueError(f"{filepath!r}: its {name} is not a readable HDF5 file ({error})") from None
    else:
        _load_state(model, _load_weights_entry(filepath, weights), skip_mismatch=skip_mismatch)


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True):
    """Rebuild a model saved by :func:`save_model` (or by real Keras 3) and load its weights."""
    filepath = os.fspath(filepath)
    weights_name = _weights_name(filepath)
    config, weights = _read_config(filepath, _read_archive(filepath, (_CONFIG, weights_name)))
    config = keras_format.normalize_config(config)
    from . import config as config_module
    with safe_mode_scope(safe_mode and not config_module.is_unsafe_deserialization_enabled()):
        try:
            model = deserialize_layer(config, custom_objects)
        except (KeyError, TypeError, AttributeError, IndexError) as error:
            raise ValueError(f"{filepath!r}: {_CONFIG} does not describe a model Ember can rebuild "
                             f"({type(error).__name__}: {error})") from error
    if not model.built and (config.get("build_config") or {}).get("input_shape"):
        model.build(_shape_structure(config["build_config"]["input_shape"]))
    _load_entry(model, filepath, weights_name, weights, skip_mismatch=False)
    compile_config = config.get("compile_config")
    if compile and compile_config:
        model.compile(optimizer=optimizers_module.deserialize(compile_config["optimizer"]),
                      loss=_deserialize_spec(compile_config["loss"], losses_module.get),
                      metrics=_deserialize_spec(compile_config["metrics"], metrics_module.get),
                      weighted_metrics=_deserialize_spec(compile_config["weighted_metrics"], metrics_module.get),
                      loss_weights=compile_config.get("loss_weights"),
                      run_eagerly=compile_config.get("run_eagerly", False))
    return model


# --- reading archives, with errors that name the file -------------------------------------
def _looks_like_zip(filepath: str) -> bool:
    try:
        with open(filepath, "rb") as file:
            return file.read(4) == b"PK\x03\x04" or filepath.endswith(".keras")
    except OSError:
        return filepath.endswith(".keras")


def _read_archive(filepath: str, names: tuple[str, ...]) -> list[bytes]:
    """The bytes of ``names`` in the .keras zip archive at ``filepath``, or a ValueError naming it."""
    invalid = f"{filepath!r} is not a valid .keras file"
    try:
        with zipfile.ZipFile(filepath) as archive:
            present = archive.namelist()
            missing = [name for name in names if name not in present]
            if missing:
                raise ValueError(f"{invalid}: it holds no {' or '.join(missing)} (its entries: "
                                 f"{present[:8]})")
            return [archive.read(name) for name in names]
    except zipfile.BadZipFile as error:
        raise ValueError(f"{invalid}: it is not a readable zip archive ({error}); it may be "
                         "truncated or only partly written") from None
    except (EOFError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise ValueError(f"{invalid}: reading it failed ({error})") from None


def _read_config(filepath: str, entries: list[bytes]):
    raw, weights = entries
    try:
        config = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{filepath!r}: its {_CONFIG} is not valid JSON ({error})") from None
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str) \
            or not isinstance(config.get("config"), dict):
        raise ValueError(f"{filepath!r}: its {_CONFIG} does not describe a model (expected an "
                         "object with 'class_name' and 'config')")
    return config, weights


def _load_weights_entry(filepath: str, weights: bytes) -> dict:
    try:
        return ember.load(io.BytesIO(weights))
    except ember.io.CorruptFileError as error:
        raise ember.io.CorruptFileError(f"{filepath!r}: its {_WEIGHTS} is damaged: {error}") from None


def _jsonable(shape):
    if shape is None:
        return None
    if isinstance(shape, dict):
        return {key: _jsonable(value) for key, value in shape.items()}
    return [_jsonable(v) if isinstance(v, (list, tuple, dict)) else v for v in shape]


def _shape_structure(value):
    if isinstance(value, dict):
        return {key: _shape_structure(item) for key, item in value.items()}
    if all(v is None or isinstance(v, int) for v in value):
        return tuple(value)
    return [_shape_structure(item) for item in value]


# --- weights --------------------------------------------------------------------------
def _state(model) -> dict:
    return {name: tensor.detach() for name, tensor in model.state_dict().items()}


def save_weights(model, filepath, overwrite: bool = True) -> None:
    """Write the model's weights: Keras 3's HDF5 layout for a ``.weights.h5`` path, else safetensors."""
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    if not model.built and not model.weights:
        raise ValueError("The model has no weights yet: build it (call it on data) before saving weights")
    if os.fspath(filepath).endswith(".h5"):  # Keras 3's `.weights.h5`, readable by real Keras
        data = keras_format.write_weights_h5(model)
        atomic_write(os.fspath(filepath), lambda file: file.write(data))
        return
    ember.save(_state(model), os.fspath(filepath))


def load_weights(model, filepath, skip_mismatch: bool = False) -> None:
    """Load weights written by :func:`save_weights` (or ``model.save``) into ``model``."""
    filepath = os.fspath(filepath)
    if _looks_like_zip(filepath):
        name = _weights_name(filepath)
        (weights,) = _read_archive(filepath, (name,))
        _load_entry(model, filepath, name, weights, skip_mismatch)
        return
    if filepath.endswith(".h5"):  # a `.weights.h5` file written by Keras 3 (or by save_weights)
        with open(filepath, "rb") as file:
            _load_entry(model, filepath, keras_format.WEIGHTS_H5, file.read(), skip_mismatch)
        return
    _load_state(model, ember.load(filepath), skip_mismatch)


def _load_state(model, state: dict, skip_mismatch: bool) -> None:
    """By name when the names match (same architecture); otherwise by position, as Keras's order."""
    own = model.state_dict()
    if set(own) == set(state):
        model.load_state_dict(state)
        return
    weights = model.weights
    values = list(state.values())
    if len(values) != len(weights) and not skip_mismatch:
        raise ValueError(f"The weights file holds {len(values)} tensors {sorted(state)[:6]}…, but the model "
                         f"has {len(weights)} weights {sorted(own)[:6]}…; is it the same architecture?")
    for weight, value in zip(weights, values):
        if tuple(weight.shape) != tuple(value.shape):
            if skip_mismatch:
                continue
            raise ValueError(f"Weight shape {tuple(weight.shape)} does not match the saved shape "
                             f"{tuple(value.shape)}")
        weight._data[...] = value._data  # in place: the optimizer keeps the same tensors
        weight._shared_version().value += 1
