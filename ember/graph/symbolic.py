"""Symbolic arrays: what a tensor's ``_data`` holds while a function is traced.

A :class:`SymbolicArray` looks like a backend array to the rest of Ember
(shape, dtype, ndim, size, flags, arithmetic, ``out=`` targets) but holds an
IR value instead of data. It is a *cell*: an in-place write (``copyto``,
``+=``, ``out=``) rebinds it to a new value, so every tensor sharing the
array (``detach()``, ``.data``) sees the write, exactly as with real memory.
A view (``reshape``, ``permute``, ``getitem``, ...) remembers its base and
re-derives itself when the base is written; a write into a view is written
back into the base.

Anything that needs the data itself (``bool()``, ``float()``, ``.item()``,
``numpy.asarray``) raises :class:`ControlFlowError`, and any use after the
trace ended raises :class:`EscapedTracerError`.
"""
from __future__ import annotations

import operator

import numpy

from ..backend.namespaces import backend_of, current_tracer
from .dims import format_shape
from .errors import control_flow_error, escaped_error
from .ir import short_dtype


class Flags:
    """The few ``ndarray.flags`` fields Ember reads.

    A symbolic array has no memory layout yet (code generation decides it), so
    it claims neither C nor Fortran order: eager code that takes a faster path
    for contiguous memory (the optimizers' cache-sized chunks) takes its plain
    path instead, which is the one worth compiling.
    """

    __slots__ = ("owndata", "writeable", "c_contiguous", "f_contiguous", "aligned")

    def __init__(self, owndata: bool, writeable: bool):
        self.owndata = owndata
        self.writeable = writeable
        self.c_contiguous = False
        self.f_contiguous = False
        self.aligned = True

    def __getitem__(self, key: str) -> bool:
        return getattr(self, key.lower())


class View:
    """How a view cell is derived from its base: ``prim(base, *attrs)``."""

    __slots__ = ("base", "prim", "attrs", "base_version")

    def __init__(self, base, prim, attrs, base_version):
        self.base, self.prim, self.attrs, self.base_version = base, prim, attrs, base_version


class SymbolicArray:
    """A mutable cell holding the current IR value of one traced array."""

    __array_priority__ = 2000  # NumPy defers its binary operators to ours

    __slots__ = ("tracer", "_value", "view", "version", "flags", "origin", "__weakref__")

    def __init__(self, tracer, value, view: View | None = None, writeable: bool = True):
        self.tracer = tracer
        self.origin = None  # for a captured array (a parameter's ...): the real array it stands for
        self._value = value
        self.view = view
        self.version = 0
        self.flags = Flags(view is None, writeable)

    # --- the cell ---------------------------------------------------------------
    @property
    def value(self):
        """The IR value this array holds now (a view re-derives itself after its base changed)."""
        self._check()
        view = self.view
        if view is not None and view.base.version != view.base_version:
            self._value = self.tracer.view_value(view)
            view.base_version = view.base.version
        return self._value

    def assign(self, value) -> None:
        """An in-place write: this array (and its base, for a view) now holds ``value``."""
        self._check()
        self.tracer.note_write(self, self._value)
        if self.view is not None:
            self.tracer.write_through(self.view, value)
            self.view.base_version = self.view.base.version
        self._value = value
        self.version += 1

    def _check(self) -> None:
        if not self.tracer.active:
            raise escaped_error(self.describe(), self.tracer.name)

    def describe(self) -> str:
        value = self._value
        return f"{short_dtype(value.dtype)}{format_shape(value.shape)}"

    # --- what Ember reads from an array -----------------------------------------
    @property
    def shape(self) -> tuple:
        return self._value.shape if self.view is None else self.value.shape

    @property
    def dtype(self) -> numpy.dtype:
        return self._value.dtype

    @property
    def ndim(self) -> int:
        return len(self._value.shape)

    @property
    def size(self):
        size = 1
        for dim in self.shape:
            size = size * dim
        return size

    @property
    def base(self):
        """The array this one views (as ``ndarray.base``), or None."""
        return self.view.base if self.view is not None else None

    @property
    def itemsize(self) -> int:
        return self._value.dtype.itemsize

    @property
    def nbytes(self):
        return self.size * self.itemsize

    @property
    def T(self):
        return self.transpose()

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d array")
        return self.shape[0]

    def __repr__(self) -> str:
        return f"<symbolic {self.describe()} {self._value!r}>"

    # --- values Python needs concretely: refused --------------------------------
    def _refuse(self, what: str, concrete=None):
        self._check()
        if concrete is not None and current_tracer.get() is not self.tracer:
            return concrete(_foreign_origin(self))  # another thread, eager: the real array
        raise control_flow_error(what, self.describe())

    def __bool__(self):
        return self._refuse("the truth value (bool(), if, while, and/or)", bool)

    def __float__(self):
        return self._refuse("the Python value (float())", float)

    def __int__(self):
        return self._refuse("the Python value (int())", int)

    def __index__(self):
        return self._refuse("the Python value (used as an index or size)", operator.index)

    def __complex__(self):
        return self._refuse("the Python value (complex())", complex)

    def item(self, *args):
        return self._refuse("the Python value (.item())", lambda array: array.item(*args))

    def tolist(self):
        return self._refuse("the data (.tolist())", lambda array: array.tolist())

    def __iter__(self):
        return self._refuse("the data (iteration over a raw array)", iter)

    def __array__(self, dtype=None, copy=None):
        return self._refuse("the data (conversion to a NumPy array)",
                            lambda array: numpy.asarray(array, dtype=dtype))

    def __dlpack__(self, **kwargs):
        return self._refuse("the data (DLPack export)", lambda array: array.__dlpack__(**kwargs))

    # --- array methods, recorded in the graph -----------------------------------
    def _ns(self):
        self._check()
        if current_tracer.get() is not self.tracer:  # read by eager code in another thread
            return _Foreign(self.tracer)
        return self.tracer.namespace

    def copy(self, order="C"):
        return self._ns().copy(self)

    def astype(self, dtype, copy=True, casting=None):
        return self._ns().astype(self, dtype)

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return self._ns().reshape(self, shape)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return self._ns().transpose(self, axes or None)

    def fill(self, value) -> None:
        self._ns().copyto(self, value)

    def sum(self, axis=None, dtype=None, out=None, keepdims=False):
        return self._ns().sum(self, axis=axis, keepdims=keepdims, out=out)

    def max(self, axis=None, out=None, keepdims=False):
        return self._ns().max(self, axis=axis, keepdims=keepdims, out=out)

    def min(self, axis=None, out=None, keepdims=False):
        return self._ns().min(self, axis=axis, keepdims=keepdims, out=out)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False):
        return self._ns().mean(self, axis=axis, keepdims=keepdims)

    def nonzero(self):
        self._check()
        from .errors import TracingError
        raise TracingError(f"boolean-mask indexing / nonzero() of a symbolic array ({self.describe()}) "
                           "has a data-dependent shape, which a static graph cannot have; use "
                           "ember.where(mask, x, 0) or multiply by the mask instead")

    def __getitem__(self, index):
        return self._ns().getitem(self, index)

    def __setitem__(self, index, value) -> None:
        self._ns().setitem(self, index, value)

    # --- NumPy protocols: NumPy calls on symbolic arrays come back to us ---------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return self._ns().dispatch_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, function, types, args, kwargs):
        return self._ns().dispatch_function(function, args, kwargs)


def _binary(name, reflected=False):
    def method(self, other):
        namespace = self._ns()
        function = getattr(namespace, name)
        return function(other, self) if reflected else function(self, other)
    return method


def _inplace(name):
    def method(self, other):
        getattr(self._ns(), name)(self, other, out=self)
        return self
    return method


def _unary(name):
    def method(self):
        return getattr(self._ns(), name)(self)
    return method


_BINARY = {"add": "add", "sub": "subtract", "mul": "multiply", "truediv": "divide",
           "floordiv": "floor_divide", "mod": "remainder", "pow": "power", "matmul": "matmul",
           "lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal",
           "eq": "equal", "ne": "not_equal", "and": "logical_and", "or": "logical_or",
           "xor": "logical_xor"}
for _dunder, _function in _BINARY.items():
    setattr(SymbolicArray, f"__{_dunder}__", _binary(_function))
    if _dunder not in ("lt", "le", "gt", "ge", "eq", "ne"):
        setattr(SymbolicArray, f"__r{_dunder}__", _binary(_function, reflected=True))
        setattr(SymbolicArray, f"__i{_dunder}__", _inplace(_function))
SymbolicArray.__neg__ = _unary("negative")
SymbolicArray.__abs__ = _unary("absolute")
SymbolicArray.__invert__ = _unary("logical_not")
SymbolicArray.__pos__ = lambda self: self
SymbolicArray.__hash__ = lambda self: id(self)


# --- captured arrays read from another thread ------------------------------------------------
# A trace swaps the arrays of parameters, buffers and optimizer state for cells while it runs.
# Eager code in another thread that uses the same tensors meanwhile reads the real arrays the
# cells stand for (which the trace never writes: its writes become graph outputs); writing
# them from there, or using a value made inside the trace, is an error.
def _foreign_origin(array):
    if isinstance(array, SymbolicArray):
        if current_tracer.get() is array.tracer:
            return array
        if array.origin is None:
            from .errors import TracingError
            raise TracingError(f"a symbolic array made while tracing '{array.tracer.name}' was used "
                               "from another thread; only tensors that existed before the trace can "
                               "be shared with eager code running meanwhile")
        return array.origin
    if isinstance(array, tuple):
        return tuple(_foreign_origin(item) for item in array)
    if isinstance(array, list):
        return [_foreign_origin(item) for item in array]
    return array


def _writes_a_cell(out) -> bool:
    """Whether an ``out=`` target is (or holds) a captured cell: a symbolic array."""
    if isinstance(out, tuple):
        return any(_writes_a_cell(item) for item in out)
    return isinstance(out, SymbolicArray)


def _refuse_foreign_write(tracer):
    from .errors import TracingError
    raise TracingError(f"a tensor captured by the trace of '{tracer.name}' was written from another "
                       "thread while that trace runs; finish the trace (or copy the tensor) first")


class _Foreign:
    """The namespace of a captured cell for eager code in another thread: the real array's."""

    __slots__ = ("tracer",)

    def __init__(self, tracer):
        self.tracer = tracer

    def __getattr__(self, name):
        def call(*args, **kwargs):
            if kwargs.get("out") is not None or name in ("copyto", "setitem"):
                _refuse_foreign_write(self.tracer)
            args, kwargs = _foreign_origin(args), {k: _foreign_origin(v) for k, v in kwargs.items()}
            namespace = backend_of(next((a for a in args if hasattr(a, "dtype")), args[0])).namespace
            if name == "getitem":
                return args[0][args[1]]
            if name == "astype":
                return args[0].astype(args[1])
            return getattr(namespace, name)(*args, **kwargs)
        return call

    def dispatch_ufunc(self, ufunc, method, inputs, kwargs):
        if _writes_a_cell(kwargs.get("out")):  # out= into a fresh array of its own is eager code's business
            _refuse_foreign_write(self.tracer)
        return getattr(ufunc, method)(*_foreign_origin(inputs), **kwargs)

    def dispatch_function(self, function, args, kwargs):
        if _writes_a_cell(kwargs.get("out")):
            _refuse_foreign_write(self.tracer)
        return function(*_foreign_origin(args), **{k: _foreign_origin(v) for k, v in kwargs.items()})
