"""Out-of-place writes into a copy (``index_put``, ``put``, ``slice_scatter``, ``select_scatter``,
``diagonal_scatter``), their in-place ``index_put_``, and PyTorch's ``*_copy`` spellings of view
ops (a fresh tensor instead of a view). Composites of the indexing primitives (``IndexPut``,
``IndexAdd``), so both the base tensor and the written values get gradients.

Example:
    >>> import ember
    >>> ember.slice_scatter(ember.zeros(4), ember.ones(2), start=1, end=3).tolist()
    [0.0, 1.0, 1.0, 0.0]
"""
from __future__ import annotations

from .. import backend
from ..tensor import Tensor
from ._operands import _tensor
from .complex_parts import view_as_complex, view_as_real
from .indexing import _normalize_index, index_add_zeros, index_put_value


def _written(input, index, values, accumulate: bool = False) -> Tensor:
    x = _tensor(input)
    normalized = _normalize_index(index, x.shape, backend.namespace_of(x._data))
    if accumulate:  # repeated positions add up: the scatter-add that is getitem's adjoint
        spread = _tensor(values).to(x.dtype).broadcast_to(x[index].shape)
        return x + index_add_zeros(spread, x.shape, normalized)
    return index_put_value(x, normalized, values)


def index_put(input, indices, values, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``values`` written at ``input[indices]`` (``indices``: a tuple of index
    tensors); ``accumulate=True`` adds instead, summing repeated indices.

    Example:
        >>> import ember
        >>> ember.index_put(ember.zeros(3), (ember.tensor([0, 0]),), ember.tensor(1.0), accumulate=True).tolist()
        [2.0, 0.0, 0.0]
    """
    return _written(input, tuple(indices), values, accumulate)


def index_put_(input, indices, values, accumulate: bool = False) -> Tensor:
    """In-place :func:`index_put` (bumps the version counter)."""
    from .tensor_methods import _inplace
    return _inplace("index_put_", index_put)(input, indices, values, accumulate)


def put(input, index, source, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``source`` written at the flat positions ``index`` (row-major).

    Example:
        >>> import ember
        >>> ember.put(ember.zeros(2, 2), ember.tensor([3]), ember.tensor([5.0])).tolist()
        [[0.0, 0.0], [0.0, 5.0]]
    """
    x = _tensor(input)
    flat = _written(x.reshape(-1), (_tensor(index).reshape(-1),), _tensor(source).reshape(-1), accumulate)
    return flat.reshape(x.shape)


def slice_scatter(input, src, dim: int = 0, start=None, end=None, step: int = 1) -> Tensor:
    """A copy of ``input`` with ``src`` written into ``input[..., start:end:step, ...]`` along ``dim``.

    Example:
        >>> import ember
        >>> ember.slice_scatter(ember.zeros(2, 3), ember.ones(2, 1), dim=1, start=2).tolist()
        [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
    """
    x = _tensor(input)
    axis = dim % max(x.ndim, 1)
    return _written(x, (slice(None),) * axis + (slice(start, end, step),), _tensor(src))


def select_scatter(input, src, dim: int, index: int) -> Tensor:
    """A copy of ``input`` with ``src`` written into ``input.select(dim, index)``.

    Example:
        >>> import ember
        >>> ember.select_scatter(ember.zeros(2, 2), ember.ones(2), 0, 1).tolist()
        [[0.0, 0.0], [1.0, 1.0]]
    """
    x = _tensor(input)
    axis = dim % max(x.ndim, 1)
    return _written(x, (slice(None),) * axis + (index,), _tensor(src))


def diagonal_scatter(input, src, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """A copy of ``input`` with ``src`` written onto ``input.diagonal(offset, dim1, dim2)``.

    Example:
        >>> import ember
        >>> ember.diagonal_scatter(ember.zeros(2, 2), ember.ones(2)).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    from .creation import arange
    from .rearrange import movedim
    x = _tensor(input)
    first, second = dim1 % x.ndim, dim2 % x.ndim
    moved = movedim(x, (first, second), (0, 1))
    rows, cols = moved.shape[0], moved.shape[1]
    length = max(0, min(rows, cols - offset) if offset >= 0 else min(rows + offset, cols))
    row_start, col_start = (0, offset) if offset >= 0 else (-offset, 0)
    positions = (arange(row_start, row_start + length, device=x.device),
                 arange(col_start, col_start + length, device=x.device))
    written = _written(moved, positions, movedim(_tensor(src), -1, 0))
    return movedim(written, (0, 1), (first, second))


def _copy_form(name: str, view):
    def function(input, *args, **kwargs):
        result = view(_tensor(input), *args, **kwargs)
        if isinstance(result, (tuple, list)):
            return type(result)(piece.clone() for piece in result)
        return result.clone()
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``torch.{name}``: ``{name[:-5]}`` as a fresh tensor (a copy, never a view)."
    return function


def _method(name: str):
    return lambda x, *args, **kwargs: getattr(x, name)(*args, **kwargs)


alias_copy = _copy_form("alias_copy", lambda x: x)
detach_copy = _copy_form("detach_copy", _method("detach"))
diagonal_copy = _copy_form("diagonal_copy", _method("diagonal"))
expand_copy = _copy_form("expand_copy", _method("expand"))
narrow_copy = _copy_form("narrow_copy", _method("narrow"))
permute_copy = _copy_form("permute_copy", _method("permute"))
select_copy = _copy_form("select_copy", _method("select"))
split_copy = _copy_form("split_copy", _method("split"))
split_with_sizes_copy = _copy_form("split_with_sizes_copy", _method("split"))
squeeze_copy = _copy_form("squeeze_copy", _method("squeeze"))
t_copy = _copy_form("t_copy", _method("t"))
transpose_copy = _copy_form("transpose_copy", _method("transpose"))
unbind_copy = _copy_form("unbind_copy", _method("unbind"))
unsqueeze_copy = _copy_form("unsqueeze_copy", _method("unsqueeze"))
view_copy = _copy_form("view_copy", _method("view"))
view_as_real_copy = _copy_form("view_as_real_copy", view_as_real)
view_as_complex_copy = _copy_form("view_as_complex_copy", view_as_complex)
unsafe_chunk = _copy_form("unsafe_chunk", _method("chunk"))
unsafe_split = _copy_form("unsafe_split", _method("split"))
unsafe_split_with_sizes = _copy_form("unsafe_split_with_sizes", _method("split"))
