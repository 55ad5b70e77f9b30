"""The array namespace every numeric call goes through.

``xp`` is NumPy by default. CuPy exposes the same namespace, so switching the
module-level ``xp`` (``use('cupy')``) is the one place a GPU backend plugs in;
nothing else in Ember imports NumPy for arithmetic on tensor data.
"""
from __future__ import annotations

import numpy

from .dtypes import (  # noqa: F401  (re-exported)
    DType, bool_, uint8, int8, int16, int32, int64, float16, float32, float64,
    as_dtype, from_numpy_dtype, get_default_dtype, set_default_dtype, result_type,
    scalar_category, ALL_DTYPES,
)

xp = numpy
ndarray = numpy.ndarray


def use(name: str) -> None:
    """Select the array backend by name: ``'numpy'`` (default) or ``'cupy'``."""
    global xp, ndarray
    if name == "numpy":
        xp, ndarray = numpy, numpy.ndarray
    elif name == "cupy":
        import cupy  # optional dependency; fails clearly when absent
        xp, ndarray = cupy, cupy.ndarray
    else:
        raise ValueError(f"unknown backend {name!r}; expected 'numpy' or 'cupy'")


def device_of(array) -> str:
    """The device name of a backend array: ``'cpu'`` for NumPy, ``'cuda:N'`` for CuPy."""
    if isinstance(array, numpy.ndarray):
        return "cpu"
    return f"cuda:{array.device.id}"
