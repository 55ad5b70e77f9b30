"""Table lookups: ``embedding`` and ``one_hot``."""
from __future__ import annotations

import numpy

from ... import backend
from ...autograd.grad_mode import no_grad
from ...errors import DTypeError, EmberValueError
from ...ops import functions as E
from ...ops.guards import check_values
from ...ops.creation import arange
from ...tensor import Tensor


def _check_indices(op: str, indices: Tensor, rows: int) -> None:
    if indices._data.dtype.kind not in "iu":
        raise DTypeError(f"{op}: expected integer indices (int64), got {indices.dtype}")
    check_values(indices, "index", op, rows)  # a graph node when compiled: checked on every call


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` picked by integer ``input`` (any shape): output ``input.shape + (dim,)``.

    The row at ``padding_idx`` is looked up but receives no gradient.
    ``max_norm`` renormalises the looked-up rows of ``weight`` in place first;
    ``scale_grad_by_freq`` divides each row's gradient by its count in
    ``input``; ``sparse`` is accepted and gives a dense gradient.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> table = ember.tensor([[0.0, 0.0], [1.0, 2.0]])
        >>> F.embedding(ember.tensor([1, 0, 1]), table)
        tensor([[1., 2.],
                [0., 0.],
                [1., 2.]])
    """
    indices = E._tensor(input)
    rows = weight.shape[0]
    _check_indices("embedding", indices, rows)
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise EmberValueError(f"embedding: padding_idx {padding_idx} must be within the "
                                  f"{rows} rows of the table")
        padding_idx %= rows
    if max_norm is not None:
        _renormalize_rows(weight, indices, max_norm, norm_type)
    out = E.getitem(weight, indices)
    if scale_grad_by_freq:
        out = _scale_gradient(out, indices)
    if padding_idx is not None:
        keep = E.unsqueeze(indices != padding_idx, -1)
        out = E.where(keep, out, out.detach())  # same values, no gradient through padding rows
    return out


def _scale_gradient(out: Tensor, indices: Tensor) -> Tensor:
    """Same values; the gradient of each looked-up row is divided by how often it occurs."""
    flat = indices._data.reshape(-1)
    xp = backend.namespace_of(flat)
    _, inverse, counts = xp.unique(flat, return_inverse=True, return_counts=True)
    scale = (1.0 / counts[inverse]).reshape(indices.shape + (1,)).astype(out._data.dtype)
    scale = Tensor._make(scale, None, False)
    return out.detach() + (out - out.detach()) * scale


def _renormalize_rows(weight: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> None:
    """Scale looked-up rows whose ``norm_type``-norm exceeds ``max_norm`` down to it, in place."""
    rows = backend.namespace_of(indices._data).unique(indices._data)
    with no_grad():
        picked = weight[rows]
        norms = E.norm(picked, norm_type, dim=1, keepdim=True)
        scale = E.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[rows] = picked * scale


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding: ``output[..., tensor[...]] = 1`` (classes = max + 1 by default).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.one_hot(ember.tensor([0, 2]))
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    indices = E._tensor(tensor)
    if indices._data.dtype.kind not in "iu":
        raise DTypeError(f"one_hot is only applicable to index tensor, got {indices.dtype}")
    if num_classes == -1:
        num_classes = int(indices._data.max()) + 1 if indices.numel() else 0
    if indices.numel() and (int(indices._data.min()) < 0 or int(indices._data.max()) >= num_classes):
        raise EmberValueError(f"one_hot: class values must be in [0, {num_classes})")
    classes = arange(num_classes, device=indices.device)
    return E.cast(E.unsqueeze(indices, -1) == classes, "int64")
