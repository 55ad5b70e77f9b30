"""One node's VJP, traced from its Ember-op rule and compiled to NumPy code.

``ember.autograd.vjp_cache`` calls :func:`trace_vjp` for a node whose key
(primitive, attributes, shapes, dtypes, Python-number inputs, wanted
gradients) it has seen often enough. The rule ``prim.vjp`` runs once under a
:class:`~ember.graph.tracer.Tracer` on symbolic stand-ins of the incoming
gradient, the tensor inputs and the saved output, followed by the engine's
``sum_to``/``cast`` to each input's shape and dtype (``vjp_cache.to_input``);
the graph goes through the standard passes (no memory plan: every result
must be a fresh array, since gradients are kept as ``.grad``) and the
``ember.function`` code generator.

A rule is refused (``Untraceable``) when the result would not be the rule's
for every call with the same key: it reads an array that existed before the
trace (it would be baked in), writes into an array in place, draws random
numbers, returns something other than a tensor or None, or branches on data
(the tracer raises). The cache then runs that key as Ember ops.
"""
from __future__ import annotations

import numpy

from ..autograd.node import Node
from ..autograd.vjp_cache import to_input
from ..tensor import Tensor
from .codegen import compile_graph
from .effects import _make_constant
from .passes import optimize_graph
from .tracer import Tracer



class Untraceable(Exception):
    """The rule cannot be compiled once for every call with its key."""


def _entry(function, positions, saves_output, slots, width, scalars, copies, name):
    """The cached callable ``entry(node, grad) -> gradients``: a generated wrapper that reads
    the node's arrays, calls the compiled rule and spreads its results over the inputs.

    ``positions`` are the node's tensor-input indices the program reads, in order
    (after the gradient; the saved output last when the primitive saves it);
    ``slots`` maps each program output to the node input whose gradient it is.
    Outputs of shape () go through ``asarray`` (a ufunc on 0-d arrays returns a NumPy
    scalar); ``copies`` are outputs that are a constant or a forward array of the graph
    (the passes can reduce a rule to one), copied so that a gradient never shares
    memory that eager execution would not have shared.
    """
    arguments = ["grad"] + [f"inputs[{p}]._data" for p in positions]
    if saves_output:
        arguments.append("node.saved_output")
    results = ["None"] * width
    for index, slot in enumerate(slots):
        text = f"out[{index}]"
        if index in copies:
            text = f"{text}.copy()"
        elif index in scalars:
            text = f"_asarray({text})"
        results[slot] = text
    source = (f"def {name}(node, grad):\n"
              f"    inputs = node.inputs\n"
              f"    out = _rule({', '.join(arguments)})\n"
              f"    return ({', '.join(results)},)\n")
    namespace = {"_rule": function, "_asarray": numpy.asarray}
    exec(compile(source, f"<ember vjp entry {name}>", "exec"), namespace)
    entry = namespace[name]
    entry.source = source
    return entry


def _stand_in(tracer, array, label, requires_grad=False):
    """A tensor holding a symbolic cell for a fresh array shaped like ``array`` (a graph input);
    ``requires_grad`` as the node's input had it (some rules read it rather than ``ctx.wants``)."""
    tensor = Tensor._make(numpy.zeros(array.shape, array.dtype), None, requires_grad)
    cell = tracer.swap_in(tensor, label)
    return tensor, cell.value


def trace_vjp(node, grad):
    """Compile ``node.prim``'s VJP for ``node``'s key (see ``ember.autograd.vjp_cache``)."""
    prim = node.prim
    tracer = Tracer(f"vjp_{prim.name}")
    with tracer:
        grad_tensor, grad_value = _stand_in(tracer, grad, "grad")
        inputs, positions, own = [], [], [grad_value]
        for index, (value, edge) in enumerate(zip(node.inputs, node.parents)):
            if isinstance(value, Tensor):
                tensor, symbol = _stand_in(tracer, value._data, f"input{index}", edge is not None)
                inputs.append(tensor)
                positions.append(index)
                own.append(symbol)
            else:
                inputs.append(value)
        output = None
        if prim.saves_output:
            saved, symbol = _stand_in(tracer, node.saved_output, "output")
            output = saved._data
            own.append(symbol)
        wanted = tuple(None if edge is None else True for edge in node.parents)
        ctx = Node(prim, tuple(inputs), wanted, node.attrs, output, None, None)
        grads = prim.vjp(ctx, grad_tensor)
        slots, results = [], []
        for index, (value, edge, input_grad) in enumerate(zip(inputs, wanted, grads)):
            if edge is None or input_grad is None:
                continue
            if not isinstance(input_grad, Tensor):
                raise Untraceable(f"{prim.name}: the VJP returned a {type(input_grad).__name__}")
            slots.append(index)
            results.append(tracer.cell_for(to_input(input_grad, value)).value)
        graph = tracer.graph
        _check_captures(tracer, own)
        graph.outputs = results
        graph.namespace = numpy
    if any(node_.effect for node_ in graph.nodes):
        raise Untraceable(f"{prim.name}: the VJP draws random numbers")
    graph, _ = optimize_graph(graph, plan=False)
    name = f"vjp_{prim.name}"
    program = compile_graph(graph, None, name=name)
    copies = {index for index, value in enumerate(graph.outputs)
              if value.kind == "const" or value.kind == "input" and value is not graph.inputs[0]}
    scalars = {index for index, value in enumerate(graph.outputs) if value.shape == ()}
    entry = _entry(program.function, positions, bool(prim.saves_output), slots, len(node.inputs),
                   scalars, copies, name)
    entry.source = program.source + entry.source
    return entry


def _check_captures(tracer, own) -> None:
    """Keep the stand-ins as the graph's inputs; arrays made during the trace become constants;
    anything else (an outside array, an in-place write) makes the rule untraceable."""
    mine = {value.id for value in own}
    for capture in tracer.captures.values():
        if capture.written:
            raise Untraceable("the VJP writes into an array in place")
        if capture.value.id in mine:
            continue
        if not capture.created:
            raise Untraceable("the VJP reads an array that existed before the trace")
        _make_constant(tracer.graph, capture.value, capture.array)
    tracer.graph.inputs = list(own)


__all__ = ["trace_vjp", "Untraceable"]
