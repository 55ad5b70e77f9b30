"""Elements of a tf.data-style pipeline: nested tuples/dicts of tensors, and the helpers on them.

A leaf is an Ember tensor, or a NumPy array of strings (Ember has no string
dtype; text pipelines carry ``numpy.str_`` arrays). Python values become
tensors with TensorFlow's defaults (Python floats float32, ints int64 as
``tf.data`` uses for ranges and slices of Python ints), NumPy arrays keep
their dtype.
"""
from __future__ import annotations

import numpy

from ...graph.signature import TensorSpec
from ...ops.creation import from_numpy
from ...tensor import Tensor


def flatten(element) -> list:
    if isinstance(element, dict):
        return [leaf for key in element for leaf in flatten(element[key])]
    if isinstance(element, (tuple, list)):
        return [leaf for item in element for leaf in flatten(item)]
    return [element]


def pack_like(structure, leaves):
    iterator = iter(leaves)

    def build(node):
        if isinstance(node, dict):
            return {key: build(node[key]) for key in node}
        if isinstance(node, (tuple, list)):
            items = [build(item) for item in node]
            return type(node)(*items) if hasattr(node, "_fields") else tuple(items)
        return next(iterator)
    return build(structure)


def map_leaves(function, element):
    return pack_like(element, [function(leaf) for leaf in flatten(element)])


def to_array(value) -> numpy.ndarray:
    """A leaf's NumPy array (Python floats as float32)."""
    if isinstance(value, Tensor):
        return numpy.asarray(value.detach())
    if isinstance(value, (numpy.ndarray, numpy.generic)):
        return numpy.asarray(value)
    array = numpy.asarray(value)
    if array.dtype == numpy.float64:
        return array.astype(numpy.float32)
    if array.dtype.kind == "U" or array.dtype.kind == "O":
        return array.astype(str)
    return array


def to_leaf(value):
    """A leaf as the pipeline carries it: a tensor, or a NumPy array of strings."""
    if isinstance(value, Tensor):
        return value
    array = to_array(value)
    if array.dtype.kind in "US":
        return array
    return from_numpy(numpy.require(array, requirements='C'))


def as_element(value):
    """A user's element (from a generator or a map function) with every leaf converted."""
    if isinstance(value, list):
        # A list of numbers is one array (as TensorFlow converts it); a list of tensors a tuple.
        value = to_array(value) if _all_numbers(value) else tuple(value)
    return map_leaves(to_leaf, value)


def _all_numbers(items) -> bool:
    return all(_all_numbers(item) if isinstance(item, list) else
               isinstance(item, (int, float, bool, str, numpy.generic)) for item in items)


def stack(elements: list):
    """Batch a list of same-structured elements: each leaf stacked along a new first axis."""
    first = elements[0]
    columns = zip(*(flatten(element) for element in elements))
    return pack_like(first, [to_leaf(numpy.stack([to_array(leaf) for leaf in column])) for column in columns])


def unstack(element) -> list:
    """The rows of a batched element."""
    leaves = [to_array(leaf) for leaf in flatten(element)]
    count = len(leaves[0]) if leaves else 0
    return [pack_like(element, [to_leaf(leaf[i]) for leaf in leaves]) for i in range(count)]


def spec_of(element):
    """The TensorSpec structure of one element."""
    def spec(leaf):
        array = leaf if isinstance(leaf, numpy.ndarray) else None
        if array is not None and array.dtype.kind in "US":
            return TensorSpec(array.shape, None, name="string")
        return TensorSpec(tuple(leaf.shape), leaf.dtype)
    return map_leaves(spec, element)


def to_numpy(element):
    return map_leaves(to_array, element)
