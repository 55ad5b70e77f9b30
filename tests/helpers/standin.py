"""A stand-in second device for tests: NumPy behind a namespace whose arrays are a distinct type.

``StandinArray`` wraps a NumPy array and is *not* a ``numpy.ndarray``; the
``standin`` namespace exposes NumPy's functions over it. Like CuPy, it
refuses to be mixed with NumPy arrays (a ufunc or namespace call given one
raises) and refuses implicit conversion to NumPy (``numpy.asarray`` of it
raises), so any Ember code path that bypasses the tensor's namespace, or
mixes devices, fails loudly here instead of silently computing on the host.
Moving host arrays in (``standin.asarray`` of a NumPy array, ``to('standin')``) is counted in
``standin.transfers``, so tests can check an operation made no hidden copies.

Use it as a fixture: ``with registered() as standin: ...`` registers the
device type ``'standin'`` (``ember.device('standin')``) and removes it after.

Several devices, as CuPy has them: every array belongs to a device index (the one
current when it was made; ``StandinDevice(1)`` makes index 1 current for a block, as
``cupy.cuda.Device(1)`` does), and using an array while another device is current
raises (CuPy without peer access), except ``copy()``, which copies onto the current
device as CuPy's does, and reads to the host (``item()``, ``tolist()``). So code that forgets to make the operands' device current is
caught on a machine with no GPU.
"""
from __future__ import annotations

import contextlib
import operator
import types

import numpy

from ember import backend
from ember.primitives.device_kernels import CUPY_UFUNC_METHODS


_current = [0]  # the current device index (cupy.cuda.Device().id)


class StandinDevice:
    """``cupy.cuda.Device`` for the stand-in: ``StandinDevice()`` is the current one;
    ``with StandinDevice(1):`` and ``.use()`` make index 1 current."""

    synchronized: list = []

    def __init__(self, index=None):
        self.id = _current[0] if index is None else int(index)
        self._previous = []

    def use(self) -> None:
        _current[0] = self.id

    def synchronize(self) -> None:
        StandinDevice.synchronized.append(self.id)

    def __enter__(self):
        self._previous.append(_current[0])
        _current[0] = self.id
        return self

    def __exit__(self, *exc):
        _current[0] = self._previous.pop()
        return False


class StandinError(TypeError):
    """A NumPy array met a stand-in array, or a stand-in array was turned into NumPy implicitly."""


class _Flags:
    """As CuPy's array flags: contiguity and ownership only, no ``writeable`` (code must ask
    ``backend.is_writeable``)."""

    __slots__ = ("c_contiguous", "f_contiguous", "owndata")

    def __init__(self, flags):
        self.c_contiguous, self.f_contiguous, self.owndata = flags.c_contiguous, flags.f_contiguous, flags.owndata


# methods CuPy runs whichever device is current: copy() copies onto the current device;
# reads to the host (get, item, tolist) switch to the array's device themselves
_ANY_DEVICE = frozenset({"copy", "get", "item", "tolist"})


class StandinArray:
    """A NumPy array in disguise: same behaviour, different type, no implicit NumPy conversion."""

    __slots__ = ("inner", "index", "__weakref__")
    __array_ufunc__ = None  # NumPy's ufuncs refuse us (binary operators return NotImplemented)

    def __init__(self, inner: numpy.ndarray):
        assert isinstance(inner, numpy.ndarray)
        self.inner = inner
        self.index = _current[0]  # made on the current device, as CuPy allocates

    def _here(self) -> numpy.ndarray:
        """The data, for an operation running on the current device (refused from another one)."""
        if self.index != _current[0]:
            raise StandinError(f"an array on stand-in device {self.index} was used while device "
                               f"{_current[0]} is current (CuPy: the array's device must be current; "
                               "no peer access)")
        return self.inner

    # what Ember reads
    @property
    def shape(self):
        return self.inner.shape

    @shape.setter
    def shape(self, shape):  # as CuPy's: only a reshape needing no copy, else AttributeError
        self.inner.shape = shape

    dtype = property(lambda self: self.inner.dtype)
    ndim = property(lambda self: self.inner.ndim)
    size = property(lambda self: self.inner.size)
    itemsize = property(lambda self: self.inner.itemsize)
    nbytes = property(lambda self: self.inner.nbytes)
    flags = property(lambda self: _Flags(self.inner.flags))
    strides = property(lambda self: self.inner.strides)
    T = property(lambda self: StandinArray(self._here().T))
    device = property(lambda self: types.SimpleNamespace(id=self.index))  # as CuPy's: ``.device.id``

    @property
    def base(self):
        base = self.inner.base
        return None if base is None else _wrap(base)

    def __getattr__(self, name):
        if name in ("__array_interface__", "__array_struct__"):  # NumPy's back doors to the data
            raise AttributeError(name)
        attribute = getattr(self.inner, name)
        if callable(attribute):
            if name not in _ANY_DEVICE:  # an operation runs on the current device
                self._here()
            return _wrapped(attribute, f"StandinArray.{name}")
        return _wrap(attribute)

    def __array__(self, dtype=None, copy=None):
        raise StandinError("a stand-in array was converted to a NumPy array implicitly (numpy.asarray, "
                           "numpy.<function>): some code bypassed the tensor's namespace")

    def __getitem__(self, index):
        return _wrap(self._here()[_unwrap(index)])

    def __setitem__(self, index, value):
        self._here()[_unwrap(index)] = _unwrap(value)

    def __len__(self):
        return len(self.inner)

    def __iter__(self):
        return (_wrap(item) for item in self.inner)

    def __bool__(self):
        return bool(self.inner)

    def __float__(self):
        return float(self.inner)

    def __int__(self):
        return int(self.inner)

    def __index__(self):
        return operator.index(self.inner)

    def __complex__(self):
        return complex(self.inner)

    def __repr__(self):
        return f"standin({self.inner!r})"

    __hash__ = None


def _binary(name):
    forward = getattr(operator, name)

    def method(self, other):
        return _wrap(forward(self._here(), _unwrap(other)))

    def reflected(self, other):
        return _wrap(forward(_unwrap(other), self._here()))

    def inplace(self, other):
        getattr(operator, "i" + name.rstrip("_"))(self._here(), _unwrap(other))
        return self
    return method, reflected, inplace


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor",
              "lshift", "rshift"):
    _method, _reflected, _inplace = _binary(_name + "_" if _name in ("and", "or") else _name)
    setattr(StandinArray, f"__{_name}__", _method)
    setattr(StandinArray, f"__r{_name}__", _reflected)
    setattr(StandinArray, f"__i{_name}__", _inplace)
for _name in ("lt", "le", "gt", "ge", "eq", "ne"):
    setattr(StandinArray, f"__{_name}__", _binary(_name)[0])
for _name in ("neg", "pos", "abs", "invert"):
    setattr(StandinArray, f"__{_name}__", (lambda forward: lambda self: _wrap(forward(self._here())))(
        getattr(operator, _name)))


# --- crossing the boundary -------------------------------------------------------------
def _unwrap(value):
    """Arguments for NumPy: stand-in arrays unwrapped; NumPy arrays refused (a device mix)."""
    if isinstance(value, StandinArray):
        return value._here()
    if isinstance(value, numpy.ndarray):
        raise StandinError(f"a NumPy array (shape {value.shape}, {value.dtype}) was mixed with stand-in "
                           "arrays: an operand on another device, or an array made outside the "
                           "tensor's namespace")
    if isinstance(value, tuple):
        return tuple(_unwrap(item) for item in value)
    if isinstance(value, list):
        return [_unwrap(item) for item in value]
    if isinstance(value, dict):
        return {key: _unwrap(item) for key, item in value.items()}
    if isinstance(value, slice):
        return slice(_unwrap(value.start), _unwrap(value.stop), _unwrap(value.step))
    return value


def _wrap(value):
    """Results from NumPy: arrays (and NumPy scalars, as CuPy returns 0-d arrays) wrapped."""
    if isinstance(value, numpy.ndarray):
        return StandinArray(value)
    if isinstance(value, numpy.generic):
        return StandinArray(numpy.asarray(value))
    if isinstance(value, tuple):  # named tuples too (numpy.linalg's results), as CuPy's hold its arrays
        items = [_wrap(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        return [_wrap(item) for item in value]
    return value


def _wrapped(function, name):
    """``function`` over stand-in arrays; an ``out=`` array comes back as the same object."""
    def call(*args, **kwargs):
        out = kwargs.get("out")
        result = function(*_unwrap(args), **_unwrap(kwargs))
        if isinstance(out, StandinArray) and result is out.inner:
            return out
        if isinstance(out, tuple) and len(out) == 1 and isinstance(out[0], StandinArray) \
                and result is out[0].inner:
            return out[0]
        return _wrap(result)
    call.__name__ = name
    return call


class _Ufunc:
    """A NumPy ufunc over stand-in arrays, with ``reduce``/``accumulate``/``outer``/``at``."""

    def __init__(self, ufunc):
        self.ufunc = ufunc
        self.__name__ = ufunc.__name__
        self._call = _wrapped(ufunc, ufunc.__name__)

    def __call__(self, *args, **kwargs):
        return self._call(*args, **kwargs)

    def __getattr__(self, name):
        attribute = getattr(self.ufunc, name)
        if name in CUPY_UFUNC_METHODS and self.__name__ not in CUPY_UFUNC_METHODS[name]:
            raise AttributeError(f"{self.__name__}.{name}: CuPy implements {name} only for "
                                 f"{sorted(CUPY_UFUNC_METHODS[name])}")
        return _wrapped(attribute, f"{self.__name__}.{name}") if callable(attribute) else attribute


class Namespace:
    """NumPy's namespace over stand-in arrays (submodules ``linalg``, ``fft`` alike)."""

    def __init__(self, module=numpy, name="standin"):
        self._module = module
        self.__name__ = name
        self.transfers = 0
        self.ndarray = StandinArray

    def __getattr__(self, name):
        attribute = getattr(self._module, name)
        if isinstance(attribute, numpy.ufunc):
            wrapped = _Ufunc(attribute)
        elif isinstance(attribute, types.ModuleType):  # linalg, fft, lib.stride_tricks ...
            wrapped = Namespace(attribute, f"{self.__name__}.{name}")
        elif callable(attribute) and not isinstance(attribute, type):
            wrapped = _wrapped(attribute, f"{self.__name__}.{name}")
            if name in _CUPY_LACKS:  # keywords NumPy takes and CuPy's function does not
                wrapped = _refusing(wrapped, name, _CUPY_LACKS[name])
        else:
            return attribute  # dtypes, constants, scalar types
        setattr(self, name, wrapped)  # cached: the next lookup is an attribute read
        return wrapped

    # host data coming in: allowed (a transfer, counted), as cupy.asarray allows it
    def asarray(self, value, dtype=None, **kwargs):
        if isinstance(value, StandinArray):
            return value if dtype is None or value.dtype == dtype else StandinArray(value.inner.astype(dtype))
        self._count(value)
        return StandinArray(numpy.asarray(_host(value), dtype=dtype, **kwargs))

    def array(self, value, dtype=None, copy=True, **kwargs):
        if isinstance(value, StandinArray):
            return StandinArray(numpy.array(value.inner, dtype=dtype, copy=copy, **kwargs))
        self._count(value)
        return StandinArray(numpy.array(_host(value), dtype=dtype, copy=copy, **kwargs))

    def _count(self, value) -> None:
        """Host arrays copied in are counted (Python scalars and lists are not: they are constants)."""
        if isinstance(value, numpy.ndarray):
            self.transfers += 1

    def asnumpy(self, value):
        return value.inner.copy() if isinstance(value, StandinArray) else numpy.asarray(value)


# NumPy keywords CuPy's same-named functions lack (calling them so fails on a GPU only)
_CUPY_LACKS = {"as_strided": ("writeable", "subok")}


def _refusing(function, name, keywords):
    def call(*args, **kwargs):
        for keyword in keywords:
            if keyword in kwargs:
                raise StandinError(f"{name}: CuPy's {name} takes no {keyword!r} argument")
        return function(*args, **kwargs)
    return call


def _host(value):
    """Host data for ``asarray``: NumPy arrays accepted, stand-in arrays in lists unwrapped."""
    if isinstance(value, (list, tuple)):
        return type(value)(_host(item) for item in value)
    if isinstance(value, StandinArray):
        return value.inner
    return value


standin = Namespace()


def _device_backend() -> backend.DeviceBackend:
    def from_numpy(array):
        standin.transfers += 1
        return StandinArray(numpy.array(array, copy=True))
    return backend.DeviceBackend("standin", standin, StandinArray,
                                 to_numpy=lambda array: array.inner.copy(), from_numpy=from_numpy)


@contextlib.contextmanager
def registered():
    """The ``'standin'`` device registered for the duration of the block; yields its namespace."""
    backend.register(_device_backend())
    standin.transfers = 0
    try:
        yield standin
    finally:
        backend.unregister("standin")


def ensure_registered() -> Namespace:
    """Register the ``'standin'`` device if it is not (for tables whose gradients run later)."""
    if "standin" not in backend.namespaces.registered_types():
        backend.register(_device_backend())
    return standin


def on_standin(array) -> StandinArray:
    """A stand-in copy of a NumPy array (test data)."""
    return StandinArray(numpy.array(array, copy=True))
