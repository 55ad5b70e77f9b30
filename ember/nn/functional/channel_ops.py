"""Channel shuffling (``channel_shuffle``, ShuffleNet's mixing of grouped channels) and the
condensed pairwise distance matrix ``pdist``."""
from __future__ import annotations

from ...errors import EmberValueError, ShapeError
from ...ops import functions as E
from ...tensor import Tensor


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Split the channels (dim 1) into ``groups`` and interleave them: ``(N, g, C/g, *)`` transposed.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.channel_shuffle(ember.arange(4.0).reshape(1, 4, 1), 2).reshape(-1).tolist()
        [0.0, 2.0, 1.0, 3.0]
    """
    x = E._tensor(input)
    if x.ndim < 3:
        raise ShapeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(x.shape)}")
    if groups <= 0 or x.shape[1] % groups:
        raise EmberValueError(f"Number of channels must be divisible by groups. Got {x.shape[1]} channels and "
                              f"{groups} groups.")
    batch, channels, rest = x.shape[0], x.shape[1], x.shape[2:]
    return x.reshape(batch, groups, channels // groups, *rest).transpose(1, 2).reshape(x.shape)


native_channel_shuffle = channel_shuffle


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The ``p``-norm distances between every pair of rows ``i < j`` of an ``(N, M)`` input, row-major.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.pdist(ember.tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])).tolist()
        [5.0, 10.0, 5.0]
    """
    from ...ops.rearrange import triu_indices
    x = E._float(input)
    if x.ndim != 2:
        raise ShapeError(f"pdist only supports 2D tensors, got: {x.ndim}D")
    if p < 0:
        raise EmberValueError("pdist only supports non-negative p values")
    first, second = triu_indices(x.shape[0], x.shape[0], 1)
    differences = E.index_select(x, 0, first) - E.index_select(x, 0, second)
    return E.norm(differences, p, 1)
