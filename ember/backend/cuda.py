"""The ``'cuda'`` device: CuPy arrays on NVIDIA GPUs, loaded the first time ``'cuda'`` is asked for.

CuPy is optional (the ``gpu`` extra: ``pip install 'ember[gpu]'``). The loader
registered here imports it only when a tensor is placed on ``cuda`` or
``ember.cuda.is_available()`` is asked; without CuPy, or with CuPy but no
visible GPU, it raises a DeviceError saying which, and ``is_available()`` is
False. Once loaded, ``cupy.ndarray`` belongs to the CuPy namespace, so every
primitive whose operands live on the GPU runs its forward with ``xp = cupy``.

Random numbers are drawn by Ember's host generator and copied to the device,
so a seeded run draws the same values on ``cpu`` and ``cuda``.

Several GPUs: a CuPy array knows its GPU (``array.device.id``), and CuPy computes on
the *current* one; so ``bind`` makes the operands' GPU current while an operation
runs (``namespaces.operands_device``), ``cuda:1`` factories create under
``cupy.cuda.Device(1)``, and moving between GPUs is CuPy's ``copy()`` on the target.
"""
from __future__ import annotations

from .device import DeviceError
from .namespaces import DeviceBackend, register, register_loader


def _import_cupy():
    try:
        import cupy
    except ImportError:
        raise DeviceError("Ember is not installed with CUDA enabled (CuPy is not installed: "
                          "pip install 'ember[gpu]' on a machine with an NVIDIA GPU); "
                          "ember.cuda.is_available() is False") from None
    except Exception as why:  # a CuPy wheel that does not match the CUDA runtime, a broken install
        raise DeviceError(f"CuPy failed to import ({type(why).__name__}: {why}); "
                          "ember.cuda.is_available() is False") from None
    return cupy


def _visible_devices(cupy) -> int:
    try:
        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # CuPy present, driver or GPU missing: CUDARuntimeError and kin
        return 0


def load() -> DeviceBackend:
    """Register the CuPy backend for ``'cuda'``, or raise DeviceError saying why it cannot be."""
    cupy = _import_cupy()
    count = _visible_devices(cupy)
    if count == 0:
        raise DeviceError("CuPy is installed but sees no CUDA GPU (no NVIDIA driver or device); "
                          "ember.cuda.is_available() is False")

    def from_numpy(array, index=None):
        # a host array goes to the current device unless an index is named
        if index is None:
            return cupy.asarray(array)
        with cupy.cuda.Device(index):
            return cupy.asarray(array)

    def synchronize(index=None):
        cupy.cuda.Device(index).synchronize()  # None: the current device

    def move(array, index):
        # CuPy's copy() writes onto the current device, whichever device holds the array
        with cupy.cuda.Device(index):
            return array.copy()

    return register(DeviceBackend(
        "cuda", cupy, cupy.ndarray, to_numpy=cupy.asnumpy, from_numpy=from_numpy,
        index_of=lambda array: array.device.id, device_count=lambda: count, synchronize=synchronize,
        current_index=lambda: cupy.cuda.Device().id, set_current=lambda index: cupy.cuda.Device(index).use(),
        on=cupy.cuda.Device, move=move))


register_loader("cuda", load)

__all__ = ["load"]
