"""The backend namespace used while tracing: NumPy's API, recording instead of computing.

During a trace, ``ember.backend.namespace_of(array)`` and ``namespace_for(device)``
give the tracer's :class:`TracingNamespace` (in the tracing thread only), so every
raw array call Ember makes outside primitives (tensor creation,
``copyto`` for in-place ops, the optimizers' ``out=`` updates) lands here.
Calls whose arguments are all concrete run on NumPy and give real arrays (a
``zeros`` of a known shape is a constant); calls on symbolic arrays record
primitives through the tracer. ``out=`` writes and ``copyto`` rebind the
destination cell, which is how in-place updates become values in the graph.
"""
from __future__ import annotations

import numpy

from ..primitives import elementwise as E
from ..primitives import linalg as L
from ..primitives import reduce as R
from ..primitives import shape as S
from . import graph_prims as G
from .dims import hint, is_symbolic
from .errors import TracingError
from .symbolic import SymbolicArray

_BINARY = {"add": E.add, "subtract": E.sub, "multiply": E.mul, "divide": E.div, "true_divide": E.div,
           "floor_divide": E.floor_divide, "remainder": E.remainder, "mod": E.remainder,
           "power": E.pow_, "maximum": E.maximum, "minimum": E.minimum}
_COMPARE = {"less": E.lt, "less_equal": E.le, "greater": E.gt, "greater_equal": E.ge,
            "equal": E.eq, "not_equal": E.ne, "logical_and": E.logical_and,
            "logical_or": E.logical_or, "logical_xor": E.logical_xor}
_UNARY = {"negative": E.neg, "absolute": E.abs_, "abs": E.abs_, "sqrt": E.sqrt, "exp": E.exp,
          "log": E.log, "log1p": E.log1p, "expm1": E.expm1, "sin": E.sin, "cos": E.cos,
          "tan": E.tan, "tanh": E.tanh, "sign": E.sign, "floor": E.floor, "ceil": E.ceil,
          "rint": E.round_, "round": E.round_, "logical_not": E.logical_not, "isnan": E.isnan,
          "isinf": E.isinf}
_CREATION = ("zeros", "ones", "empty", "full")


def _is_traced(value) -> bool:
    if isinstance(value, SymbolicArray) or is_symbolic(value):
        return True
    if isinstance(value, (tuple, list)):
        return any(_is_traced(v) for v in value)
    if isinstance(value, slice):
        return any(_is_traced(v) for v in (value.start, value.stop, value.step))
    return False


def _scalar(value):
    """NumPy scalars as Python scalars (weakly typed, as Ember's primitives expect)."""
    if isinstance(value, numpy.generic):
        return value.item()
    return value


class TracingNamespace:
    """NumPy's namespace for one trace."""

    def __init__(self, tracer):
        self.tracer = tracer

    # --- operands ---------------------------------------------------------------
    def cell(self, value) -> SymbolicArray:
        return self.tracer.cell_for(value)

    def _operand(self, value):
        value = _scalar(value)
        if isinstance(value, (bool, int, float, complex)):
            return value
        return self.cell(value)

    @staticmethod
    def _dtype_of(value):
        """What ``numpy.result_type`` should see: an array's dtype, or the number (symbolic: its hint)."""
        if isinstance(value, SymbolicArray):
            return value.dtype
        return hint(value) if is_symbolic(value) else value

    def _promote(self, operands, dtype=None):
        """Cast array operands to NumPy's result dtype (Python scalars stay weak)."""
        target = numpy.dtype(dtype) if dtype is not None else numpy.result_type(
            *(self._dtype_of(v) for v in operands))
        return [self.astype(v, target) if isinstance(v, SymbolicArray) and v.dtype != target else v
                for v in operands], target

    def _finish(self, result, out):
        """Deliver ``result`` (a cell) into ``out`` when given, as NumPy's ``out=`` does."""
        if isinstance(out, tuple):
            out = out[0] if out else None
        if out is None:
            return result
        target = self.cell(out)
        value = result
        if value.dtype != target.dtype:
            value = self.astype(value, target.dtype)
        if value.shape != target.shape:
            value = self.broadcast_to(value, target.shape)
        target.assign(value.value)
        return out

    # --- elementwise ------------------------------------------------------------
    def _binary(self, name, a, b, out=None, dtype=None, **kwargs):
        operands, target = self._promote([self._operand(a), self._operand(b)], dtype)
        prim = _BINARY.get(name) or _COMPARE[name]
        if name in _COMPARE and not any(isinstance(v, SymbolicArray) for v in operands):
            operands[0] = self.asarray(operands[0])
        elif not any(isinstance(v, SymbolicArray) for v in operands):
            operands[0] = self.asarray(operands[0], dtype=target)
        return self._finish(self.tracer.raw(prim, operands), out)

    def _unary(self, name, x, out=None, dtype=None, **kwargs):
        cell = self.cell(x) if not isinstance(_scalar(x), (bool, int, float, complex)) else self.asarray(x)
        if name in ("sqrt", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "tanh") \
                and cell.dtype.kind not in "fc":
            cell = self.astype(cell, numpy.float64)
        return self._finish(self.tracer.raw(_UNARY[name], [cell]), out)

    def __getattr__(self, name):
        if name in _BINARY or name in _COMPARE:
            return _Ufunc(self, name, self._binary)
        if name in _UNARY:
            return _Ufunc(self, name, self._unary)
        attribute = getattr(numpy, name)
        if not callable(attribute) or isinstance(attribute, type):
            return attribute
        return _Concrete(self, name, attribute)

    def where(self, condition, a, b):
        condition = self._operand(condition)
        if not isinstance(condition, SymbolicArray):
            condition = self.asarray(condition, dtype=bool)
        (a, b), _ = self._promote([self._operand(a), self._operand(b)])
        return self.tracer.raw(E.where_p, [condition, a, b])

    # --- reductions and linear algebra -------------------------------------------
    @staticmethod
    def _axes(axis, ndim):
        if axis is None:
            return None
        axes = axis if isinstance(axis, (tuple, list)) else (axis,)
        return tuple(sorted(int(a) % max(ndim, 1) for a in axes))

    def _reduce(self, prim, x, axis, keepdims, out):
        cell = self.cell(x)
        return self._finish(self.tracer.raw(prim, [cell], (self._axes(axis, cell.ndim), bool(keepdims))), out)

    def sum(self, x, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        cell = self.cell(x)
        if dtype is not None:
            cell = self.astype(cell, dtype)
        return self._reduce(R.Sum, cell, axis, keepdims, out)

    def max(self, x, axis=None, out=None, keepdims=False, **kwargs):
        return self._reduce(R.Amax, x, axis, keepdims, out)

    amax = max

    def min(self, x, axis=None, out=None, keepdims=False, **kwargs):
        return self._reduce(R.Amin, x, axis, keepdims, out)

    amin = min

    def prod(self, x, axis=None, out=None, keepdims=False, **kwargs):
        return self._reduce(R.Prod, x, axis, keepdims, out)

    def mean(self, x, axis=None, keepdims=False, **kwargs):
        cell = self.cell(x)
        axes = self._axes(axis, cell.ndim)
        count = 1
        for index, size in enumerate(cell.shape):
            if axes is None or index in axes:
                count = count * size
        return self.divide(self.sum(cell, axis=axes, keepdims=keepdims), count)

    def matmul(self, a, b, out=None, **kwargs):
        (a, b), _ = self._promote([self.cell(a), self.cell(b)])
        return self._finish(self.tracer.raw(L.Matmul, [a, b]), out)

    def dot(self, a, b, out=None):
        return self.matmul(a, b, out=out)

    # --- shapes -------------------------------------------------------------------
    def reshape(self, x, shape, order="C"):
        cell = self.cell(x)
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if -1 in shape:
            known = 1
            for size in shape:
                known = known * size if size != -1 else known
            shape = tuple(cell.size // known if s == -1 else s for s in shape)
        if shape == cell.shape:
            return cell
        return self.tracer.raw(S.Reshape, [cell], (shape,))

    def transpose(self, x, axes=None):
        cell = self.cell(x)
        axes = tuple(reversed(range(cell.ndim))) if axes is None else tuple(a % cell.ndim for a in axes)
        return self.tracer.raw(S.Permute, [cell], (axes,))

    def broadcast_to(self, x, shape, subok=False):
        cell = self._operand(x)
        if not isinstance(cell, SymbolicArray):
            cell = self.asarray(cell)
        shape = tuple(shape)
        if shape == cell.shape:
            return cell
        return self.tracer.raw(S.BroadcastTo, [cell], (shape,))

    def ascontiguousarray(self, x, dtype=None):
        cell = self.cell(x)
        return cell if dtype is None else self.astype(cell, dtype)

    def astype(self, x, dtype, copy=True, **kwargs):
        cell = self.cell(x)
        dtype = numpy.dtype(dtype)
        if cell.dtype == dtype:
            return self.copy(cell) if copy else cell
        return self.tracer.raw(E.cast_p, [cell], (dtype,))

    def copy(self, x, **kwargs):
        cell = self.cell(x)
        return SymbolicArray(self.tracer, cell.value)  # values are immutable: a copy is a new cell

    def concatenate(self, arrays, axis=0, out=None, **kwargs):
        cells, _ = self._promote([self.cell(a) for a in arrays])
        return self._finish(self.tracer.raw(S.Concatenate, cells, (axis % cells[0].ndim,)), out)

    def getitem(self, x, index):
        cell = self.cell(x)
        index = index if isinstance(index, tuple) else (index,)
        return self.tracer.raw(S.Getitem, [cell], (self._index(index),))

    def setitem(self, x, index, value) -> None:
        cell = self.cell(x)
        index = index if isinstance(index, tuple) else (index,)
        value = self._operand(value)
        if isinstance(value, SymbolicArray) and value.dtype != cell.dtype:
            value = self.astype(value, cell.dtype)
        cell.assign(self.tracer.raw(S.IndexPut, [cell, value], (self._index(index),)).value)

    def _index(self, index):
        items = []
        for item in index:
            item = _scalar(item)
            if isinstance(item, (SymbolicArray, numpy.ndarray)) and item.dtype == numpy.bool_:
                raise TracingError("indexing with a boolean mask inside ember.function has a "
                                   "data-dependent shape; use where() or multiply by the mask")
            items.append(self.cell(item) if isinstance(item, numpy.ndarray) and item.ndim else item)
        return tuple(items)

    # --- creation -------------------------------------------------------------------
    def _create(self, kind, shape, fill, dtype):
        shape = (shape,) if not isinstance(shape, (tuple, list)) else tuple(shape)
        dtype = numpy.dtype(numpy.float64 if dtype is None else dtype)
        if not _is_traced(shape) and not _is_traced(fill):
            array = getattr(numpy, kind)(shape, dtype=dtype) if kind != "full" else \
                numpy.full(shape, _scalar(fill), dtype=dtype)
            return self.tracer.created(array)
        if isinstance(fill, SymbolicArray):
            return self.broadcast_to(self.astype(fill, dtype, copy=False), shape)
        return self.tracer.raw(G.full, [], (shape, fill, dtype))

    def zeros(self, shape, dtype=None, **kwargs):
        return self._create("zeros", shape, 0, dtype)

    def ones(self, shape, dtype=None, **kwargs):
        return self._create("ones", shape, 1, dtype)

    def empty(self, shape, dtype=None, **kwargs):
        return self._create("empty", shape, 0, dtype)

    def full(self, shape, fill_value, dtype=None, **kwargs):
        if dtype is None:
            dtype = numpy.result_type(self._dtype_of(_scalar(fill_value)))
        return self._create("full", shape, fill_value, dtype)

    def _like(self, kind, a, fill, dtype):
        a = self._operand(a)
        shape = a.shape if hasattr(a, "shape") else numpy.shape(a)
        return self._create(kind, shape, fill, dtype if dtype is not None else numpy.result_type(self._dtype_of(a)))

    def zeros_like(self, a, dtype=None, **kwargs):
        return self._like("zeros", a, 0, dtype)

    def ones_like(self, a, dtype=None, **kwargs):
        return self._like("ones", a, 1, dtype)

    def empty_like(self, a, dtype=None, **kwargs):
        return self._like("empty", a, 0, dtype)

    def full_like(self, a, fill_value, dtype=None, **kwargs):
        return self._like("full", a, fill_value, dtype)

    def asarray(self, value, dtype=None, **kwargs):
        value = _scalar(value)
        if isinstance(value, SymbolicArray):
            return value if dtype is None else self.astype(value, dtype, copy=False)
        if is_symbolic(value):  # a symbolic size or formula becomes a 0-d array
            dtype = numpy.dtype(dtype or (numpy.int64 if isinstance(value, int) else numpy.float64))
            return self.tracer.raw(G.full, [], ((), value, dtype))
        if _is_traced(value):
            raise TracingError("ember.function: building an array from a list that contains "
                               "symbolic tensors is not supported; use ember.stack")
        return self.tracer.created(numpy.asarray(value, dtype=dtype))

    array = asarray

    def copyto(self, dst, src, casting="same_kind", where=True) -> None:
        if where is not True:
            src = self.where(where, src, dst)
        source = self._operand(src)
        target = self.cell(dst)
        if not isinstance(source, SymbolicArray):
            source = self.asarray(source, dtype=target.dtype)
        self._finish(source, target)

    def asnumpy(self, value):
        cell = self.cell(value)
        raise TracingError(
            f"a symbolic tensor ({cell.describe()}) has no data while ember.function traces it, so it "
            "cannot become a NumPy array (print(), .numpy(), numpy.asarray()); return it from the "
            "function and use it outside, or print its .shape and .dtype, which are known")

    # --- NumPy's protocols --------------------------------------------------------
    def dispatch_ufunc(self, ufunc, method, inputs, kwargs):
        name = ufunc.__name__
        if method != "__call__" or not (name in _BINARY or name in _COMPARE or name in _UNARY):
            raise TracingError(f"ember.function cannot trace numpy.{name}.{method} on symbolic arrays")
        return getattr(self, name)(*inputs, **kwargs)

    def dispatch_function(self, function, args, kwargs):
        name = function.__name__
        handler = self.__dict__.get(name) or getattr(type(self), name, None)
        if handler is None:
            raise TracingError(f"ember.function cannot trace numpy.{name} on symbolic arrays "
                               "(only Ember operations and basic NumPy arithmetic are traced)")
        return getattr(self, name)(*args, **kwargs)


class _Ufunc:
    """``xp.add`` and friends: callable like a ufunc, recording when given symbolic arrays."""

    __slots__ = ("namespace", "name", "handler")

    def __init__(self, namespace, name, handler):
        self.namespace, self.name, self.handler = namespace, name, handler

    def __call__(self, *args, **kwargs):
        return self.handler(self.name, *args, **kwargs)

    def __getattr__(self, attribute):
        raise TracingError(f"ember.function cannot trace numpy.{self.name}.{attribute}")


class _Concrete:
    """Any other NumPy function: runs on NumPy when no argument is symbolic."""

    __slots__ = ("namespace", "name", "function")

    def __init__(self, namespace, name, function):
        self.namespace, self.name, self.function = namespace, name, function

    def __call__(self, *args, **kwargs):
        if _is_traced(args) or _is_traced(tuple(kwargs.values())):
            raise TracingError(f"ember.function cannot trace numpy.{self.name} on symbolic arrays "
                               "(only Ember operations and basic NumPy arithmetic are traced)")
        result = self.function(*args, **kwargs)
        if isinstance(result, numpy.ndarray):
            return self.namespace.tracer.created(result)
        return result
