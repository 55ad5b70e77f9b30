"""Loss modules: each stores its options and calls the function in :mod:`ember.nn.functional.loss`.

Class weights are registered as buffers (``weight``, ``pos_weight``), so they
follow ``.to(dtype)`` and appear in ``state_dict`` exactly as in PyTorch.
"""
from __future__ import annotations

from .functional import ctc as L_ctc
from .functional import likelihood_loss as L_likelihood
from .functional import loss as L
from .functional import margin_loss as L_margin
from .module import Module
from ..tensor import Tensor


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = L._reduction(size_average, reduce, reduction)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, size_average=None, reduce=None,
                 reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.MSELoss()(ember.tensor([1.0, 3.0]), ember.tensor([0.0, 0.0]))
        tensor(5.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return L.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.L1Loss()(ember.tensor([1.0, -3.0]), ember.zeros(2))
        tensor(2.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return L.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic below ``beta``, linear above (``beta=1`` is the Huber loss).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.SmoothL1Loss(beta=2.0)(ember.tensor([1.0]), ember.zeros(1))
        tensor(0.2500)
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return L.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Quadratic below ``delta``, linear (slope ``delta``) above.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.HuberLoss(delta=0.5)(ember.tensor([2.0]), ember.zeros(1))
        tensor(0.8750)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return L.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of target classes, given log-probabilities.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.NLLLoss()(ember.tensor([[-1.0, -2.0]]), ember.tensor([1]))
        tensor(2.)
    """

    def __init__(self, weight: Tensor | None = None, size_average=None, ignore_index: int = -100,
                 reduce=None, reduction: str = "mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return L.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross entropy for class-index or class-probability targets.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> loss = nn.CrossEntropyLoss(label_smoothing=0.1)
        >>> loss(ember.zeros(4, 3), ember.tensor([0, 1, 2, 1]))
        tensor(1.0986)
    """

    def __init__(self, weight: Tensor | None = None, size_average=None, ignore_index: int = -100,
                 reduce=None, reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return L.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    """Binary cross entropy of probabilities (log clamped at -100).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.BCELoss()(ember.tensor([0.5]), ember.tensor([0.0]))
        tensor(0.6931)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return L.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross entropy of sigmoid(logits), computed stably; ``pos_weight`` scales positives.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.BCEWithLogitsLoss()(ember.tensor([0.0]), ember.tensor([1.0]))
        tensor(0.6931)
    """

    def __init__(self, weight: Tensor | None = None, size_average=None, reduce=None,
                 reduction: str = "mean", pos_weight: Tensor | None = None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return L.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction, pos_weight=self.pos_weight)


class KLDivLoss(_Loss):
    """KL divergence of ``target`` from log-probabilities ``input`` (``reduction='batchmean'`` for the true KL).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> p = ember.tensor([[0.25, 0.75]])
        >>> nn.KLDivLoss(reduction='batchmean')(p.log(), p)
        tensor(0.)
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", log_target: bool = False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return L.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class MarginRankingLoss(_Loss):
    """``max(0, -y * (x1 - x2) + margin)``, reduced.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.MarginRankingLoss(margin=1.0)(ember.tensor([2.0]), ember.tensor([1.5]), ember.tensor([1.0]))
        tensor(0.5000)
    """

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return L_margin.margin_ranking_loss(input1, input2, target, margin=self.margin,
                                            reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """``max(0, d(a, p) - d(a, n) + margin)`` over triplets, ``d`` the pairwise ``p``-distance.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.TripletMarginLoss(margin=1.0)(ember.zeros(2, 3), ember.zeros(2, 3), ember.ones(2, 3)).item() < 1e-5
        True
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} "
                             "instead")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return L_margin.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                            eps=self.eps, swap=self.swap, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood (``log_input=True``: the input is the log-rate).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.PoissonNLLLoss()(ember.zeros(3), ember.ones(3))
        tensor(1.)
    """

    def __init__(self, log_input: bool = True, full: bool = False, size_average=None, eps: float = 1e-8,
                 reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return L_likelihood.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                             eps=self.eps, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood with a predicted variance ``var``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.GaussianNLLLoss()(ember.zeros(2), ember.zeros(2), ember.ones(2))
        tensor(0.)
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean"):
        super().__init__(None, None, reduction)
        self.full, self.eps = full, eps

    def forward(self, input: Tensor, target: Tensor, var) -> Tensor:
        return L_likelihood.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                              reduction=self.reduction)


class CTCLoss(_Loss):
    """Connectionist temporal classification loss over ``(T, N, C)`` log-probabilities.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> log_probs = ember.log_softmax(ember.zeros(4, 1, 3), 2)
        >>> nn.CTCLoss()(log_probs, ember.tensor([[1, 2]]), [4], [2]).item() > 0
        True
    """

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False):
        super().__init__(None, None, reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs: Tensor, targets: Tensor, input_lengths, target_lengths) -> Tensor:
        return L_ctc.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
                              self.zero_infinity)
