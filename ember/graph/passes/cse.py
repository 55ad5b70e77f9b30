"""Common-subexpression elimination: compute each distinct expression once.

Nodes are keyed by their op, operands and attributes (:meth:`Node.key`);
walking in order, a node whose key was seen is replaced by the earlier one.
Equal constants are merged first, so ``x * 2`` written twice matches even
when each ``2`` became its own constant array. Nodes with effects are never
merged (two dropout masks are two draws).

Example:
    >>> import numpy
    >>> from ember.graph.ir import Graph
    >>> from ember.primitives import elementwise as E
    >>> g = Graph()
    >>> x = g.add_input((2,), numpy.float32)
    >>> a = g.add_node(E.exp, [x], (), (2,), numpy.float32)
    >>> b = g.add_node(E.exp, [x], (), (2,), numpy.float32)
    >>> g.outputs = [g.add_node(E.add, [a, b], (), (2,), numpy.float32)]
    >>> len(eliminate_common_subexpressions(g))
    2
"""
from __future__ import annotations

from ..ir import Graph, attr_key

_MERGE_LIMIT = 1 << 16  # constants larger than this are compared by identity only


def merge_constants(graph: Graph) -> dict:
    """Map each constant equal to an earlier one onto it."""
    seen, mapping = {}, {}
    for const in graph.constants:
        if const.data.size > _MERGE_LIMIT:
            continue
        key = attr_key(const.data)
        if key in seen:
            mapping[const.id] = seen[key]
        else:
            seen[key] = const
    return mapping


def eliminate_common_subexpressions(graph: Graph) -> Graph:
    graph.substitute(merge_constants(graph))
    table, mapping, kept = {}, {}, []
    for node in graph.nodes:
        if mapping:
            _rewrite(node, mapping)
        if node.effect or node.prim is None and node.op != "fused":
            kept.append(node)
            continue
        key = node.key()
        earlier = table.get(key)
        if earlier is None:
            table[key] = node
            kept.append(node)
            continue
        for old, new in zip(node.outputs, earlier.outputs):
            mapping[old.id] = new
    graph.nodes = kept
    graph.substitute(mapping)
    graph.prune_constants()
    return graph


def _rewrite(node, mapping) -> None:
    from ..ir import Value, map_values

    def swap(value):
        return mapping.get(value.id, value) if isinstance(value, Value) else value
    node.inputs = [swap(v) for v in node.inputs]
    node.attrs = map_values(node.attrs, swap)
