"""Batching rules: how each primitive runs on operands that carry an extra leading batch axis.

``ember.func.vmap`` calls ``prim.batch(inputs, batched, attrs, size)`` with the
operands as tensors (a batched one holds its batch axis first), which
operands are batched, the primitive's attributes and the batch size; the rule
returns the batched result (batch axis first), computed with primitive calls
one level down, so nested ``vmap`` and tracing compose. Most elementwise
primitives share one rule; reductions and shape primitives shift their axes;
matmul lines its operands up. A primitive without a rule raises an error
naming it when it meets a batched operand.
"""
from __future__ import annotations

import numpy

from .core import PRIMITIVES, bind


def _tensor():
    from ..tensor import Tensor
    return Tensor


def _rank(value, is_batched) -> int:
    """The per-example rank of an operand."""
    ndim = value.ndim if hasattr(value, "ndim") else 0
    return ndim - 1 if is_batched else ndim


def _reshape(value, shape):
    return bind(PRIMITIVES["reshape"], (value,), (tuple(shape),))


def _lift(value, rank):
    """A batched operand with 1s inserted after its batch axis up to per-example ``rank``."""
    missing = rank - (value.ndim - 1)
    if missing <= 0:
        return value
    return _reshape(value, (value.shape[0],) + (1,) * missing + tuple(value.shape[1:]))


def _batched_copy(value, size):
    """An unbatched operand broadcast along a new leading batch axis."""
    shape = tuple(value.shape)
    return bind(PRIMITIVES["broadcast_to"], (_reshape(value, (1,) + shape),), ((size,) + shape,))


def _all_batched(inputs, batched, size):
    return [v if b or not isinstance(v, _tensor()) else _batched_copy(v, size)
            for v, b in zip(inputs, batched)]


def _axis(axis, rank):
    return axis % max(rank, 1) + 1


# --- elementwise ---------------------------------------------------------------------------
def elementwise_rule(prim):
    """Broadcasting n-ary ops: lift batched operands to the common rank; NumPy broadcasting does the rest."""
    def rule(inputs, batched, attrs, size):
        rank = max(_rank(v, b) for v, b in zip(inputs, batched))
        lifted = [_lift(v, rank) if b else v for v, b in zip(inputs, batched)]
        return bind(prim, lifted, attrs)
    return rule


# --- reductions ----------------------------------------------------------------------------
def reduction_rule(prim):
    """``(axes, keepdims)`` reductions: axes shift past the batch axis; None means every example axis."""
    def rule(inputs, batched, attrs, size):
        (x,), (axes, keepdims) = inputs, attrs
        rank = x.ndim - 1
        axes = tuple(range(1, rank + 1)) if axes is None else tuple(_axis(a, rank) for a in axes)
        return bind(prim, (x,), (axes, keepdims))
    return rule


def index_reduction_rule(prim):
    """argmax/argmin ``(axis, keepdims)``: a whole-example reduction flattens each example first."""
    def rule(inputs, batched, attrs, size):
        (x,), (axis, keepdims) = inputs, attrs
        rank = x.ndim - 1
        if axis is None:
            flat = _reshape(x, (x.shape[0], -1))
            out = bind(prim, (flat,), (1, False))
            return _reshape(out, (x.shape[0],) + (1,) * rank) if keepdims else out
        return bind(prim, (x,), (_axis(axis, rank), keepdims))
    return rule


def single_axis_rule(prim):
    """Ops whose first attribute is one axis (cumsum ...)."""
    def rule(inputs, batched, attrs, size):
        (x,) = inputs
        return bind(prim, (x,), (_axis(attrs[0], x.ndim - 1),) + tuple(attrs[1:]))
    return rule


# --- shape ---------------------------------------------------------------------------------
def _reshape_rule(inputs, batched, attrs, size):
    return _reshape(inputs[0], (size,) + tuple(attrs[0]))


def _permute_rule(inputs, batched, attrs, size):
    return bind(PRIMITIVES["permute"], inputs, ((0,) + tuple(a + 1 for a in attrs[0]),))


def _broadcast_to_rule(inputs, batched, attrs, size):
    shape = tuple(attrs[0])
    x = _lift(inputs[0], len(shape))
    return bind(PRIMITIVES["broadcast_to"], (x,), ((size,) + shape,))


def _flip_rule(inputs, batched, attrs, size):
    x = inputs[0]
    return bind(PRIMITIVES["flip"], (x,), (tuple(_axis(a, x.ndim - 1) for a in attrs[0]),))


def _concatenate_rule(inputs, batched, attrs, size):
    parts = _all_batched(inputs, batched, size)
    return bind(PRIMITIVES["concatenate"], parts, (_axis(attrs[0], parts[0].ndim - 1),))


def _pad_rule(inputs, batched, attrs, size):
    widths, value = attrs
    return bind(PRIMITIVES["pad"], inputs, (((0, 0),) + tuple(widths), value))


def _is_advanced(item) -> bool:
    return hasattr(item, "shape") and not isinstance(item, (int, numpy.integer))


def _batched_index(index, name):
    """``index`` with a full slice for the batch axis in front; advanced parts must be adjacent,
    so NumPy keeps the batch axis first."""
    index = index if isinstance(index, tuple) else (index,)
    positions = [i for i, item in enumerate(index) if _is_advanced(item) or isinstance(item, (int, numpy.integer))]
    advanced = [i for i, item in enumerate(index) if _is_advanced(item)]
    if advanced and positions != list(range(positions[0], positions[-1] + 1)):
        from ..errors import EmberValueError
        raise EmberValueError(f"vmap: {name} with array indices separated by slices has no batching "
                              "rule (NumPy would move the batch axis); index the axes one at a time")
    return (slice(None),) + index


def _getitem_rule(inputs, batched, attrs, size):
    return bind(PRIMITIVES["getitem"], inputs, (_batched_index(attrs[0], "getitem"),))


def _indexed_shape(shape, index):
    probe = numpy.lib.stride_tricks.as_strided(numpy.zeros(()), shape, [0] * len(shape))
    return probe[index].shape


def _index_add_rule(inputs, batched, attrs, size):
    (values,), (shape, index) = inputs, attrs
    values = _lift(values, len(_indexed_shape(tuple(shape), index)))
    return bind(PRIMITIVES["index_add"], (values,),
                ((size,) + tuple(shape), _batched_index(index, "index_add")))


def _index_put_rule(inputs, batched, attrs, size):
    x, values = inputs
    x = x if batched[0] else _batched_copy(x, size)
    index = attrs[0]
    if batched[1]:
        values = _lift(values, len(_indexed_shape(tuple(x.shape[1:]), index)))
    return bind(PRIMITIVES["index_put"], (x, values), (_batched_index(index, "index_put"),))


def _take_along_axis_rule(inputs, batched, attrs, size):
    x, indices = _all_batched(inputs, batched, size)
    return bind(PRIMITIVES["take_along_axis"], (x, indices), (_axis(attrs[0], x.ndim - 1),))


def _scatter_add_zeros_rule(inputs, batched, attrs, size):
    values, indices = _all_batched(inputs, batched, size)
    axis, shape = attrs
    return bind(PRIMITIVES["scatter_add_zeros"], (values, indices),
                (_axis(axis, len(shape)), (size,) + tuple(shape)))


def _scatter_reduce_rule(inputs, batched, attrs, size):
    x, src, index = _all_batched(inputs, batched, size)
    axis, reduce, include_self = attrs
    return bind(PRIMITIVES["scatter_reduce"], (x, src, index), (_axis(axis, x.ndim - 1), reduce, include_self))


def _searchsorted_rule(inputs, batched, attrs, size):
    """Shared 1-D boundaries search any values as they are; otherwise every example gets its own
    boundary rows (the batch axis leads both operands), 1-D ones searching its flattened values."""
    boundaries, values = inputs
    if not batched[0] and boundaries.ndim == 1:
        return bind(PRIMITIVES["searchsorted"], (boundaries, values), attrs)
    boundaries, values = _all_batched(inputs, batched, size)
    if boundaries.ndim > 2:
        return bind(PRIMITIVES["searchsorted"], (boundaries, values), attrs)
    shape = tuple(values.shape)
    rows = _reshape(values, (size, int(numpy.prod(shape[1:], dtype=numpy.int64))))
    return _reshape(bind(PRIMITIVES["searchsorted"], (boundaries, rows), attrs), shape)


def _check_values_rule(inputs, batched, attrs, size):
    """A guard checks every example's values at once; its 0-d flag is repeated per example."""
    return _batched_copy(bind(PRIMITIVES["check_values"], inputs, attrs), size)


# --- matmul --------------------------------------------------------------------------------
def _matmul_rule(inputs, batched, attrs, size):
    """Per-example vectors become matrices (and are squeezed back), then batch axes line up."""
    a, b = inputs
    rank_a, rank_b = _rank(a, batched[0]), _rank(b, batched[1])
    squeeze_a = batched[0] and rank_a == 1
    squeeze_b = batched[1] and rank_b == 1
    if squeeze_a:
        a, rank_a = _reshape(a, (a.shape[0], 1, a.shape[1])), 2
    if squeeze_b:
        b, rank_b = _reshape(b, tuple(b.shape) + (1,)), 2
    if rank_a >= 2 and rank_b >= 2:
        rank = max(rank_a, rank_b)
        a = _lift(a, rank) if batched[0] else a
        b = _lift(b, rank) if batched[1] else b
    out = bind(PRIMITIVES["matmul"], (a, b), attrs)
    shape = tuple(out.shape)
    if squeeze_b:
        shape = shape[:-1]
    if squeeze_a:
        shape = shape[:-2] + shape[-1:] if squeeze_b else shape[:-2] + shape[-1:]
    if squeeze_a or squeeze_b:
        out = _reshape(out, shape)
    if not batched[0] and not batched[1]:
        return _batched_copy(out, size)
    return out


def _einsum_rule(inputs, batched, attrs, size):
    """A fresh subscript letter for the batch axis, on the batched operands and the output."""
    (equation,) = attrs
    letter = next(c for c in "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA" if c not in equation)
    operands, output = equation.split("->")
    terms = [letter + term if b else term for term, b in zip(operands.split(","), batched)]
    return bind(PRIMITIVES["einsum"], inputs, (",".join(terms) + "->" + letter + output,))


# --- convolution and pooling ------------------------------------------------------------------
def _merge(value):
    """``(B, N, ...) -> (B * N, ...)``: examples' sample axes become one batch of samples."""
    shape = tuple(value.shape)
    return _reshape(value, (shape[0] * shape[1],) + shape[2:])


def _split(value, size):
    shape = tuple(value.shape)
    return _reshape(value, (size, shape[0] // size) + shape[1:])


def merge_rule(prim):
    """Ops that treat each (sample, channel) plane alike (pooling): fold the batch into the samples."""
    def rule(inputs, batched, attrs, size):
        operands = [_merge(v) if isinstance(v, _tensor()) else v
                    for v in _all_batched(inputs, batched, size)]
        return _split(bind(prim, operands, attrs), size)
    return rule


def _to_groups(value):
    """``(B, N, C, ...) -> (N, B * C, ...)``: each example's channels become a group of their own."""
    shape = tuple(value.shape)
    moved = bind(PRIMITIVES["permute"], (value,), ((1, 0) + tuple(range(2, len(shape))),))
    return _reshape(moved, (shape[1], shape[0] * shape[2]) + shape[3:])


def _from_groups(value, size):
    """``(N, B * C, ...) -> (B, N, C, ...)``."""
    shape = tuple(value.shape)
    split = _reshape(value, (shape[0], size, shape[1] // size) + shape[2:])
    return bind(PRIMITIVES["permute"], (split,), ((1, 0) + tuple(range(2, len(shape) + 1)),))


def _conv_rule(inputs, batched, attrs, size):
    """An unbatched weight: fold the batch into the samples; a batched one: one group per example."""
    x, w = inputs
    stride, pads, dilation, groups = attrs
    if not batched[1]:
        return _split(bind(PRIMITIVES["conv"], (_merge(x), w), attrs), size)
    x = x if batched[0] else _batched_copy(x, size)
    out = bind(PRIMITIVES["conv"], (_to_groups(x), _merge(w)), (stride, pads, dilation, groups * size))
    return _from_groups(out, size)


def _conv_transpose_rule(inputs, batched, attrs, size):
    g, w = inputs
    stride, pads, dilation, groups, spatial = attrs
    if not batched[1]:
        return _split(bind(PRIMITIVES["conv_transpose"], (_merge(g), w), attrs), size)
    g = g if batched[0] else _batched_copy(g, size)
    out = bind(PRIMITIVES["conv_transpose"], (_to_groups(g), _merge(w)),
               (stride, pads, dilation, groups * size, spatial))
    return _from_groups(out, size)


def _conv_weight_grad_rule(inputs, batched, attrs, size):
    """Per-example weight gradients: one group per example, so the samples of different examples never mix."""
    x, g = _all_batched(inputs, batched, size)
    stride, pads, dilation, groups, kernel = attrs
    out = bind(PRIMITIVES["conv_weight_grad"], (_to_groups(x), _to_groups(g)),
               (stride, pads, dilation, groups * size, kernel))
    return _split(out, size)


# --- the table -----------------------------------------------------------------------------
ELEMENTWISE = (
    "neg exp log log1p expm1 sqrt sin cos tan tanh abs sign floor ceil round logical_not isnan isinf "
    "sigmoid relu erf add sub mul div pow maximum minimum floor_divide remainder eq ne lt le gt ge "
    "logical_and logical_or logical_xor where cast copy asin acos atan sinh cosh asinh acosh atanh "
    "atan2 erfc erfinv lgamma digamma i0 i1 polygamma hypot fmod signbit binary_cross_entropy "
    "standard_gamma standard_gamma_grad bitwise_and bitwise_or bitwise_xor bitwise_not "
    "bitwise_left_shift bitwise_right_shift gcd lcm nextafter").split()
REDUCTIONS = "sum amax amin prod all any".split()
SINGLE_AXIS = "cumsum cumprod logcumsumexp argsort cum_extremum_index mode_index".split()
# bitcast reinterprets the last axis only, so a leading batch axis passes through it
STACKED = ("bitcast inv det logabsdet slogdet_sign solve cholesky qr_q qr_r eigh_values eigh_vectors svd_u svd_s "
           "svd_vh matrix_exp to_device").split()
POOLING = "max_pool max_pool_grad max_pool_indices pool_gather pool_scatter avg_pool avg_pool_transpose".split()


def _register():
    rules = {name: elementwise_rule(PRIMITIVES[name]) for name in ELEMENTWISE if name in PRIMITIVES}
    rules.update({name: reduction_rule(PRIMITIVES[name]) for name in REDUCTIONS})
    rules.update({name: index_reduction_rule(PRIMITIVES[name]) for name in ("argmax", "argmin")})
    rules.update({name: single_axis_rule(PRIMITIVES[name]) for name in SINGLE_AXIS if name in PRIMITIVES})
    # stacked linear algebra: NumPy's routines broadcast leading (batch) axes like elementwise ops
    rules.update({name: elementwise_rule(PRIMITIVES[name]) for name in STACKED if name in PRIMITIVES})
    rules.update({
        "reshape": _reshape_rule, "permute": _permute_rule, "broadcast_to": _broadcast_to_rule,
        "flip": _flip_rule, "concatenate": _concatenate_rule, "pad": _pad_rule,
        "getitem": _getitem_rule, "index_add": _index_add_rule, "index_put": _index_put_rule,
        "take_along_axis": _take_along_axis_rule, "scatter_add_zeros": _scatter_add_zeros_rule,
        "scatter_reduce": _scatter_reduce_rule, "searchsorted": _searchsorted_rule,
        "matmul": _matmul_rule, "check_values": _check_values_rule, "einsum": _einsum_rule,
        "conv": _conv_rule, "conv_transpose": _conv_transpose_rule,
        "conv_weight_grad": _conv_weight_grad_rule,
    })
    rules.update({name: merge_rule(PRIMITIVES[name]) for name in POOLING})
    for name, rule in rules.items():
        PRIMITIVES[name].batch = rule
    return sorted(rules)


BATCHED = _register()
