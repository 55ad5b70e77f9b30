"""``ember.cuda``: PyTorch's ``torch.cuda`` queries, answered by the CUDA backend (CuPy) when present.

On a machine without CuPy or without an NVIDIA GPU, ``is_available()`` is
False and ``device_count()`` is 0, exactly as CPU-only PyTorch answers;
seeding and synchronising are then no-ops, and asking for a device's
properties raises the same DeviceError as placing a tensor there.

Example:
    >>> import ember
    >>> device = "cuda" if ember.cuda.is_available() else "cpu"
    >>> ember.zeros(2, device=device).device.type == device
    True
"""
from __future__ import annotations

from .backend import namespaces as _namespaces
from .backend.device import DeviceError


def is_available() -> bool:
    """Whether a CUDA GPU can hold tensors (CuPy installed and a device visible)."""
    return _namespaces.is_available("cuda")


def device_count() -> int:
    return _namespaces.backend_for("cuda").device_count() if is_available() else 0


def _backend():
    return _namespaces.backend_for("cuda")  # raises DeviceError naming 'cuda' when unavailable


def current_device() -> int:
    """The index of the current CUDA device: where ``'cuda'`` without an index places tensors."""
    return _backend().current_index()


def set_device(device) -> None:
    """Make ``device`` (an index, ``'cuda:1'`` or an ``ember.device``) the current CUDA device;
    a negative index does nothing, as in PyTorch."""
    index = _index_of(device)
    if index >= 0:
        _backend().set_current(index)


def _index_of(device) -> int:
    """PyTorch's ``_get_device_index``: an int, or a cuda device's index (None: the current one)."""
    if isinstance(device, int) and not isinstance(device, bool):
        return device
    if device is None:
        return -1
    from .backend.device import as_device
    where = as_device(device)
    if where.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {where}")
    return current_device() if where.index is None else where.index


class device:
    """``with ember.cuda.device(1):`` makes GPU 1 current inside the block (``None`` or a
    negative index: no change), as ``torch.cuda.device``.

    Example:
        >>> import ember
        >>> with ember.cuda.device(-1):  # no change: runs without a GPU too
        ...     pass
    """

    def __init__(self, device):
        self.index = _index_of(device)
        self.previous = -1

    def __enter__(self):
        if self.index >= 0:
            self.previous = current_device()
            set_device(self.index)
        return self

    def __exit__(self, *exc) -> bool:
        if self.previous >= 0:
            set_device(self.previous)
        return False


def get_device_name(device=None) -> str:
    _backend()
    import cupy
    index = 0 if device is None else int(getattr(device, "index", device) or 0)
    return cupy.cuda.runtime.getDeviceProperties(index)["name"].decode()


def synchronize(device=None) -> None:
    """Wait for the GPU's queued work (nothing to wait for without one)."""
    if is_available():
        _backend().synchronize(None if device is None else getattr(device, "index", device))


def manual_seed(seed: int) -> None:
    """Seed CUDA's generators. Ember draws every device's random numbers from the host
    generator (``ember.manual_seed``), so this has nothing of its own to seed."""


def manual_seed_all(seed: int) -> None:
    """As :func:`manual_seed`, for every device."""


def empty_cache() -> None:
    """Free cached GPU memory blocks (CuPy's memory pool) when a GPU is in use."""
    if is_available():
        import cupy
        cupy.get_default_memory_pool().free_all_blocks()


def is_initialized() -> bool:
    return is_available()


def _lazy_amp():
    """``ember.cuda.amp`` (also for ``from ember.cuda.amp import GradScaler``), loaded on first use."""
    import importlib.util
    import os
    import sys
    path = os.path.join(os.path.dirname(__file__), "amp", "cuda_namespace.py")
    spec = importlib.util.spec_from_file_location(__name__ + ".amp", path)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


amp = _lazy_amp()

__all__ = ["is_available", "device_count", "current_device", "set_device", "device", "get_device_name", "synchronize",
           "manual_seed", "manual_seed_all", "empty_cache", "is_initialized", "DeviceError"]
