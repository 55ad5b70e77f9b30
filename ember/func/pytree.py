"""Nested containers of tensors (tuples, lists, dicts): flatten to leaves and rebuild."""
from __future__ import annotations


def flatten(tree):
    """``(leaves, rebuild)``: the non-container leaves in order and a function putting new ones back."""
    if isinstance(tree, dict):
        keys = list(tree)
        parts = [flatten(tree[k]) for k in keys]
        return _join(parts, lambda values: type(tree)(zip(keys, values)) if type(tree) is not dict
                     else dict(zip(keys, values)))
    if isinstance(tree, (tuple, list)):
        parts = [flatten(item) for item in tree]
        kind = type(tree)
        if kind not in (tuple, list) and hasattr(tree, "_fields"):  # a namedtuple
            return _join(parts, lambda values: kind(*values))
        return _join(parts, lambda values: kind(values))
    return [tree], lambda values: values[0]


def _join(parts, build):
    leaves = [leaf for part_leaves, _ in parts for leaf in part_leaves]
    sizes = [len(part_leaves) for part_leaves, _ in parts]

    def rebuild(values):
        values, out, start = list(values), [], 0
        for (_, sub), size in zip(parts, sizes):
            out.append(sub(values[start:start + size]))
            start += size
        return build(out)
    return leaves, rebuild


def tree_map(function, tree):
    leaves, rebuild = flatten(tree)
    return rebuild([function(leaf) for leaf in leaves])


def structure(tree):
    """A comparable description of ``tree``'s containers (types, dict keys, arity); leaves are ``*``.

    Example:
        >>> structure((1, {"a": 2}))
        ('tuple', ('*', ('dict', ('a',), ('*',))))
    """
    if isinstance(tree, dict):
        return ("dict", tuple(tree), tuple(structure(value) for value in tree.values()))
    if isinstance(tree, (tuple, list)):
        return (type(tree).__name__, tuple(structure(item) for item in tree))
    return "*"
