"""ONNX mappings of Ember's reductions (``axes`` None means all axes).

From opset 18 every ``Reduce*`` takes its axes as an input; before it only
``ReduceSum`` does, so the others get an ``axes`` attribute there.

Example:
    >>> REDUCTIONS["amax"]
    'ReduceMax'
"""
from __future__ import annotations

import numpy

from .builder import tensor_type

REDUCTIONS = {"sum": "ReduceSum", "amax": "ReduceMax", "amin": "ReduceMin", "prod": "ReduceProd"}
_BOOLEAN = {"all": "ReduceMin", "any": "ReduceMax"}


def _axes_list(x, axes):
    if axes is None:
        return list(range(x.ndim))
    axes = (axes,) if isinstance(axes, int) else axes
    return [a % x.ndim for a in axes]


def reduce(builder, op_type, source, x, axes, keepdims):
    axes = _axes_list(x, axes)
    if not axes:  # reducing over no axes is the identity
        return builder.emit("Identity", [source])
    if op_type == "ReduceSum" or builder.opset >= 18:
        return builder.emit(op_type, [source, builder.axes(axes)], keepdims=int(keepdims))
    return builder.emit(op_type, [source], axes=axes, keepdims=int(keepdims))


def reduction(builder, node):
    x = node.inputs[0]
    axes, keepdims = node.attrs
    return reduce(builder, REDUCTIONS[node.op], builder.name(x), x, axes, keepdims)


def boolean_reduction(builder, node):
    """``all``/``any`` as the minimum/maximum of the input cast to int32."""
    x = node.inputs[0]
    axes, keepdims = node.attrs
    as_int = builder.emit("Cast", [builder.name(x)], to=tensor_type(numpy.int32))
    result = reduce(builder, _BOOLEAN[node.op], as_int, x, axes, keepdims)
    return builder.emit("Cast", [result], to=tensor_type(numpy.bool_))


def arg_reduction(builder, node):
    """``argmax``/``argmin``; axis None flattens first, as NumPy does."""
    x = node.inputs[0]
    axis, keepdims = node.attrs
    op_type = "ArgMax" if node.op == "argmax" else "ArgMin"
    if axis is not None:
        return builder.emit(op_type, [builder.name(x)], axis=axis % x.ndim, keepdims=int(keepdims))
    flat = builder.emit("Reshape", [builder.name(x), builder.constant(numpy.array([-1], numpy.int64))])
    result = builder.emit(op_type, [flat], axis=0, keepdims=0)
    if keepdims:
        result = builder.emit("Reshape", [result, builder.shape_vector(node.output.shape)])
    return result


def cumsum(builder, node):
    x = node.inputs[0]
    (axis,) = node.attrs
    return builder.emit("CumSum", [builder.name(x), builder.constant(numpy.array(axis % x.ndim))])


def softmax(builder, node):
    """ONNX's Softmax/LogSoftmax (opset 13 on) normalise over one axis; Ember's may span several."""
    x = node.inputs[0]
    (axes,) = node.attrs
    if len(axes) != 1:
        from .errors import ExportError, where
        raise ExportError(f"'{node.op}' over axes {axes}: ONNX's softmax takes one axis{where(node)}")
    op_type = "Softmax" if node.op == "softmax" else "LogSoftmax"
    return builder.emit(op_type, [builder.name(x)], axis=axes[0])


def layer_norm(builder, node):
    """Spelled out in means (ONNX's LayerNormalization needs opset 17; Ember exports from 13)."""
    x, *affine = node.inputs
    count, eps = node.attrs
    axes = list(range(x.ndim - count, x.ndim))
    source = builder.name(x)
    centered = builder.emit("Sub", [source, reduce(builder, "ReduceMean", source, x, axes, True)])
    variance = reduce(builder, "ReduceMean", builder.emit("Mul", [centered, centered]), x, axes, True)
    shifted = builder.emit("Add", [variance, builder.constant(numpy.asarray(eps, dtype=x.dtype))])
    out = builder.emit("Div", [centered, builder.emit("Sqrt", [shifted])])
    if affine:
        out = builder.emit("Mul", [out, builder.name(affine[0])])
        out = builder.emit("Add", [out, builder.name(affine[1])])
    return out


def mse_loss(builder, node):
    x, y = node.inputs
    (reduction_kind,) = node.attrs
    difference = builder.emit("Sub", [builder.name(x), builder.name(y)])
    squared = builder.emit("Mul", [difference, difference])
    if reduction_kind == "none":
        return squared
    op_type = "ReduceMean" if reduction_kind == "mean" else "ReduceSum"
    return reduce(builder, op_type, squared, x, None, False)


CONVERTERS = {name: reduction for name in REDUCTIONS}
CONVERTERS.update(softmax=softmax, log_softmax=softmax, layer_norm=layer_norm, mse_loss=mse_loss)
CONVERTERS.update({name: boolean_reduction for name in _BOOLEAN})
CONVERTERS.update(argmax=arg_reduction, argmin=arg_reduction, cumsum=cumsum)
