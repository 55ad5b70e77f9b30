"""Symbolic sizes that ``int()`` turned into plain numbers while tracing.

Python makes ``int(size)`` an exact ``int`` whatever ``Dim.__int__`` returns,
so code such as ``x.reshape(int(x.shape[0]), -1)`` hands Ember the traced
value of ``batch`` (its hint), not ``batch``. The trace notes each such number
(:class:`IntSizes`), and Ember's shape helpers give a noted number back as its
symbolic size (``ember.ops._operands.size_value``), so that shape stays
``(batch, -1)`` and no module has to be told about it.

A plain number is ambiguous, though: a constant 7 in the model looks like
``batch`` traced at 7, and an ``int(size)`` used anywhere else
(``x.sum() / int(n)``) puts the traced value into the graph. So a trace that
noted any is checked by tracing once more with every symbol's hint moved
(:func:`moved_shapes`): if both graphs are the same (:func:`graph_key`),
nothing depended on the traced values; if not, the graph is only valid for
them, and that is reported as a specialization (a recorded guard: the
function is then compiled per concrete shape, with a warning).

Example:
    >>> from ember.graph.dims import Dim
    >>> sizes = IntSizes()
    >>> batch = Dim.symbol("batch", 7)
    >>> sizes.note(batch, 7, None)
    >>> sizes.recover(7), sizes.recover(3)
    (batch, 3)
    >>> moved = moved_shapes([(batch, 3)])[0]
    >>> moved, int.__int__(moved[0])
    ((batch, 3), 18)
"""
from __future__ import annotations

import numpy

from .dims import Dim, hint
from .ir import Graph, Value, operand_key

_AMBIGUOUS = object()  # two different sizes were traced at the same value

# How far the checking traces move the hints: small numbers (1, 2, 3, 4, 8 ...) are common
# constants in models, so moved hints avoid them, to keep false alarms rare.
_MOVES = (11, 23)


class IntSizes:
    """The plain numbers ``int()`` made of symbolic sizes during one trace."""

    __slots__ = ("by_value", "notes")

    def __init__(self):
        self.by_value: dict = {}   # number -> the Dim it came from (_AMBIGUOUS: more than one)
        self.notes: list = []      # (dim, where) for each int() call, for the warning

    def __bool__(self) -> bool:
        return bool(self.notes)

    def note(self, dim: Dim, value: int, where) -> None:
        """``int(dim)`` returned ``value`` (at ``where``: the user's file and line)."""
        self.notes.append((dim, where))
        known = self.by_value.get(value)
        self.by_value[value] = dim if known is None or known == dim else _AMBIGUOUS

    def recover(self, value: int):
        """The symbolic size a plain number came from, or the number itself."""
        dim = self.by_value.get(value)
        return value if dim is None or dim is _AMBIGUOUS else dim

    def specialization(self, why: str):
        """A specialization record ``(size, why, where)`` naming the first ``int()`` call."""
        dim, where = self.notes[0]
        return (dim, f"int({dim}) gave a plain number, and {why}", where)


def moved_shapes(shapes, move: int = _MOVES[0]) -> list:
    """``shapes`` with each symbol traced at a new value, distinct from every old one."""
    hints: dict = {}
    for shape in shapes:
        for size in shape:
            if isinstance(size, Dim) and str(size) in size.symbols:
                hints.setdefault(str(size), hint(size))
    start = max(hints.values(), default=0) + move
    moved = {name: Dim.symbol(name, start + k) for k, name in enumerate(hints)}
    return [tuple(moved.get(str(s), s) if isinstance(s, Dim) else s for s in shape) for shape in shapes]


def graph_key(graph: Graph):
    """Equal for graphs that compute the same thing (sizes compared as formulas, not values)."""
    return (tuple((v.shape, v.dtype.str, v.label) for v in graph.inputs),
            tuple((v.id, v.shape, _attr_key(v.data)) for v in graph.constants),
            tuple(_node_key(node) for node in graph.nodes),
            tuple(operand_key(v) for v in graph.outputs))


def _node_key(node):
    outputs = tuple((v.id, v.shape, v.dtype.str) for v in node.outputs)
    return (node.op, id(node.prim), tuple(operand_key(v) for v in node.inputs), _attr_key(node.attrs),
            outputs, node.effect)


def _attr_key(value):
    """Like ``ir.attr_key``, and subgraphs (``cond``, ``while_loop``) by their contents."""
    if isinstance(value, Value):
        return ("v", value.id)
    if isinstance(value, Graph):
        return ("graph", graph_key(value))
    if isinstance(value, (tuple, list)):
        return (type(value).__name__,) + tuple(_attr_key(v) for v in value)
    if isinstance(value, slice):
        return ("slice", _attr_key(value.start), _attr_key(value.stop), _attr_key(value.step))
    if isinstance(value, numpy.ndarray):
        return ("array", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, numpy.dtype):
        return ("dtype", value.str)
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return (type(value).__name__, value)



def check(int_sizes: IntSizes, traced, shapes, retrace):
    """``(graph, plan, specializations)`` for a trace that noted ``int()`` sizes.

    ``traced`` is that trace's triple (None if it raised: a constant may have been
    taken for a size); ``retrace(shapes)`` traces again at other sizes. The traced
    graph is kept when a trace with every hint moved records the same graph; failing
    that, two traces at two other sizes that agree give the graph; else the graph is
    a specialization.
    """
    twins = []
    for move in _MOVES:
        twin = _attempt(retrace, moved_shapes(shapes, move))
        if twin is not None and traced is not None and not traced[2] and _same(twin, traced):
            return traced
        twins.append(twin)
    if all(t is not None for t in twins) and _same(*twins):
        return twins[0]
    found = [t[2] for t in twins if t is not None and t[2]]
    why = "the graph traced at other sizes differs" if all(twins) else "tracing at other sizes failed"
    specializations = found[0] if found else [int_sizes.specialization(why)]
    graph, plan = traced[:2] if traced is not None else (None, None)
    return graph, plan, specializations


def _attempt(retrace, shapes):
    try:
        return retrace(shapes)
    except Exception:  # e.g. the code checks a size against a constant: a specialization
        return None


def _same(first, second) -> bool:
    return not first[2] and not second[2] and graph_key(first[0]) == graph_key(second[0])
