"""Functions PyTorch and TensorFlow both name, accepting both spellings.

``ember.matmul``, ``ember.transpose``, ``ember.gather``, ``ember.concat``,
``ember.stack``, ``ember.squeeze``, ``ember.argmax``, ``ember.argmin``, ``ember.norm`` and
``ember.cumsum`` are
these wrappers: PyTorch's calls (``transpose(x, 0, 1)``, ``gather(x, dim,
index)``, ``argmax(x, dim)``) reach the PyTorch-style function unchanged, and
TensorFlow's keywords (``perm=``, ``axis=``, ``transpose_a=``,
``output_type=``) or call shapes (``gather(params, indices)``,
``transpose(x)``) get TensorFlow's meaning. Where a call could mean either,
PyTorch's meaning wins: ``argmax(x)`` with no axis is over the flattened
tensor, as in PyTorch (TensorFlow would use axis 0).

Example:
    >>> import ember as tf
    >>> x = tf.constant([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    >>> tf.transpose(x).shape, tf.transpose(x, 0, 1).shape, tf.transpose(x, perm=[1, 0]).shape
    ((3, 2), (3, 2), (3, 2))
    >>> tf.gather(x, [1, 0]).tolist(), tf.gather(x, 1, tf.constant([[0], [2]])).tolist()
    ([[7.0, 0.0, 3.0], [1.0, 5.0, 2.0]], [[1.0], [3.0]])
    >>> tf.argmax(x, axis=1).tolist(), tf.matmul(x, x, transpose_b=True).shape
    ([1, 0], (2, 2))
"""
from __future__ import annotations

from ..errors import EmberValueError
from ..ops import functions as F
from ..tensor import Tensor


def _one_of(op: str, dim, axis, default=None):
    if dim is not None and axis is not None:
        raise EmberValueError(f"{op}: give the dimension as dim= or axis=, not both")
    return dim if dim is not None else (axis if axis is not None else default)


def matmul(input, other, *, transpose_a: bool = False, transpose_b: bool = False, adjoint_a: bool = False,
           adjoint_b: bool = False, name: str | None = None, **_sparse_hints) -> Tensor:
    """PyTorch's ``matmul``, with TensorFlow's ``transpose_a``/``transpose_b`` (``adjoint_*`` for real dtypes)."""
    a, b = F._tensor(input), F._tensor(other)
    if transpose_a or adjoint_a:
        a = F.transpose(a, -1, -2)
    if transpose_b or adjoint_b:
        b = F.transpose(b, -1, -2)
    return F.matmul(a, b)


def transpose(input, dim0=None, dim1=None, *, perm=None, conjugate: bool = False, name: str | None = None) -> Tensor:
    """``transpose(x, dim0, dim1)`` swaps two dimensions (PyTorch); ``transpose(x, perm=None)``
    permutes them, reversing their order by default (TensorFlow)."""
    x = F._tensor(input)
    if dim1 is not None:
        return F.transpose(x, dim0, dim1)
    order = perm if perm is not None else dim0
    if order is None:
        order = list(range(x.ndim))[::-1]
    elif isinstance(order, Tensor):
        order = order.tolist()
    if isinstance(order, int):
        raise EmberValueError(f"transpose: got one dimension ({order}); give two (PyTorch's "
                              "transpose(x, dim0, dim1)) or a permutation (TensorFlow's perm=[...])")
    return F.permute(x, [int(d) for d in order])


def gather(input, dim=None, index=None, *, axis=None, batch_dims: int = 0, indices=None, sparse_grad: bool = False,
           validate_indices=None, name: str | None = None) -> Tensor:
    """``gather(x, dim, index)`` is PyTorch's (values along ``dim`` at ``index``, same rank);
    ``gather(params, indices, axis=0)`` is TensorFlow's (whole slices at ``indices`` along ``axis``)."""
    if index is not None:
        return F.gather(input, dim, index)
    indices = dim if indices is None else indices
    if indices is None:
        raise EmberValueError("gather: give indices (TensorFlow's gather(params, indices, axis=0)) or "
                              "dim and index (PyTorch's gather(input, dim, index))")
    if batch_dims:
        raise NotImplementedError("gather: batch_dims other than 0 is not supported")
    x = F._tensor(input)
    ids = F._tensor(indices)
    chosen_axis = 0 if axis is None else int(axis) % max(x.ndim, 1)
    return x[(slice(None),) * chosen_axis + (ids,)]


def concat(tensors, dim=None, *, axis=None, name: str | None = None) -> Tensor:
    """Join along an existing dimension (``dim`` or TensorFlow's ``axis``; 0 by default)."""
    return F.concat(list(tensors), _one_of("concat", dim, axis, 0))


def stack(tensors, dim=None, *, axis=None, name: str | None = None) -> Tensor:
    """Join along a new dimension (``dim`` or TensorFlow's ``axis``; 0 by default)."""
    return F.stack(list(tensors), _one_of("stack", dim, axis, 0))


def squeeze(input, dim=None, *, axis=None, name: str | None = None) -> Tensor:
    """Remove size-1 dimensions (all, or those in ``dim``/``axis``)."""
    chosen = _one_of("squeeze", dim, axis)
    return F.squeeze(input, tuple(chosen) if isinstance(chosen, list) else chosen)


def argmax(input, dim=None, keepdim: bool = False, *, axis=None, output_type=None, name: str | None = None) -> Tensor:
    """Index of the maximum along ``dim``/``axis`` (flattened when neither is given, as in PyTorch)."""
    result = F.argmax(input, _one_of("argmax", dim, axis), keepdim)
    return result if output_type is None else F.cast(result, output_type)


def argmin(input, dim=None, keepdim: bool = False, *, axis=None, output_type=None, name: str | None = None) -> Tensor:
    """Index of the minimum along ``dim``/``axis`` (flattened when neither is given, as in PyTorch)."""
    result = F.argmin(input, _one_of("argmin", dim, axis), keepdim)
    return result if output_type is None else F.cast(result, output_type)


def norm(input, p="fro", dim=None, keepdim: bool = False, *, ord=None, axis=None, keepdims=None,
         name: str | None = None) -> Tensor:
    """PyTorch's ``norm(x, p, dim, keepdim)``, or TensorFlow's ``norm(x, ord='euclidean', axis, keepdims)``."""
    order = p if ord is None else (2 if ord == "euclidean" else ord)
    chosen = _one_of("norm", dim, axis)
    if isinstance(chosen, list):
        chosen = tuple(chosen)
    return F.norm(input, order, chosen, keepdim if keepdims is None else bool(keepdims))


def cumsum(input, dim=None, *, axis=None, exclusive: bool = False, reverse: bool = False, dtype=None,
           name: str | None = None) -> Tensor:
    """Running sum along ``dim``/``axis`` (TensorFlow's default axis 0), optionally ``exclusive``/``reverse``."""
    x = F._tensor(input)
    chosen = _one_of("cumsum", dim, axis, 0)
    if reverse:
        x = F.flip(x, (chosen,))
    total = F.cumsum(x, chosen, dtype=dtype)
    if exclusive:
        total = total - (x if dtype is None else F.cast(x, dtype))
    return F.flip(total, (chosen,)) if reverse else total
