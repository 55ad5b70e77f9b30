"""Run one PyTorch-style program under PyTorch and under Ember, from the same weights and data.

A program in ``programs/`` is plain PyTorch code whose only Ember-specific lines are its
imports (``import ember as torch``, ``from ember import nn``, ``from ember.vision import …``).
It exposes what a test needs to drive it briefly:

- ``make_model(device)``: the model(s), built as the program builds them (a module or a
  tuple of modules);
- ``make_data(rng)``: the data, from a NumPy generator (both libraries get the same arrays);
- ``train(model, data, steps, device)``: runs ``steps`` steps of the program's own loop and
  returns the numbers to compare (losses, outputs …) as a list of floats.

The harness loads the same source twice: as written (Ember), and with its imports turned
back into PyTorch's. torchvision can't be installed beside torch 2.13 here, so the PyTorch
run reaches ``ember.vision`` for the data utilities (``save_image`` and transforms, never
for anything the comparison measures).
"""
from __future__ import annotations

import pathlib
import re
import types

import numpy as np

PROGRAMS = pathlib.Path(__file__).resolve().parent / "programs"

_TORCH_IMPORTS = [
    (re.compile(r"^import ember as torch$", re.M), "import torch"),
    (re.compile(r"^import ember\.(\S+) as (\S+)$", re.M), r"import torch.\1 as \2"),
    (re.compile(r"^from ember import ", re.M), "from torch import "),
    (re.compile(r"^from ember\.(?!vision)(\S+) import ", re.M), r"from torch.\1 import "),
]


def torch_source(source: str) -> str:
    """The program as its PyTorch original: Ember's imports turned back into torch's."""
    for pattern, replacement in _TORCH_IMPORTS:
        source = pattern.sub(replacement, source)
    return source


def load(name: str, library: str) -> types.ModuleType:
    """Program ``name`` compiled for ``library`` ('ember' or 'torch'), not yet run."""
    path = PROGRAMS / f"{name}.py"
    source = path.read_text(encoding="utf-8")
    if library == "torch":
        source = torch_source(source)
    module = types.ModuleType(f"compat_{name}_{library}")
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), module.__dict__)
    if library == "torch":
        _vision_takes_torch_tensors(module)
    return module


def _as_numpy(value):
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        return value.detach().cpu().numpy()
    if isinstance(value, (list, tuple)):
        return [_as_numpy(item) for item in value]
    return value


def _vision_takes_torch_tensors(module: types.ModuleType) -> None:
    """The PyTorch run borrows ember.vision's image utilities (no torchvision here): hand
    them NumPy arrays where the program passes torch tensors."""
    import functools
    for name in ("save_image", "make_grid"):
        function = module.__dict__.get(name)
        if function is not None and function.__module__.startswith("ember."):
            @functools.wraps(function)
            def wrapper(tensor, *args, _function=function, **kwargs):
                return _function(_as_numpy(tensor), *args, **kwargs)
            module.__dict__[name] = wrapper


def _modules(model):
    return model if isinstance(model, (tuple, list)) else (model,)


def copy_weights(torch_model, ember_model) -> None:
    """Give the Ember model(s) the PyTorch model(s)' initial weights and buffers, key by key."""
    import ember
    for source, target in zip(_modules(torch_model), _modules(ember_model)):
        state = {key: ember.tensor(value.detach().cpu().numpy())
                 for key, value in source.state_dict().items()}
        target.load_state_dict(state)


def without_dropout(model) -> None:
    """Set every dropout layer's probability to 0: the two libraries draw different masks by
    design, so the exact comparison runs without them (dropout has its own tests)."""
    for module in _modules(model):
        for layer in module.modules():
            if "Dropout" in type(layer).__name__:
                layer.p = 0.0
            # RNNs (between layers) and MultiheadAttention (on the weights) hold a float rate
            if isinstance(getattr(layer, "dropout", None), float):
                layer.dropout = 0.0


def run_both(name: str, steps: int, seed: int = 0):
    """(PyTorch's numbers, Ember's numbers) after ``steps`` steps from the same start."""
    import torch
    import ember
    libraries = {"torch": torch, "ember": ember}
    programs = {name_: load(name, name_) for name_ in libraries}
    models = {}
    for library, module in libraries.items():
        module.manual_seed(seed)
        models[library] = programs[library].make_model("cpu")
        without_dropout(models[library])
    copy_weights(models["torch"], models["ember"])
    results = {}
    for library, module in libraries.items():
        data = programs[library].make_data(np.random.default_rng(seed))
        module.manual_seed(seed)
        numbers = programs[library].train(models[library], data, steps, "cpu")
        results[library] = np.asarray(numbers, dtype=float)
    return results["torch"], results["ember"]
