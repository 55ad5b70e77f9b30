"""The backward engine: an iterative, deterministic walk of graph nodes.

Nodes are visited in reverse topological order (Kahn's algorithm over
dependency counts, so a chain of 100,000 ops needs no recursion). Gradients
arriving at a node from several consumers are summed before its VJP runs;
gradients for leaves are summed, passed through their hooks and then
accumulated into ``.grad`` (or returned, for :func:`grad`).
"""
from __future__ import annotations

from ..errors import GradError
from .grad_mode import state


def _edge(value):
    """Where a gradient for ``value`` goes: its node, the leaf itself, or nowhere."""
    node = getattr(value, "_node", None)
    if node is not None:
        return node
    if getattr(value, "requires_grad", False):
        return value
    return None


def _dependencies(roots):
    """Count, for every node reachable from ``roots``, how many edges point at it."""
    from .node import Node
    counts = {}
    stack = [r for r in roots if isinstance(r, Node)]
    seen = set(map(id, stack))
    while stack:
        node = stack.pop()
        if node.freed:
            raise GradError(
                f"trying to backward through the graph a second time (through '{node.prim.name}'): "
                "its saved values were freed after the first backward; pass retain_graph=True "
                "to the first backward() if you need to call it twice")
        for value in node.inputs:
            edge = _edge(value)
            if isinstance(edge, Node):
                counts[id(edge)] = counts.get(id(edge), 0) + 1
                if id(edge) not in seen:
                    seen.add(id(edge))
                    stack.append(edge)
    return counts


def _sum_to_input(grad, value):
    """Sum a broadcast gradient back to the input's shape and cast it to its dtype."""
    from ..ops import functions as F
    if grad.shape != value.shape:
        grad = F.sum_to(grad, value.shape)
    if grad._data.dtype != value._data.dtype:
        grad = F.cast(grad, value._data.dtype)
    return grad


def _accumulate(table, key, grad):
    previous = table.get(key)
    table[key] = grad if previous is None else previous + grad


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


def run_backward(roots, root_grads, retain_graph: bool, create_graph: bool, targets=None):
    """Propagate ``root_grads`` from ``roots`` through the graph.

    With ``targets`` (tensors), returns their gradients instead of touching
    ``.grad``; otherwise accumulates into every leaf's ``.grad``.
    """
    from .node import Node
    root_edges = [_edge(r) for r in roots]
    counts = _dependencies(root_edges)
    node_grads, leaf_grads, leaves = {}, {}, {}
    for edge, grad in zip(root_edges, root_grads):
        if edge is None:
            continue
        if isinstance(edge, Node):
            _accumulate(node_grads, id(edge), grad)
        else:
            _accumulate(leaf_grads, id(edge), grad)
            leaves[id(edge)] = edge
    wanted = {id(_edge(t)): t for t in targets} if targets is not None else None
    captured = {}
    ready = [e for e in dict.fromkeys(root_edges) if isinstance(e, Node) and counts.get(id(e), 0) == 0]
    previous_mode = state.enabled
    state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grad = node_grads.pop(id(node), None)
            if node.hooks:
                grad = _run_hooks(node.hooks, grad)
            if node.retained:
                for ref in node.retained:
                    tensor = ref()
                    if tensor is not None:
                        tensor.grad = grad if create_graph else grad.detach()
            if wanted is not None and id(node) in wanted:
                captured[id(node)] = grad
            _propagate(node, grad, counts, node_grads, leaf_grads, leaves, ready)
            if not retain_graph:
                node.release()
    finally:
        state.enabled = previous_mode
    if wanted is not None:
        captured.update(leaf_grads)
        return [captured.get(id(_edge(t))) for t in targets]
    _deposit(leaves, leaf_grads, create_graph, [id(g._data) for g in root_grads])
    return None


def _propagate(node, grad, counts, node_grads, leaf_grads, leaves, ready):
    from .node import Node
    node.check_versions()
    input_grads = node.prim.vjp(node, grad)
    if node.stack is not None:
        _check_anomaly(node, input_grads)
    for value, input_grad in zip(node.inputs, input_grads):
        edge = _edge(value)
        if edge is None:
            continue
        if isinstance(edge, Node):
            if input_grad is not None:
                _accumulate(node_grads, id(edge), _sum_to_input(input_grad, value))
            _arrive(edge, counts, node_grads, ready)
        elif input_grad is not None:
            _accumulate(leaf_grads, id(edge), _sum_to_input(input_grad, value))
            leaves[id(edge)] = edge


def _arrive(node, counts, node_grads, ready):
    """One consumer of ``node`` is done; schedule it once all are.

    A node that ends up with no gradient at all is skipped, and its own
    inputs are told so, iteratively.
    """
    from .node import Node
    stack = [node]
    while stack:
        current = stack.pop()
        counts[id(current)] -= 1
        if counts[id(current)]:
            continue
        if id(current) in node_grads:
            ready.append(current)
            continue
        for value in current.inputs:
            edge = _edge(value)
            if isinstance(edge, Node):
                stack.append(edge)


def _deposit(leaves, leaf_grads, create_graph, root_arrays):
    """Add each leaf's total gradient to its ``.grad``.

    Without ``create_graph`` a gradient array is adopted as ``.grad`` only
    when nothing else can see it (not a view, not a root gradient, not given
    to another leaf); otherwise it is copied.
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
        shared = id(array) in seen or not array.flags.owndata or not array.flags.writeable
        seen.add(id(array))
        leaf.grad = grad.detach().clone() if shared else grad.detach()
