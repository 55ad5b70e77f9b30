"""Array namespaces, devices and dtypes.

Every array belongs to a namespace by its type (``numpy.ndarray``: NumPy;
``cupy.ndarray``: CuPy once the CUDA backend is registered), and each device
type maps to one namespace (``ember.backend.namespaces``). Code working on a
tensor's data asks ``namespace_of(array)`` for the namespace to call; code
creating arrays asks ``namespace_for(device)``. There is no process-wide
namespace: a trace in one thread, eager code in another and arrays on two
devices coexist.
"""
from __future__ import annotations

import numpy

from .dtypes import (  # noqa: F401  (re-exported)
    DType, bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128,
    as_dtype, default_complex, promote_types, real_dtype, from_numpy_dtype, get_default_dtype, set_default_dtype, result_type,
    scalar_category, ALL_DTYPES,
)

from .device import CPU, DeviceError, as_device, device  # noqa: F401  (re-exported)
from .namespaces import (  # noqa: F401  (re-exported)
    DeviceBackend, backend_for, backend_of, common_namespace, default_device, device_of,
    dispatch, is_writeable, namespace_for, namespace_of, register, set_default_device, to_numpy, transfer,
    unregister,
)
from . import cuda as _cuda  # noqa: F401  (registers the 'cuda' loader; CuPy is imported on first use)

ndarray = numpy.ndarray


def __getattr__(name):
    if name == "xp":  # the process-wide namespace is gone: each array has its own
        raise AttributeError("ember.backend.xp was removed: use backend.namespace_of(array) for the "
                             "namespace of an operand, or backend.namespace_for(device) to create arrays")
    raise AttributeError(f"module 'ember.backend' has no attribute {name!r}")
