"""Input signatures: TensorSpec, nested-structure flattening, and cache keys.

A function's arguments are flattened into *leaves* (tensors) and a *tree*
(everything else: the nesting of tuples/lists/dicts, and Python values, which
are static: a new value means a new graph). The cache key of a call is the
tree plus each leaf's shape, dtype and ``requires_grad``; with an
``input_signature`` the leaves' shapes are the specs', with ``None`` (or a
name) for dimensions that may vary.
"""
from __future__ import annotations

import numpy

from ..backend import as_dtype
from ..errors import EmberValueError
from ..tensor import Tensor
from .dims import Dim


class TensorSpec:
    """The shape and dtype a traced function accepts for one tensor argument.

    ``None`` in the shape is a dimension of any size; a leading ``None`` is
    named ``batch`` (shared by every input that has one), others ``d<k>``.
    A string names a dimension explicitly, so two inputs can share one.

    Example:
        >>> import ember
        >>> ember.TensorSpec(shape=(None, 784), dtype=ember.float32)
        TensorSpec(shape=(None, 784), dtype=ember.float32)
    """

    __slots__ = ("shape", "dtype", "name")

    def __init__(self, shape, dtype=None, name: str | None = None):
        self.shape = tuple(shape)
        for size in self.shape:
            if not (size is None or isinstance(size, str) or (isinstance(size, int) and size >= 0)):
                raise EmberValueError(f"TensorSpec: dimensions must be ints >= 0, None or names, got {size!r}")
        self.dtype = as_dtype(dtype) if dtype is not None else None
        self.name = name

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype})"

    def __eq__(self, other) -> bool:
        return isinstance(other, TensorSpec) and (self.shape, self.dtype) == (other.shape, other.dtype)

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype and self.dtype.name))

    def symbol(self, axis: int, leaf: int):
        size = self.shape[axis]
        if isinstance(size, str):
            return size
        if size is None:
            return "batch" if axis == 0 else f"d{leaf}_{axis}"
        return None

    def matches(self, tensor: Tensor) -> bool:
        shape = tensor._data.shape
        if len(shape) != len(self.shape):
            return False
        if any(s is not None and not isinstance(s, str) and s != t for s, t in zip(self.shape, shape)):
            return False
        return self.dtype is None or tensor._data.dtype == self.dtype.numpy


class Static:
    """A non-tensor leaf of the argument tree (part of the cache key)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def key(self):
        value = self.value
        try:
            hash(value)
            return (type(value).__name__, value)
        except TypeError:
            return ("id", id(value))  # unhashable objects (modules, optimizers) by identity

    def __repr__(self) -> str:
        return f"Static({self.value!r})"


LEAF = "leaf"


def flatten(tree, leaves: list):
    """Append the tensor leaves of ``tree`` to ``leaves`` and return its structure."""
    if isinstance(tree, Tensor):
        leaves.append(tree)
        return LEAF
    if isinstance(tree, numpy.ndarray):
        leaves.append(Tensor._make(tree, None, False))
        return LEAF
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):
        return ("namedtuple", type(tree), tuple(flatten(item, leaves) for item in tree))
    if isinstance(tree, (tuple, list)):
        return (type(tree).__name__, tuple(flatten(item, leaves) for item in tree))
    if isinstance(tree, dict):
        keys = tuple(tree)
        return ("dict", keys, tuple(flatten(tree[k], leaves) for k in keys))
    return Static(tree)


def unflatten(structure, leaves):
    """Rebuild a tree from its structure and an iterator of leaves."""
    if structure == LEAF:
        return next(leaves)
    if isinstance(structure, Static):
        return structure.value
    kind = structure[0]
    if kind == "namedtuple":
        return structure[1](*(unflatten(s, leaves) for s in structure[2]))
    if kind == "dict":
        return {k: unflatten(s, leaves) for k, s in zip(structure[1], structure[2])}
    items = [unflatten(s, leaves) for s in structure[1]]
    return tuple(items) if kind == "tuple" else items


def structure_key(structure):
    """A hashable version of a structure (static values by value or identity)."""
    if structure == LEAF:
        return LEAF
    if isinstance(structure, Static):
        return structure.key()
    if structure[0] == "namedtuple":
        return ("namedtuple", structure[1], tuple(structure_key(s) for s in structure[2]))
    if structure[0] == "dict":
        return ("dict", structure[1], tuple(structure_key(s) for s in structure[2]))
    return (structure[0], tuple(structure_key(s) for s in structure[1]))


def leaf_key(tensor: Tensor):
    data = tensor._data
    return (data.shape, data.dtype.str, tensor._requires_grad)


def spec_shapes(specs, leaves):
    """Symbolic shapes for the leaves, from specs (None → a named Dim traced at the leaf's size)."""
    shapes = []
    for position, (spec, tensor) in enumerate(zip(specs, leaves)):
        if spec is None:
            shapes.append(tensor._data.shape)
            continue
        shape = []
        for axis, size in enumerate(tensor._data.shape):
            symbol = spec.symbol(axis, position)
            shape.append(Dim.symbol(symbol, max(int(size), 2)) if symbol is not None else size)
        shapes.append(tuple(shape))
    return shapes


def flatten_specs(signature, structure) -> list:
    """The TensorSpec for each leaf of ``structure``, read from the parallel ``signature`` tree."""
    specs: list = []

    def walk(spec, node):
        if node == LEAF:
            specs.append(spec if isinstance(spec, TensorSpec) else None)
        elif isinstance(node, Static):
            return
        elif node[0] == "dict":
            for key, child in zip(node[1], node[2]):
                walk(spec.get(key) if isinstance(spec, dict) else None, child)
        else:
            children = node[2] if node[0] == "namedtuple" else node[1]
            for index, child in enumerate(children):
                inner = spec[index] if isinstance(spec, (tuple, list)) and index < len(spec) else None
                walk(inner, child)
    walk(signature, structure)
    return specs
