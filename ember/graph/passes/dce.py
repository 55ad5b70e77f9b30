"""Dead-code elimination: drop nodes whose results nothing needs.

A node is live when it has an effect (a random draw advances its generator
whether or not the numbers are used, so eager and compiled stay in step) or
when a live node or a graph output reads one of its outputs. One reverse
walk over the node list finds them all.

Example:
    >>> import numpy
    >>> from ember.graph.ir import Graph
    >>> from ember.primitives import elementwise as E
    >>> g = Graph()
    >>> x = g.add_input((2,), numpy.float32)
    >>> unused = g.add_node(E.exp, [x], (), (2,), numpy.float32)
    >>> g.outputs = [g.add_node(E.neg, [x], (), (2,), numpy.float32)]
    >>> len(eliminate_dead_code(g))
    1
"""
from __future__ import annotations

from ..ir import Graph


def eliminate_dead_code(graph: Graph) -> Graph:
    live = {v.id for v in graph.output_values()}
    kept = []
    for node in reversed(graph.nodes):
        if node.effect or any(v.id in live for v in node.outputs):
            kept.append(node)
            live.update(v.id for v in node.operands())
    graph.nodes = kept[::-1]
    graph.prune_constants()
    return graph
