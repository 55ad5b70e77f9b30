"""The tracer: runs a Python function with symbolic tensors and records a graph.

While a :class:`Tracer` is active it is the current context's tracer
(``ember.backend.namespaces.current_tracer``, read as ``dispatch.tracer``), so
every primitive call in this thread reaches :meth:`Tracer.bind` and
``backend.namespace_of(array)`` gives its :class:`TracingNamespace` (so raw
array calls, in-place writes included, reach it too); other threads run
eagerly meanwhile. ``bind`` checks shapes and dtypes
with the primitive's own ``abstract`` rule, appends a node, and records the
same autograd node eager execution would, so ``backward()`` inside the trace
runs the primitives' VJPs on symbolic tensors and records the gradient graph.

Arrays that existed before the trace (parameters, buffers, optimizer state,
captured constants) enter the graph as inputs on first use; their tensors
hold a symbolic cell until the trace ends and then get their arrays back.
Which of them are state (read and written on every call) and which are
constants is decided afterwards (``ember.graph.state``).
"""
from __future__ import annotations

import os
import sys
import traceback

import numpy

from .. import backend
from ..autograd.grad_mode import state as grad_state
from ..primitives import shape as S
from ..primitives.core import _record as record_autograd  # eager bind's recording, reused as is
from ..primitives.core import Aval, dispatch
from ..tensor import Tensor
from . import dims
from .errors import TracingError
from .int_sizes import IntSizes
from .ir import Graph, Value, map_values
from .namespace import TracingNamespace
from .shape_inference import resymbolize
from .symbolic import SymbolicArray, View

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def user_frame(skip: int = 1):
    """``(filename, line, function)`` of the innermost caller outside the ember package."""
    frame = sys._getframe(skip)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(_PACKAGE + os.sep):
            return filename, frame.f_lineno, frame.f_code.co_name
        frame = frame.f_back
    return None


class Capture:
    """An array that existed before the trace and entered the graph as an input."""

    __slots__ = ("array", "value", "cell", "created", "label")

    def __init__(self, array, value, cell, created, label):
        self.array, self.value, self.cell, self.created, self.label = array, value, cell, created, label

    @property
    def written(self) -> bool:
        return self.cell._value is not self.value


class Tracer:
    """Records one trace of one function into ``self.graph``."""

    def __init__(self, name: str):
        self.name = name
        self.graph = Graph(name)
        self.root = self.graph               # self.graph is a subgraph while a branch is traced
        self.value_tensors: dict[int, Tensor] = {}  # value id -> a tensor holding it (for cond's gradients)
        self.namespace = TracingNamespace(self)
        self.active = False
        self.captures: dict[int, Capture] = {}
        self.created_ids: dict[int, numpy.ndarray] = {}   # arrays made during the trace (kept alive)
        self.swapped: list[tuple[Tensor, object, object]] = []
        self.specializations: list[tuple] = []
        self.hints: dict[str, int] = {}     # each symbolic size's traced value
        self.int_sizes = IntSizes()         # plain numbers int() made of symbolic sizes
        self.base = None    # the DeviceBackend of the arrays entering the trace (None: none yet)
        self._saved = None

    # --- activation -------------------------------------------------------------
    def __enter__(self) -> "Tracer":
        if dispatch.tracer is not None:
            raise TracingError("a trace is already active; nested tracers are inlined by ember.function")
        self._token = dispatch.enter(self)  # this context's tracer: other threads stay eager
        self.active = True
        return self

    def __exit__(self, *exc) -> bool:
        self.active = False
        dispatch.exit(self._token)
        self.restore()
        return False

    def restore(self) -> None:
        """Give every tensor whose array was swapped for a cell its array (and node) back."""
        for tensor, data, node in reversed(self.swapped):
            tensor._data = data
            tensor._node = node
        self.swapped.clear()

    def _specialized(self, value, why: str) -> None:
        self.specializations.append((value, why, user_frame(3)))

    # --- int() of symbolic sizes (see int_sizes.py) ---------------------------------
    def int_of_size(self, dim, value: int) -> None:
        """``int(dim)`` made the plain number ``value``: note it."""
        self.int_sizes.note(dim, value, user_frame(3))

    def size_from_int(self, value: int):
        """A plain number given as a size: the symbolic size ``int()`` made it of, if any."""
        return self.int_sizes.recover(value)

    # --- the device traced for ------------------------------------------------------
    def target(self, device_backend) -> None:
        """Note the device of an array entering the trace: one device per graph."""
        if self.base is None:
            self.base = device_backend
        elif device_backend is not self.base:
            raise backend.namespaces.mismatch(f"ember.function '{self.name}'", self.base.type,
                                              device_backend.type)

    @property
    def device_backend(self):
        """The backend the generated code runs on (NumPy's until an array says otherwise)."""
        return self.base or backend.backend_for("cpu")

    def backend_of_symbolic(self, array):
        """``backend.backend_of`` for this trace's symbolic arrays."""
        array._check()
        if backend.namespaces.current_tracer.get() is not self:  # eager code in another thread
            from .symbolic import _foreign_origin
            return backend.backend_of(_foreign_origin(array))
        return self.device_backend

    # --- arrays entering the graph ------------------------------------------------
    def created(self, array: numpy.ndarray) -> numpy.ndarray:
        """Note an array made during the trace (so its in-place writes are local)."""
        self.created_ids[id(array)] = array
        return array

    def capture(self, array: numpy.ndarray, label: str = "") -> SymbolicArray:
        """The cell standing for a real array: a new graph input the first time."""
        found = self.captures.get(id(array))
        if found is not None:
            return found.cell
        if id(array) not in self.created_ids:  # made during the trace: a host constant, moved at codegen
            self.target(backend.backend_of(array))
        value = self.root.add_input(array.shape, array.dtype, label)
        cell = SymbolicArray(self, value, writeable=backend.is_writeable(array))
        cell.origin = array  # what eager code in other threads reads meanwhile
        created = id(array) in self.created_ids
        self.captures[id(array)] = Capture(array, value, cell, created, label)
        return cell

    def swap_in(self, tensor: Tensor, label: str = "", keep_node: bool = False) -> SymbolicArray:
        """Make ``tensor`` hold a cell for its array until the trace ends."""
        data = tensor._data
        if isinstance(data, SymbolicArray):
            return data
        cell = self.capture(data, label)
        self.swapped.append((tensor, data, tensor._node))
        tensor._data = cell
        if not keep_node:
            tensor._node = None  # eager history is out of reach: inputs are leaves of the graph
        return cell

    def cell_for(self, value) -> SymbolicArray:
        """The cell for a tensor, a raw array or a number."""
        if isinstance(value, SymbolicArray):
            if value.tracer is not self:
                value._check()
                raise TracingError(f"a symbolic array from the trace of '{value.tracer.name}' was "
                                   f"used while tracing '{self.name}'")
            return value
        if isinstance(value, Tensor):
            return self.swap_in(value)
        if _is_array(value):
            return self.capture(value)
        if isinstance(value, (bool, int, float, complex, numpy.generic)) or dims.is_symbolic(value):
            return self.namespace.asarray(value)
        raise TracingError(f"ember.function: cannot use a {type(value).__name__} as an array")

    def operand(self, value):
        """A node operand: a Value, or a Python number (possibly a symbolic size)."""
        if isinstance(value, (bool, int, float, complex)):
            return value
        if isinstance(value, numpy.generic):
            return value.item()
        result = self.cell_for(value).value
        if isinstance(value, Tensor):
            self.value_tensors[result.id] = value
        return result

    def lift_attrs(self, attrs):
        """Attributes with arrays inside (integer index arrays) hold values instead."""
        def lift(item):
            if isinstance(item, (SymbolicArray, Tensor)):
                return self.cell_for(item).value
            if _is_array(item) and item.ndim:
                return self.cell_for(item).value
            if isinstance(item, tuple):
                return tuple(lift(i) for i in item)
            if isinstance(item, list):
                return [lift(i) for i in item]
            return item
        return tuple(lift(a) for a in attrs)

    # --- recording ----------------------------------------------------------------
    def infer(self, prim, operands, attrs):
        """The output ``(shape, dtype)`` from the primitive's own rule."""
        avals = [Aval(v.shape, v.dtype) if isinstance(v, Value) else v for v in operands]
        rule_attrs = map_values(attrs, lambda v: numpy.zeros(dims.hint(v.shape), v.dtype))
        try:
            shape, dtype = prim.abstract(*avals, *rule_attrs)
        except NotImplementedError:
            shape, dtype = self._infer_by_running(prim, operands, rule_attrs)
        shape = tuple(shape)
        if self.hints:
            shape = resymbolize(prim, operands, attrs, shape, self.hints,
                                lambda symbol, why: self._specialized(symbol, why))
        return shape, numpy.dtype(dtype)

    @staticmethod
    def _infer_by_running(prim, operands, attrs):
        arrays = [numpy.zeros(dims.hint(v.shape), v.dtype) if isinstance(v, Value) else dims.hint(v)
                  for v in operands]
        out = numpy.asarray(prim.forward(numpy, *arrays, *attrs))
        return out.shape, out.dtype

    def record(self, prim, operands, attrs):
        """Append a node for ``prim`` and return its output value."""
        shape, dtype = self.infer(prim, operands, attrs)
        effect = getattr(prim, "effect", False)
        return self.graph.add_node(prim, operands, attrs, shape, dtype, effect=effect,
                                   source=user_frame(2))

    def raw(self, prim, inputs, attrs=()) -> SymbolicArray:
        """A primitive on raw arrays (no autograd): the namespace's path."""
        operands = [self.operand(v) for v in inputs]
        attrs = self.lift_attrs(attrs)
        value = self.record(prim, operands, attrs)
        if prim.is_view and isinstance(inputs[0], SymbolicArray):
            base = inputs[0]
            writeable = base.flags.writeable and prim is not S.BroadcastTo
            return SymbolicArray(self, value, View(base, prim, attrs, base.version), writeable)
        return SymbolicArray(self, value)

    def bind(self, prim, inputs, attrs=()):
        """``ember.primitives.core.bind`` while tracing: a node plus the autograd record."""
        operands = [self.operand(v) for v in inputs]
        lifted = self.lift_attrs(attrs)
        value = self.record(prim, operands, lifted)
        array = SymbolicArray(self, value)
        if prim.is_view and isinstance(inputs[0], Tensor):
            base = inputs[0]._data
            writeable = base.flags.writeable and prim is not S.BroadcastTo
            array = SymbolicArray(self, value, View(base, prim, lifted, base.version), writeable)
        if grad_state.enabled and prim.differentiable and value.dtype.kind in "fc" and any(
                isinstance(v, Tensor) and v._requires_grad for v in inputs):
            # eager bind's own recording (same node, parents and saved-tensor checks)
            return record_autograd(prim, inputs, attrs, array)
        result = Tensor._make(array, None, False)
        if prim.is_view:
            result._version = inputs[0]._shared_version()
        return result

    # --- cells: views and writes ----------------------------------------------------
    def view_value(self, view: View):
        """Re-derive a view from its base's current value."""
        return self.record(view.prim, [view.base.value], view.attrs)

    def write_through(self, view: View, value) -> None:
        """A write into a view: write the matching part of its base."""
        base = view.base
        prim, attrs = view.prim, view.attrs
        if prim is S.Reshape:
            new = self.record(S.Reshape, [value], (base.shape,))
        elif prim is S.Permute:
            inverse = tuple(sorted(range(len(attrs[0])), key=lambda i: attrs[0][i]))
            new = self.record(S.Permute, [value], (inverse,))
        elif prim is S.Flip:
            new = self.record(S.Flip, [value], attrs)
        elif prim is S.Getitem:
            new = self.record(S.IndexPut, [base.value, value], attrs)
        else:
            raise TracingError(f"ember.function: writing into a {prim.name} view is not supported; "
                               "clone() the tensor first")
        base.assign(new)

    def note_write(self, cell: SymbolicArray, previous) -> None:
        """Called before every in-place write: inside a cond/while branch, refuse writes to outer arrays."""
        if self.graph is not self.root and not self._local(previous):
            raise TracingError(
                f"{self.graph.name}: a branch of ember.cond or ember.while_loop wrote into a tensor "
                "from outside it (an in-place update, .grad or a running statistic); return the new "
                "value from the branch instead")

    def _local(self, value) -> bool:
        """Whether ``value`` was made inside the branch being traced (or is a constant made there)."""
        graph = self.graph
        if any(value is v for v in graph.inputs) or value.kind == "node" and any(
                value is v for node in graph.nodes for v in node.outputs):
            return True
        return any(c.value is value and c.created for c in self.captures.values())


def _route_specialization(value, why: str) -> None:
    """``dims.specialization_hook``: a symbolic size became a number in the current context's trace.

    Installed once rather than swapped per trace, so concurrent traces in other threads each
    collect their own specializations.
    """
    tracer = dispatch.tracer
    if tracer is not None:
        tracer._specialized(value, why)


dims.specialization_hook = _route_specialization


def _is_array(value) -> bool:
    """A concrete array of a registered namespace (NumPy's, or another device's)."""
    return type(value) in backend.namespaces.NAMESPACE_OF_TYPE or isinstance(value, numpy.ndarray)


def annotate(error: BaseException, trace_name: str) -> BaseException:
    """Add the user's source line (the innermost frame outside Ember) to an error's message."""
    if getattr(error, "_ember_annotated", False) or not error.args:
        return error
    where = None
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(_PACKAGE + os.sep):
            where = (filename, line)
    if where is None:
        return error
    source = _source_line(*where)
    note = f"\n  (while tracing '{trace_name}' with ember.function, at {where[0]}:{where[1]}{source})"
    error.args = (str(error.args[0]) + note,) + tuple(error.args[1:])
    error._ember_annotated = True
    return error


def _source_line(filename: str, line: int) -> str:
    import linecache
    text = linecache.getline(filename, line).strip()
    return f": {text}" if text else ""


def is_tracing() -> bool:
    return dispatch.tracer is not None


__all__ = ["Tracer", "Capture", "annotate", "user_frame", "is_tracing"]
