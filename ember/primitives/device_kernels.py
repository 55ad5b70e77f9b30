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


# the ufunc methods CuPy implements (its documentation's list); others go through the host
CUPY_UFUNC_METHODS = {"reduce": {"add", "multiply"}, "accumulate": {"add", "multiply"},
                      "reduceat": {"add"}, "at": {"add", "subtract", "maximum", "minimum", "bitwise_and",
                                                  "bitwise_or", "bitwise_xor"}}


def has_ufunc_method(xp, ufunc: str, method: str) -> bool:
    """Whether ``xp.<ufunc>.<method>`` works: always on NumPy, CuPy's list elsewhere."""
    return xp is numpy or ufunc in CUPY_UFUNC_METHODS.get(method, ())


def on_host(xp, function, operand, *args, **kwargs):
    """``function`` (a NumPy computation) applied to ``operand`` through host memory, back on its device."""
    if xp is numpy or isinstance(operand, numpy.ndarray):
        return function(operand, *args, **kwargs)
    from ..backend.namespaces import backend_of
    return xp.asarray(function(backend_of(operand).to_numpy(operand), *args, **kwargs))


def ufunc_accumulate(xp, ufunc: str, x, axis: int):
    """``xp.<ufunc>.accumulate(x, axis=axis)``, through the host where the namespace lacks it."""
    if has_ufunc_method(xp, ufunc, "accumulate"):
        return getattr(xp, ufunc).accumulate(x, axis=axis)
    return on_host(xp, getattr(numpy, ufunc).accumulate, x, axis=axis)


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
    host_args = [source.to_numpy(a) if type(a) is type(operand) else a for a in args]
    return xp.asarray(numpy.asarray(host_kernel(*host_args)).astype(operand.dtype, copy=False))
