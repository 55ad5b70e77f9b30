"""ONNX mappings of Ember's shape primitives, ``matmul``, ``linear`` and ``einsum``.

Target shapes may hold symbolic sizes; :meth:`Builder.shape_vector` turns
those into run-time computations, so a reshape to ``(batch, 400)`` keeps
working for any batch.

Example:
    >>> sorted(CONVERTERS)[:3]
    ['broadcast_to', 'concatenate', 'einsum']
"""
from __future__ import annotations

import numpy

from .errors import ExportError, where

_LOWEST = numpy.iinfo(numpy.int64).min

def _ints(builder, values) -> str:
    return builder.constant(numpy.array(list(values), dtype=numpy.int64))

def reshape(builder, node):
    return builder.emit("Reshape", [builder.name(node.inputs[0]), builder.shape_vector(node.output.shape)])

def permute(builder, node):
    return builder.emit("Transpose", [builder.name(node.inputs[0])], perm=list(node.attrs[0]))

def broadcast_to(builder, node):
    return builder.emit("Expand", [builder.name(node.inputs[0]), builder.shape_vector(node.output.shape)])

def _split_trailing(node):
    """Variadic primitives keep their last argument (axis, equation) with the inputs or in attrs."""
    if node.attrs:
        return node.inputs, node.attrs[-1]
    return node.inputs[:-1], node.inputs[-1]

def concatenate(builder, node):
    arrays, axis = _split_trailing(node)
    return builder.emit("Concat", [builder.name(a) for a in arrays], axis=axis % node.output.ndim)

def einsum(builder, node):
    arrays, equation = _split_trailing(node)
    return builder.emit("Einsum", [builder.name(a) for a in arrays], equation=equation)

def matmul(builder, node):
    return builder.emit("MatMul", [builder.name(v) for v in node.inputs])

def linear(builder, node):
    """``x @ weightᵀ (+ bias)``: MatMul on the transposed weight (Gemm takes only 2-D inputs)."""
    x, weight, *bias = node.inputs
    transposed = builder.emit("Transpose", [builder.name(weight)], perm=[1, 0])
    out = builder.emit("MatMul", [builder.name(x), transposed])
    return builder.emit("Add", [out, builder.name(bias[0])]) if bias else out

def take_along_axis(builder, node):
    x, indices = node.inputs
    (axis,) = node.attrs
    return builder.emit("GatherElements", [builder.name(x), builder.name(indices)], axis=axis % x.ndim)

def pad(builder, node):
    x = node.inputs[0]
    widths, value = node.attrs
    pads = [int(w[0]) for w in widths] + [int(w[1]) for w in widths]
    fill = builder.constant(numpy.asarray(value, dtype=x.dtype))
    return builder.emit("Pad", [builder.name(x), _ints(builder, pads), fill], mode="constant")

def flip(builder, node):
    x = node.inputs[0]
    axes = [a % x.ndim for a in node.attrs[0]]
    count = len(axes)
    inputs = [builder.name(x), _ints(builder, [-1] * count), _ints(builder, [_LOWEST] * count),
              _ints(builder, axes), _ints(builder, [-1] * count)]
    return builder.emit("Slice", inputs)

def full(builder, node):
    """A graph-made array of a (possibly symbolic) shape: a scalar expanded to it."""
    shape, value, dtype = node.attrs
    if isinstance(value, int) and not isinstance(value, bool) and type(value) is not int:
        raise ExportError(f"full with a symbolic fill value has no ONNX mapping{where(node)}")
    scalar = builder.constant(numpy.asarray(value, dtype=dtype))
    return builder.emit("Expand", [scalar, builder.shape_vector(shape)])


CONVERTERS = dict(full=full, reshape=reshape, permute=permute, broadcast_to=broadcast_to, concatenate=concatenate,
                  einsum=einsum, matmul=matmul, linear=linear, take_along_axis=take_along_axis, pad=pad, flip=flip)
