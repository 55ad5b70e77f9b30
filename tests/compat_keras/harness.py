"""Run one Keras-style program under real Keras 3 and under Ember, from the same weights and data.

A program in ``programs/`` is keras.io / TensorFlow 2 tutorial code whose only Ember-specific
lines are its imports (``from ember import keras``, ``from ember.keras import layers``,
``import ember as tf``). It exposes what a test needs to drive it briefly:

- ``make_data(rng)``: the data, from a NumPy generator (both libraries get the same arrays);
- ``build_model()``: the model as the program builds it;
- ``train(model, data)``: runs the program's own ``compile``/``fit`` (a few short epochs) and
  returns a dict of the numbers to compare: ``losses`` (per-epoch values of ``fit``'s
  History, compared to 1e-4) and ``predictions`` (outputs after training, to 1e-5).

The harness loads the same source twice: as written (Ember), and with its imports turned
back into real Keras's. Programs that use ``import ember as tf`` need TensorFlow on the
reference side, which Keras-on-torch lacks; those run under Ember only (see the tests).
"""
from __future__ import annotations

import os
import pathlib
import re
import types

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")

PROGRAMS = pathlib.Path(__file__).resolve().parent / "programs"

_KERAS_IMPORTS = [
    (re.compile(r"^from ember import keras$", re.M), "import keras"),
    (re.compile(r"^from ember\.keras import ", re.M), "from keras import "),
    (re.compile(r"^from ember\.keras\.(\S+) import ", re.M), r"from keras.\1 import "),
]


def keras_source(source: str) -> str:
    """The program as its Keras original: Ember's imports turned back into keras's."""
    if re.search(r"^import ember as tf$", source, re.M):
        raise ValueError("this program uses TensorFlow (import ember as tf): no Keras-on-torch twin")
    for pattern, replacement in _KERAS_IMPORTS:
        source = pattern.sub(replacement, source)
    return source


def load(name: str, library: str) -> types.ModuleType:
    """Program ``name`` compiled for ``library`` ('ember' or 'keras'), not yet run."""
    path = PROGRAMS / f"{name}.py"
    source = path.read_text(encoding="utf-8")
    if library == "keras":
        source = keras_source(source)
    module = types.ModuleType(f"compat_keras_{name}_{library}")
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


def _all_layers(model):
    """Every layer inside ``model``, nested models and wrappers included."""
    stack, seen = list(getattr(model, "layers", [])), []
    while stack:
        layer = stack.pop()
        seen.append(layer)
        stack.extend(getattr(layer, "layers", []) or [])
        stack.extend(item for item in _sublayer_attributes(layer) if item not in seen)
        for attribute in ("layer", "forward_layer", "backward_layer"):
            inner = getattr(layer, attribute, None)
            if inner is not None and inner is not layer and inner not in seen:
                stack.append(inner)
    return seen


def _sublayer_attributes(layer):
    """Layers a Layer subclass holds in its attributes (``self.dropout1 = layers.Dropout(…)``)."""
    found, attributes = [], dict(vars(layer))
    attributes.update(attributes.get("_modules") or {})  # torch-style modules keep them here
    for value in list(attributes.values()):
        if hasattr(value, "get_weights") and hasattr(value, "call") and value is not layer:
            found.append(value)
    return found


def without_dropout(model) -> None:
    """Set every dropout rate to 0: the two libraries draw different masks by design, so the
    exact comparison runs without them (dropout has its own tests). Recurrent layers' own
    dropout stays as the program sets it: the programs here leave it at 0."""
    for layer in _all_layers(model):
        if "Dropout" in type(layer).__name__:
            layer.rate = 0.0
        if "Attention" in type(layer).__name__:  # attention-score dropout: Keras's _dropout_layer, Ember's rate
            inner = getattr(layer, "_dropout_layer", None)
            if inner is not None:
                inner.rate = 0.0
            attribute = "_dropout" if inner is not None else "dropout"  # Keras's `dropout` is read-only
            if isinstance(getattr(layer, attribute, None), float):
                setattr(layer, attribute, 0.0)


def copy_weights(source, target) -> None:
    """Give ``target`` (Ember) the weights of ``source`` (Keras), layer by layer by name.

    Layer by layer because Ember's functional models list their layers (and so
    ``get_weights()``) in a different order from Keras's when branches interleave."""
    for layer in source.layers:
        weights = layer.get_weights()
        if weights:
            target.get_layer(layer.name).set_weights([np.asarray(w) for w in weights])
    assert len(source.get_weights()) == len(target.get_weights())


def as_numpy(value):
    """A result (tensor, list, dict of them) as NumPy arrays."""
    if isinstance(value, dict):
        return {key: as_numpy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_numpy(item) for item in value]
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu()
    return np.asarray(value, dtype=float)


def numpy_timeseries_windows(data, targets, sequence_length, sampling_rate=1, batch_size=128,
                             sequence_stride=1):
    """Keras's ``timeseries_dataset_from_array`` (no shuffling) in NumPy, as a ``PyDataset``.

    Real Keras builds these windows with TensorFlow (or grain), neither of which is installed
    beside Keras-on-torch; the reference run takes this stand-in instead."""
    import keras as real_keras
    data = np.asarray(data)
    count = len(data) - (sequence_length - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    starts = np.arange(0, count, sequence_stride)
    windows = np.stack([data[s:s + sequence_length * sampling_rate:sampling_rate] for s in starts])
    labels = None if targets is None else np.asarray(targets)[starts]

    class Windows(real_keras.utils.PyDataset):
        def __len__(self):
            return -(-len(windows) // batch_size)

        def __getitem__(self, index):
            part = slice(index * batch_size, (index + 1) * batch_size)
            return windows[part] if labels is None else (windows[part], labels[part])

    return Windows()


def fresh_session(keras_module, seed: int = 0) -> None:
    """Name counters reset (so both libraries name layers alike) and the seed set."""
    keras_module.backend.clear_session()
    keras_module.utils.set_random_seed(seed)


def run_both(name: str, seed: int = 0):
    """(Keras's numbers, Ember's numbers): the program's ``train`` results from the same start."""
    import keras as real_keras
    from ember import keras as ember_keras
    programs = {"keras": load(name, "keras"), "ember": load(name, "ember")}
    models = {}
    for library, keras_module in (("keras", real_keras), ("ember", ember_keras)):
        fresh_session(keras_module, seed)
        models[library] = programs[library].build_model()
        without_dropout(models[library])
    copy_weights(models["keras"], models["ember"])
    results = {}
    for library in ("keras", "ember"):
        data = programs[library].make_data(np.random.default_rng(seed))
        results[library] = as_numpy(programs[library].train(models[library], data))
    return results["keras"], results["ember"]


def run_ember(name: str, seed: int = 0):
    """The program's ``train`` results under Ember alone, with its model."""
    from ember import keras as ember_keras
    program = load(name, "ember")
    fresh_session(ember_keras, seed)
    model = program.build_model()
    data = program.make_data(np.random.default_rng(seed))
    return program, model, program.train(model, data)
