"""Where ``fit``, ``evaluate`` and ``predict`` run: the GPU when one is available, as Keras 3 on torch.

Keras 3's torch backend picks its device once: ``KERAS_TORCH_DEVICE`` if set, else
``cuda`` when torch sees a GPU, else ``cpu``; ``with keras.device("cpu"):`` overrides it
for a block (``"gpu"`` is spelled ``"cuda"`` there). Ember does the same, and the
training loop places the model, the weights it builds, the optimizer's state and every
batch on that device. On a machine without a GPU the answer is ``'cpu'`` and the loop
does nothing extra.

Example:
    >>> from ember import keras
    >>> with keras.device("cpu"):
    ...     keras.placement.get_device()
    'cpu'
"""
from __future__ import annotations

import contextlib
import importlib.util
import os
import threading

from .. import cuda
from ..backend import namespaces

_scope = threading.local()


def _parse(device_name) -> str:
    if not isinstance(device_name, str):
        raise ValueError("Invalid value for argument `device_name`. Expected a string like 'gpu:0' or "
                         f"'cpu'. Received: device_name={device_name!r}")
    return device_name.lower().replace("gpu", "cuda")


@contextlib.contextmanager
def device(device_name: str):
    """Run (and create weights) on ``device_name`` inside the block: ``"cpu"``, ``"gpu:0"``, ``"cuda:1"``.

    Example:
        >>> from ember import keras
        >>> with keras.device("gpu:1"):
        ...     keras.placement.get_device()
        'cuda:1'
    """
    stack = _scope.__dict__.setdefault("stack", [])
    stack.append(_parse(device_name))
    try:
        yield
    finally:
        stack.pop()


def get_device() -> str:
    """The device Keras computes on now: the innermost ``keras.device`` scope, else
    ``KERAS_TORCH_DEVICE``, else ``'cuda'`` when a GPU is available, else ``'cpu'``."""
    stack = getattr(_scope, "stack", None)
    if stack:
        return stack[-1]
    chosen = os.environ.get("KERAS_TORCH_DEVICE")
    if chosen:
        return _parse(chosen)
    return "cuda" if _gpu_available() else "cpu"


_NO_CUPY: list = []  # [True] once CuPy was found not installed: later questions cost nothing


def _gpu_available() -> bool:
    if not namespaces.is_loaded("cuda") and _NO_CUPY:
        return False
    if not namespaces.is_loaded("cuda") and importlib.util.find_spec("cupy") is None:
        _NO_CUPY.append(True)
        return False
    return cuda.is_available()


def training_device():
    """The ember.device the training loop should place things on, or None for the host (no work)."""
    from ..backend.device import as_device
    where = as_device(get_device())
    return None if where.type == "cpu" else where


__all__ = ["device", "get_device", "training_device"]
