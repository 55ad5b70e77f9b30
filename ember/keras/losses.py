"""Keras losses: per-sample functions (``losses.mse``) and reducing objects (``MeanSquaredError()``).

A loss function maps ``(y_true, y_pred)`` to one value per sample (the mean
over the last axis, as Keras). A :class:`Loss` object then applies
``sample_weight`` and reduces: ``'sum_over_batch_size'`` (the default: the
weighted sum divided by the number of values), ``'sum'`` or ``'none'``. The
math is Ember's (``ember.nn.functional`` where it has the function).

Labels are checked against predictions: one-hot labels given to a sparse
loss (or integer labels to a dense one) raise an error saying which loss to
use instead.

Example:
    >>> import ember
    >>> from ember import keras
    >>> y_true, y_pred = ember.tensor([[0.0], [1.0]]), ember.tensor([[0.5], [0.5]])
    >>> keras.losses.MeanSquaredError()(y_true, y_pred)
    tensor(0.2500)
    >>> keras.losses.get("mse") is keras.losses.mean_squared_error
    True
    >>> keras.losses.SparseCategoricalCrossentropy(from_logits=True)(ember.tensor([1]), ember.tensor([[0.0, 0.0]]))
    tensor(0.6931)
"""
from __future__ import annotations

import ember
from ember.nn import functional as F

from . import backend


def _as_tensors(y_true, y_pred):
    y_pred = y_pred if isinstance(y_pred, ember.Tensor) else ember.tensor(y_pred, dtype=ember.float32)
    y_true = y_true if isinstance(y_true, ember.Tensor) else ember.tensor(y_true)
    return y_true, y_pred


def squeeze_or_expand_to_same_rank(first, second, expand_rank_1: bool = True):
    """Keras's rule for ranks one apart: drop a trailing 1 of the longer, or give a rank-1 one a last axis.

    ``(batch, 1)`` labels meet ``(batch,)`` predictions as ``(batch, 1)`` both (not broadcast
    to ``(batch, batch)``). Loss objects apply it to every pair, and so do the regression
    functions (``mse``, ``mae``, ``mape``, ``msle``, ``huber``, ``log_cosh``,
    ``cosine_similarity``), as in Keras.
    """
    if first.ndim == second.ndim + 1 and first.shape[-1] == 1:
        if second.ndim == 1 and expand_rank_1:
            return first, ember.unsqueeze(second, -1)
        return ember.squeeze(first, -1), second
    if second.ndim == first.ndim + 1 and second.shape[-1] == 1:
        if first.ndim == 1 and expand_rank_1:
            return ember.unsqueeze(first, -1), second
        return first, ember.squeeze(second, -1)
    return first, second


def _float_pair(y_true, y_pred):
    """Tensors, labels cast to the predictions' dtype; shapes broadcast as Keras's ops do."""
    y_true, y_pred = _as_tensors(y_true, y_pred)
    return ember.cast(y_true, y_pred.dtype), y_pred


def _regression_pair(y_true, y_pred):
    """Float tensors at the same rank (Keras's regression losses squeeze or expand first)."""
    return squeeze_or_expand_to_same_rank(*_float_pair(y_true, y_pred))


def _dense_pair(name: str, y_true, y_pred):
    """Float labels of exactly the predictions' shape (Keras on torch refuses others), or a clear error.

    Loss objects (``BinaryCrossentropy()``) and ``compile(loss="binary_crossentropy")``
    squeeze or expand a rank first; the bare function does not, as in Keras.
    """
    y_true, y_pred = _float_pair(y_true, y_pred)
    if tuple(y_true.shape) == tuple(y_pred.shape):
        return y_true, y_pred
    if name.startswith("categorical") and (y_true.ndim != y_pred.ndim or y_true.shape[-1] == 1):
        raise ValueError(_sparse_hint(y_true, y_pred))
    raise ValueError(f"Arguments `target` and `output` must have the same shape for {name}. Received: "
                     f"target.shape={tuple(y_true.shape)}, output.shape={tuple(y_pred.shape)} (a loss object "
                     f"such as keras.losses.BinaryCrossentropy() squeezes or expands a trailing axis of 1 "
                     f"first; the function does not)")


def _sparse_hint(y_true, y_pred) -> str:
    return (f"Arguments `target` and `output` must have the same shape for categorical_crossentropy. "
            f"Received: target.shape={tuple(y_true.shape)}, output.shape={tuple(y_pred.shape)}. The "
            "labels look like integer class ids: use loss='sparse_categorical_crossentropy' (or "
            "one-hot encode them with keras.utils.to_categorical).")


# --- per-sample loss functions ------------------------------------------------
def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _regression_pair(y_true, y_pred)
    return ember.mean(F.mse_loss(y_pred, y_true, reduction="none"), -1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _regression_pair(y_true, y_pred)
    return ember.mean(F.l1_loss(y_pred, y_true, reduction="none"), -1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _regression_pair(y_true, y_pred)
    ratio = ember.abs(y_true - y_pred) / ember.clamp(ember.abs(y_true), min=backend.epsilon())
    return 100.0 * ember.mean(ratio, -1)


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _regression_pair(y_true, y_pred)
    first = ember.log(ember.clamp(y_pred, min=backend.epsilon()) + 1.0)
    second = ember.log(ember.clamp(y_true, min=backend.epsilon()) + 1.0)
    return ember.mean((first - second) ** 2, -1)


def huber(y_true, y_pred, delta: float = 1.0):
    y_true, y_pred = _regression_pair(y_true, y_pred)
    return ember.mean(F.huber_loss(y_pred, y_true, reduction="none", delta=delta), -1)


def log_cosh(y_true, y_pred):
    y_true, y_pred = _regression_pair(y_true, y_pred)
    error = y_pred - y_true
    # log(cosh(x)) = x + softplus(-2x) - log(2), which never overflows
    return ember.mean(error + ember.softplus(-2.0 * error) - 0.6931471805599453, -1)


def kl_divergence(y_true, y_pred):
    y_true, y_pred = _float_pair(y_true, y_pred)
    eps = backend.epsilon()
    y_true, y_pred = ember.clamp(y_true, eps, 1.0), ember.clamp(y_pred, eps, 1.0)
    return ember.sum(y_true * ember.log(y_true / y_pred), -1)


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1):
    y_true, y_pred = _dense_pair("binary_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        values = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:  # Keras clips probabilities to [eps, 1 - eps] before the log
        eps = backend.epsilon()
        values = F.binary_cross_entropy(ember.clamp(y_pred, eps, 1.0 - eps), y_true, reduction="none")
    return ember.mean(values, axis)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                             axis: int = -1):
    y_true, y_pred = _dense_pair("categorical_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[axis]
    return -ember.sum(y_true * _log_probabilities(y_pred, from_logits, axis), axis)


def _log_probabilities(y_pred, from_logits: bool, axis: int = -1):
    if from_logits:
        return ember.log_softmax(y_pred, axis)
    # Keras renormalizes, then clips to [eps, 1 - eps], then takes the log.
    eps = backend.epsilon()
    probabilities = y_pred / ember.sum(y_pred, axis, keepdim=True)
    return ember.log(ember.clamp(probabilities, eps, 1.0 - eps))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                                    ignore_class: int | None = None, axis: int = -1):
    y_true, y_pred = _as_tensors(y_true, y_pred)
    labels = _sparse_labels(y_true, y_pred)
    log_probabilities = _log_probabilities(y_pred, from_logits, axis)
    if log_probabilities.ndim > 2:  # nll_loss wants the classes on dimension 1
        rank = log_probabilities.ndim
        log_probabilities = ember.permute(log_probabilities, (0, rank - 1) + tuple(range(1, rank - 1)))
    ignore = -100 if ignore_class is None else ignore_class  # ignored labels get a zero loss
    return F.nll_loss(log_probabilities, labels, reduction="none", ignore_index=ignore)


def _sparse_labels(y_true, y_pred):
    """Integer labels of shape ``y_pred.shape[:-1]``, or an error saying what to use instead."""
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = ember.squeeze(y_true, -1)
    if tuple(y_true.shape) != tuple(y_pred.shape[:-1]):
        hint = (" The labels look one-hot encoded: use loss='categorical_crossentropy', or pass "
                "integer class ids (e.g. y.argmax(-1))." if tuple(y_true.shape) == tuple(y_pred.shape) else "")
        raise ValueError(f"sparse_categorical_crossentropy expects integer labels of shape "
                         f"{tuple(y_pred.shape[:-1])} (one class id per sample) for predictions of shape "
                         f"{tuple(y_pred.shape)}; received labels of shape {tuple(y_true.shape)}.{hint}")
    return y_true if not y_true.is_floating_point() else ember.cast(y_true, ember.int64)


def _hinge_labels(y_true):
    """Labels in {0, 1} become {-1, 1} (Keras's rule, decided on the whole batch); others stay."""
    is_binary = ember.all(ember.logical_or(y_true == 0.0, y_true == 1.0))
    return ember.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    y_true, y_pred = _float_pair(y_true, y_pred)
    return ember.mean(ember.relu(1.0 - _hinge_labels(y_true) * y_pred), -1)


def squared_hinge(y_true, y_pred):
    y_true, y_pred = _float_pair(y_true, y_pred)
    return ember.mean(ember.square(ember.relu(1.0 - _hinge_labels(y_true) * y_pred)), -1)


def categorical_hinge(y_true, y_pred):
    y_true, y_pred = _float_pair(y_true, y_pred)
    positive = ember.sum(y_true * y_pred, -1)
    negative = ember.amax((1.0 - y_true) * y_pred, -1)
    return ember.relu(negative - positive + 1.0)


def _l2_normalize(x, axis: int):
    return x * ember.clamp(ember.rsqrt(ember.sum(x * x, axis, keepdim=True)), max=1.0 / backend.epsilon())


def cosine_similarity(y_true, y_pred, axis: int = -1):
    """Minus the cosine of the angle between labels and predictions (1 is the worst, -1 the best)."""
    y_true, y_pred = _regression_pair(y_true, y_pred)
    return -ember.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis)


def poisson(y_true, y_pred):
    y_true, y_pred = _float_pair(y_true, y_pred)
    return ember.mean(y_pred - y_true * ember.log(y_pred + backend.epsilon()), -1)


def _clipped_bce(y_true, probabilities):
    eps = backend.epsilon()
    clipped = ember.clamp(probabilities, eps, 1.0 - eps)
    return -(y_true * ember.log(clipped) + (1.0 - y_true) * ember.log(1.0 - clipped))


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing: bool = False, alpha: float = 0.25,
                              gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                              axis: int = -1):
    """Binary cross-entropy scaled by ``(1 - p_t)^gamma``: confident right answers count less."""
    y_true, y_pred = _dense_pair("binary_focal_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = ember.sigmoid(y_pred)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = ember.pow(1.0 - p_t, gamma) * _clipped_bce(y_true, y_pred)
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return ember.mean(focal, axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha: float = 0.25, gamma: float = 2.0,
                                   from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1):
    y_true, y_pred = _dense_pair("categorical_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[axis]
    if from_logits:
        y_pred = ember.softmax(y_pred, axis)
    eps = backend.epsilon()
    output = ember.clamp(y_pred / ember.sum(y_pred, axis, keepdim=True), eps, 1.0 - eps)
    return ember.sum(alpha * ember.pow(1.0 - output, gamma) * (-y_true * ember.log(output)), axis)


def tversky(y_true, y_pred, alpha: float = 0.5, beta: float = 0.5, axis=None):
    """``1 - TP / (TP + alpha FP + beta FN)`` over ``axis`` (everything by default)."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    intersection = ember.sum(y_true * y_pred, axis)
    false_positives = ember.sum((1.0 - y_pred) * y_true, axis)
    false_negatives = ember.sum(y_pred * (1.0 - y_true), axis)
    return 1.0 - intersection / (intersection + false_positives * alpha + false_negatives * beta + backend.epsilon())


def dice(y_true, y_pred, axis=None):
    """``1 - 2 |A∩B| / (|A| + |B|)`` over ``axis`` (everything by default)."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    intersection = ember.sum(y_true * y_pred, axis)
    return 1.0 - 2.0 * intersection / (ember.sum(y_true, axis) + ember.sum(y_pred, axis) + backend.epsilon())



def ctc(y_true, y_pred):
    """CTC loss per sequence: ``y_true`` integer labels ``(batch, max_length)`` padded with 0 (the blank),
    ``y_pred`` logits ``(batch, time, classes)``; every sequence uses all ``time`` steps."""
    from .ops.nn_more import ctc_loss
    y_true, y_pred = _as_tensors(y_true, y_pred)
    if y_true.ndim != 2:
        raise ValueError(f"ctc: labels y_true must have shape (batch_size, max_length) in integer format; "
                         f"got shape {tuple(y_true.shape)}")
    if y_pred.ndim != 3:
        raise ValueError(f"ctc: logits y_pred must have shape (batch_size, max_length, num_classes); "
                         f"got shape {tuple(y_pred.shape)}")
    batch, steps = y_pred.shape[0], y_pred.shape[1]
    label_lengths = ember.sum(ember.cast(y_true != 0, ember.int32), -1)
    return ctc_loss(y_true, y_pred, label_lengths, ember.full((batch,), steps, dtype=ember.int32), mask_index=0)


def categorical_generalized_cross_entropy(y_true, y_pred, q: float):
    """Generalized cross-entropy (Zhang & Sabuncu, 2018), robust to noisy labels: ``(1 - p_true ** q) / q``
    for integer labels ``y_true`` and probabilities ``y_pred``."""
    y_true, y_pred = _as_tensors(y_true, y_pred)
    one_hot = ember.cast(F.one_hot(ember.cast(y_true, ember.int64), y_pred.shape[-1]), y_pred.dtype)
    probability = ember.sum(y_pred * one_hot, -1)
    return (1.0 - probability ** q) / q


def _positive_negative_masks(labels, reference_labels, remove_diagonal: bool):
    same = ember.unsqueeze(labels, 1) == ember.unsqueeze(reference_labels, 0)
    positive, negative = same, ember.logical_not(same)
    if remove_diagonal:
        positive = ember.logical_and(positive, ember.logical_not(ember.eye(*same.shape, dtype=ember.bool)))
    return positive, negative


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal: bool = True,
           gamma: float = 80, margin: float = 0.4):
    """Circle loss (Sun et al., 2020) per sample over the pairwise cosine distances of L2-normalised
    embeddings ``y_pred`` (to ``ref_embeddings``, themselves by default) with integer labels ``y_true``.

    A sample with no positive or no negative pair gets 0, which the :class:`Circle` object leaves
    out of its mean, as Keras's mask does.
    """
    labels, embeddings = _as_tensors(y_true, y_pred)
    labels = ember.cast(labels, ember.int32)
    references = embeddings if ref_embeddings is None else _as_tensors(ref_embeddings, ref_embeddings)[1]
    reference_labels = labels if ref_labels is None else ember.cast(_as_tensors(ref_labels, y_pred)[0], ember.int32)
    distances = ember.clamp(1.0 - ember.matmul(embeddings, references.T), min=0.0)
    positive, negative = _positive_negative_masks(labels, reference_labels, remove_diagonal)
    positive_weights = ember.clamp((margin + distances) * ember.cast(positive, distances.dtype), min=0.0)
    negative_weights = ember.clamp((1.0 + margin - distances) * ember.cast(negative, distances.dtype), min=0.0)
    negative_infinity = ember.full_like(distances, float("-inf"))
    positive_terms = ember.where(positive, -gamma * positive_weights * (margin - distances), negative_infinity)
    negative_terms = ember.where(negative, gamma * negative_weights * (1.0 - margin - distances), negative_infinity)
    return F.softplus(ember.logsumexp(positive_terms, 1) + ember.logsumexp(negative_terms, 1))


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
logcosh = log_cosh


# --- loss objects -------------------------------------------------------------
_REDUCTIONS = ("sum_over_batch_size", "sum", "none", None, "mean", "auto")


class Loss:
    """Base class: subclasses define ``call(y_true, y_pred)`` returning per-sample losses."""

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size", dtype=None):
        if reduction not in _REDUCTIONS:
            raise ValueError(f"Invalid value for argument `reduction`: {reduction!r}. Expected one of "
                             f"{_REDUCTIONS}")
        self.name = name or backend.snake_case(type(self).__name__)
        self.reduction = "sum_over_batch_size" if reduction in ("auto", "mean") else reduction

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        return reduce_weighted(self.call(y_true, y_pred), sample_weight, self.reduction)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> "Loss":
        return cls(**config)


def reduce_weighted(values, sample_weight, reduction: str | None):
    """Weight per-sample losses, then reduce them the Keras way."""
    if sample_weight is not None:
        weights = sample_weight if isinstance(sample_weight, ember.Tensor) else ember.tensor(sample_weight)
        weights = ember.cast(weights, values.dtype)
        while weights.ndim < values.ndim:
            weights = ember.unsqueeze(weights, -1)
        while weights.ndim > values.ndim and weights.shape[-1] == 1:
            weights = ember.squeeze(weights, -1)
        values = values * weights
    if reduction in (None, "none"):
        return values
    total = ember.sum(values)
    return total if reduction == "sum" else total / max(values.numel(), 1)


class LossFunctionWrapper(Loss):
    """A Loss object around a per-sample function and its keyword arguments."""

    def __init__(self, fn, name: str | None = None, reduction: str | None = "sum_over_batch_size", **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction)
        self.fn, self._fn_kwargs = fn, kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(*_as_tensors(y_true, y_pred))  # as Keras's wrapper
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), **self._fn_kwargs}


def _loss_class(class_name: str, fn, default_name: str, **defaults) -> type:
    """A LossFunctionWrapper subclass with Keras's constructor arguments for ``fn``."""
    def __init__(self, *args, name: str = default_name, reduction="sum_over_batch_size", dtype=None, **kwargs):
        options = {**defaults, **dict(zip(defaults, args)), **kwargs}
        unknown = set(options) - set(defaults)
        if unknown:
            raise TypeError(f"{class_name} got unexpected arguments {sorted(unknown)}")
        LossFunctionWrapper.__init__(self, fn, name=name, reduction=reduction, **options)
    return type(class_name, (LossFunctionWrapper,), {"__init__": __init__, "__doc__": f"Keras's ``{class_name}``: "
                f"``{fn.__name__}`` reduced over the batch (options: {sorted(defaults) or 'none'})."})


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _loss_class("MeanAbsolutePercentageError", mean_absolute_percentage_error,
                                          "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _loss_class("MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
                                          "mean_squared_logarithmic_error")
Huber = _loss_class("Huber", huber, "huber_loss", delta=1.0)
LogCosh = _loss_class("LogCosh", log_cosh, "log_cosh")
KLDivergence = _loss_class("KLDivergence", kl_divergence, "kl_divergence")
BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
                                 from_logits=False, label_smoothing=0.0, axis=-1)
CategoricalCrossentropy = _loss_class("CategoricalCrossentropy", categorical_crossentropy,
                                      "categorical_crossentropy", from_logits=False, label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _loss_class("SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
                                            "sparse_categorical_crossentropy", from_logits=False,
                                            ignore_class=None, axis=-1)

Hinge = _loss_class("Hinge", hinge, "hinge")
SquaredHinge = _loss_class("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge, "categorical_hinge")
CosineSimilarity = _loss_class("CosineSimilarity", cosine_similarity, "cosine_similarity", axis=-1)
Poisson = _loss_class("Poisson", poisson, "poisson")
BinaryFocalCrossentropy = _loss_class("BinaryFocalCrossentropy", binary_focal_crossentropy,
                                      "binary_focal_crossentropy", apply_class_balancing=False, alpha=0.25,
                                      gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1)
CategoricalFocalCrossentropy = _loss_class("CategoricalFocalCrossentropy", categorical_focal_crossentropy,
                                           "categorical_focal_crossentropy", alpha=0.25, gamma=2.0,
                                           from_logits=False, label_smoothing=0.0, axis=-1)
Tversky = _loss_class("Tversky", tversky, "tversky", alpha=0.5, beta=0.5, axis=None)
Dice = _loss_class("Dice", dice, "dice", axis=None)


class CTC(LossFunctionWrapper):
    """Keras's ``CTC``: :func:`ctc` reduced over the batch."""

    def __init__(self, reduction="sum_over_batch_size", name: str = "ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction)

    def get_config(self) -> dict:
        return Loss.get_config(self)


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """Keras's ``CategoricalGeneralizedCrossEntropy``: :func:`categorical_generalized_cross_entropy`
    with ``q`` in (0, 1), reduced over the batch.

    Example:
        >>> import ember
        >>> from ember import keras
        >>> loss = keras.losses.CategoricalGeneralizedCrossEntropy(q=0.5)
        >>> round(loss(ember.tensor([0, 1]), ember.tensor([[0.25, 0.75], [0.25, 0.75]])).item(), 4)
        0.634
    """

    def __init__(self, q: float = 0.5, reduction="sum_over_batch_size",
                 name: str = "categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError(f"CategoricalGeneralizedCrossEntropy: q must be in the interval (0, 1), got {q}")
        super().__init__(categorical_generalized_cross_entropy, name=name, reduction=reduction, q=q)


class Circle(LossFunctionWrapper):
    """Keras's ``Circle``: :func:`circle` averaged over the samples whose loss is positive (Keras masks
    the others out of ``sum_over_batch_size``)."""

    def __init__(self, gamma: float = 80.0, margin: float = 0.4, remove_diagonal: bool = True,
                 reduction="sum_over_batch_size", name: str = "circle", dtype=None):
        super().__init__(circle, name=name, reduction=reduction, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)

    def call(self, y_true, y_pred):
        return self.fn(*_as_tensors(y_true, y_pred), **self._fn_kwargs)  # labels stay (batch,)

    def __call__(self, y_true, y_pred, sample_weight=None):
        values = self.call(y_true, y_pred)
        kept = values > 0
        mask = ember.cast(kept, values.dtype)
        if self.reduction == "sum_over_batch_size":  # divide by the kept count, not the batch size
            mask = mask * (values.numel() / ember.clamp(ember.sum(mask), min=1.0))
        if sample_weight is not None:
            weights = ember.cast(_as_tensors(sample_weight, values)[0], values.dtype)
            mask = mask * ember.reshape(weights, tuple(mask.shape))
        return reduce_weighted(values, mask, self.reduction)


_CLASSES = {cls.__name__: cls for cls in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Huber,
    LogCosh, KLDivergence, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    Hinge, SquaredHinge, CategoricalHinge, CosineSimilarity, Poisson, BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy, Tversky, Dice, CTC, CategoricalGeneralizedCrossEntropy, Circle)}
_FUNCTIONS = {
    "mean_squared_error": mean_squared_error, "mse": mse, "MSE": mse,
    "mean_absolute_error": mean_absolute_error, "mae": mae, "MAE": mae,
    "mean_absolute_percentage_error": mape, "mape": mape, "MAPE": mape,
    "mean_squared_logarithmic_error": msle, "msle": msle, "MSLE": msle,
    "huber": huber, "huber_loss": huber, "log_cosh": log_cosh, "logcosh": log_cosh,
    "kl_divergence": kl_divergence, "kld": kld, "KLD": kld,
    "binary_crossentropy": binary_crossentropy, "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "hinge": hinge, "squared_hinge": squared_hinge, "categorical_hinge": categorical_hinge,
    "cosine_similarity": cosine_similarity, "poisson": poisson,
    "binary_focal_crossentropy": binary_focal_crossentropy,
    "categorical_focal_crossentropy": categorical_focal_crossentropy, "tversky": tversky, "dice": dice,
    "ctc": ctc, "categorical_generalized_cross_entropy": categorical_generalized_cross_entropy, "circle": circle,
}


def get(identifier):
    """A loss function or object from a name, a config dict, a class, an instance or a callable."""
    if identifier is None or (callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type):
        return identifier()
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        raise ValueError(f"Unknown loss: {identifier!r}. Known: {sorted(_FUNCTIONS)}")
    if isinstance(identifier, dict):
        return _CLASSES[identifier["class_name"]].from_config(identifier.get("config", {}))
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def serialize(loss):
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    return getattr(loss, "__name__", loss)


def deserialize(name, custom_objects=None):
    """A loss from :func:`serialize`'s output (a function name or a ``{"class_name", "config"}`` dict);
    ``custom_objects`` maps further names to classes or functions.

    Example:
        >>> from ember import keras
        >>> keras.losses.deserialize(keras.losses.serialize(keras.losses.Circle(gamma=3.0))).get_config()["gamma"]
        3.0
    """
    custom_objects = custom_objects or {}
    if isinstance(name, dict):
        cls = custom_objects.get(name["class_name"]) or _CLASSES.get(name["class_name"])
        if cls is None:
            raise ValueError(f"Unknown loss class: {name['class_name']!r}. Known: {sorted(_CLASSES)}")
        return cls.from_config(name.get("config", {}))
    if isinstance(name, str) and name in custom_objects:
        found = custom_objects[name]
        return found() if isinstance(found, type) else found
    return get(name)
