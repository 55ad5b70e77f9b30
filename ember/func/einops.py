"""``torch.func.rearrange``: einops-style axis reordering.

``rearrange`` is a composite of ``reshape`` and ``permute``: the input's axes are split into
elementary axes (``(h1 h)`` -> ``h1``, ``h``), those are permuted into the output's order, and
grouped again (``(b h)``). ``...`` stands for the axes the pattern does not name; ``1`` or
``()`` is an axis of length 1.
"""
from __future__ import annotations

import math
import re

from ..errors import EmberValueError

_ELLIPSIS = "…"
_BARE = ("bare", _ELLIPSIS)  # "..." outside parentheses: one output group per axis it covers
_TOKEN = re.compile(r"\(|\)|\.\.\.|[A-Za-z_][A-Za-z0-9_]*|\d+|\S")


def _parse_side(text: str, pattern: str):
    """The side's groups: each a list of axis names (an empty list is a unit axis)."""
    groups, current = [], None
    for token in _TOKEN.findall(text):
        if token == "(":
            if current is not None:
                raise EmberValueError(f"rearrange: nested parentheses in pattern {pattern!r}")
            current = []
        elif token == ")":
            if current is None:
                raise EmberValueError(f"rearrange: unbalanced parentheses in pattern {pattern!r}")
            groups.append(current)
            current = None
        else:
            name = _ELLIPSIS if token == "..." else token
            if token.isdigit() and token != "1":
                raise EmberValueError(f"rearrange: anonymous axis {token} in pattern {pattern!r}; "
                                      "only 1 is allowed")
            if not (token == "..." or token.isdigit() or token.isidentifier()):
                raise EmberValueError(f"rearrange: unexpected {token!r} in pattern {pattern!r}")
            names = [] if token == "1" else [name]
            if current is None:
                groups.append(_BARE if token == "..." else names)
            else:
                current.extend(names)
    if current is not None:
        raise EmberValueError(f"rearrange: unbalanced parentheses in pattern {pattern!r}")
    return groups


def _check_names(left, right, pattern, axes_lengths):
    names_left = [n for g in left for n in _names(g)]
    names_right = [n for g in right for n in _names(g)]
    for side, names in (("left", names_left), ("right", names_right)):
        repeated = {n for n in names if names.count(n) > 1}
        if repeated:
            raise EmberValueError(f"rearrange: indexing expression contains duplicate dimensions "
                                  f"{sorted(repeated)} on the {side} side of {pattern!r}")
    only_one = set(names_left) ^ set(names_right)
    if only_one:
        raise EmberValueError(f"rearrange: Identifiers only on one side of expression (should be on "
                              f"both): {sorted(only_one)} in {pattern!r}")
    unused = set(axes_lengths) - set(names_left)
    if unused:
        raise EmberValueError(f"rearrange: axes {sorted(unused)} are given lengths but do not "
                              f"appear in {pattern!r}")


def _names(group):
    return [_ELLIPSIS] if group is _BARE else group


def _expand_ellipsis(groups, count):
    names = [f"{_ELLIPSIS}{i}" for i in range(count)]
    out = []
    for group in groups:
        if group is _BARE:
            out.extend([[name] for name in names])
        elif _ELLIPSIS in group:
            index = group.index(_ELLIPSIS)
            out.append(group[:index] + names + group[index + 1:])
        else:
            out.append(group)
    return out


def _lengths(left, shape, axes_lengths, pattern):
    lengths = dict(axes_lengths)
    for group, size in zip(left, shape):
        unknown = [n for n in group if n not in lengths]
        known = math.prod(lengths[n] for n in group if n in lengths)
        if len(unknown) > 1:
            raise EmberValueError(f"rearrange: could not infer the lengths of {unknown} in {pattern!r}; "
                                  "give all but one of a group's lengths as keyword arguments")
        if unknown:
            if known == 0 or size % known:
                raise EmberValueError(f"rearrange: can't divide axis of length {size} into chunks "
                                      f"of {known} ({pattern!r})")
            lengths[unknown[0]] = size // known
        elif known != size:
            raise EmberValueError(f"rearrange: shape mismatch, {size} != {known} for group "
                                  f"{group or '1'} of {pattern!r}")
    return lengths


def rearrange(tensor, pattern: str, **axes_lengths: int):
    """Reorder, split, merge, squeeze or unsqueeze axes by an einops pattern
    (``torch.func.rearrange``); a list/tuple of tensors is stacked first.

    Example:
        >>> import ember
        >>> from ember.func import rearrange
        >>> images = ember.zeros(8, 30, 40, 3)
        >>> tuple(rearrange(images, "b h w c -> b c h w").shape)
        (8, 3, 30, 40)
        >>> tuple(rearrange(images, "b (h1 h) (w1 w) c -> (b h1 w1) h w c", h1=2, w1=2).shape)
        (32, 15, 20, 3)
    """
    from ..ops import functions as F
    if not isinstance(tensor, _tensor_class()):
        tensor = F.stack(list(tensor))
    if "->" not in pattern:
        raise EmberValueError(f"rearrange: pattern must contain '->', got {pattern!r}")
    left_text, right_text = pattern.split("->", 1)
    left, right = _parse_side(left_text, pattern), _parse_side(right_text, pattern)
    _check_names(left, right, pattern, axes_lengths)
    has_ellipsis = any(_ELLIPSIS in _names(g) for g in left)
    if has_ellipsis and not any(g is _BARE for g in left):
        raise EmberValueError(f"rearrange: ellipsis inside parentheses on the left of {pattern!r}")
    fixed = len(left) - (1 if has_ellipsis else 0)
    if (has_ellipsis and tensor.ndim < fixed) or (not has_ellipsis and tensor.ndim != fixed):
        raise EmberValueError(f"rearrange: wrong shape: expected {'at least ' if has_ellipsis else ''}"
                              f"{fixed} dims, received {tensor.ndim}-dim tensor ({pattern!r})")
    extra = tensor.ndim - fixed
    left, right = _expand_ellipsis(left, extra), _expand_ellipsis(right, extra)
    lengths = _lengths(left, tuple(tensor.shape), axes_lengths, pattern)
    elementary = [n for g in left for n in g]
    split = F.reshape(tensor, tuple(lengths[n] for n in elementary))
    order = [elementary.index(n) for g in right for n in g]
    permuted = F.permute(split, order) if order != sorted(order) else split
    return F.reshape(permuted, tuple(math.prod(lengths[n] for n in g) for g in right))


def _tensor_class():
    from ..tensor import Tensor
    return Tensor
