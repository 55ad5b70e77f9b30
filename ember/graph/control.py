"""``ember.cond`` and ``ember.while_loop``: control flow that a graph can hold.

Eagerly they are plain Python ``if`` and ``while``. While tracing, each
branch (or the loop's condition and body) is traced into a subgraph, and one
``cond`` / ``while_loop`` node runs the chosen subgraph at run time. Tensors
a branch uses without receiving them as operands (a module's parameters,
say) become extra operands automatically.

Gradients flow through ``cond``: the gradient of each output is another
``cond`` whose branches recompute their side's forward and differentiate it
(the branches' own VJPs, so higher orders work too). ``while_loop`` has no
gradient (its trip count is data), as in JAX.

Example:
    >>> import ember
    >>> @ember.function
    ... def safe_log(x):
    ...     return ember.cond(x.sum() > 0, lambda v: v.log(), lambda v: v.abs(), x)
    >>> safe_log(ember.tensor([1.0, 2.718281828])), safe_log(ember.tensor([-1.0, 0.0]))
    (tensor([0., 1.]), tensor([1., 0.]))
    >>> @ember.function
    ... def halve_until_small(x):
    ...     return ember.while_loop(lambda v: v.abs().sum() > 1.0, lambda v: (v / 2,), (x,))[0]
    >>> halve_until_small(ember.tensor([3.0, 5.0]))
    tensor([0.3750, 0.6250])
"""
from __future__ import annotations

from ..autograd.grad_mode import enable_grad, no_grad
from ..autograd.grad_mode import state as grad_state
from ..errors import ShapeError
from ..primitives.core import Primitive, dispatch
from ..primitives.core import _record as record_autograd
from ..tensor import Tensor
from .errors import TracingError
from .ir import Graph, Node, Value
from .signature import flatten, unflatten
from .symbolic import SymbolicArray


# --- the public functions --------------------------------------------------------------------
def cond(pred, true_fn, false_fn, *operands):
    """``true_fn(*operands)`` if ``pred`` else ``false_fn(*operands)``, as one graph node when traced.

    Both branches must return the same structure of tensors with the same
    shapes and dtypes. ``pred`` is a Python bool or a one-element tensor.
    """
    tracer = dispatch.tracer
    if tracer is None or isinstance(pred, bool) or not _symbolic(pred):
        return (true_fn if bool(pred) else false_fn)(*operands)
    return _traced_cond(tracer, pred, true_fn, false_fn, operands)


def while_loop(cond_fn, body_fn, loop_vars):
    """Repeat ``loop_vars = body_fn(*loop_vars)`` while ``cond_fn(*loop_vars)``; returns a tuple.

    The body must return as many tensors as ``loop_vars``, each with the same
    shape and dtype (a graph's values have one type). Not differentiable.
    """
    loop_vars = tuple(loop_vars)
    tracer = dispatch.tracer
    if tracer is None:
        while bool(cond_fn(*loop_vars)):
            loop_vars = tuple(body_fn(*loop_vars))
        return loop_vars
    return _traced_while(tracer, cond_fn, body_fn, loop_vars)


def _symbolic(value) -> bool:
    return isinstance(value, Tensor) and isinstance(value._data, SymbolicArray)


# --- tracing a function into a subgraph --------------------------------------------------------
class Branch:
    """A function traced into a subgraph: its graph, outer values it reads, output structure."""

    def __init__(self, graph: Graph, captured: list, structure, outputs: list):
        self.graph, self.captured, self.structure, self.outputs = graph, captured, structure, outputs


def trace_branch(tracer, function, operands, name: str) -> Branch:
    """Trace ``function(*operands)`` into a subgraph sharing the trace's cells and captures."""
    graph = Graph(name, ids=tracer.root._ids)
    outer = tracer.graph
    tracer.graph = graph
    try:
        placeholders = [_placeholder(tracer, graph, value, index) for index, value in enumerate(operands)]
        with no_grad():
            result = function(*placeholders)
    finally:
        tracer.graph = outer
    leaves: list = []
    structure = flatten(result, leaves)
    graph.outputs = [tracer.cell_for(leaf).value for leaf in leaves]
    captured = _capture_outer_values(graph)
    return Branch(graph, captured, structure, graph.outputs)


def _placeholder(tracer, graph, value, index):
    if not isinstance(value, Tensor):
        raise TracingError(f"{graph.name}: operands must be tensors, got {type(value).__name__} "
                           "(close over Python values instead)")
    cell = tracer.cell_for(value)
    placeholder = graph.add_input(cell.shape, cell.dtype, f"operand{index}")
    return Tensor._make(SymbolicArray(tracer, placeholder), None, False)


def _values_of(graph: Graph):
    yield from graph.inputs
    yield from graph.constants
    for node in graph.nodes:
        yield from node.outputs


def _capture_outer_values(graph: Graph) -> list:
    """Make values from enclosing graphs that ``graph`` reads into extra inputs of it."""
    own = {v.id for v in _values_of(graph)}
    captured, mapping = [], {}
    reads = [v for node in graph.nodes for v in node.operands()] + [v for v in graph.outputs
                                                                      if isinstance(v, Value)]
    for value in reads:
        if value.id not in own and value.id not in mapping:
            captured.append(value)
            mapping[value.id] = graph.add_input(value.shape, value.dtype, f"captured %{value.id}")
    graph.substitute(mapping)
    return captured


def _check_types(name, first: Branch, second: Branch, what=("true branch", "false branch")) -> None:
    types = [[(v.shape, v.dtype) for v in b.outputs] for b in (first, second)]
    if _structure_key(first.structure) != _structure_key(second.structure) or types[0] != types[1]:
        described = [", ".join(f"{dtype.name}{list(shape)}" for shape, dtype in t) for t in types]
        raise ShapeError(f"{name}: the {what[0]} returns ({described[0]}) but the {what[1]} returns "
                         f"({described[1]}); both must return tensors of the same shapes and dtypes")


def _structure_key(structure):
    from .signature import structure_key
    return structure_key(structure)


def _align_captures(branches) -> list:
    """One list of captured outer values for several branches; each graph gets all as inputs."""
    combined = []
    for branch in branches:
        for value in branch.captured:
            if all(value is not v for v in combined):
                combined.append(value)
    for branch in branches:
        inputs, extra = branch.graph.inputs, len(branch.graph.inputs) - len(branch.captured)
        by_id = {v.id: inputs[extra + i] for i, v in enumerate(branch.captured)}
        branch.graph.inputs = inputs[:extra] + [
            by_id.get(v.id) or Value(next(branch.graph._ids), v.shape, v.dtype, "input", label=f"unused %{v.id}")
            for v in combined]
    return combined


# --- cond -------------------------------------------------------------------------------------------
class CondOutput(Primitive):
    """The autograd record of one ``cond`` output: its VJP is a ``cond`` of the branches' VJPs."""

    name = "cond"
    saves_inputs = False

    @staticmethod
    def vjp(ctx, grad):
        true_fn, false_fn, index, count = ctx.attrs
        pred, *rest = ctx.inputs
        operands, captured = rest[:count], rest[count:]
        mask = [_differentiable(t) for t in operands]
        targets = [t for t in captured if _differentiable(t)]
        gradients = iter(cond(pred, _gradient_branch(true_fn, index, mask, targets),
                              _gradient_branch(false_fn, index, mask, targets), *operands, grad))
        return (None,) + tuple(next(gradients) if _differentiable(t) else None for t in rest)


def _differentiable(tensor) -> bool:
    return isinstance(tensor, Tensor) and tensor._requires_grad and tensor._data.dtype.kind == "f"


def _gradient_branch(function, index, mask, captured):
    """A branch returning d(output ``index``)/d(operands in ``mask``, then ``captured``) · incoming."""
    from ..autograd.functions import grad as autograd_grad
    from ..ops.creation import zeros_like

    def branch(*args):
        *operands, incoming = args
        with enable_grad():
            # an operand that already requires grad (a higher-order pass) stays connected
            leaves = [o.requires_grad_() if wanted and not o._requires_grad and o.is_leaf else o
                      for o, wanted in zip(operands, mask)]
            outputs: list = []
            flatten(function(*leaves), outputs)
            targets = [leaf for leaf, wanted in zip(leaves, mask) if wanted] + list(captured)
            if not outputs[index].requires_grad:  # this side does not depend on the targets
                return tuple(zeros_like(t) for t in targets)
            # create_graph: the gradient's own graph is kept, so it can be differentiated again
            return tuple(autograd_grad(outputs[index], targets, incoming, allow_unused=True,
                                       materialize_grads=True, create_graph=True))
    return branch


COND = CondOutput()


def _traced_cond(tracer, pred, true_fn, false_fn, operands):
    pred_value = tracer.operand(pred)
    if pred_value.dtype.kind != "b":
        pred = pred != 0
        pred_value = tracer.operand(pred)
    size = 1
    for dim in pred_value.shape:
        size = size * dim
    if size != 1:
        raise ShapeError(f"cond: the predicate must have one element, got shape {pred_value.shape}")
    branches = [trace_branch(tracer, fn, operands, name) for fn, name in
                ((true_fn, "cond_true"), (false_fn, "cond_false"))]
    _check_types("cond", *branches)
    captured = _align_captures(branches)
    inputs = [pred_value] + [tracer.operand(o) for o in operands] + captured
    node = Node("cond", None, inputs, (branches[0].graph, branches[1].graph), source=_source())
    tracer.graph.append(node, [(v.shape, v.dtype) for v in branches[0].outputs])
    capture_tensors = [tracer.value_tensors.get(v.id) for v in captured]
    results = _output_tensors(tracer, node, [pred] + list(operands) + capture_tensors,
                              (true_fn, false_fn, len(operands)))
    return unflatten(branches[0].structure, iter(results))


def _output_tensors(tracer, node, inputs, attrs):
    differentiable = grad_state.enabled and any(_differentiable(t) for t in inputs if t is not None)
    results = []
    for index, value in enumerate(node.outputs):
        array = SymbolicArray(tracer, value)
        if differentiable and value.dtype.kind == "f":
            results.append(record_autograd(COND, inputs, attrs[:2] + (index, attrs[2]), array))
        else:
            results.append(Tensor._make(array, None, False))
    return results


def _source():
    from .tracer import user_frame
    return user_frame(3)


# --- while_loop ---------------------------------------------------------------------------------------
def _traced_while(tracer, cond_fn, body_fn, loop_vars):
    test = trace_branch(tracer, lambda *v: cond_fn(*v), loop_vars, "while_cond")
    body = trace_branch(tracer, lambda *v: tuple(body_fn(*v)), loop_vars, "while_body")
    start = Branch(None, [], body.structure, [tracer.operand(v) for v in loop_vars])
    _check_types("while_loop", body, start, ("body", "initial loop_vars"))
    if len(test.outputs) != 1 or test.outputs[0].dtype.kind != "b":
        raise TracingError("while_loop: cond_fn must return one boolean tensor")
    captured = _align_captures([test, body])
    node = Node("while_loop", None, start.outputs + captured, (test.graph, body.graph, len(loop_vars)),
                source=_source())
    tracer.graph.append(node, [(v.shape, v.dtype) for v in start.outputs])
    return tuple(Tensor._make(SymbolicArray(tracer, v), None, False) for v in node.outputs)


__all__ = ["cond", "while_loop"]
