"""Algebraic simplification: rewrite nodes into cheaper equivalents.

Identities (each only when the result keeps the same shape and dtype):
``reshape``/``broadcast_to`` to the input's own shape, the identity
``permute``, ``cast`` to the same dtype, ``copy`` (values are immutable, so
a copy is only about memory, which code generation owns), ``x*1``, ``1*x``,
``x/1``, ``x+0``, ``0+x``, ``x-0``, ``x**1``, ``-(-x)``. Rewrites:
``x**2`` to ``x*x``; chains of ``reshape``, ``permute`` and ``broadcast_to``
collapse into one; the transpose of a matrix product read only there becomes
the product of the transposes, ``(a @ b).T = b.T @ a.T`` (its result is then
laid out in C order, and the operands' transposes usually cancel); an
elementwise operand that is an explicit
``broadcast_to`` is replaced by its input when NumPy's implicit broadcasting
gives the same result (*broadcast folding*).

Example:
    >>> import numpy
    >>> from ember.graph.ir import Graph
    >>> from ember.primitives import elementwise as E
    >>> g = Graph()
    >>> x = g.add_input((2,), numpy.float32)
    >>> y = g.add_node(E.mul, [x, 1], (), (2,), numpy.float32)
    >>> g.outputs = [g.add_node(E.add, [y, 0.0], (), (2,), numpy.float32)]
    >>> g = simplify(g)
    >>> len(g), g.outputs[0] is x
    (0, True)
"""
from __future__ import annotations

from ...primitives import elementwise as E
from ...primitives import shape as S
from ..dims import is_symbolic
from ..ir import Graph, Node, Value
from ..lowering import ELEMENTWISE


def scalar_of(operand):
    """The number an operand stands for (a Python number or a one-element constant), else None."""
    if isinstance(operand, Value):
        if operand.kind == "const" and operand.data.size == 1:
            return operand.data.reshape(()).item()
        return None
    if isinstance(operand, (bool, int, float)) and not is_symbolic(operand):
        return operand
    return None


def _same_type(value, out: Value) -> bool:
    return isinstance(value, Value) and value.shape == out.shape and value.dtype == out.dtype


def _producer(value, op: str):
    if isinstance(value, Value) and value.kind == "node" and value.node.op == op:
        return value.node
    return None


def _identity(node):
    """The value ``node`` merely passes through, or None."""
    op, inputs, out = node.op, node.inputs, node.output
    first = inputs[0] if inputs else None
    if op in ("reshape", "broadcast_to", "copy") and _same_type(first, out):
        return first
    if op == "permute" and node.attrs[0] == tuple(range(len(node.attrs[0]))):
        return first
    if op == "cast" and isinstance(first, Value) and first.dtype == out.dtype:
        return first
    if op in ("mul", "add"):
        unit = 1 if op == "mul" else 0
        for keep, other in ((inputs[0], inputs[1]), (inputs[1], inputs[0])):
            if scalar_of(other) == unit and _same_type(keep, out):
                return keep
    if op in ("div", "sub", "pow") and scalar_of(inputs[1]) == (0 if op == "sub" else 1) \
            and _same_type(first, out):
        return first
    if op == "neg":
        inner = _producer(first, "neg")
        if inner is not None and _same_type(inner.inputs[0], out):
            return inner.inputs[0]
    return None


def _rewrite(node) -> None:
    """Rewrite ``node`` in place into a cheaper form, when one applies."""
    op, inputs = node.op, node.inputs
    if op == "pow" and scalar_of(inputs[1]) == 2 and isinstance(inputs[0], Value):
        node.op, node.prim, node.inputs = "mul", E.mul, [inputs[0], inputs[0]]
    elif op in ("reshape", "broadcast_to"):
        inner = _producer(inputs[0], op)
        if inner is not None:
            node.inputs = [inner.inputs[0]]
    elif op == "permute":
        inner = _producer(inputs[0], "permute")
        if inner is not None:
            first, second = inner.attrs[0], node.attrs[0]
            node.inputs, node.attrs = [inner.inputs[0]], (tuple(first[i] for i in second),)
    elif op in ELEMENTWISE:
        node.inputs = [_fold_broadcast(node, i) for i in range(len(inputs))]


def _broadcast(shapes):
    ndim = max((len(s) for s in shapes), default=0)
    result = []
    for axis in range(-ndim, 0):
        sizes = {s[axis] for s in shapes if len(s) >= -axis} - {1}
        if len(sizes) > 1:
            return None
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def _fold_broadcast(node, index):
    operand = node.inputs[index]
    producer = _producer(operand, "broadcast_to")
    if producer is None or not isinstance(producer.inputs[0], Value):
        return operand
    source = producer.inputs[0]
    shapes = [v.shape for i, v in enumerate(node.inputs) if isinstance(v, Value) and i != index]
    if _broadcast(shapes + [source.shape]) == node.output.shape:
        return source
    return operand


def _transposed_product(graph, node, users, kept) -> bool:
    """``permute(matmul(a, b), (1, 0))`` → ``matmul(permute(b), permute(a))`` (2-D, single use)."""
    if node.op != "permute" or node.attrs[0] != (1, 0):
        return False
    product = _producer(node.inputs[0], "matmul")
    if product is None or len(users.get(node.inputs[0].id, ())) != 1:
        return False
    a, b = product.inputs
    if not (isinstance(a, Value) and isinstance(b, Value) and a.ndim == 2 and b.ndim == 2):
        return False
    flipped = []
    for operand in (b, a):
        inner = _producer(operand, "permute")
        if inner is not None and inner.attrs[0] == (1, 0):
            flipped.append(inner.inputs[0])
            if len(users.get(operand.id, ())) == 1 and inner in kept:
                kept.remove(inner)  # its only reader is gone, so the rewrite never grows the graph
            continue
        transpose = Node("permute", S.Permute, [operand], ((1, 0),), source=node.source)
        graph.append(transpose, [(operand.shape[::-1], operand.dtype)])
        graph.nodes.pop()  # appended for its output value; placed in ``kept`` instead
        kept.append(transpose)
        flipped.append(transpose.output)
    node.op, node.prim, node.inputs, node.attrs = "matmul", product.prim, flipped, ()
    return True


def simplify(graph: Graph) -> Graph:
    mapping, kept = {}, []
    users = graph.users()
    from .cse import _rewrite as substitute
    for node in graph.nodes:
        if mapping:
            substitute(node, mapping)
        if _transposed_product(graph, node, users, kept):
            kept.append(node)
            continue
        if node.prim is not None and len(node.outputs) == 1:
            replacement = _identity(node)
            if replacement is not None:
                mapping[node.output.id] = replacement
                continue
            _rewrite(node)
            replacement = _identity(node)
            if replacement is not None:
                mapping[node.output.id] = replacement
                continue
        kept.append(node)
    graph.nodes = kept
    graph.substitute(mapping)
    return graph


__all__ = ["simplify", "scalar_of", "S"]
