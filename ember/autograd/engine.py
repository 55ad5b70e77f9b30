"""The backward engine: an iterative, deterministic walk of graph nodes.

Nodes are visited in reverse topological order (Kahn's algorithm over
dependency counts, so a chain of 100,000 ops needs no recursion). Gradients
arriving at a node from several consumers are summed before its VJP runs;
gradients for leaves are summed, passed through their hooks and then
accumulated into ``.grad`` (or returned, for :func:`grad`).

This loop runs once per node of every training step, so it avoids helper
calls and imports in its body.

Two walks share this structure. With ``create_graph=True`` (or while a static
graph is traced or an autocast region is active) gradients are tensors and
every VJP runs as Ember ops, so the gradient computation is itself recorded
(or autocast). Otherwise gradients travel as raw
backend arrays and each node's VJP runs through ``vjp_cache.run``: the same
Ember-op rule, compiled once per key into NumPy code; gradients are wrapped
into tensors only where user code sees them (hooks, ``retain_grad``,
``grad()``'s results, leaves' ``.grad``).
"""
from __future__ import annotations

import numpy

from .. import backend
from ..backend.namespaces import dispatch
from ..errors import GradError
from . import vjp_cache
from .grad_mode import state
from .node import Node, _tensor_class

_generic = numpy.generic
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


def _dependencies(roots, keep=None, cut=None):
    """Count, for every node reachable from ``roots``, how many edges point at it.

    Keyed by the nodes themselves (identity hashing: no ``id()`` calls); the roots enter
    at 0, so membership in ``counts`` also marks a node as seen. With ``keep``, a node it
    rejects goes into the set ``cut`` and the walk stops there (its inputs are not reached).
    """
    stack = [r for r in roots if type(r) is Node]
    counts = dict.fromkeys(stack, 0)
    get = counts.get
    while stack:
        node = stack.pop()
        if keep is not None and not keep(node):
            cut.add(node)
            continue
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

    __slots__ = ("counts", "node_grads", "leaf_grads", "leaves", "ready", "functions", "arrays", "cut")

    def __init__(self, counts, arrays=False, cut=None):
        self.counts = counts
        self.cut = cut  # nodes where the walk stops: they take a gradient but pass none on
        self.arrays = arrays  # gradients are raw arrays (drain_arrays), else tensors (drain)
        self.node_grads = {}
        self.leaf_grads = {}
        self.leaves = {}
        self.ready = []
        self.functions = _functions()

    def add_root(self, edge, grad):
        if self.arrays:
            grad = grad._data
        if type(edge) is Node:
            self.node_grads[edge] = grad
        else:
            self._add_leaf(edge, grad)

    def _add_leaf(self, leaf, grad):
        key = id(leaf)
        previous = self.leaf_grads.get(key)
        if previous is not None:
            grad = _add_arrays(previous, grad) if self.arrays else previous + grad
        self.leaf_grads[key] = grad
        self.leaves[key] = leaf

    def leaf_tensors(self):
        """Wrap the leaves' array gradients as tensors (the array walk's results)."""
        if self.arrays:
            make = _tensor_class()._make
            for key, grad in self.leaf_grads.items():
                self.leaf_grads[key] = make(grad, None, False)

    def skip(self, node):
        """``node`` got no gradient at all: tell its own inputs so, iteratively."""
        counts, node_grads, cut = self.counts, self.node_grads, self.cut
        stack = [node]
        while stack:
            current = stack.pop()
            if cut and current in cut:
                continue
            for edge in current.parents:
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
        ready, counts, node_grads, cut = self.ready, self.counts, self.node_grads, self.cut
        functions = self.functions
        while ready:
            node = ready.pop()
            grad = node_grads.pop(node)
            if cut and node in cut:  # a cut node: its gradient may be asked for, and goes no further
                if wanted and id(node) in wanted:
                    captured[id(node)] = grad
                continue
            if node.freed:
                raise _freed_error(node)
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

    def drain_arrays(self, retain_graph, wanted, captured):
        """:meth:`drain` without ``create_graph``: gradients are raw arrays and each VJP runs
        compiled (``vjp_cache.run``, which also reduces each gradient to its input's shape
        and dtype). A tensor is made only for the user code that sees a node's gradient."""
        ready, counts, node_grads, cut = self.ready, self.counts, self.node_grads, self.cut
        run = vjp_cache.run
        make = _tensor_class()._make
        while ready:
            node = ready.pop()
            grad = node_grads.pop(node)
            if cut and node in cut:  # a cut node: its gradient may be asked for, and goes no further
                if wanted and id(node) in wanted:
                    captured[id(node)] = make(grad, None, False)
                continue
            if node.freed:
                raise _freed_error(node)
            if node.hooks or node.retained or wanted and id(node) in wanted:
                tensor = make(grad, None, False)
                if node.hooks:
                    tensor = _run_hooks(node.hooks, tensor)
                if node.retained:
                    _retain(node, tensor, False)
                if wanted and id(node) in wanted:
                    captured[id(node)] = tensor
                grad = tensor._data
            if node.versions is not None or node.out_counter is not None:
                node.check_versions()
            if node.stack is None:
                input_grads = run(node, grad)
            else:
                input_grads = _checked_vjp(node, make(grad, None, False))
            for edge, input_grad in zip(node.parents, input_grads):
                if edge is None:
                    continue
                if input_grad is not None:
                    if type(edge) is not Node:
                        self._add_leaf(edge, input_grad)
                        continue
                    previous = node_grads.get(edge)
                    if previous is not None:
                        input_grad = _add_arrays(previous, input_grad)
                    node_grads[edge] = input_grad
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


def _add_arrays(first, second):
    """The sum of two gradient arrays: NumPy's own add on the CPU, Ember's add otherwise
    (it makes the arrays' device current first, as CuPy requires)."""
    if type(first) is numpy.ndarray and type(second) is numpy.ndarray:
        total = first + second
        return numpy.asarray(total) if isinstance(total, _generic) else total  # 0-d sums are scalars
    make = _tensor_class()._make
    return (make(first, None, False) + make(second, None, False))._data


def _checked_vjp(node, grad):
    """Anomaly mode's VJP: the rule as Ember ops, its results checked for nan/inf (arrays out)."""
    grads = node.prim.vjp(node, grad)
    _check_anomaly(node, grads)
    return [None if edge is None or g is None else vjp_cache.to_input(g, value)._data
            for value, edge, g in zip(node.inputs, node.parents, grads)]


def run_backward(roots, root_grads, retain_graph: bool, create_graph: bool, targets=None, keep=None):
    """Propagate ``root_grads`` from ``roots`` through the graph.

    With ``targets`` (tensors), returns their gradients instead of touching
    ``.grad``; otherwise accumulates into every leaf's ``.grad``. With ``keep``
    (a predicate on nodes), the nodes it rejects are cut: they receive their
    gradient (a target's gradient is read there) but pass nothing to their
    inputs, as if their outputs were constants (``tf.GradientTape`` differentiates
    only what it recorded).
    """
    root_edges = [_edge(r) for r in roots]
    # compiled rules only outside traces and autocast regions (dispatch.active counts both, in
    # any thread): a trace records the Ember-op rules, and autocast would change what they compute
    arrays = not create_graph and vjp_cache.enabled and not dispatch.active
    cut = set() if keep is not None else None
    walk = _Walk(_dependencies(root_edges, keep, cut), arrays, cut)
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
        if arrays:
            walk.drain_arrays(retain_graph, wanted, captured)
        else:
            walk.drain(retain_graph, create_graph, wanted, captured)
    finally:
        state.enabled = previous_mode
    walk.leaf_tensors()
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
        _accumulate(leaf, grad, create_graph, seen)
        post_hooks = getattr(leaf, "_post_hooks", None)
        if post_hooks:
            for hook in list(post_hooks):
                hook(leaf)


def _accumulate(leaf, grad, create_graph, seen):
    if create_graph:
        leaf.grad = grad if leaf.grad is None else leaf.grad + grad
        return
    array = grad._data
    if leaf.grad is not None:
        leaf.grad._data += array
        return
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
