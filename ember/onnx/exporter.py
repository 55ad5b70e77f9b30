"""``ember.onnx.export``: trace a model or function, convert its graph, write a ``.onnx`` file.

The graph is the one ``ember.function`` records (before fusion, which ONNX
runtimes redo themselves), after dead-code elimination. Module parameters
and buffers reach the graph as inputs; here they become initializers, so
the file holds the weights. Sizes left free (``None`` in a TensorSpec, or
``dynamic_axes``) stay named symbolic dimensions.
"""
from __future__ import annotations

import numpy
import onnx

from ember.graph.passes.dce import eliminate_dead_code
from ember.export.trace import trace_concrete
from ember.graph.dims import Dim

from . import elementwise, indexing, neural, recurrent, reduce, shape
from .builder import Builder, model_proto, value_info
from .errors import ExportError, where

MIN_OPSET, MAX_OPSET = 13, 28

CONVERTERS: dict = {}
for _table in (elementwise, reduce, shape, indexing, neural, recurrent):
    CONVERTERS.update(_table.CONVERTERS)


def export(model_or_function, example_inputs, path=None, input_names=None, output_names=None,
           dynamic_axes=None, opset_version: int = 17) -> onnx.ModelProto:
    """Write ``model_or_function`` applied to ``example_inputs`` as an ONNX model at ``path``.

    ``example_inputs`` is a tensor, an array, a :class:`ember.TensorSpec`, or
    a tuple of them. ``dynamic_axes`` maps an input name to the axes whose
    size may vary (a list, or ``{axis: name}``), as in ``torch.onnx.export``.
    Modules are exported in eval mode. Returns the ``onnx.ModelProto``.

    Example:
        >>> import ember, tempfile, os
        >>> model = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.ReLU())
        >>> path = os.path.join(tempfile.mkdtemp(), "mlp.onnx")
        >>> proto = export(model, ember.TensorSpec((None, 4), ember.float32), path)
        >>> [n.op_type for n in proto.graph.node]
        ['Transpose', 'MatMul', 'Add', 'Relu', 'Identity']
        >>> proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param
        'batch'
    """
    _check_opset(opset_version)
    concrete, arguments = trace_concrete(model_or_function, example_inputs, input_names, dynamic_axes)
    graph, plan = eliminate_dead_code(concrete.raw_graph.copy()), concrete.plan
    builder = Builder(opset_version)
    inputs = _inputs(builder, graph, plan, arguments)
    for node in graph.nodes:
        _convert(builder, node)
    outputs = _outputs(builder, graph, plan, output_names)
    model = model_proto(builder, inputs, outputs, _graph_name(model_or_function))
    onnx.checker.check_model(model, full_check=True)
    if path is not None:
        onnx.save(model, str(path))
    return model


def _check_opset(opset_version) -> None:
    if not isinstance(opset_version, int) or not MIN_OPSET <= opset_version <= MAX_OPSET:
        raise ExportError(f"opset_version {opset_version!r} is not supported: Ember exports opsets "
                          f"{MIN_OPSET} to {MAX_OPSET}")
    if opset_version > onnx.defs.onnx_opset_version():
        raise ExportError(f"opset_version {opset_version} is newer than the installed onnx "
                          f"{onnx.__version__} knows ({onnx.defs.onnx_opset_version()}): upgrade onnx")


def _inputs(builder, graph, plan, arguments):
    """Arguments become graph inputs, state (weights, buffers) initializers."""
    used = {v.id for node in graph.nodes for v in node.operands()} | {v.id for v in graph.output_values()}
    inputs = []
    for value, source in zip(graph.inputs, plan.sources):
        if source.kind == "arg":
            name = arguments[source.target]
            builder.names[value.id] = name
            _register_symbols(builder, name, value.shape)
            inputs.append(value_info(name, value))
        elif value.id in used:
            label = value.label.split(".", 1)[-1]  # "Sequential.0.weight" -> "0.weight", as in state_dict
            builder.names[value.id] = builder.weight(_state_array(source), label)
    for const in graph.constants:
        builder.names[const.id] = builder.constant(const.data)
    return inputs


def _state_array(source):
    target = source.target
    return numpy.asarray(target._data if hasattr(target, "_data") else target)


def _register_symbols(builder, name, shape) -> None:
    for axis, size in enumerate(shape):
        if isinstance(size, Dim) and len(size.poly.terms) == 1:
            ((monomial, coefficient),) = size.poly.terms.items()
            if len(monomial) == 1 and coefficient == 1:
                builder.symbols.setdefault(monomial[0], (name, axis))


def _convert(builder, node) -> None:
    if node.op == "check_values":
        return  # a run-time check of values (a target in range ...): nothing to compute, no ONNX node
    converter = CONVERTERS.get(node.op) if node.prim is not None else None
    if converter is None:
        raise ExportError(f"primitive '{node.op}' has no ONNX mapping{where(node)}")
    for operand in node.operands():
        if builder.names.get(operand.id, "") is None and node.op != "pool_gather":
            raise ExportError(f"'{node.op}' reads max-pooling indices, which have no ONNX "
                              f"counterpart{where(node)}")
    builder.names[node.output.id] = converter(builder, node)


def _outputs(builder, graph, plan, output_names):
    outputs = []
    for position, index in enumerate(plan.user_indices):
        value = graph.outputs[index]
        name = output_names[position] if output_names else f"output_{position}"
        builder.nodes.append(onnx.helper.make_node("Identity", [builder.name(value)], [name]))
        outputs.append(value_info(name, value))
    return outputs


def _graph_name(model_or_function) -> str:
    return getattr(model_or_function, "__name__", type(model_or_function).__name__)
