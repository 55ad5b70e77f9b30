"""Constant folding: evaluate, once, nodes whose operands are all constants.

The node's own primitive computes the result (``prim.forward`` on NumPy),
so folding cannot disagree with running. Folding is skipped for effects,
symbolic shapes, and results much larger than their operands (folding
``broadcast_to(0.0, (1000, 1000))`` would only bloat the constants).

Example:
    >>> import numpy
    >>> from ember.graph.ir import Graph
    >>> from ember.primitives import elementwise as E
    >>> g = Graph()
    >>> two = g.add_const(numpy.float32(2.0))
    >>> g.outputs = [g.add_node(E.mul, [two, 3.0], (), (), numpy.float32)]
    >>> g = fold_constants(g)
    >>> len(g), float(g.outputs[0].data)
    (0, 6.0)
"""
from __future__ import annotations

import numpy

from ..dims import is_symbolic
from ..ir import Graph, Value, values_in

MAX_GROWTH = 4096  # a folded result may exceed its largest operand by at most this many elements


def _is_constant_operand(value) -> bool:
    if isinstance(value, Value):
        return value.kind == "const"
    return not is_symbolic(value)


def _foldable(node) -> bool:
    if node.prim is None or node.effect or len(node.outputs) != 1:
        return False
    if not all(_is_constant_operand(v) for v in node.inputs):
        return False
    if any(v.kind != "const" for v in values_in(node.attrs)):
        return False
    if any(is_symbolic(s) for s in node.output.shape) or _has_symbolic(node.attrs):
        return False
    largest = max([v.data.size for v in node.inputs if isinstance(v, Value)] + [1])
    size = int(numpy.prod(node.output.shape, dtype=numpy.int64))
    return size <= largest + MAX_GROWTH


def _has_symbolic(structure) -> bool:
    if isinstance(structure, (tuple, list)):
        return any(_has_symbolic(s) for s in structure)
    if isinstance(structure, slice):
        return _has_symbolic((structure.start, structure.stop, structure.step))
    return is_symbolic(structure)


def _concrete(value):
    return value.data if isinstance(value, Value) else value


def fold_constants(graph: Graph) -> Graph:
    mapping, kept = {}, []
    for node in graph.nodes:
        if mapping:
            from .cse import _rewrite
            _rewrite(node, mapping)
        if not _foldable(node):
            kept.append(node)
            continue
        from ..ir import map_values
        attrs = map_values(node.attrs, lambda v: v.data)
        result = numpy.asarray(node.prim.forward(numpy, *[_concrete(v) for v in node.inputs], *attrs))
        if result.dtype != node.output.dtype:
            result = result.astype(node.output.dtype)
        mapping[node.output.id] = graph.add_const(result)
    graph.nodes = kept
    graph.substitute(mapping)
    graph.prune_constants()
    return graph
