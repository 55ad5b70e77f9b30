"""``keras.tree``: functions over nested structures (lists, tuples, dicts, namedtuples of leaves).

Dicts are visited in sorted key order and ``None`` is a leaf, as in Keras 3
(which uses optree with ``none_is_leaf=True``).

Example:
    >>> from ember.keras import tree
    >>> tree.flatten({"b": [1, 2], "a": 3})
    [3, 1, 2]
    >>> tree.flatten_with_path({"a": [1, None]})
    [(('a', 0), 1), (('a', 1), None)]
    >>> tree.map_structure(lambda a, b: a + b, (1, [2]), (10, [20]))
    (11, [22])
    >>> tree.map_structure_up_to((None, None), len, ([1, 2], [3]))
    (2, 1)
    >>> tree.lists_to_tuples([1, [2, 3]])
    (1, (2, 3))
"""
from __future__ import annotations

from typing import Any, Callable

from .utils.tree import flatten, is_nested, pack_sequence_as

__all__ = ["MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten", "flatten_with_path",
           "is_nested", "lists_to_tuples", "map_shape_structure", "map_structure", "map_structure_up_to",
           "pack_sequence_as", "traverse"]


class _MapToNone:
    """Returned by a :func:`traverse` function to replace a subtree with ``None``."""

    def __repr__(self) -> str:
        return "keras.tree.MAP_TO_NONE"


MAP_TO_NONE = _MapToNone()


def _children(structure) -> list[tuple[Any, Any]]:
    """(key, child) pairs of one nesting level, in flatten's order."""
    if isinstance(structure, dict):
        return [(key, structure[key]) for key in sorted(structure)]
    return list(enumerate(structure))


def _rebuild(structure, children: list):
    """A node of ``structure``'s type holding ``children`` (in flatten's order)."""
    if isinstance(structure, dict):
        filled = dict(zip(sorted(structure), children))
        return type(structure)((key, filled[key]) for key in structure)
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return type(structure)(*children)
    return type(structure)(children)


def flatten_with_path(structure) -> list[tuple[tuple, Any]]:
    """``(path, leaf)`` pairs: the path is the tuple of keys and indices down to the leaf."""
    if not is_nested(structure):
        return [((), structure)]
    return [((key,) + path, leaf) for key, child in _children(structure)
            for path, leaf in flatten_with_path(child)]


def assert_same_structure(a, b, check_types: bool = True) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` nest the same way (same types, keys and lengths)."""
    if is_nested(a) != is_nested(b):
        raise ValueError(f"The two structures don't have the same nested structure: {a!r} and {b!r}")
    if not is_nested(a):
        return
    if check_types and type(a) is not type(b) and not (isinstance(a, dict) and isinstance(b, dict)):
        raise ValueError(f"The two structures don't have the same sequence type: {type(a).__name__} and "
                         f"{type(b).__name__} ({a!r} and {b!r})")
    keys_a, keys_b = [key for key, _ in _children(a)], [key for key, _ in _children(b)]
    if keys_a != keys_b:
        raise ValueError(f"The two structures don't have the same keys or lengths: {keys_a} and {keys_b}")
    for (_, child_a), (_, child_b) in zip(_children(a), _children(b)):
        assert_same_structure(child_a, child_b, check_types)


def assert_same_paths(a, b) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same leaf paths (types may differ)."""
    paths_a = {path for path, _ in flatten_with_path(a)}
    paths_b = {path for path, _ in flatten_with_path(b)}
    if paths_a != paths_b:
        only_a, only_b = sorted(paths_a - paths_b, key=str), sorted(paths_b - paths_a, key=str)
        raise ValueError(f"The two structures don't have the same paths: only in the first {only_a}, only in the "
                         f"second {only_b}")


def map_structure(function: Callable, *structures, none_is_leaf: bool = True) -> Any:
    """The first structure's nesting with ``function`` applied to the matching leaves of all of them."""
    if not structures:
        raise ValueError("map_structure needs at least one structure")
    for other in structures[1:]:
        assert_same_structure(structures[0], other, check_types=False)
    return _map_up_to(structures[0], function, structures)


def _map_up_to(shallow, function: Callable, structures):
    if not is_nested(shallow):
        return function(*structures)
    keys = [key for key, _ in _children(shallow)]
    children = [_map_up_to(shallow_child, function, [_lookup(structure, key) for structure in structures])
                for key, shallow_child in zip(keys, [child for _, child in _children(shallow)])]
    return _rebuild(shallow, children)


def _lookup(structure, key):
    if not is_nested(structure):
        raise ValueError(f"The structure {structure!r} is shallower than the one it is mapped up to")
    return structure[key]


def map_structure_up_to(shallow_structure, function: Callable, *structures) -> Any:
    """Apply ``function`` to the subtrees of ``structures`` found at ``shallow_structure``'s leaves."""
    return _map_up_to(shallow_structure, function, structures)


def traverse(function: Callable, structure, top_down: bool = True) -> Any:
    """Visit every node; where ``function`` returns non-None, that value replaces the node.

    Top-down, a replaced node's children are not visited; bottom-up, the function sees the node
    rebuilt from its already-traversed children. :data:`MAP_TO_NONE` replaces a node with None.
    """
    def finish(value):
        return None if value is MAP_TO_NONE else value

    def visit(node):
        if top_down:
            replaced = function(node)
            if replaced is not None:
                return finish(replaced)
            if not is_nested(node):
                return node
            return _rebuild(node, [visit(child) for _, child in _children(node)])
        if is_nested(node):
            node = _rebuild(node, [visit(child) for _, child in _children(node)])
        replaced = function(node)
        return node if replaced is None else finish(replaced)
    return visit(structure)


def lists_to_tuples(structure) -> Any:
    """Every list in ``structure`` turned into a tuple."""
    if not is_nested(structure):
        return structure
    children = [lists_to_tuples(child) for _, child in _children(structure)]
    return tuple(children) if isinstance(structure, list) else _rebuild(structure, children)


def _is_shape(value) -> bool:
    return isinstance(value, (list, tuple)) and all(item is None or isinstance(item, int) for item in value)


def map_shape_structure(function: Callable, structure) -> Any:
    """Like :func:`map_structure`, but a tuple or list of ints/None (a shape) counts as one leaf."""
    if _is_shape(structure) or not is_nested(structure):
        return function(structure)
    return _rebuild(structure, [map_shape_structure(function, child) for _, child in _children(structure)])
