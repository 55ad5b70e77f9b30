"""Kernels NumPy lacks (SciPy's special functions), run where their operand lives.

On NumPy arrays the host kernel runs as before. On CuPy arrays the same-named
function of ``cupyx.scipy.special`` runs on the GPU. Any other namespace (the
test stand-in device, a future backend without such a kernel) copies the operand
to the host, runs the host kernel and copies the result back, so results are
right everywhere and only speed depends on the device.
"""
from __future__ import annotations

import numpy

_DEVICE_SPECIAL: dict = {}  # namespace name -> its scipy.special counterpart module (or None)


def _device_special(xp):
    name = getattr(xp, "__name__", "")
    if name not in _DEVICE_SPECIAL:
        module = None
        if name == "cupy":
            try:
                import cupyx.scipy.special as module
            except ImportError:  # pragma: no cover - needs CuPy
                module = None
        _DEVICE_SPECIAL[name] = module
    return _DEVICE_SPECIAL[name]


def special(xp, name: str, host_kernel, *args, operand):
    """``host_kernel(*args)`` computed on ``operand``'s device (``args`` hold it and plain numbers)."""
    if xp is numpy or isinstance(operand, numpy.ndarray):
        return host_kernel(*args)
    module = _device_special(xp)
    kernel = getattr(module, name, None) if module is not None else None
    if kernel is not None:
        return kernel(*args).astype(operand.dtype, copy=False)
    from ..backend.namespaces import backend_of
    source = backend_of(operand)
    host_args = [source.to_numpy(a) if a is operand else a for a in args]
    return xp.asarray(numpy.asarray(host_kernel(*host_args)).astype(operand.dtype, copy=False))
