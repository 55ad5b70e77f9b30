"""The graph IR: typed values, nodes of primitives, and the graph holding them.

A :class:`Value` is produced once (by a node, or as a graph input or a
constant) and never changes: the IR is purely functional, so in-place updates
seen while tracing become new values. A :class:`Node` applies a primitive (or
a graph-level op such as a fused elementwise group) to operands that are
values or Python scalars, with static attributes; attributes may hold values
too (an integer index array). :meth:`Node.key` makes structurally equal nodes
compare equal, which is all common-subexpression elimination needs.

Nodes are kept in a list that is always a valid execution order; every pass
preserves that, so effects (random draws) keep their order.

Example:
    >>> import numpy
    >>> from ember.primitives import elementwise as E
    >>> g = Graph("double")
    >>> x = g.add_input((3,), numpy.float32, "x")
    >>> y = g.add_node(E.add, [x, x], (), (3,), numpy.float32)
    >>> g.outputs = [y]
    >>> print(g)
    graph double(%0: f32[3] x) {
      %1 = add(%0, %0) : f32[3]
      return (%1)
    }
"""
from __future__ import annotations

import inspect
import itertools

import numpy

from .dims import Dim, format_shape

_SHORT_DTYPES = {"float32": "f32", "float64": "f64", "float16": "f16", "int64": "i64", "int32": "i32",
                 "int16": "i16", "int8": "i8", "uint8": "u8", "bool": "bool"}


def short_dtype(dtype) -> str:
    name = numpy.dtype(dtype).name
    return _SHORT_DTYPES.get(name, name)


class Value:
    """One immutable array in a graph: a graph input, a constant or a node's output."""

    __slots__ = ("id", "shape", "dtype", "node", "index", "kind", "data", "label")

    def __init__(self, id_: int, shape, dtype, kind: str, node=None, index: int = 0, data=None, label=""):
        self.id = id_
        self.shape = tuple(shape)
        self.dtype = numpy.dtype(dtype)
        self.kind = kind          # "input", "const" or "node"
        self.node = node          # the producing node (kind "node")
        self.index = index        # which output of that node
        self.data = data          # the array of a constant
        self.label = label        # a readable name for inputs (argument or state path)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def type_str(self) -> str:
        return short_dtype(self.dtype) + format_shape(self.shape)

    def __repr__(self) -> str:
        return f"%{self.id}"


class Node:
    """One operation: ``outputs = op(inputs, attrs)``.

    ``prim`` is the primitive record (None for graph-level ops such as
    ``fused``, ``cond`` and ``while_loop``, which carry what they run in
    ``attrs``). ``effect`` marks nodes that must run even when unused and
    may not be merged (random draws). ``source`` is the user's file and line.
    """

    __slots__ = ("op", "prim", "inputs", "attrs", "outputs", "effect", "source")

    def __init__(self, op: str, prim, inputs, attrs, effect=False, source=None):
        self.op = op
        self.prim = prim
        self.inputs = list(inputs)
        self.attrs = tuple(attrs)
        self.outputs: list[Value] = []
        self.effect = effect
        self.source = source

    @property
    def output(self) -> Value:
        return self.outputs[0]

    def operands(self):
        """Every value this node reads: inputs first, then values inside attributes."""
        for item in self.inputs:
            if isinstance(item, Value):
                yield item
        yield from values_in(self.attrs)

    def key(self):
        """Equal for nodes computing the same thing from the same operands."""
        return (self.op, id(self.prim), tuple(operand_key(v) for v in self.inputs), attr_key(self.attrs))

    def __repr__(self) -> str:
        return f"<Node {self.op} -> {self.outputs}>"


def operand_key(value):
    if isinstance(value, Value):
        return ("v", value.id)
    return (type(value).__name__, value)


def attr_key(value):
    """A hashable stand-in for an attribute structure (arrays by content)."""
    if isinstance(value, Value):
        return ("v", value.id)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__,) + tuple(attr_key(v) for v in value)
    if isinstance(value, slice):
        return ("slice", attr_key(value.start), attr_key(value.stop), attr_key(value.step))
    if isinstance(value, numpy.ndarray):
        return ("array", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, numpy.dtype):
        return ("dtype", value.str)
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return value


def values_in(structure):
    """The values nested in an attribute structure (tuples, lists, slices)."""
    if isinstance(structure, Value):
        yield structure
    elif isinstance(structure, (tuple, list)):
        for item in structure:
            yield from values_in(item)
    elif isinstance(structure, slice):
        yield from values_in((structure.start, structure.stop, structure.step))


def map_values(structure, function):
    """``structure`` with every value replaced by ``function(value)``."""
    if isinstance(structure, Value):
        return function(structure)
    if isinstance(structure, tuple):
        return tuple(map_values(v, function) for v in structure)
    if isinstance(structure, list):
        return [map_values(v, function) for v in structure]
    if isinstance(structure, slice):
        return slice(*(map_values(v, function) for v in (structure.start, structure.stop, structure.step)))
    return structure


class Graph:
    """A function as data: inputs, constants, nodes in execution order, outputs."""

    def __init__(self, name: str = "graph", ids=None):
        self.name = name
        self.inputs: list[Value] = []
        self.constants: list[Value] = []
        self.nodes: list[Node] = []
        self.outputs: list = []
        self._ids = ids if ids is not None else itertools.count()  # shared by a graph and its subgraphs
        self.namespace = numpy  # the array namespace the generated code calls (the traced device's)

    # --- building -------------------------------------------------------------
    def _new_value(self, shape, dtype, kind, **fields) -> Value:
        return Value(next(self._ids), shape, dtype, kind, **fields)

    def add_input(self, shape, dtype, label: str = "") -> Value:
        value = self._new_value(shape, dtype, "input", label=label)
        self.inputs.append(value)
        return value

    def add_const(self, data) -> Value:
        data = numpy.asarray(data)
        value = self._new_value(data.shape, data.dtype, "const", data=data)
        self.constants.append(value)
        return value

    def add_node(self, prim, inputs, attrs, shape, dtype, *, op=None, effect=False, source=None) -> Value:
        """Append a single-output node and return its output value."""
        node = Node(op or prim.name, prim, inputs, attrs, effect, source)
        self.append(node, [(shape, dtype)])
        return node.output

    def append(self, node: Node, types) -> Node:
        """Append ``node`` with one output per ``(shape, dtype)`` in ``types``."""
        node.outputs = [self._new_value(shape, dtype, "node", node=node, index=i)
                        for i, (shape, dtype) in enumerate(types)]
        self.nodes.append(node)
        return node

    def new_value_like(self, value: Value, node: Node, index: int = 0) -> Value:
        return self._new_value(value.shape, value.dtype, "node", node=node, index=index)

    # --- reading --------------------------------------------------------------
    def output_values(self):
        return [v for v in self.outputs if isinstance(v, Value)]

    def users(self) -> dict:
        """For each value id, the nodes reading it (in order, once per node)."""
        table: dict = {}
        for node in self.nodes:
            for value in dict.fromkeys(node.operands()):
                table.setdefault(value.id, []).append(node)
        return table

    def substitute(self, mapping: dict) -> None:
        """Replace values everywhere (node operands, attributes, outputs): ``{old.id: new}``."""
        if not mapping:
            return

        def swap(value):
            while isinstance(value, Value) and value.id in mapping:
                value = mapping[value.id]
            return value
        for node in self.nodes:
            node.inputs = [swap(v) for v in node.inputs]
            node.attrs = map_values(node.attrs, swap)
        self.outputs = [swap(v) for v in self.outputs]

    def copy(self) -> "Graph":
        """An independent copy (new values and nodes; constants' arrays shared, as they never change)."""
        clone = Graph(self.name)
        clone.namespace = self.namespace
        clone._ids = itertools.count(max([v.id for v in self._all_values()], default=-1) + 1)
        mapping = {}

        def twin(value):
            if value.id not in mapping:
                mapping[value.id] = Value(value.id, value.shape, value.dtype, value.kind, None,
                                          value.index, value.data, value.label)
            return mapping[value.id]
        clone.inputs = [twin(v) for v in self.inputs]
        clone.constants = [twin(v) for v in self.constants]
        swap = (lambda v: twin(v) if isinstance(v, Value) else v)
        for node in self.nodes:
            copy = Node(node.op, node.prim, [swap(v) for v in node.inputs], map_values(node.attrs, swap),
                        node.effect, node.source)
            copy.outputs = [twin(v) for v in node.outputs]
            for value in copy.outputs:
                value.node = copy
            clone.nodes.append(copy)
        clone.outputs = [swap(v) for v in self.outputs]
        return clone

    def _all_values(self):
        yield from self.inputs
        yield from self.constants
        for node in self.nodes:
            yield from node.outputs

    def prune_constants(self) -> None:
        used = {v.id for node in self.nodes for v in node.operands()}
        used |= {v.id for v in self.output_values()}
        self.constants = [c for c in self.constants if c.id in used]

    def __len__(self) -> int:
        return len(self.nodes)

    def count(self, op: str) -> int:
        return sum(node.op == op for node in self.nodes)

    # --- display --------------------------------------------------------------
    def __str__(self) -> str:
        from .printer import format_graph
        return format_graph(self)

    def to_dot(self) -> str:
        """The graph in Graphviz DOT (``dot -Tsvg``)."""
        from .printer import graph_to_dot
        return graph_to_dot(self)

    def __repr__(self) -> str:
        return f"<Graph {self.name}: {len(self.inputs)} inputs, {len(self.nodes)} nodes>"


def attr_names(node: Node):
    """Names for a primitive's attributes, read from its ``forward`` signature."""
    if node.prim is None:
        return None
    try:
        parameters = list(inspect.signature(node.prim.forward).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(p.kind == p.VAR_POSITIONAL for p in parameters):
        return None
    names = [p.name for p in parameters[1 + len(node.inputs):]]
    return names if len(names) == len(node.attrs) else None


def is_dim(value) -> bool:
    return isinstance(value, Dim)
