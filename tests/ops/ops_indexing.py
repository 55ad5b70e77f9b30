"""Hypothesis strategies for PyTorch-style indices, and their translation for each framework.

An index is drawn as a tuple of items (ints, slices with positive steps, None,
Ellipsis, integer arrays, boolean masks) that fits a given shape. NumPy arrays
inside it are handed to Ember as they are and to PyTorch as tensors.
"""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

_SLICE_BOUNDS = st.one_of(st.none(), st.integers(-6, 6))


def torch_index(index):
    """The same index for PyTorch: NumPy arrays become tensors."""
    def convert(item):
        return torch.from_numpy(item) if isinstance(item, np.ndarray) else item
    if isinstance(index, tuple):
        return tuple(convert(item) for item in index)
    return convert(index)


@st.composite
def basic_item(draw, size: int):
    """An int (possibly negative) or a slice with a positive step, valid for an axis of ``size``."""
    kinds = ["slice"] + (["int"] if size else [])
    if draw(st.sampled_from(kinds)) == "int":
        return draw(st.integers(-size, size - 1))
    return slice(draw(_SLICE_BOUNDS), draw(_SLICE_BOUNDS), draw(st.sampled_from([None, 1, 2, 3])))


@st.composite
def basic_indices(draw, shape):
    """Ints and slices over a prefix of the axes, with None and one Ellipsis sprinkled in."""
    used = draw(st.integers(0, len(shape)))
    items = [draw(basic_item(size)) for size in shape[:used]]
    if draw(st.booleans()):  # leading items, then ..., then items for the last axes
        trailing = draw(st.integers(0, len(shape) - used))
        items += [Ellipsis] + [draw(basic_item(size)) for size in shape[len(shape) - trailing:]]
    for _ in range(draw(st.integers(0, 2))):
        items.insert(draw(st.integers(0, len(items))), None)
    return tuple(items)


@st.composite
def integer_array(draw, size: int, shape, unique=False):
    """Integer indices (negative ones too) into an axis of ``size``; repeats unless ``unique``."""
    count = int(np.prod(shape))
    if unique:
        count = min(count, size)
        shape = (count,)
        values = draw(st.permutations(range(size)))[:count]
    else:
        values = draw(st.lists(st.integers(0, size - 1), min_size=count, max_size=count))
    array = np.array(values, dtype=np.int64).reshape(shape)
    negative = draw(st.booleans())
    return array - size if negative else array


@st.composite
def advanced_indices(draw, shape, unique=False):
    """One or two integer arrays (broadcast together) on non-empty axes, mixed with slices and ints."""
    axes = [i for i, size in enumerate(shape) if size > 0]
    chosen = sorted(draw(st.lists(st.sampled_from(axes), min_size=1, max_size=min(2, len(axes)),
                                  unique=True)))
    index_shape = draw(st.sampled_from([(2,), (3,), (2, 2), (1,), (0,)]))
    items = []
    for axis, size in enumerate(shape):
        if axis in chosen:
            items.append(draw(integer_array(size, index_shape, unique)))
        elif draw(st.booleans()) or size == 0:
            items.append(slice(None, None, draw(st.sampled_from([None, 2]))))
        else:
            items.append(draw(st.integers(-size, size - 1)))
    if unique and len(chosen) == 2:  # distinct positions: the two arrays must pair up one to one
        length = min(items[chosen[0]].size, items[chosen[1]].size)
        items[chosen[0]], items[chosen[1]] = items[chosen[0]][:length], items[chosen[1]][:length]
    return tuple(items)


@st.composite
def mask_indices(draw, shape):
    """A boolean mask over the leading axes, optionally followed by a slice."""
    lead = draw(st.integers(1, len(shape)))
    mask = np.array(draw(st.lists(st.booleans(), min_size=int(np.prod(shape[:lead])),
                                  max_size=int(np.prod(shape[:lead])))), dtype=bool).reshape(shape[:lead])
    if lead < len(shape) and draw(st.booleans()):
        return mask, slice(None, None, 2)
    return (mask,)


def indexed_shape(shape, index):
    """The shape of ``x[index]`` for an ``x`` of ``shape``, by PyTorch's rules (not NumPy's)."""
    return tuple(torch.zeros(shape)[torch_index(index)].shape)
