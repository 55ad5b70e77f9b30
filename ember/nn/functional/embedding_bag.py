"""``embedding_bag``: sums, means or maxima of bags of embedding rows, without building the
per-index embeddings tensor by hand (bags from a 2-D input's rows, or a 1-D input and offsets)."""
from __future__ import annotations

import numpy

from ...errors import EmberValueError, ShapeError
from ...ops import functions as E
from ...tensor import Tensor
from .embedding import embedding


def _bags(indices: Tensor, offsets, include_last_offset: bool):
    """(flat indices, bag id per index, number of bags)."""
    if indices.ndim == 2:
        if offsets is not None:
            raise EmberValueError("embedding_bag: if input is 2D, then offsets has to be None")
        rows, length = indices.shape
        return indices.reshape(-1), numpy.repeat(numpy.arange(rows), length), rows
    if indices.ndim != 1 or offsets is None:
        raise ShapeError(f"embedding_bag: expected a 2-D input, or a 1-D input with offsets; got input of shape "
                         f"{indices.shape}{' and no offsets' if offsets is None else ''}")
    starts = numpy.asarray(offsets.tolist() if isinstance(offsets, Tensor) else offsets, dtype=numpy.int64)
    if starts.ndim != 1 or (starts.size and starts[0] != 0) or (numpy.diff(starts) < 0).any():
        raise EmberValueError(f"embedding_bag: offsets must be a non-decreasing 1-D sequence starting at 0, "
                              f"got {starts.tolist()}")
    bags = starts.size - 1 if include_last_offset else starts.size
    bag_of = numpy.searchsorted(starts[:bags], numpy.arange(indices.shape[0]), side="right") - 1
    return indices, bag_of, bags


def embedding_bag(input: Tensor, weight: Tensor, offsets=None, max_norm=None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """One row per bag: the ``mode`` ('sum', 'mean' or 'max') of the bag's embedding rows (zeros for
    an empty bag; indices equal to ``padding_idx`` are left out).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> table = ember.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
        >>> F.embedding_bag(ember.tensor([0, 1, 2]), table, ember.tensor([0, 2]), mode="sum").tolist()
        [[1.0, 1.0], [2.0, 2.0]]
    """
    if mode not in ("sum", "mean", "max"):
        raise EmberValueError(f"embedding_bag: mode has to be one of sum, mean or max, got {mode!r}")
    if per_sample_weights is not None and mode != "sum":
        raise EmberValueError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                              f"supported for mode='sum' (got mode='{mode}')")
    indices = E._tensor(input)
    flat, bag_of, bags = _bags(indices, offsets, include_last_offset)
    rows = embedding(flat, weight, None, max_norm, norm_type, scale_grad_by_freq)
    keep = numpy.ones(flat.shape[0], bool) if padding_idx is None else flat.numpy() != padding_idx % weight.shape[0]
    if per_sample_weights is not None:
        rows = rows * E._tensor(per_sample_weights).reshape(-1, 1)
    return _reduce_bags(rows, bag_of, keep, bags, mode)


def _reduce_bags(rows: Tensor, bag_of, keep, bags: int, mode: str) -> Tensor:
    from ...ops.creation import tensor
    kept = numpy.flatnonzero(keep)
    rows = E.index_select(rows, 0, tensor(kept, device=rows.device)) if kept.size != keep.size else rows
    bag_of = bag_of[kept]
    width = rows.shape[1]
    if mode == "max":
        pieces = [rows[bag_of == bag].amax(0) if (bag_of == bag).any() else E.zeros(width, dtype=rows.dtype)
                  for bag in range(bags)]
        return E.stack(pieces) if pieces else E.zeros(0, width, dtype=rows.dtype)
    zeros = E.zeros(bags, width, dtype=rows.dtype, device=rows.device)
    total = E.index_add(zeros, 0, tensor(bag_of, device=rows.device), rows)
    if mode == "sum":
        return total
    counts = numpy.bincount(bag_of, minlength=bags).astype(rows.dtype.numpy)
    return total / tensor(numpy.maximum(counts, 1).reshape(-1, 1), device=rows.device)
