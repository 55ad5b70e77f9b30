"""Margin and soft-margin losses for classification: ``soft_margin_loss``, ``multi_margin_loss``,
``multilabel_margin_loss`` and ``multilabel_soft_margin_loss`` (PyTorch's formulas and reductions)."""
from __future__ import annotations

import numpy

from ...amp.autocast_mode import float32_in_autocast
from ...errors import DTypeError, ShapeError
from ...ops import functions as E
from ...tensor import Tensor
from .activation import logsigmoid, softplus
from .loss import _reduce, _reduction


@float32_in_autocast
def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """``log(1 + exp(-target * input))`` for targets of +1 or -1.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.soft_margin_loss(ember.tensor([0.0]), ember.tensor([1.0]))
        tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    x, y = E._float(input), E._tensor(target)
    if x.shape != y.shape:
        raise ShapeError(f"soft_margin_loss: target shape {y.shape} must match input shape {x.shape}")
    return _reduce(softplus(-y * x), reduction)


def _class_targets(op: str, x: Tensor, target: Tensor) -> Tensor:
    if target._data.dtype.kind not in "iu":
        raise DTypeError(f"{op}: expected integer class targets, got {target.dtype}")
    batch = x.shape[0] if x.ndim == 2 else 1
    if x.ndim not in (1, 2) or target.reshape(-1).shape[0] != batch:
        raise ShapeError(f"{op}: expected input (N, C) or (C,) and target (N,) or (), got input {x.shape} "
                         f"and target {target.shape}")
    return target.reshape(batch, 1)


@float32_in_autocast
def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                      size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss: ``sum_{i != y} max(0, margin - x[y] + x[i]) ** p / C`` per sample.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.multi_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]), ember.tensor([3]))
        tensor(0.3250)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x = E._float(input)
    scores = x.reshape(1, -1) if x.ndim == 1 else x
    labels = _class_targets("multi_margin_loss", x, E._tensor(target))
    classes = scores.shape[1]
    picked = E.take_along_dim(scores, labels, 1)
    hinge = E.clamp(margin - picked + scores, min=0.0)
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * E.take_along_dim(E._tensor(weight).reshape(1, -1), labels.reshape(1, -1), 1).reshape(-1, 1)
    loss = (hinge * _others(scores, labels)).sum(1) / classes
    return _reduce(loss if x.ndim == 2 else loss.reshape(()), reduction)


def _others(scores: Tensor, labels: Tensor) -> Tensor:
    """1.0 for every class but the sample's own (a constant mask: no gradient)."""
    from ...ops.creation import arange
    columns = arange(scores.shape[1], device=scores.device).reshape(1, -1)
    return E.cast(columns != labels, scores.dtype)


@float32_in_autocast
def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """``sum_{j in targets} sum_{i not in targets} max(0, 1 - (x[j] - x[i])) / C`` per sample; each row of
    ``target`` lists class indices, ended by the first -1.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.multilabel_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]), ember.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """
    reduction = _reduction(size_average, reduce, reduction)
    x, y = E._float(input), E._tensor(target)
    if y._data.dtype.kind not in "iu":
        raise DTypeError(f"multilabel_margin_loss: expected integer targets, got {y.dtype}")
    if x.ndim not in (1, 2) or y.shape != x.shape:
        raise ShapeError(f"multilabel_margin_loss: expected input (N, C) or (C,) and a target of the same shape, "
                         f"got {x.shape} and {y.shape}")
    scores = x.reshape(1, -1) if x.ndim == 1 else x
    counts, is_target = _target_counts(y.numpy().reshape(scores.shape))
    from ...ops.creation import tensor
    counts = tensor(counts, dtype=scores.dtype, device=scores.device)
    non_target = tensor(~is_target, dtype=scores.dtype, device=scores.device)
    margins = E.clamp(1.0 - (scores.unsqueeze(2) - scores.unsqueeze(1)), min=0.0)  # [n, j, i]
    loss = (margins * counts.unsqueeze(2) * non_target.unsqueeze(1)).sum((1, 2)) / scores.shape[1]
    return _reduce(loss if x.ndim == 2 else loss.reshape(()), reduction)


def _target_counts(labels: numpy.ndarray):
    """Per row, how often each class is listed before the first -1, and whether it is listed."""
    rows, classes = labels.shape
    counts = numpy.zeros((rows, classes))
    for row in range(rows):
        for label in labels[row]:
            if label < 0:
                break
            if label >= classes:
                raise IndexError(f"multilabel_margin_loss: target {label} is out of bounds for {classes} classes")
            counts[row, label] += 1
    return counts, counts > 0


@float32_in_autocast
def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                                reduce=None, reduction: str = "mean") -> Tensor:
    """Per-class logistic loss averaged over the classes: ``-mean_c(y log σ(x) + (1 - y) log σ(-x))``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.multilabel_soft_margin_loss(ember.tensor([[0.0, 0.0]]), ember.tensor([[1.0, 0.0]]))
        tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    x, y = E._float(input), E._tensor(target)
    if x.shape != y.shape:
        raise ShapeError(f"multilabel_soft_margin_loss: target shape {y.shape} must match input shape {x.shape}")
    loss = -(y * logsigmoid(x) + (1 - y) * logsigmoid(-x))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(x.ndim - 1) / x.shape[-1] if x.ndim else loss
    return _reduce(loss, reduction)
