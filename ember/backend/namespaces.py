"""Which array namespace runs an operation: the one its operands' arrays belong to.

Each array type is registered with the namespace that computes on it
(``numpy.ndarray`` -> NumPy; ``cupy.ndarray`` -> CuPy once the CUDA backend
loads; a test double in the tests) and the device type it lives on. A
tensor's namespace and device are read from its array's type (one dict
lookup), so an operation runs where its operands are, and operands from two
devices are an error naming the operation.

While a static graph is traced, the tracer is found through a context
variable (``current_tracer``), so a trace in one thread leaves eager code in
other threads alone; ``dispatch.active`` counts the traces running anywhere,
so eager code pays for the context lookup only while some trace runs.
"""
from __future__ import annotations

import contextvars
import threading

import numpy

from .device import CPU, DeviceError, as_device, device


class DeviceBackend:
    """One device type: its namespace, its array type and how its arrays reach the host.

    A type with several devices (``cuda:0``, ``cuda:1``: one array type for all) also says
    which device is current (``current_index``/``set_current``), gives a context in which an
    index is current (``on(index)``: arrays made and operations run there, as
    ``cupy.cuda.Device(index)``), and copies an array to another index (``move``).
    ``from_numpy(array, index)`` then takes the index (None: the current device).
    """

    __slots__ = ("type", "namespace", "array_type", "to_numpy", "from_numpy", "index_of",
                 "is_available", "device_count", "synchronize", "current_index", "set_current", "on", "move")

    def __init__(self, type, namespace, array_type, *, to_numpy, from_numpy, index_of=None,
                 is_available=lambda: True, device_count=lambda: 1, synchronize=lambda index=None: None,
                 current_index=None, set_current=None, on=None, move=None):
        self.type, self.namespace, self.array_type = type, namespace, array_type
        self.to_numpy, self.from_numpy = to_numpy, from_numpy
        self.index_of = index_of or (lambda array: None)
        self.is_available, self.device_count, self.synchronize = is_available, device_count, synchronize
        self.current_index = current_index or (lambda: 0)
        self.set_current, self.on, self.move = set_current, on, move

    @property
    def multi_device(self) -> bool:
        """Whether this type's arrays carry a device index that operations must respect."""
        return self.on is not None

    def device_of(self, array) -> device:
        index = self.index_of(array)
        return CPU if self.type == "cpu" and index is None else device(self.type, index)


# array type -> namespace: the lookup ``bind`` makes for every operation
NAMESPACE_OF_TYPE: dict = {}
# namespaces whose arrays live on one of several devices (CuPy): ``bind`` runs their
# operations on the operands' device (``operands_device``); NumPy's is never here
MULTI_DEVICE_NAMESPACES: set = set()
_BACKEND_OF_TYPE: dict = {}
_BACKEND_OF_DEVICE: dict[str, DeviceBackend] = {}
_LOADERS: dict = {}   # device type -> function registering its backend on first use (or raising why not)


def register(backend: DeviceBackend) -> DeviceBackend:
    """Make ``backend``'s arrays and device type known (replacing an earlier one of its type)."""
    unregister(backend.type)
    _BACKEND_OF_DEVICE[backend.type] = backend
    NAMESPACE_OF_TYPE[backend.array_type] = backend.namespace
    _BACKEND_OF_TYPE[backend.array_type] = backend
    if backend.multi_device:
        MULTI_DEVICE_NAMESPACES.add(backend.namespace)
    return backend


def unregister(device_type: str) -> None:
    """Forget a device type's backend (tests register and remove a stand-in)."""
    backend = _BACKEND_OF_DEVICE.pop(device_type, None)
    if backend is None:
        return
    NAMESPACE_OF_TYPE.pop(backend.array_type, None)
    _BACKEND_OF_TYPE.pop(backend.array_type, None)
    MULTI_DEVICE_NAMESPACES.discard(backend.namespace)
    for other in _BACKEND_OF_DEVICE.values():  # another device type with the same arrays keeps its lookup
        if other.array_type is backend.array_type:
            NAMESPACE_OF_TYPE[other.array_type] = other.namespace
            _BACKEND_OF_TYPE[other.array_type] = other
            if other.multi_device:
                MULTI_DEVICE_NAMESPACES.add(other.namespace)


def register_loader(device_type: str, loader) -> None:
    """``loader()`` registers ``device_type``'s backend when first asked for, or raises DeviceError."""
    _LOADERS[device_type] = loader


def is_loaded(device_type: str) -> bool:
    """Whether ``device_type``'s backend is registered now (its loader, if any, has run and succeeded)."""
    return device_type in _BACKEND_OF_DEVICE


def registered_types() -> tuple:
    return tuple(_BACKEND_OF_DEVICE) + tuple(t for t in _LOADERS if t not in _BACKEND_OF_DEVICE)


def backend_for(where) -> DeviceBackend:
    """The backend of a device (a device, its string or None for the default)."""
    where = default_device() if where is None else as_device(where)
    found = _BACKEND_OF_DEVICE.get(where.type)
    if found is None:
        loader = _LOADERS.get(where.type)
        if loader is None:
            raise DeviceError(f"device '{where}' is not available: Ember has no {where.type} backend "
                              "(only 'cpu' here; 'cuda' needs CuPy and an NVIDIA GPU)")
        try:
            found = loader()
        except DeviceError as why:
            raise DeviceError(f"device '{where}' is not available: {why}") from None
    if where.index is not None and where.index >= found.device_count():
        raise DeviceError(f"device '{where}' is not available: only {found.device_count()} "
                          f"{where.type} device(s) are visible (invalid device ordinal)")
    return found


def is_available(device_type: str) -> bool:
    """Whether arrays can be placed on ``device_type`` (loading its backend if need be)."""
    try:
        return backend_for(device_type).is_available()
    except DeviceError:
        return False


# --- the tracer's context --------------------------------------------------------
current_tracer: contextvars.ContextVar = contextvars.ContextVar("ember_tracer", default=None)


class _Dispatch:
    """Who runs primitives: eager evaluation unless this context is tracing."""

    __slots__ = ("active", "_lock")

    def __init__(self):
        self.active = 0   # traces running in the whole process (0: no context lookup needed)
        self._lock = threading.Lock()

    @property
    def tracer(self):
        """The tracer of the current context (thread, task), or None."""
        return current_tracer.get() if self.active else None

    def enter(self, tracer):
        with self._lock:
            self.active += 1
        return current_tracer.set(tracer)

    def exit(self, token) -> None:
        current_tracer.reset(token)
        with self._lock:
            self.active -= 1


dispatch = _Dispatch()


# --- namespaces of arrays --------------------------------------------------------
def namespace_of(array):
    """The namespace computing on ``array`` (the tracer's while this context traces).

    Python and NumPy scalars belong to no device: they get the default device's namespace.
    """
    if dispatch.active:
        tracer = current_tracer.get()
        if tracer is not None:
            return tracer.namespace
    found = NAMESPACE_OF_TYPE.get(type(array))
    if found is None:
        found = _resolve(array).namespace
    return found


def _resolve(array) -> DeviceBackend:
    """The backend of an array whose exact type is not registered (a subclass, a scalar)."""
    kind = type(array)
    backend = _BACKEND_OF_TYPE.get(kind)
    if backend is not None:
        return backend
    for base in kind.__mro__[1:]:
        backend = _BACKEND_OF_TYPE.get(base)
        if backend is not None:
            return backend
    owner = getattr(array, "tracer", None)
    if owner is not None:  # a symbolic array: its tracer knows (and refuses other contexts)
        return owner.backend_of_symbolic(array)
    data = getattr(array, "_data", None)
    if data is not None:  # a tensor: its array's
        return backend_of(data)
    return backend_for(None)


def backend_of(array) -> DeviceBackend:
    """The backend an array belongs to (by type)."""
    return _BACKEND_OF_TYPE.get(type(array)) or _resolve(array)


def device_of(array) -> device:
    """The device of a backend array (``device('cpu')`` for NumPy arrays)."""
    found = backend_of(array)
    if getattr(array, "tracer", None) is not None:  # symbolic: the device the graph runs on
        return CPU if found.type == "cpu" else device(found.type, 0 if found.type == "cuda" else None)
    return found.device_of(array)


def common_namespace(op_name: str, arrays):
    """The one namespace of ``arrays`` (scalars skipped), or a DeviceError naming ``op_name``."""
    found = None
    first = None
    for array in arrays:
        if isinstance(array, (bool, int, float, complex, numpy.generic)) or array is None:
            continue
        backend = backend_of(array)
        if found is None:
            found, first = backend, array
        elif backend is not found:
            raise mismatch(op_name, device_of(first), device_of(array))
    return (found or backend_for(None)).namespace


def operands_device(op_name: str, arrays):
    """The context an operation on a multi-device backend's ``arrays`` runs in: their one
    device made current (a DeviceError naming both devices when they are on two)."""
    found = index = first = None
    for array in arrays:
        if isinstance(array, (bool, int, float, complex, numpy.generic)) or array is None:
            continue
        backend = backend_of(array)
        if not backend.multi_device:
            continue
        at = backend.index_of(array)
        if found is None:
            found, index, first = backend, at, array
        elif backend is found and at != index:
            raise mismatch(op_name, device_of(first), device_of(array))
    if found is None or index == found.current_index():
        return _NO_SWITCH
    return found.on(index)


class _NoSwitch:
    """The operands' device is already current: nothing to enter."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_NO_SWITCH = _NoSwitch()


def is_writeable(array) -> bool:
    """Whether ``array``'s memory may be written. CuPy's flags have no ``writeable`` (its
    arrays always are); NumPy's broadcast views are read-only."""
    return getattr(array.flags, "writeable", True)


def mismatch(op_name: str, one, other) -> DeviceError:
    return DeviceError(f"{op_name}: Expected all tensors to be on the same device, but found at "
                       f"least two devices, {one} and {other}!")


# --- the default device of factory functions -------------------------------------
_defaults = threading.local()


def default_device() -> device:
    stack = getattr(_defaults, "stack", None)
    return stack[-1] if stack else _global_default[0]


_global_default = [CPU]


def set_default_device(where) -> None:
    """Factory functions place new tensors on ``where`` (None: back to ``'cpu'``)."""
    where = CPU if where is None else as_device(where)
    backend_for(where)  # fail now, not at the first factory call
    _global_default[0] = where


def _push_default_device(where) -> None:
    backend_for(where)
    stack = getattr(_defaults, "stack", None)
    if stack is None:
        stack = _defaults.stack = []
    stack.append(as_device(where))


def _pop_default_device() -> None:
    _defaults.stack.pop()


def namespace_for(where=None):
    """The namespace that creates arrays on ``where`` (None: the default device); the tracer's while tracing."""
    if dispatch.active:
        tracer = current_tracer.get()
        if tracer is not None:
            if where is not None:
                tracer.target(backend_for(where))
            return tracer.namespace
    if where is None and _global_default[0] is CPU and not getattr(_defaults, "stack", None):
        return numpy
    where = default_device() if where is None else as_device(where)
    found = backend_for(where)
    if found.multi_device and where.index is not None and where.index != found.current_index():
        return _OnDevice(found, where.index)
    return found.namespace


class _OnDevice:
    """A multi-device namespace whose functions create their arrays on one given device
    (``zeros(2, device='cuda:1')`` while ``cuda:0`` is current)."""

    __slots__ = ("_backend", "_index")

    def __init__(self, backend, index):
        self._backend, self._index = backend, index

    def __getattr__(self, name):
        attribute = getattr(self._backend.namespace, name)
        if not callable(attribute) or isinstance(attribute, type):
            return attribute

        def on_device(*args, **kwargs):
            with self._backend.on(self._index):
                return attribute(*args, **kwargs)
        return on_device


# --- moving arrays between devices ------------------------------------------------
def to_numpy(array) -> numpy.ndarray:
    """``array``'s values as a NumPy array on the host (a copy for other devices)."""
    if type(array) is numpy.ndarray:
        return array
    return backend_of(array).to_numpy(array)


def transfer(array, where):
    """``array`` on device ``where`` (the same array when it is already there).

    ``'cuda'`` without an index means the current device, as in PyTorch.
    """
    source = backend_of(array)
    target = backend_for(where)
    index = as_device(where).index
    if not target.multi_device:
        return array if source is target else target.from_numpy(source.to_numpy(array))
    if index is None:
        index = target.current_index()
    if source is target:
        return array if target.index_of(array) == index else target.move(array, index)
    return target.from_numpy(source.to_numpy(array), index)


def _numpy_backend() -> DeviceBackend:
    return DeviceBackend("cpu", numpy, numpy.ndarray, to_numpy=lambda a: a, from_numpy=numpy.asarray)


register(_numpy_backend())


def _load_mps() -> DeviceBackend:
    raise DeviceError("Ember has no Apple Metal (MPS) backend; ember.backends.mps.is_available() is False")


register_loader("mps", _load_mps)

__all__ = ["DeviceBackend", "register", "unregister", "register_loader", "backend_for", "backend_of",
           "namespace_of", "namespace_for", "device_of", "common_namespace", "mismatch", "to_numpy",
           "transfer", "dispatch", "current_tracer", "default_device", "set_default_device",
           "is_available", "NAMESPACE_OF_TYPE", "MULTI_DEVICE_NAMESPACES", "operands_device", "is_loaded"]
