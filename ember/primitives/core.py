"""The primitive table and the single dispatch point, :func:`bind`.

A primitive is defined once, as a subclass of :class:`Primitive` holding
- ``forward(xp, *arrays, *attrs)``: the result on backend arrays;
- ``abstract(*avals, *attrs)``: the output's ``(shape, dtype)`` from the
  inputs' abstract values, computed without touching data;
- ``vjp(ctx, grad)``: the gradient for each input, written in Ember ops.

Registering it with :func:`primitive` puts it in :data:`PRIMITIVES`. Eager
execution (here), tracing and export all read the same record.
"""
from __future__ import annotations

import traceback

import numpy

from .. import backend
from ..backend import namespaces as _namespaces
from ..autograd.grad_mode import state as _grad_state
from ..autograd.node import ACCESSED_BY_TAPES, Node, VersionCounter
from ..errors import EmberError, EmberIndexError, ShapeError
from ..tensor import Tensor

PRIMITIVES: dict[str, "Primitive"] = {}


# ``dispatch.tracer``: the current context's tracer (None: eager); ``dispatch.active``: traces
# running anywhere in the process, so eager code skips the context lookup when it is 0.
dispatch = _namespaces.dispatch
_current_tracer = _namespaces.current_tracer
_namespace_of_type = _namespaces.NAMESPACE_OF_TYPE
_namespace_get = _namespace_of_type.get  # bound once: one call per lookup in bind
_multi_device = _namespaces.MULTI_DEVICE_NAMESPACES
_ndarray, _numpy = numpy.ndarray, numpy
_SCALARS = (float, int, bool)  # Python scalar operands: they take the other operand's namespace
_new_object = object.__new__


class Aval:
    """An abstract value: what a shape/dtype rule knows about an operand."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = numpy.dtype(dtype)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"Aval({self.shape}, {self.dtype})"


class Primitive:
    """Base class of every primitive; subclasses override the rules below."""

    name = "?"
    saves_inputs = True    # the VJP reads input values: guard them with version checks
    # None, or parents -> indices of inputs whose values this call's VJP will not read (mul by a
    # constant never reads its tensor operand), so writing them in place later is allowed
    unread_inputs = None
    saves_output = False   # the VJP reads the output
    differentiable = True  # False: outputs never require grad (comparisons, argmax ...)
    is_view = False        # the output may share memory with input 0

    @staticmethod
    def makes_view(*attrs) -> bool:
        """Whether this call's output shares input 0's memory (an ``is_view`` primitive
        can copy for some attrs: getitem with integer arrays)."""
        return True

    @staticmethod
    def forward(xp, *args):
        raise NotImplementedError

    @staticmethod
    def abstract(*args):
        raise NotImplementedError

    @staticmethod
    def vjp(ctx, grad):
        raise NotImplementedError

    # For view primitives: the new value of the base after the view's memory was
    # overwritten by ``value`` (an in-place op on the view), in Ember ops, so the
    # base's history records the write. None: the view cannot be written through.
    write_back = None

    # ``autocast(inputs)``: the operands cast as an active ``ember.autocast`` region wants them
    # (set by ember/amp/autocast_mode.py for matmul-like and float32-only ops). None: untouched.
    autocast = None

    # ``batch(inputs, batched, attrs, size)``: the result on operands with a leading batch axis
    # (``ember.func.vmap``; rules in ember/primitives/batching.py). None: no batching rule.
    batch = None

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


def primitive(cls):
    """Class decorator: instantiate a Primitive subclass and register it by name."""
    instance = cls()
    if instance.name in PRIMITIVES:
        raise EmberError(f"primitive {instance.name!r} registered twice")
    PRIMITIVES[instance.name] = instance
    return instance


def _aval(value):
    if hasattr(value, "_data"):
        value = value._data
    if isinstance(value, (bool, int, float, complex)):
        return value
    return Aval(value.shape, value.dtype)


def explain_failure(prim, inputs, attrs, error):
    """Turn a backend exception into an Ember error naming the op and operands.

    The shape rule is consulted first: it raises the precise message. If the
    rule accepts the operands, the backend's own message is wrapped instead.
    """
    if isinstance(error, (EmberError, Warning, MemoryError)) or getattr(prim, "user_defined", False):
        return error  # ours already; a warning made an error; out of memory; a user Function's own
    if isinstance(error, IndexError):
        shapes = ", ".join(str(getattr(v, "shape", v)) for v in inputs)
        return EmberIndexError(f"{prim.name}: {error} (operand shapes {shapes})")
    avals = [_aval(value) for value in inputs]
    try:
        prim.abstract(*avals, *attrs)
    except EmberError as precise:
        return precise
    except Exception:
        pass
    shapes = ", ".join(str(a.shape) if isinstance(a, Aval) else repr(a) for a in avals)
    return ShapeError(f"{prim.name}: failed on operands with shapes ({shapes}): {error}")


def bind(prim, inputs, attrs=()):
    """Run primitive ``prim`` on ``inputs`` (tensors or Python scalars): the one place an op is called.

    Kept lean on purpose: its cost is paid by every operation on small tensors.
    The forward runs in the namespace of the operands' arrays (an identity test for
    NumPy's arrays, else one dict lookup by array type); operands on two devices
    raise a DeviceError naming the op.
    While this context traces a static graph, its tracer takes the call instead
    (see ``ember.graph``).
    """
    if dispatch.active:
        if prim.autocast is not None:  # an ember.autocast region casts this op's operands
            inputs = prim.autocast(inputs)
        tracer = _current_tracer.get()
        if tracer is not None:
            return tracer.bind(prim, inputs, attrs)
    if len(inputs) == 1:  # the common arities skip building a list
        first = inputs[0]
        first = first._data if isinstance(first, Tensor) else first
        arrays = (first,)
        xp = _numpy if type(first) is _ndarray else _namespace_get(type(first))  # NumPy's: no lookup
    elif len(inputs) == 2:
        first, second = inputs
        first = first._data if isinstance(first, Tensor) else first
        second = second._data if isinstance(second, Tensor) else second
        arrays = (first, second)
        if type(first) is _ndarray:  # the common cases, NumPy arrays and Python scalars: no lookup
            xp = _numpy if type(second) is _ndarray or type(second) in _SCALARS else _namespace_of_pair(first, second)
        elif type(second) is _ndarray and type(first) in _SCALARS:
            xp = _numpy
        else:
            xp = _namespace_of_pair(first, second)
    else:
        arrays = [value._data if isinstance(value, Tensor) else value for value in inputs]
        xp = _namespace_of_many(prim.name, arrays)
    if xp is None:  # no operand of a registered array type, several operands, or two devices
        xp = _namespaces.common_namespace(prim.name, arrays)
    # several GPUs (CuPy computes on the current one): the operands' GPU is made current
    switch = _namespaces.operands_device(prim.name, arrays) if xp is not _numpy and xp in _multi_device else None
    try:
        if switch is None:
            out = prim.forward(xp, *arrays, *attrs)
        else:
            with switch:
                out = prim.forward(xp, *arrays, *attrs)
    except Exception as error:
        raise explain_failure(prim, inputs, attrs, error) from None
    if type(out) is not _ndarray and type(out) not in _namespace_of_type:
        out = xp.asarray(out)  # a scalar (NumPy's reductions give them): an array of its namespace
    if _grad_state.enabled and prim.differentiable:
        for value in inputs:
            if isinstance(value, Tensor) and value._requires_grad:
                return _record(prim, inputs, attrs, out)
    result = _new_object(Tensor)  # Tensor._make, inlined: a call less on every op
    result._data = out
    result._node = None
    result._requires_grad = False
    result._grad = None
    result._version = None
    result._hooks = None
    result._base = None
    if prim.is_view and prim.makes_view(*attrs):
        base = inputs[0]
        counter = base._version
        if counter is None:  # Tensor._shared_version, inlined: views (transposes, reshapes) are common
            counter = base._version = VersionCounter()
        result._version = counter
        result._base = (base, prim, attrs)
    return result


def _namespace_of_pair(first, second):
    """The namespace of two operands not both NumPy's (None: left to ``common_namespace``)."""
    xp = _namespace_get(type(first))
    other = _namespace_get(type(second))
    if other is not xp and other is not None:
        return other if xp is None else None  # the first was a scalar; else two devices
    return xp


def _namespace_of_many(name, arrays):
    """The namespace of three or more operands (None: left to ``common_namespace``'s checks)."""
    xp = None
    for array in arrays:
        found = _namespace_of_type.get(type(array))
        if found is not None and found is not xp:
            if xp is not None:
                return None  # two devices: common_namespace raises the error
            xp = found
    return xp


def _record(prim, inputs, attrs, out):
    """Eager result plus its graph node: one pass over the inputs collects where their
    gradients go (``parents``) and, for VJPs that read inputs, their version counts."""
    if out.dtype.kind not in "fc":  # only floating and complex results carry gradients, as in PyTorch
        return Tensor._make(out, None, False)
    parents = []
    versions = [] if prim.saves_inputs else None
    for value in inputs:
        if isinstance(value, Tensor):
            node = value._node
            if node is not None:
                parents.append(node)
            elif value._requires_grad:
                parents.append(value)
                if ACCESSED_BY_TAPES:  # an open tf.GradientTape notes the Variables it reads
                    for accessed in ACCESSED_BY_TAPES:
                        accessed[id(value)] = value
            else:
                parents.append(None)
            if versions is not None:
                counter = value._version
                versions.append(0 if counter is None else counter.value)
        else:
            parents.append(None)
            if versions is not None:
                versions.append(0)
    if versions is not None and prim.unread_inputs is not None:
        for index in prim.unread_inputs(parents):
            versions[index] = None  # check_versions skips it
    out_counter = VersionCounter() if prim.saves_output else None
    node = Node(prim, inputs, tuple(parents), attrs, out, versions, out_counter)
    result = _new_object(Tensor)  # Tensor._make, inlined
    result._data = out
    result._node = node
    result._requires_grad = True
    result._grad = None
    result._version = out_counter
    result._hooks = None
    result._base = None
    if prim.is_view and prim.makes_view(*attrs):
        base = inputs[0]
        counter = base._version
        if counter is None:  # Tensor._shared_version, inlined: views (transposes, reshapes) are common
            counter = base._version = VersionCounter()
        result._version = counter
        result._base = (base, prim, attrs)
    if _grad_state.anomaly:
        node.stack = traceback.format_stack()[:-3]
    return result


__all__ = ["Aval", "Primitive", "PRIMITIVES", "primitive", "bind", "VersionCounter"]
