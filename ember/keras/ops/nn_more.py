"""``keras.ops``'s adaptive pooling (channels last by default), ``fold``/``unfold`` (channels first,
as Keras), and CTC: ``ctc_loss`` and ``ctc_decode``.

Each calls :mod:`ember.nn.functional` (PyTorch's functions), moving channels as Keras's torch
backend does. ``ctc_decode`` supports the greedy strategy; its result (the label indices) is
not differentiable, the scores follow the inputs.

Example:
    >>> from ember.keras import ops
    >>> ops.adaptive_average_pool(ops.ones((1, 4, 4, 3)), 2).shape
    (1, 2, 2, 3)
"""
from __future__ import annotations

import ember
from ember.ops import functions as F
import ember.nn.functional as NF

from .extra_ops import _to_channels_first, _to_channels_last
from .numpy_ops import _float_result, _t


def _adaptive(inputs, output_size, data_format, kind: str):
    value = _t(inputs)
    rank = value.ndim - 2
    if rank not in (1, 2, 3):
        raise ValueError(f"adaptive_{kind}_pool: inputs must have 3, 4 or 5 dimensions, got shape {tuple(value.shape)}")
    size = output_size if rank == 1 or not isinstance(output_size, int) else (output_size,) * rank
    pool = getattr(NF, f"adaptive_{'avg' if kind == 'average' else 'max'}_pool{rank}d")
    return _to_channels_last(pool(_to_channels_first(value, data_format), size), data_format)


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average over the windows that split each spatial axis into ``output_size`` parts."""
    return _adaptive(inputs, output_size, data_format, "average")


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Maximum over the windows that split each spatial axis into ``output_size`` parts."""
    return _adaptive(inputs, output_size, data_format, "max")


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of an ``(N, C, H, W)`` image as columns ``(N, C·kH·kW, L)``."""
    return NF.unfold(_t(x), kernel_size, dilation, padding, stride)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The inverse arrangement of :func:`unfold` (overlapping entries summed): ``(N, C, H, W)``."""
    return NF.fold(_t(x), output_size, kernel_size, dilation, padding, stride)


def ctc_loss(target, output, target_length, output_length, mask_index: int = 0):
    """Per-sequence CTC loss of ``output`` logits ``(batch, time, classes)`` (log-softmaxed here)."""
    logits = _float_result(_t(output))
    log_probs = ember.log_softmax(F.permute(logits, (1, 0, 2)), -1)
    return NF.ctc_loss(log_probs, F.cast(_t(target), "int64"), F.cast(_t(output_length), "int64"),
                       F.cast(_t(target_length), "int64"), blank=mask_index, reduction="none")


def _greedy_decode(inputs, sequence_lengths, merge_repeated: bool, mask_index):
    batch, length, classes = inputs.shape
    mask_index = classes - 1 if mask_index is None else mask_index
    indices = F.cast(F.argmax(inputs, -1), "int32")
    scores = F.amax(inputs, -1)
    beyond = F.unsqueeze(ember.arange(length), 0) >= F.unsqueeze(F.cast(_t(sequence_lengths), "int64"), 1)
    indices = ember.where(beyond, ember.tensor(mask_index, dtype=ember.int32), indices)
    scores = ember.where(beyond, F.full_scalar(0.0, scores), scores)
    if merge_repeated:
        repeat = NF.pad(F.cast(indices[:, 1:] == indices[:, :-1], "int32"), [1, 0]) > 0
        indices = ember.where(repeat, ember.tensor(mask_index, dtype=ember.int32), indices)
    blank = indices == mask_index
    indices = ember.where(blank, ember.tensor(-1, dtype=ember.int32), indices)
    # the kept labels first, in their order; the blanks (-1) after them
    order = ember.where(blank, ember.tensor(length), F.broadcast_to(F.unsqueeze(ember.arange(length), 0), (batch, length)))
    indices = F.take_along_dim(indices, ember.argsort(order, -1, stable=True), -1)
    return F.unsqueeze(indices, 0), -F.unsqueeze(F.sum(scores, 1), 1)


def ctc_decode(inputs, sequence_lengths, strategy: str = "greedy", beam_width: int = 100, top_paths: int = 1,
               merge_repeated: bool = True, mask_index: int = 0):
    """Greedy CTC decoding: ``(indices (1, batch, time), -summed best scores (batch, 1))``, as Keras."""
    if strategy != "greedy":
        if strategy == "beam_search":
            raise NotImplementedError("ctc_decode: strategy='beam_search' is not implemented in Ember; use 'greedy'")
        raise ValueError(f"ctc_decode: strategy must be 'greedy' or 'beam_search', got {strategy!r}")
    return _greedy_decode(_float_result(_t(inputs)), sequence_lengths, merge_repeated, mask_index)


__all__ = ["adaptive_average_pool", "adaptive_max_pool", "ctc_decode", "ctc_loss", "fold", "unfold"]
