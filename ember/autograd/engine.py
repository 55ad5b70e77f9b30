"""The backward engine: an iterative, deterministic walk of graph nodes.

Nodes are visited in reverse topological order (Kahn's algorithm over
dependency counts, so a chain of 100,000 ops needs no recursion). Gradients
arriving at a node from several consumers are summed before its VJP runs;
gradients for leaves are summed, passed through their hooks and then
accumulated into ``.grad`` (or returned, for :func:`grad`).

This loop runs once per node of every training step, so it avoids helper
calls and imports in its body.
"""
from __future__ import annotations

from .. import backend
from ..errors import GradError
from .grad_mode import state
from .node import Node

_ops = None  # ember.ops.functions, bound on first use (it imports this package)


def _functions():
    global _ops
    if _ops is None:
        from ..ops import functions
        _ops = functions
    return _ops


def _edge(value):
    """Where a gradient for ``value`` goes: its node, the leaf itself, or nowhere."""
    node = getattr(value, "_node", None)
    if node is not None:
        return node
    if getattr(value, "_requires_grad", False):
        return value
    return None


def _freed_error(node):
    return GradError(
        f"trying to backward through the graph a second time (through '{node.prim.name}'): "
        "its saved values were freed after the first backward; pass retain_graph=True "
        "to the first backward() if you need to call it twice")


def _dependencies(roots):
    """Count, for every node reachable from ``roots``, how many edges point at it.

    Keyed by the nodes themselves (identity hashing: no ``id()`` calls); the roots enter
    at 0, so membership in ``counts`` also marks a node as seen.
    """
    stack = [r for r in roots if type(r) is Node]
    counts = dict.fromkeys(stack, 0)
    get = counts.get
    while stack:
        node = stack.pop()
        if node.freed:
            raise _freed_error(node)
        for edge in node.parents:
            if type(edge) is Node:
                count = get(edge)
                if count is None:
                    counts[edge] = 1
                    stack.append(edge)
                else:
                    counts[edge] = count + 1
    return counts


def _run_hooks(hooks, grad):
    for hook in hooks:
        result = hook(grad)
        if result is not None:
            grad = result
    return grad


def _check_anomaly(node, grads):
    for grad in grads:
        if grad is not None and not bool(grad.isfinite().all()):
            where = "".join(node.stack or ["  (forward call site not recorded)\n"])
            raise GradError(f"function '{node.prim.name}' returned nan or inf values in its "
                            f"gradient; its forward call was made at:\n{where}")


class _Walk:
    """The state of one backward pass: gradients waiting at nodes (keyed by node) and leaves
    (keyed by ``id``), and the nodes whose consumers are all done."""

    __slots__ = ("counts", "node_grads", "leaf_grads", "leaves", "ready", "functions")

    def __init__(self, counts):
        self.counts = counts
        self.node_grads = {}
        self.leaf_grads = {}
        self.leaves = {}
        self.ready = []
        self.functions = _functions()

    def add_root(self, edge, grad):
        if type(edge) is Node:
            self.node_grads[edge] = grad
        else:
            self._add_leaf(edge, grad)

    def _add_leaf(self, leaf, grad):
        key = id(leaf)
        previous = self.leaf_grads.get(key)
        self.leaf_grads[key] = grad if previous is None else previous + grad
        self.leaves[key] = leaf

    def skip(self, node):
        """``node`` got no gradient at all: tell its own inputs so, iteratively."""
        counts, node_grads = self.counts, self.node_grads
        stack = [node]
        while stack:
            for edge in stack.pop().parents:
                if type(edge) is Node:
                    counts[edge] -= 1
                    if counts[edge] == 0:
                        (self.ready if edge in node_grads else stack).append(edge)

    def drain(self, retain_graph, create_graph, wanted, captured):
        """Run every ready node's VJP until none is left.

        This is the loop every backward pass spends its time in, so the steps of one
        node (version check, VJP, handing each input's gradient on, scheduling) are
        written out here rather than split into helper calls.
        """
        ready, counts, node_grads = self.ready, self.counts, self.node_grads
        functions = self.functions
        while ready:
            node = ready.pop()
            if node.freed:
                raise _freed_error(node)
            grad = node_grads.pop(node)
            if node.hooks:
                grad = _run_hooks(node.hooks, grad)
            if node.retained:
                _retain(node, grad, create_graph)
            if wanted and id(node) in wanted:
                captured[id(node)] = grad
            if node.versions is not None or node.out_counter is not None:
                node.check_versions()
            input_grads = node.prim.vjp(node, grad)
            if node.stack is not None:
                _check_anomaly(node, input_grads)
            for value, edge, input_grad in zip(node.inputs, node.parents, input_grads):
                if edge is None:
                    continue
                if input_grad is not None:
                    data, target = input_grad._data, value._data
                    if data.shape != target.shape:
                        input_grad = functions.sum_to(input_grad, target.shape)
                    if data.dtype != target.dtype:
                        input_grad = functions.cast(input_grad, target.dtype)
                    if type(edge) is not Node:
                        self._add_leaf(edge, input_grad)
                        continue
                    previous = node_grads.get(edge)
                    node_grads[edge] = input_grad if previous is None else previous + input_grad
                elif type(edge) is not Node:
                    continue
                count = counts[edge] - 1  # one consumer of ``edge`` is done
                counts[edge] = count
                if not count:
                    if edge in node_grads:
                        ready.append(edge)
                    else:
                        self.skip(edge)
            if not retain_graph:
                node.release()


def run_backward(roots, root_grads, retain_graph: bool, create_graph: bool, targets=None):
    """Propagate ``root_grads`` from ``roots`` through the graph.

    With ``targets`` (tensors), returns their gradients instead of touching
    ``.grad``; otherwise accumulates into every leaf's ``.grad``.
    """
    root_edges = [_edge(r) for r in roots]
    walk = _Walk(_dependencies(root_edges))
    for edge, grad in zip(root_edges, root_grads):
        if edge is not None:
            walk.add_root(edge, grad)
    wanted = {id(_edge(t)) for t in targets} if targets is not None else None
    captured = {}
    walk.ready = [e for e in dict.fromkeys(root_edges)
                  if type(e) is Node and walk.counts.get(e, 0) == 0]
    previous_mode = state.enabled
    state.enabled = create_graph
    try:
        walk.drain(retain_graph, create_graph, wanted, captured)
    finally:
        state.enabled = previous_mode
    if targets is not None:
        for key, leaf in walk.leaves.items():
            if leaf._hooks:
                walk.leaf_grads[key] = _run_hooks(leaf._hooks, walk.leaf_grads[key])
        captured.update(walk.leaf_grads)
        return [captured.get(id(_edge(t))) for t in targets]
    _deposit(walk.leaves, walk.leaf_grads, create_graph, [id(g._data) for g in root_grads])
    return None


def _retain(node, grad, create_graph):
    """Give retained non-leaf tensors their gradient, accumulating like leaves do."""
    for ref in node.retained:
        tensor = ref()
        if tensor is None:
            continue
        grad = grad if create_graph else grad.detach()
        tensor.grad = grad if tensor.grad is None else tensor.grad + grad


def _deposit(leaves, leaf_grads, create_graph, root_arrays):
    """Add each leaf's total gradient to its ``.grad``.

    Without ``create_graph`` a gradient array is adopted as ``.grad`` (no
    copy) only when nothing else can see its memory: it is writeable, was not
    passed through a hook, and neither it nor the array it views is a root
    gradient or already adopted by another leaf. Otherwise it is copied.
    """
    seen = set(root_arrays)
    for key, leaf in leaves.items():
        grad = leaf_grads[key]
        if leaf._hooks:
            grad = _run_hooks(leaf._hooks, grad)
        if create_graph:
            leaf.grad = grad if leaf.grad is None else leaf.grad + grad
            continue
        array = grad._data
        if leaf.grad is not None:
            leaf.grad._data += array
            continue
        base = _root_base(array)
        shared = (id(array) in seen or id(base) in seen or not backend.is_writeable(array)
                  or bool(leaf._hooks))
        seen.add(id(array))
        seen.add(id(base))
        leaf.grad = grad.detach().clone() if shared else grad.detach()


def _root_base(array):
    while array.base is not None and hasattr(array.base, "base"):
        array = array.base
    return array
