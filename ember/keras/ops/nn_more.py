"""``keras.ops``'s adaptive pooling (channels last by default), ``fold``/``unfold`` (channels first,
as Keras), and CTC: ``ctc_loss`` and ``ctc_decode``.

Each calls :mod:`ember.nn.functional` (PyTorch's functions), moving channels as Keras's torch
backend does. ``ctc_decode``'s label paths are not differentiable; the greedy scores follow the
inputs, the beam search (a prefix beam search in NumPy, run eagerly) returns plain values.

Example:
    >>> from ember.keras import ops
    >>> ops.adaptive_average_pool(ops.ones((1, 4, 4, 3)), 2).shape
    (1, 2, 2, 3)
"""
from __future__ import annotations

import numpy

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


def _logaddexp(a: float, b: float) -> float:
    return float(numpy.logaddexp(a, b))


def _extend_beams(beams: dict, log_probs, blank: int) -> dict:
    """One time step of the prefix beam search: every prefix extended by every class.

    A prefix keeps two scores, ending in a label (``emit``) or in a blank: a blank keeps the
    prefix (into the blank score), the prefix's last label repeated right after it collapses
    into it, and any other label (or a repeat after a blank) appends.
    """
    grown: dict = {}

    def add(prefix, emit=-numpy.inf, blank_score=-numpy.inf):
        old_emit, old_blank = grown.get(prefix, (-numpy.inf, -numpy.inf))
        grown[prefix] = (_logaddexp(old_emit, emit), _logaddexp(old_blank, blank_score))
    for prefix, (emit, blank_score) in beams.items():
        total = _logaddexp(emit, blank_score)
        for label, log_p in enumerate(log_probs):
            if label == blank:
                add(prefix, blank_score=total + log_p)
            elif prefix and prefix[-1] == label:
                add(prefix, emit=emit + log_p)
                add(prefix + (label,), emit=blank_score + log_p)
            else:
                add(prefix + (label,), emit=total + log_p)
    return grown


def _best(beams: dict, count: int) -> list:
    return sorted(beams.items(), key=lambda item: -_logaddexp(*item[1]))[:count]


def _beam_search_one(log_probs, length: int, beam_width: int, blank: int) -> list:
    """``(prefix, log probability)`` pairs of one sequence, best first."""
    first = numpy.argsort(-log_probs[0], kind="stable")[:min(len(log_probs[0]), beam_width)]
    beams = {}
    for label in first:
        score = float(log_probs[0][label])
        beams[() if label == blank else (int(label),)] = (-numpy.inf, score) if label == blank else (score, -numpy.inf)
    for step in range(1, length):
        beams = dict(_best(_extend_beams(beams, log_probs[step], blank), beam_width))
    return [(prefix, _logaddexp(*scores)) for prefix, scores in _best(beams, len(beams))]


def _beam_search_decode(inputs, sequence_lengths, beam_width: int, top_paths: int, mask_index):
    """Keras's beam search result: paths ``(top_paths, batch, time)`` padded with -1 and their log
    probabilities ``(batch, top_paths)``, computed eagerly in NumPy (no gradient)."""
    log_probs = numpy.asarray(ember.log_softmax(inputs, -1).detach(), dtype="float64")
    batch, steps, classes = log_probs.shape
    blank = classes - 1 if mask_index is None else mask_index
    lengths = numpy.asarray(_t(sequence_lengths).detach()).astype("int64")
    paths = numpy.full((top_paths, batch, steps), -1, dtype="int32")
    scores = numpy.full((batch, top_paths), -numpy.inf, dtype=log_probs.dtype)
    for row in range(batch):
        for rank, (prefix, score) in enumerate(_beam_search_one(log_probs[row], int(lengths[row]), beam_width,
                                                               blank)[:top_paths]):
            paths[rank, row, :len(prefix)] = prefix
            scores[row, rank] = score
    return ember.from_numpy(paths), ember.from_numpy(scores.astype(inputs.dtype.name))


def ctc_decode(inputs, sequence_lengths, strategy: str = "greedy", beam_width: int = 100, top_paths: int = 1,
               merge_repeated: bool = True, mask_index: int = 0):
    """CTC decoding of ``inputs`` ``(batch, time, classes)``, as Keras: ``"greedy"`` gives
    ``(indices (1, batch, time), -summed best scores (batch, 1))``; ``"beam_search"`` gives
    ``(paths (top_paths, batch, time), log probabilities (batch, top_paths))``; paths padded with -1."""
    values = _float_result(_t(inputs))
    if strategy == "greedy":
        return _greedy_decode(values, sequence_lengths, merge_repeated, mask_index)
    if strategy == "beam_search":
        return _beam_search_decode(values, sequence_lengths, beam_width, top_paths, mask_index)
    raise ValueError(f"ctc_decode: strategy must be 'greedy' or 'beam_search', got {strategy!r}")


__all__ = ["adaptive_average_pool", "adaptive_max_pool", "ctc_decode", "ctc_loss", "fold", "unfold"]
