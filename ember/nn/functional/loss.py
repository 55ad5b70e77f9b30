"""Loss functions, with PyTorch's arguments, reductions and weighting rules.

``reduction`` is ``'mean'`` (default), ``'sum'`` or ``'none'`` everywhere
(``kl_div`` adds ``'batchmean'``). The legacy ``size_average``/``reduce``
flags are honoured as PyTorch honours them, with its deprecation warning.
"""
from __future__ import annotations

import warnings

from ...amp.autocast_mode import float32_in_autocast
from ...errors import BatchSizeError, DTypeError, EmberValueError, ShapeError
from ...ops import functions as E
from ...ops.guards import check_values
from ...ops.losses import binary_cross_entropy_terms
from ...primitives.core import bind
from ...primitives.losses import MseLoss
from ...primitives.shape import TakeAlongAxis
from ...tensor import Tensor
from .activation import logsigmoid

_REDUCTIONS = ("mean", "sum", "none")


def _reduction(size_average, reduce, reduction: str, allowed=_REDUCTIONS) -> str:
    """The effective reduction, translating the legacy flags when either is given."""
    if size_average is not None or reduce is not None:
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      "reduction='mean'/'sum'/'none' instead.", stacklevel=3)
        if reduce is False:
            return "none"
        return "sum" if size_average is False else "mean"
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return E.mean(loss)
    if reduction == "sum":
        return E.sum(loss)
    return loss


def _weighted(loss: Tensor, weight, reduction: str) -> Tensor:
    """Elementwise-weighted reduction of mse/l1: 'mean' divides by the total weight (PyTorch's rule)."""
    if weight is None:
        return _reduce(loss, reduction)
    if tuple(weight.shape) != loss.shape:
        raise ValueError(f"Weights and input must have the same size (got {tuple(weight.shape)} "
                         f"and {loss.shape}).")
    weighted = loss * weight
    return E.sum(weighted) / E.sum(weight) if reduction == "mean" else _reduce(weighted, reduction)


def _pair(op: str, input, target) -> tuple[Tensor, Tensor]:
    """Operands of a pointwise loss; a shape mismatch warns (it broadcasts), as in PyTorch."""
    x, y = E._float(input), E._tensor(target)
    if x.shape != y.shape:
        warnings.warn(f"{op}: using a target size ({y.shape}) that is different to the input size "
                      f"({x.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)
    return x, y


# --- regression -------------------------------------------------------------
@float32_in_autocast  # PyTorch's CPU autocast computes it in float32
def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Squared error (x - y)²; with elementwise ``weight``, 'mean' is Σ w·loss / Σ w.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.mse_loss(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 0.0]))
        tensor(2.5000)
    """
    reduction = _reduction(size_average, reduce, reduction)
    x, y = _pair("mse_loss", input, target)
    if weight is None and x.shape == y.shape and x._data.dtype == y._data.dtype:
        return bind(MseLoss, (x, y), (reduction,))  # one fused primitive: see ember/primitives/losses.py
    difference = x - y
    return _weighted(difference * difference, weight, reduction)


@float32_in_autocast  # PyTorch's CPU autocast computes it in float32
def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Absolute error |x - y|.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.l1_loss(ember.tensor([1.0, -3.0]), ember.zeros(2))
        tensor(2.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    x, y = _pair("l1_loss", input, target)
    return _weighted(E.abs(x - y), weight, reduction)


@float32_in_autocast  # PyTorch's CPU autocast computes it in float32
def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5 d² / beta where |d| < beta, else |d| - 0.5 beta (``beta=0`` is the L1 loss).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.smooth_l1_loss(ember.tensor([0.5, 3.0]), ember.zeros(2), reduction='none')
        tensor([0.1250, 2.5000])
    """
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise EmberValueError(f"smooth_l1_loss does not support negative values for beta, got {beta}")
    x, y = _pair("smooth_l1_loss", input, target)
    size = E.abs(x - y)
    if beta == 0:
        return _reduce(size, reduction)
    loss = E.where(size < beta, size * size * (0.5 / beta), size - 0.5 * beta)
    return _reduce(loss, reduction)


@float32_in_autocast  # PyTorch's CPU autocast computes it in float32
def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """0.5 d² where |d| < delta, else delta (|d| - 0.5 delta).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.huber_loss(ember.tensor([0.5, 3.0]), ember.zeros(2), reduction='sum')
        tensor(2.6250)
    """
    reduction = _reduction(None, None, reduction)
    if delta <= 0:
        raise EmberValueError(f"huber_loss does not support non-positive values for delta, got {delta}")
    x, y = _pair("huber_loss", input, target)
    size = E.abs(x - y)
    loss = E.where(size < delta, size * size * 0.5, (size - 0.5 * delta) * delta)
    if weight is not None and tuple(weight.shape) != x.shape:
        raise ValueError("Weights and input must have the same size.")
    return _reduce(loss if weight is None else loss * weight, reduction)


# --- classification -----------------------------------------------------------
def _class_view(weight: Tensor, ndim: int) -> Tensor:
    """A class-weight vector shaped to broadcast along the class dimension of an ``ndim``-D input."""
    return weight if ndim == 1 else E.reshape(weight, (1, -1) + (1,) * (ndim - 2))


def _picked(input: Tensor, target: Tensor, weight, ignore_index: int):
    """Per-element ``input[n, target[n], ...]``, its class weight, and the ignore mask.

    ``input`` is ``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``; ``target`` holds class
    indices of shape ``()``, ``(N,)`` or ``(N, d1, ...)``.
    """
    x, t = E._tensor(input), E._tensor(target)
    if t._data.dtype.kind not in "iu":
        raise DTypeError(f"nll_loss: expected a target of class indices (int64), got {t.dtype}; "
                         "for class probabilities use cross_entropy")
    unbatched = x.ndim == 1
    if unbatched:
        x, t = E.unsqueeze(x, 0), E.unsqueeze(t, 0)
    if x.ndim < 2 or t.shape != (x.shape[0],) + x.shape[2:]:
        batch_differs = x.ndim >= 2 and t.ndim >= 1 and t.shape[0] != x.shape[0]
        raise (BatchSizeError if batch_differs else ShapeError)(f"nll_loss: expected target of shape {(x.shape[0],) + x.shape[2:]} for "
                         f"input of shape {x.shape}, got target of shape {t.shape}")
    classes = x.shape[1]
    ignored = t == ignore_index
    safe = E.where(ignored, 0, t)
    check_values(safe, "class", "nll_loss", classes)  # a graph node when compiled: checked on every call
    # A gather of one element per target (its VJP scatters into zeros), not a one-hot mask: the
    # mask made three passes over the (N, C, ...) input forward and one backward (the LSTM
    # workload's 1120 x 1000 log-probabilities). ``safe`` is checked above, so the primitive is
    # bound directly, without gather's own bounds scan.
    picked = E.squeeze(bind(TakeAlongAxis, (x, E.unsqueeze(safe, 1)), (1,)), 1)
    if weight is None:
        class_weight = E.cast(E.logical_not(ignored), x.dtype)
    else:
        class_weight = E.where(ignored, 0.0, E.getitem(E.cast(weight, x.dtype), safe))
    return picked, class_weight, ignored, unbatched


@float32_in_autocast  # PyTorch's CPU autocast computes it in float32
def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of the target classes, given log-probabilities ``input``.

    ``'mean'`` divides by the total weight of the non-ignored targets (PyTorch's rule).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> logp = ember.tensor([[-1.0, -2.0], [-3.0, -4.0]])
        >>> F.nll_loss(logp, ember.tensor([1, 0]))
        tensor(2.5000)
    """
    reduction = _reduction(size_average, reduce, reduction)
    picked, class_weight, ignored, unbatched = _picked(input, target, weight, ignore_index)
    loss = E.where(ignored, 0.0, -picked * class_weight)
    if reduction == "mean":
        return E.sum(loss) / E.sum(class_weight)
    if reduction == "sum":
        return E.sum(loss)
    return E.squeeze(loss, 0) if unbatched else loss


@float32_in_autocast  # PyTorch's CPU autocast computes it in float32
def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross entropy of logits ``input`` (classes in dimension 1, or 0 if unbatched).

    ``target`` holds class indices (integer, shape without the class
    dimension) or class probabilities (float, same shape as ``input``).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> logits = ember.tensor([[2.0, 0.0], [0.0, 2.0]])
        >>> F.cross_entropy(logits, ember.tensor([0, 1]))
        tensor(0.1269)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise EmberValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    x = E._float(input)
    if x.ndim == 0:
        raise ShapeError("cross_entropy: input must have a class dimension, got a 0-d tensor")
    class_dim = 0 if x.ndim == 1 else 1
    log_probs = E.log_softmax(x, class_dim)
    t = E._tensor(target)
    if t._data.dtype.kind == "f":
        return _soft_cross_entropy(log_probs, t, weight, class_dim, reduction, label_smoothing)
    nll = nll_loss(log_probs, t, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0.0:
        return nll
    smooth = _smoothing_term(log_probs, t, weight, class_dim, ignore_index, reduction)
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / x.shape[class_dim])


def _smoothing_term(log_probs, target, weight, class_dim, ignore_index, reduction):
    """-Σ_c w_c log p_c per element, reduced with the same denominator as the NLL term."""
    weighted = log_probs if weight is None else log_probs * _class_view(E.cast(weight, log_probs.dtype), log_probs.ndim)
    ignored = target == ignore_index
    smooth = E.where(ignored, 0.0, -E.sum(weighted, class_dim))
    if reduction == "none":
        return smooth
    total = E.sum(smooth)
    if reduction == "sum":
        return total
    if weight is None:
        return total / E.sum(E.cast(E.logical_not(ignored), log_probs.dtype))
    safe = E.where(ignored, 0, target)
    return total / E.sum(E.where(ignored, 0.0, E.getitem(E.cast(weight, log_probs.dtype), safe)))


def _soft_cross_entropy(log_probs, target, weight, class_dim, reduction, label_smoothing):
    """Cross entropy against class probabilities; 'mean' divides by the number of samples."""
    if target.shape != log_probs.shape:
        raise ShapeError(f"cross_entropy: class-probability target of shape {target.shape} must "
                         f"match the input's shape {log_probs.shape}")
    classes = log_probs.shape[class_dim]
    target = E.cast(target, log_probs.dtype)
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    product = log_probs * target
    if weight is not None:
        product = product * _class_view(E.cast(weight, log_probs.dtype), log_probs.ndim)
    loss = -E.sum(product, class_dim)
    if reduction == "mean":
        return E.sum(loss) / max(log_probs.numel() // max(classes, 1), 1) if log_probs.numel() else E.mean(loss)
    return _reduce(loss, reduction)


@float32_in_autocast  # PyTorch's CPU autocast computes it in float32
def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """-w [y log x + (1 - y) log(1 - x)] for probabilities ``input`` in [0, 1].

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.binary_cross_entropy(ember.tensor([0.5]), ember.tensor([1.0]))
        tensor(0.6931)
        >>> F.binary_cross_entropy(ember.tensor([1.0]), ember.tensor([0.0]))  # log(0) clamped at -100
        tensor(100.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    x, y = E._float(input), E._tensor(target)
    if x.shape != y.shape:
        raise ValueError(f"Using a target size ({y.shape}) that is different to the input size "
                         f"({x.shape}) is deprecated. Please ensure they have the same size.")
    loss = binary_cross_entropy_terms(x, y)  # checks 0 <= x <= 1 (NaN fails), compiled code too
    return _reduce(loss if weight is None else loss * weight, reduction)


@float32_in_autocast  # PyTorch's CPU autocast computes it in float32
def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """BCE of sigmoid(``input``), computed stably from the logits (exact for ±1000).

    ``pos_weight`` scales the positive term (broadcast along the last dimension).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> logits, target = ember.tensor([1000.0, -1000.0]), ember.tensor([0.0, 0.0])
        >>> F.binary_cross_entropy_with_logits(logits, target, reduction='sum')
        tensor(1000.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    x, y = E._float(input), E._tensor(target)
    if x.shape != y.shape:
        raise ValueError(f"Target size ({y.shape}) must be the same as input size ({x.shape})")
    # loss = (1 - y) x - L log σ(x), with L = 1 + (pos_weight - 1) y; log σ never overflows.
    log_weight = 1.0 if pos_weight is None else (pos_weight - 1) * y + 1
    loss = (1 - y) * x - log_weight * logsigmoid(x)
    return _reduce(loss if weight is None else loss * weight, reduction)


@float32_in_autocast  # PyTorch's CPU autocast computes it in float32
def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL divergence Σ p (log p - input), with ``input`` as log-probabilities.

    ``reduction='batchmean'`` divides by the batch size (the mathematical
    KL); ``'mean'`` divides by the number of elements, as in PyTorch.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> p = ember.tensor([[0.5, 0.5]])
        >>> F.kl_div(p.log(), p, reduction='batchmean')
        tensor(0.)
    """
    reduction = _reduction(size_average, reduce, reduction, _REDUCTIONS + ("batchmean",))
    x, y = E._float(input), E._tensor(target)
    if log_target:
        loss = E.exp(y) * (y - x)
    else:
        zero = y == 0
        loss = E.where(zero, 0.0, y * E.log(E.where(zero, 1.0, y))) - y * x
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size. 'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.", stacklevel=2)
    if reduction == "batchmean":
        return E.sum(loss) / (x.shape[0] if x.ndim else 1)
    return _reduce(loss, reduction)
