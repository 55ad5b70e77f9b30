"""Connectionist temporal classification loss, written as the log-space alpha recursion.

The recursion runs over time for the whole batch at once, over the extended
label sequence ``blank, l1, blank, l2, ..., blank``; its gradient is the
composite's (backward through the recursion). Impossible alignments use a
large negative finite stand-in for ``log 0`` so no NaN reaches the gradient;
samples whose input is too short for their target get ``inf`` (or 0 with
``zero_infinity``), as in PyTorch.
"""
from __future__ import annotations

import numpy as np

from ...amp.autocast_mode import float32_in_autocast
from ...errors import EmberValueError, ShapeError
from ...ops import functions as E
from ...ops.creation import tensor
from ...tensor import Tensor
from .loss import _reduction

_LOG_ZERO = -1e30


def _as_list(values, name: str) -> list[int]:
    data = values.tolist() if isinstance(values, Tensor) else values
    data = [data] if isinstance(data, int) else list(data)
    return [int(v) for v in data]


def _target_rows(targets, lengths: list[int]) -> list[list[int]]:
    data = np.asarray(targets.tolist() if isinstance(targets, Tensor) else targets, dtype=np.int64)
    if data.ndim == 2:
        return [list(data[b, :n]) for b, n in enumerate(lengths)]
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    return [list(data[offsets[b]:offsets[b + 1]]) for b in range(len(lengths))]


def _logsumexp3(a: Tensor, b: Tensor, c: Tensor) -> Tensor:
    top = E.maximum(E.maximum(a, b), c).detach()  # any shift is exact; a constant one keeps grads simple
    return top + E.log(E.exp(a - top) + E.exp(b - top) + E.exp(c - top))


@float32_in_autocast  # PyTorch's CPU autocast computes it in float32
def ctc_loss(log_probs: Tensor, targets, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """CTC loss of ``log_probs`` ``(T, N, C)`` (log-softmax outputs) against label ``targets``.

    ``targets`` is ``(N, S)`` padded or the 1-D concatenation of all targets;
    ``reduction='mean'`` divides each loss by its target length, then averages.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> log_probs = ember.log(ember.full((2, 1, 2), 0.5))
        >>> round(F.ctc_loss(log_probs, ember.tensor([[1]]), [2], [1], reduction="sum").item(), 4)
        0.2877
    """
    reduction = _reduction(None, None, reduction)
    lp = E._float(log_probs)
    unbatched = lp.ndim == 2
    if unbatched:
        lp = E.unsqueeze(lp, 1)
    if lp.ndim != 3:
        raise ShapeError(f"ctc_loss: expected log_probs of shape (T, N, C) or (T, C), got {tuple(log_probs.shape)}")
    steps, batch, classes = lp.shape
    in_lengths, tg_lengths = _as_list(input_lengths, "input_lengths"), _as_list(target_lengths, "target_lengths")
    if len(in_lengths) != batch or len(tg_lengths) != batch:
        raise ShapeError(f"ctc_loss: expected {batch} input and target lengths, got {len(in_lengths)} and "
                         f"{len(tg_lengths)}")
    if any(n > steps or n < 0 for n in in_lengths):
        raise EmberValueError(f"ctc_loss: input_lengths {in_lengths} must lie in [0, {steps}]")
    rows = _target_rows(targets, tg_lengths)
    if any(label == blank or not 0 <= label < classes for row in rows for label in row):
        raise EmberValueError(f"ctc_loss: target labels must lie in [0, {classes}) and differ from blank={blank}")
    width = 2 * max(tg_lengths + [0]) + 1
    extended = np.full((batch, width), blank, dtype=np.int64)
    skip_ok = np.zeros((batch, width), dtype=bool)  # may come from two positions back
    for b, row in enumerate(rows):
        extended[b, 1:2 * len(row):2] = row
        for s in range(3, 2 * len(row), 2):
            skip_ok[b, s] = extended[b, s] != extended[b, s - 2]
    index = tensor(extended, device=lp.device)
    neg = tensor(np.full((batch, width), _LOG_ZERO), dtype=lp.dtype, device=lp.device)
    start = np.full((batch, width), _LOG_ZERO)
    start[:, :2] = 0.0
    alpha = tensor(start, dtype=lp.dtype, device=lp.device) + E.take_along_dim(lp[0], index, dim=1)
    alpha = E.where(tensor(start == 0.0, device=lp.device), alpha, neg)
    skip = tensor(skip_ok, device=lp.device)
    running = tensor(np.asarray(in_lengths)[:, None] > np.arange(steps)[None, :], device=lp.device)
    pad1 = neg[:, :1]
    pad2 = neg[:, :2] if width >= 2 else neg[:, :1]
    for t in range(1, steps):
        one_back = E.cat([pad1, alpha[:, :-1]], 1)
        two_back = E.cat([pad2, alpha[:, :-2]], 1)[:, :width]
        two_back = E.where(skip, two_back, neg)
        stepped = _logsumexp3(alpha, one_back, two_back) + E.take_along_dim(lp[t], index, dim=1)
        alpha = E.where(running[:, t:t + 1], stepped, alpha)
    ends = np.asarray(tg_lengths) * 2
    last = E.take_along_dim(alpha, tensor(ends[:, None], device=lp.device), dim=1)[:, 0]
    before = E.take_along_dim(alpha, tensor(np.maximum(ends - 1, 0)[:, None], device=lp.device), dim=1)[:, 0]
    before = E.where(tensor(ends > 0, device=lp.device), before, neg[:, 0])
    top = E.maximum(last, before).detach()
    loss = -(top + E.log(E.exp(last - top) + E.exp(before - top)))
    feasible = np.array([n >= len(row) + sum(a == b for a, b in zip(row, row[1:]))
                         for n, row in zip(in_lengths, rows)])
    feasible &= np.asarray(in_lengths) > 0
    if not feasible.all():
        infeasible = tensor(~feasible, device=lp.device)
        stand_in = 0.0 if zero_infinity else float("inf")
        # loss * 0 keeps the graph (a zero gradient there), as PyTorch's zeroed infinite losses
        loss = E.where(infeasible, loss * 0.0 + stand_in, loss)
    if reduction == "mean":
        divisor = tensor(np.maximum(np.asarray(tg_lengths), 1), dtype=lp.dtype, device=lp.device)
        return E.mean(loss / divisor)
    if reduction == "sum":
        return E.sum(loss)
    return loss[0] if unbatched else loss
