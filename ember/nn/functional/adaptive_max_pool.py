"""Adaptive max pooling: the maximum over PyTorch's adaptive windows, for any input size.

Output cell ``i`` of an axis of length ``n`` pooled to ``m`` covers
``[floor(i*n/m), ceil((i+1)*n/m))``. A maximum over a box is a maximum over
each axis in turn, so the pooling is one ``amax`` per output index per axis
(composites, gradients for free). ``return_indices`` gives the flat index of
each maximum within its input plane, as PyTorch does (computed on the values).
"""
from __future__ import annotations

import math

import numpy as np

from ...errors import EmberValueError
from ...ops import functions as E
from ...ops.creation import tensor
from ...tensor import Tensor
from .conv import batched


def _windows(n: int, m: int) -> list[tuple[int, int]]:
    return [(math.floor(i * n / m), math.ceil((i + 1) * n / m)) for i in range(m)]


def _indices(values: np.ndarray, sizes: tuple[int, ...]) -> np.ndarray:
    """Flat in-plane index of each window's first maximum."""
    spatial = values.shape[2:]
    windows = [_windows(n, m) for n, m in zip(spatial, sizes)]
    out = np.empty(values.shape[:2] + tuple(sizes), dtype=np.int64)
    for cell in np.ndindex(*sizes):
        box = tuple(slice(*windows[axis][i]) for axis, i in enumerate(cell))
        block = values[(slice(None), slice(None)) + box]
        local = np.unravel_index(block.reshape(*block.shape[:2], -1).argmax(-1), block.shape[2:])
        coords = [local[axis] + windows[axis][i][0] for axis, i in enumerate(cell)]
        out[(slice(None), slice(None)) + cell] = np.ravel_multi_index(coords, spatial)
    return out


def _adaptive_max_poolnd(dims: int, input, output_size, return_indices: bool):
    op = f"adaptive_max_pool{dims}d"
    x, added = batched(input, dims, op)
    spatial = tuple(x.shape[2:])
    single = isinstance(output_size, int) or output_size is None
    sizes = (output_size,) * dims if single else tuple(output_size)
    if len(sizes) != dims:
        raise EmberValueError(f"{op}: output_size must be an int or a tuple of {dims}, got {output_size}")
    sizes = tuple(n if m is None else int(m) for n, m in zip(spatial, sizes))
    if any(m <= 0 for m in sizes) or any(n == 0 for n in x.shape[1:]):
        raise EmberValueError(f"{op}: output_size {sizes} must be positive and the input's non-batch "
                              f"dimensions non-empty; got input of shape {x.shape}")
    out = x
    for axis, (n, m) in enumerate(zip(spatial, sizes)):
        dim = 2 + axis
        pieces = [E.amax(E.narrow(out, dim, start, end - start), dim=dim, keepdim=True)
                  for start, end in _windows(n, m)]
        out = pieces[0] if len(pieces) == 1 else E.cat(pieces, dim)
    if added:
        out = E.squeeze(out, 0)
    if not return_indices:
        return out
    indices = _indices(np.asarray(x.detach().numpy()), sizes)
    return out, tensor(indices[0] if added else indices, device=x.device)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling of ``(N, C, L)`` (or ``(C, L)``) input to length ``output_size``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.adaptive_max_pool1d(ember.tensor([[[1.0, 5.0, 2.0, 0.0, 3.0]]]), 2).tolist()
        [[[5.0, 3.0]]]
    """
    return _adaptive_max_poolnd(1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed ``(H_out, W_out)`` (an int means square; None keeps that size).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.adaptive_max_pool2d(ember.ones(2, 3, 7, 5), (3, None)).shape
        (2, 3, 3, 5)
    """
    return _adaptive_max_poolnd(2, input, output_size, return_indices)


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed ``(D_out, H_out, W_out)``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.adaptive_max_pool3d(ember.ones(1, 2, 5, 4, 3), 2).shape
        (1, 2, 2, 2, 2)
    """
    return _adaptive_max_poolnd(3, input, output_size, return_indices)
