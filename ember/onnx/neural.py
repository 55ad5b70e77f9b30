"""ONNX mappings of Ember's convolution and pooling primitives.

Ember's ``max_pool`` is ONNX's ``MaxPool``. With ``return_indices=True`` Ember
computes max pooling in two primitives, ``max_pool_indices`` (where each
window's maximum is) and ``pool_gather`` (read it); ONNX's ``MaxPool`` does
both at once, so the first emits it and the second reuses its output.

Example:
    >>> _pads(((2, 2), (1, 3)))
    [2, 1, 2, 3]
"""
from __future__ import annotations

from .errors import ExportError, where


def _pads(pairs):
    """Ember's ((begin, end) per axis) as ONNX's [begins..., ends...]."""
    return [int(p[0]) for p in pairs] + [int(p[1]) for p in pairs]


def conv(builder, node):
    x, w = node.inputs
    stride, pads, dilation, groups = node.attrs
    return builder.emit("Conv", [builder.name(x), builder.name(w)], strides=list(stride),
                        pads=_pads(pads), dilations=list(dilation), group=int(groups))


def max_pool(builder, node):
    x = node.inputs[0]
    kernel, stride, padding, dilation, ceil_mode = node.attrs
    return builder.emit("MaxPool", [builder.name(x)], kernel_shape=list(kernel), strides=list(stride),
                        pads=_pads([(p, p) for p in padding]), dilations=list(dilation),
                        ceil_mode=int(ceil_mode))


def max_pool_indices(builder, node):
    builder.aliases[node.output.id] = (node.inputs[0].id, max_pool(builder, node))
    return None  # Ember's window indices have no ONNX counterpart; only pool_gather may read them


def pool_gather(builder, node):
    x, indices = node.inputs
    pooled = builder.aliases.get(indices.id)
    if pooled is None or pooled[0] != x.id:
        raise ExportError(f"pool_gather that does not read a max pooling's own input has no ONNX "
                          f"mapping{where(node)}")
    return builder.emit("Identity", [pooled[1]])


def avg_pool(builder, node):
    x = node.inputs[0]
    kernel, stride, padding, ceil_mode, count_include_pad, divisor_override = node.attrs
    if divisor_override is not None:
        raise ExportError(f"avg_pool with divisor_override has no ONNX mapping{where(node)}")
    return builder.emit("AveragePool", [builder.name(x)], kernel_shape=list(kernel),
                        strides=list(stride), pads=_pads([(p, p) for p in padding]),
                        ceil_mode=int(ceil_mode), count_include_pad=int(count_include_pad))


CONVERTERS = dict(conv=conv, max_pool=max_pool, max_pool_indices=max_pool_indices, pool_gather=pool_gather,
                  avg_pool=avg_pool)
