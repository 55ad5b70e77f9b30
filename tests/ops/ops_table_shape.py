"""Reference table: shape ops, joining/splitting, gather/scatter and indexing (see ops_harness)."""
from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from ops_harness import FLOATS, INTS, Case, Example, Operand, shapes, shapes_broadcasting_to
from ops_indexing import (advanced_indices, basic_indices, indexed_shape, mask_indices, torch_index)

BOTH = FLOATS + INTS


def _one_operand(build):
    """A strategy of Examples from ``build(draw, shape) -> kwargs`` over one drawn operand."""
    @st.composite
    def examples(draw, **shape_options):
        shape = draw(shapes(**shape_options))
        return Example((Operand(shape),), build(draw, shape))
    return examples


def _axis(draw, ndim, extra=0):
    bound = max(ndim + extra, 1)
    return draw(st.integers(-bound, bound - 1))


@_one_operand
def reshape_examples(draw, shape):
    size = math.prod(shape)
    targets = [(size,), (-1,), tuple(reversed(shape)), (1,) + shape, shape + (1,)]
    if len(shape) >= 2:
        targets.append((shape[0] * shape[1],) + shape[2:])
        if math.prod(shape[2:]):
            targets.append((-1,) + shape[2:])
    return {"shape": draw(st.sampled_from(targets))}


@_one_operand
def flatten_examples(draw, shape):
    ndim = max(len(shape), 1)
    start, end = sorted([draw(st.integers(0, ndim - 1)), draw(st.integers(0, ndim - 1))])
    return {"start_dim": start - ndim if draw(st.booleans()) else start, "end_dim": end}


@_one_operand
def unflatten_examples(draw, shape):
    axis = draw(st.integers(0, len(shape) - 1))
    size = shape[axis]
    divisor = draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0] or [1]))
    sizes = (divisor, size // divisor) if size else (1, 0)
    return {"dim": axis, "sizes": (sizes[0], -1) if size and draw(st.booleans()) else sizes}


@_one_operand
def squeeze_examples(draw, shape):
    choice = draw(st.sampled_from(["none", "int", "tuple"]))
    if choice == "none":
        return {}
    if choice == "int" or not shape:
        return {"dim": _axis(draw, len(shape))}
    return {"dim": tuple(draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True)))}


@_one_operand
def unsqueeze_examples(draw, shape):
    return {"dim": _axis(draw, len(shape), extra=1)}


@_one_operand
def permute_examples(draw, shape):
    order = draw(st.permutations(range(len(shape))))
    return {"dims": tuple(d - len(shape) if draw(st.booleans()) else d for d in order)}


@_one_operand
def transpose_examples(draw, shape):
    return {"dim0": _axis(draw, len(shape)), "dim1": _axis(draw, len(shape))}


@_one_operand
def broadcast_examples(draw, shape):
    other = draw(hnp.broadcastable_shapes(shape, min_dims=0, max_dims=4, min_side=0, max_side=3))
    target = np.broadcast_shapes(shape, other)
    lead = len(target) - len(shape)
    sizes = tuple(-1 if i >= lead and size == shape[i - lead] and draw(st.booleans()) else size
                  for i, size in enumerate(target))
    return {"shape": target, "sizes": sizes}


@_one_operand
def flip_examples(draw, shape):
    return {"dims": tuple(draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True)))
            if shape else (0,)}


@_one_operand
def repeat_examples(draw, shape):
    extra = draw(st.integers(0, 2))
    return {"sizes": tuple(draw(st.integers(0, 3)) for _ in range(len(shape) + extra))}


@_one_operand
def tile_examples(draw, shape):
    return {"dims": tuple(draw(st.integers(1, 3)) for _ in range(draw(st.integers(0, len(shape) + 1))))}


@_one_operand
def pad_examples(draw, shape):
    pads = []
    for size in reversed(shape[len(shape) - draw(st.integers(0, len(shape))):]):
        before = draw(st.integers(-size, 2))
        pads += [before, draw(st.integers(max(-size, -size - before), 2))]
    return {"pad": tuple(pads), "value": draw(st.sampled_from([0.0, 1.5]))}


@_one_operand
def pad_mode_examples(draw, shape):
    """Reflect, replicate or circular padding of the last 1-3 dimensions (PyTorch wants 1-2 more,
    and refuses some empty inputs that Ember pads, so those get constant padding here)."""
    if len(shape) < 2 or 0 in shape:
        return {"pad": (), "mode": "constant"}
    mode = draw(st.sampled_from(["reflect", "replicate", "circular"]))
    dims = draw(st.integers(max(1, len(shape) - 2), min(3, len(shape) - 1)))
    pads = []
    for size in reversed(shape[len(shape) - dims:]):
        limit = {"reflect": size - 1, "circular": size, "replicate": 2}[mode] if size else 0
        pads += [draw(st.integers(0, limit)), draw(st.integers(0, limit))]
    return {"pad": tuple(pads), "mode": mode}


@_one_operand
def triangle_examples(draw, shape):
    return {"diagonal": draw(st.integers(-3, 3))}


@_one_operand
def split_examples(draw, shape):
    axis = draw(st.integers(0, len(shape) - 1))
    size = shape[axis]
    if draw(st.booleans()):
        return {"split_size_or_sections": draw(st.integers(1, 4)), "dim": axis}
    cuts = sorted(draw(st.lists(st.integers(0, size), max_size=3)))
    sections = [b - a for a, b in zip([0] + cuts, cuts + [size])]
    return {"split_size_or_sections": sections, "dim": axis - len(shape)}


@_one_operand
def chunk_examples(draw, shape):
    return {"chunks": draw(st.integers(1, 4)), "dim": draw(st.integers(0, len(shape) - 1))}


@st.composite
def cat_examples(draw):
    base = draw(shapes(min_dims=1))
    axis = draw(st.integers(0, len(base) - 1))
    count = draw(st.integers(1, 3))
    operands = [Operand(base[:axis] + (draw(st.integers(0, 3)),) + base[axis + 1:]) for _ in range(count)]
    return Example(tuple(operands), {"dim": axis - len(base) if draw(st.booleans()) else axis})


@st.composite
def stack_examples(draw):
    shape = draw(shapes())
    count = draw(st.integers(1, 3))
    return Example(tuple(Operand(shape) for _ in range(count)), {"dim": _axis(draw, len(shape), extra=1)})


def _index_array(draw, shape, high):
    values = draw(st.lists(st.integers(0, max(high - 1, 0)), min_size=math.prod(shape),
                           max_size=math.prod(shape)))
    return np.array(values, dtype=np.int64).reshape(shape)


@st.composite
def gather_examples(draw, scatter=False):
    shape = draw(shapes(min_dims=1, min_side=1))
    axis = draw(st.integers(0, len(shape) - 1))
    index_shape = tuple(draw(st.integers(0, 4)) if d == axis else draw(st.integers(0, s))
                        for d, s in enumerate(shape))
    index = _index_array(draw, index_shape, shape[axis])
    if not scatter:
        return Example((Operand(shape), index), {"dim": axis})
    # PyTorch's scatter_add backward only supports a source of the index's shape
    return Example((Operand(shape), index, Operand(index_shape)), {"dim": axis})


@st.composite
def take_along_examples(draw):
    shape = draw(shapes(min_dims=1, min_side=1))
    if draw(st.booleans()):
        return Example((Operand(shape), _index_array(draw, draw(shapes(max_dims=2)), math.prod(shape))),
                       {"dim": None})
    axis = draw(st.integers(0, len(shape) - 1))
    index_shape = tuple(draw(st.integers(0, 4)) if d == axis else draw(st.sampled_from([1, s]))
                        for d, s in enumerate(shape))
    return Example((Operand(shape), _index_array(draw, index_shape, shape[axis])), {"dim": axis})


@st.composite
def masked_fill_examples(draw):
    shape = draw(shapes())
    mask_shape = draw(shapes_broadcasting_to(shape))
    mask = draw(hnp.arrays(np.bool_, mask_shape))
    return Example((Operand(shape), mask), {"value": draw(st.sampled_from([0.0, -1.5, 2]))})


@st.composite
def getitem_examples(draw, kind):
    shape = draw(shapes(min_dims=0 if kind == "basic" else 1, min_side=0 if kind == "basic" else 1))
    index = draw({"basic": basic_indices, "advanced": advanced_indices, "mask": mask_indices}[kind](shape))
    return Example((Operand(shape),), {"index": index})


@st.composite
def setitem_examples(draw, kind):
    shape = draw(shapes(min_dims=0 if kind == "basic" else 1, min_side=0 if kind == "basic" else 1))
    if kind == "advanced":
        index = draw(advanced_indices(shape, unique=True))
    else:
        index = draw({"basic": basic_indices, "mask": mask_indices}[kind](shape))
    target = indexed_shape(shape, index)
    if draw(st.booleans()):
        return Example((Operand(shape), draw(st.sampled_from([0.5, -2.0]))), {"index": index})
    value_shape = draw(shapes_broadcasting_to(target))
    return Example((Operand(shape), Operand(value_shape)), {"index": index})


def ember_setitem(x, value, index):
    y = ember.clone(x)
    y[index] = value
    return y


def torch_setitem(x, value, index):
    y = torch.clone(x)
    y[torch_index(index)] = value
    return y


def _take_along(module):
    def call(x, indices, dim):
        return module.take_along_dim(x, indices) if dim is None else module.take_along_dim(x, indices, dim)
    return call


SHAPE_OPS = [
    Case("reshape", lambda x, shape: ember.reshape(x, shape), torch.reshape, ("reshape",), reshape_examples(), BOTH,
         second_order=True),
    # view needs memory it can reinterpret without a copy, as in PyTorch: contiguous() first
    Case("view", lambda x, shape: x.contiguous().view(shape), lambda x, shape: x.contiguous().view(shape),
         ("reshape",), reshape_examples()),
    Case("flatten", ember.flatten, torch.flatten, ("reshape",), flatten_examples(), BOTH),
    Case("unflatten", ember.unflatten, torch.unflatten, ("reshape",), unflatten_examples(min_dims=1)),
    Case("squeeze", ember.squeeze, torch.squeeze, ("reshape",), squeeze_examples(max_side=2), BOTH),
    Case("unsqueeze", ember.unsqueeze, torch.unsqueeze, ("reshape",), unsqueeze_examples()),
    Case("permute", lambda x, dims: ember.permute(x, dims), torch.permute, ("permute",), permute_examples(min_dims=2), BOTH,
         second_order=True),
    Case("transpose", ember.transpose, torch.transpose, ("permute",), transpose_examples(min_dims=2)),
    Case("T", lambda x: x.T, lambda x: x.permute(*reversed(range(x.ndim))), ("permute",),
         st.builds(lambda s: Example((Operand(s),)), shapes(min_dims=2))),
    Case("mT", lambda x: x.mT, lambda x: x.mT, ("permute",),
         st.builds(lambda s: Example((Operand(s),)), shapes(min_dims=2))),
    Case("t", ember.t, torch.t, ("permute",), st.builds(lambda s: Example((Operand(s),)),
                                                       shapes(min_dims=2, max_dims=2))),
    Case("broadcast_to", lambda x, shape, sizes: ember.broadcast_to(x, shape),
         lambda x, shape, sizes: torch.broadcast_to(x, shape), ("broadcast_to",), broadcast_examples(),
         BOTH, second_order=True),
    Case("expand", lambda x, shape, sizes: x.expand(sizes), lambda x, shape, sizes: x.expand(sizes),
         ("broadcast_to",), broadcast_examples()),
    Case("flip", ember.flip, torch.flip, ("flip",), flip_examples(), BOTH, second_order=True),
    Case("repeat", lambda x, sizes: x.repeat(sizes), lambda x, sizes: x.repeat(sizes),
         ("broadcast_to", "reshape"), repeat_examples(max_dims=2, max_side=3), BOTH),
    Case("tile", ember.tile, torch.tile, ("broadcast_to",), tile_examples(max_dims=2, max_side=3)),
    Case("pad", ember.pad, torch.nn.functional.pad, ("pad",), pad_examples(), second_order=True),
    Case("pad (reflect, replicate, circular)", ember.pad, torch.nn.functional.pad, ("getitem",),
         pad_mode_examples(), second_order=True),
    Case("tril", ember.tril, torch.tril, ("where",), triangle_examples(min_dims=2), BOTH + ("bool",)),
    Case("triu", ember.triu, torch.triu, ("where",), triangle_examples(min_dims=2), BOTH + ("bool",)),
]

JOIN_SPLIT = [
    Case("cat", lambda *xs, dim: ember.cat(xs, dim), lambda *xs, dim: torch.cat(xs, dim),
         ("concatenate",), cat_examples(), BOTH, second_order=True),
    Case("stack", lambda *xs, dim: ember.stack(xs, dim), lambda *xs, dim: torch.stack(xs, dim),
         ("concatenate", "reshape"), stack_examples(), BOTH),
    Case("split", ember.split, torch.split, ("getitem",), split_examples(min_dims=1)),
    Case("chunk", ember.chunk, torch.chunk, ("getitem",), chunk_examples(min_dims=1)),
    Case("unbind", ember.unbind, torch.unbind, ("getitem",),
         st.builds(lambda s, d: Example((Operand(s),), {"dim": d}), shapes(min_dims=2), st.integers(0, 1))),
]

GATHER_SCATTER = [
    Case("gather", lambda x, index, dim: ember.gather(x, dim, index),
         lambda x, index, dim: torch.gather(x, dim, index),
         ("take_along_axis", "scatter_add_zeros"), gather_examples(), BOTH, second_order=True),
    Case("scatter_add", lambda x, index, src, dim: ember.scatter_add(x, dim, index, src),
         lambda x, index, src, dim: torch.scatter_add(x, dim, index, src),
         ("scatter_add_zeros", "take_along_axis"), gather_examples(scatter=True), BOTH, second_order=True),
    Case("take_along_dim", _take_along(ember), _take_along(torch), ("take_along_axis",),
         take_along_examples(), BOTH),
    Case("masked_fill", lambda x, mask, value: ember.masked_fill(x, mask, value),
         lambda x, mask, value: torch.masked_fill(x, mask, value), ("where",),
         masked_fill_examples(), BOTH),
]

INDEXING = [
    Case("getitem_basic", lambda x, index: x[index], lambda x, index: x[index],
         ("getitem", "index_add"), getitem_examples("basic"), BOTH, second_order=True),
    Case("getitem_integer_arrays", lambda x, index: x[index], lambda x, index: x[torch_index(index)],
         ("getitem", "index_add"), getitem_examples("advanced"), BOTH, second_order=True),
    Case("getitem_mask", lambda x, index: x[index], lambda x, index: x[torch_index(index)],
         ("getitem", "index_add"), getitem_examples("mask"), BOTH),
    Case("setitem_basic", ember_setitem, torch_setitem, ("index_put", "getitem"),
         setitem_examples("basic"), BOTH, second_order=True),
    Case("setitem_integer_arrays", ember_setitem, torch_setitem, ("index_put",),
         setitem_examples("advanced"), BOTH),
    Case("setitem_mask", ember_setitem, torch_setitem, ("index_put",), setitem_examples("mask"), BOTH),
]

CASES = SHAPE_OPS + JOIN_SPLIT + GATHER_SCATTER + INDEXING
