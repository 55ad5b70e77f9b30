"""Turning a finished trace into a pure graph plus a plan for its effects.

After the traced Python function returns (and before the tracer lets go of
its cells), this module decides:

- where each graph input comes from on every call: an argument, a state
  tensor (read by reference), or nowhere: a constant, copied now;
- which graph outputs are written back, and where: into a state tensor's
  array (``copy``), or into a slot as a new tensor (``set``: a new ``.grad``,
  a new optimizer state entry), or clearing a slot (``.grad = None``).

Then every slot is put back as it was before the trace: the compiled call
performs the effects itself, the first call included.
"""
from __future__ import annotations

import numpy

from .. import backend

from ..tensor import Tensor
from .ir import Value
from .state import _MISSING
from .symbolic import SymbolicArray


class Source:
    """Where a graph input's array comes from on each call."""

    __slots__ = ("kind", "target", "label")

    def __init__(self, kind: str, target, label: str):
        self.kind = kind        # "arg"/"arggrad" (leaf index), "tensor" (a Tensor) or "array" (an ndarray)
        self.target = target
        self.label = label

    def __repr__(self) -> str:
        return f"Source({self.kind}, {self.label})"


class Effect:
    """A write-back after each call: ``copy`` into a source's array, or ``set`` a slot."""

    __slots__ = ("kind", "source", "slot", "template", "label")

    def __init__(self, kind: str, label: str, source=None, slot=None, template=None):
        self.kind, self.label, self.source, self.slot, self.template = kind, label, source, slot, template


class Plan:
    """Inputs' sources, output layout and effects of one traced function."""

    def __init__(self):
        self.sources: list[Source] = []
        self.effects: list[Effect] = []
        self.output_values: list = []     # graph outputs, user outputs first
        self.user_structure = None        # the tree of the function's result
        self.user_indices: list = []      # the graph output holding each tensor leaf of the result
        self.user_count = 0               # how many graph outputs the result uses (they come first)

    def output_index(self, value) -> int:
        """The graph-output position of ``value`` (added once)."""
        for index, existing in enumerate(self.output_values):
            if existing is value:
                return index
        self.output_values.append(value)
        return len(self.output_values) - 1


def _cell_of(tracer, tensor):
    data = tensor._data
    if isinstance(data, SymbolicArray):
        return data
    capture = tracer.captures.get(id(data))
    return capture.cell if capture is not None else None


def template_of(tracer, plan: Plan, value):
    """How to rebuild ``value`` after each call from graph outputs."""
    if isinstance(value, Tensor):
        cell = _cell_of(tracer, value)
        if cell is not None:
            return ("tensor", plan.output_index(cell.value), value._requires_grad)
        if id(value._data) in tracer.created_ids:
            # made during the trace as a host array: each call gets a copy on the graph's device
            return ("fresh", tracer.device_backend.from_numpy(backend.to_numpy(value._data)),
                    value._requires_grad)
        return ("object", value)
    if isinstance(value, dict):
        return ("dict", {k: template_of(tracer, plan, v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [template_of(tracer, plan, v) for v in value])
    return ("object", value)


def build(template, outputs):
    """The object a template describes, made from this call's output arrays."""
    kind = template[0]
    if kind == "tensor":
        return _new_tensor(outputs[template[1]], template[2])
    if kind == "fresh":
        return _new_tensor(template[1].copy(), template[2])
    if kind == "dict":
        return {k: build(t, outputs) for k, t in template[1].items()}
    if kind in ("list", "tuple"):
        items = [build(t, outputs) for t in template[1]]
        return items if kind == "list" else tuple(items)
    return template[1]


def _new_tensor(array, requires_grad):
    return Tensor._make(owned(array), None, requires_grad)


def owned(array):
    """An array handed out of a call, in C order (a transposed view would slow every later use)."""
    if type(array) is not numpy.ndarray:
        xp = backend.namespace_of(array)  # a NumPy scalar (a 0-d array of it), or another device's array
        array = xp.asarray(array)
        return array if array.flags.c_contiguous else xp.ascontiguousarray(array)
    return array if array.flags.c_contiguous else numpy.ascontiguousarray(array)


# --- inputs -------------------------------------------------------------------------------
def classify_captures(tracer, plan: Plan, arg_arrays: dict, state_arrays: dict) -> None:
    """Decide, for each captured array, whether it is an argument, state or a constant."""
    swapped = {id(data): tensor for tensor, data, _ in tracer.swapped}
    graph = tracer.graph
    by_value = {}
    for capture in tracer.captures.values():
        key = id(capture.array)
        if key in arg_arrays:
            source = Source(*arg_arrays[key], capture.label)
        elif key in state_arrays:
            source = Source("tensor", state_arrays[key][1], state_arrays[key][0])
        elif capture.created:
            source = None
        elif key in swapped and (swapped[key]._requires_grad or capture.written):
            source = Source("tensor", swapped[key], capture.label or "captured tensor")
        elif capture.written:
            source = Source("array", capture.array, capture.label or "captured array")
        else:
            source = None
        by_value[capture.value.id] = (capture, source)
    inputs = []
    for value in graph.inputs:
        capture, source = by_value[value.id]
        if source is None:
            _make_constant(graph, value, capture.array)
            continue
        inputs.append(value)
        plan.sources.append(source)
        if capture.written:
            plan.effects.append(Effect("copy", source.label, source=source,
                                       template=plan.output_index(capture.cell._value)))
    graph.inputs = inputs


def _make_constant(graph, value: Value, array) -> None:
    value.kind = "const"
    value.data = numpy.array(backend.to_numpy(array), copy=True)  # constants live on the host
    graph.constants.append(value)


# --- slots -------------------------------------------------------------------------------
def diff_slots(tracer, plan: Plan, snapshot) -> None:
    """Effects for slots whose object changed during the trace (a new ``.grad``, new state)."""
    for slot, before in snapshot.entries:
        after = slot.get()
        if slot.attribute and slot.key == "state":
            _diff_optimizer_state(tracer, plan, slot, before, after)
        elif after is not before:
            template = ("object", _MISSING) if after is None and not slot.attribute else \
                template_of(tracer, plan, after)
            plan.effects.append(Effect("set", slot.label, slot=slot, template=template))


def _diff_optimizer_state(tracer, plan, slot, before: dict, after: dict) -> None:
    from .state import Slot
    for param, entries in after.items():
        previous = before.get(param)
        if previous is None:
            target = Slot(after, param, False, f"{slot.label}[new]")
            plan.effects.append(Effect("set", target.label, slot=target,
                                       template=template_of(tracer, plan, dict(entries))))
            continue
        for key, value in entries.items():
            if previous.get(key, _MISSING) is not value:
                target = Slot(entries, key, False, f"{slot.label}.{key}")
                plan.effects.append(Effect("set", target.label, slot=target,
                                           template=template_of(tracer, plan, value)))
