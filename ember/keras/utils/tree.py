"""Nested structures (lists, tuples, dicts of leaves), as Keras's ``tree`` helpers.

Example:
    >>> from ember.keras.utils import tree
    >>> tree.flatten({"b": [1, 2], "a": 3})
    [3, 1, 2]
    >>> tree.map_structure(lambda v: v * 10, (1, [2, {"k": 3}]))
    (10, [20, {'k': 30}])
    >>> tree.pack_sequence_as({"b": [0, 0], "a": 0}, [7, 8, 9])
    {'a': 7, 'b': [8, 9]}
    >>> template = tree.structure({"x": (1, 2)})
    >>> template, tree.pack_sequence_as(template, [5, 6])
    (('dict', ('x',), (('tuple', ('*', '*')),)), {'x': (5, 6)})
"""
from __future__ import annotations

from typing import Any, Callable


def _is_nest(value) -> bool:
    return isinstance(value, (list, tuple, dict))


def flatten(structure) -> list:
    """The leaves in a fixed order (dict entries sorted by key, as Keras does)."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def map_structure(function: Callable, structure) -> Any:
    """The same nesting with ``function`` applied to every leaf."""
    if isinstance(structure, dict):
        return {key: map_structure(function, value) for key, value in structure.items()}
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):  # namedtuple
        return type(structure)(*(map_structure(function, value) for value in structure))
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(function, value) for value in structure)
    return function(structure)


def pack_sequence_as(structure, leaves: list) -> Any:
    """``structure``'s nesting filled with ``leaves`` in :func:`flatten`'s order."""
    iterator = iter(leaves)

    def fill(node):
        if isinstance(node, str) and node == "*":
            return next(iterator)
        if _is_template(node):
            if node[0] == "dict":
                return {key: fill(child) for key, child in zip(node[1], node[2])}
            children = [fill(child) for child in node[1]]
            return children if node[0] == "list" else tuple(children)
        if isinstance(node, dict):
            return {key: fill(node[key]) for key in sorted(node)}
        if isinstance(node, tuple) and hasattr(node, "_fields"):  # namedtuple
            return type(node)(*(fill(item) for item in node))
        if isinstance(node, (list, tuple)):
            return type(node)(fill(item) for item in node)
        return next(iterator)
    return fill(structure)


def structure(value):
    """A hashable description of the nesting (leaves become ``'*'``), accepted by :func:`pack_sequence_as`."""
    if isinstance(value, dict):
        keys = tuple(sorted(value))
        return ("dict", keys, tuple(structure(value[key]) for key in keys))
    if isinstance(value, (list, tuple)):
        return ("list" if isinstance(value, list) else "tuple", tuple(structure(item) for item in value))
    return "*"


def _is_template(node) -> bool:
    return isinstance(node, tuple) and len(node) in (2, 3) and isinstance(node[0], str) \
        and node[0] in ("dict", "list", "tuple") and isinstance(node[-1], tuple)


def is_nested(value) -> bool:
    return _is_nest(value)
