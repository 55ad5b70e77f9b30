"""Graph passes: each a small function over the IR, run in order by :func:`optimize_graph`.

Every pass takes a :class:`~ember.graph.ir.Graph`, rewrites it in place and
returns it, so passes compose and each can be tested on a hand-built graph.
"""
from __future__ import annotations

from .constant_folding import fold_constants
from .cse import eliminate_common_subexpressions
from .dce import eliminate_dead_code
from .fusion import FusedProgram, fuse_elementwise
from .memory import MemoryPlan, plan_memory
from .simplify import simplify


def optimize_graph(graph, escaping=(), donations=None, numba: bool = False, plan: bool = True):
    """The standard pipeline; returns ``(graph, memory_plan)``.

    ``escaping`` and ``donations`` are output positions: outputs handed to the
    user, and ``{output position: input position}`` for state updates that may
    be computed into the state's own array.
    """
    for _ in range(2):  # each pass exposes work for the others; two rounds reach a fixed point in practice
        graph = simplify(graph)
        graph = fold_constants(graph)
        graph = eliminate_common_subexpressions(graph)
        graph = eliminate_dead_code(graph)
    graph = fuse_elementwise(graph, singletons=numba)
    if numba:
        compile_fused_kernels(graph)
    if not plan:
        return graph, None
    escaping_values = [graph.outputs[i] for i in escaping]
    donated = {}
    for output, position in (donations or {}).items():
        value = graph.outputs[output]
        if hasattr(value, "kind") and value.kind == "node":
            donated.setdefault(value.id, graph.inputs[position])
    return graph, plan_memory(graph, escaping_values, donated)


def compile_fused_kernels(graph) -> None:
    """Give each fused node a numba kernel (nodes numba can't compile keep the NumPy path)."""
    from ..kernels import compile_kernel
    for node in graph.nodes:
        if node.op == "fused":
            node.attrs[0].kernel = compile_kernel(node.attrs[0], [v.dtype for v in node.inputs],
                                                  [v.shape for v in node.inputs], node.output.shape)


__all__ = ["optimize_graph", "fuse_elementwise", "FusedProgram", "compile_fused_kernels", "plan_memory", "MemoryPlan", "simplify", "fold_constants", "eliminate_common_subexpressions",
           "eliminate_dead_code"]
