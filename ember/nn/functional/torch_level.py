"""``torch.<name>`` spellings of functional ops, with ATen's argument orders where they differ
from ``torch.nn.functional`` (``torch.batch_norm(input, weight, bias, running_mean, ...)``,
``torch.embedding(weight, indices)``, losses taking ``reduction`` as 0/1/2 for none/mean/sum).

Example:
    >>> import ember
    >>> ember.embedding(ember.eye(3), ember.tensor([2])).tolist()
    [[0.0, 0.0, 1.0]]
"""
from __future__ import annotations

from ...tensor import Tensor
from . import randomized as _alpha
from . import channel_ops, embedding_loss as _pairs
from .ctc import ctc_loss as _ctc_loss
from .dropout import _feature_dropout, dropout as _dropout
from .embedding import embedding as _embedding
from .likelihood_loss import poisson_nll_loss as _poisson_nll_loss
from .loss import binary_cross_entropy_with_logits as _bce_with_logits, kl_div as _kl_div
from .margin_loss import margin_ranking_loss as _margin_ranking_loss, triplet_margin_loss as _triplet_margin_loss
from .normalization import batch_norm as _batch_norm, group_norm as _group_norm, instance_norm as _instance_norm
from .normalization import layer_norm as _layer_norm
from .pooling import avg_pool1d as _avg_pool1d, max_pool1d as _max_pool1d, max_pool2d as _max_pool2d
from .pooling import max_pool3d as _max_pool3d
from .adaptive_max_pool import adaptive_max_pool1d as _adaptive_max_pool1d

_REDUCTION_CODES = {0: "none", 1: "mean", 2: "sum"}


def _reduction(reduction) -> str:
    """ATen's integer reduction (0 none, 1 mean, 2 sum); the functional's strings pass through."""
    return _REDUCTION_CODES[reduction] if isinstance(reduction, int) else reduction


def _stride(stride):
    return None if stride is None or (isinstance(stride, (list, tuple)) and not stride) else stride


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5, cudnn_enable: bool = True):
    """``torch.layer_norm``: ``F.layer_norm`` (``cudnn_enable`` is ignored)."""
    return _layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5, cudnn_enabled: bool = True):
    """``torch.group_norm``: ``F.group_norm`` (``cudnn_enabled`` is ignored)."""
    return _group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input, weight, bias, running_mean, running_var, training: bool, momentum: float, eps: float,
               cudnn_enabled: bool = True):
    """``torch.batch_norm``: ATen's order (affine parameters before the running statistics)."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats: bool, momentum: float,
                  eps: float, cudnn_enabled: bool = True):
    """``torch.instance_norm``: ATen's order (affine parameters before the running statistics)."""
    return _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def embedding(weight, indices, padding_idx: int = -1, scale_grad_by_freq: bool = False, sparse: bool = False):
    """``torch.embedding(weight, indices)``: the table first; ``padding_idx=-1`` means none."""
    return _embedding(indices, weight, None if padding_idx < 0 else padding_idx,
                      scale_grad_by_freq=scale_grad_by_freq)


def kl_div(input, target, reduction=1, *, log_target: bool = False):
    """``torch.kl_div``: reduction 1 is the plain mean over all elements."""
    return _kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0, reduction=1,
             zero_infinity: bool = False):
    return _ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction), zero_infinity)


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0, reduction=1):
    return _pairs.cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def hinge_embedding_loss(input, target, margin: float = 1.0, reduction=1):
    return _pairs.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def margin_ranking_loss(input1, input2, target, margin: float = 0.0, reduction=1):
    return _margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, reduction=1):
    return _triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input: bool, full: bool, eps: float, reduction):
    """``torch.poisson_nll_loss``: every argument positional, as ATen's."""
    return _poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_reduction(reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=1):
    return _bce_with_logits(input, target, weight, reduction=_reduction(reduction), pos_weight=pos_weight)


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False):
    return _max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False):
    return _max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False):
    return _max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False,
                            return_indices: bool = True):
    """``(values, indices)`` of ``max_pool1d``."""
    return _max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode, return_indices=True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
                            return_indices: bool = True):
    """``(values, indices)`` of ``max_pool2d``."""
    return _max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode, return_indices=True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
                            return_indices: bool = True):
    """``(values, indices)`` of ``max_pool3d``."""
    return _max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode, return_indices=True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices: bool = True):
    """``(values, indices)`` of ``adaptive_max_pool1d``."""
    return _adaptive_max_pool1d(input, output_size, return_indices=True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices: bool = True):
    """``(values, indices)`` of ``adaptive_max_pool2d``."""
    from .adaptive_max_pool import adaptive_max_pool2d
    return adaptive_max_pool2d(input, output_size, return_indices=True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices: bool = True):
    """``(values, indices)`` of ``adaptive_max_pool3d``."""
    from .adaptive_max_pool import adaptive_max_pool3d
    return adaptive_max_pool3d(input, output_size, return_indices=True)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode: bool = False, count_include_pad: bool = True):
    return _avg_pool1d(input, kernel_size, _stride(stride), padding, ceil_mode, count_include_pad)


def adaptive_max_pool1d(input, output_size):
    """``torch.adaptive_max_pool1d`` returns ``(values, indices)``."""
    return _adaptive_max_pool1d(input, output_size, return_indices=True)


def _train_flag(name: str, function):
    def op(input: Tensor, p: float, train: bool) -> Tensor:
        return function(input, p, train)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"``torch.{name}(input, p, train)``."
    return op


def _feature(input, p, train):
    return _feature_dropout("feature_dropout", input, p, train, min(2, input.ndim), None)


alpha_dropout = _train_flag("alpha_dropout", _alpha.alpha_dropout)
feature_alpha_dropout = _train_flag("feature_alpha_dropout", _alpha.feature_alpha_dropout)
feature_dropout = _train_flag("feature_dropout", _feature)


def _written(name: str, function):
    from ...ops.tensor_methods import _inplace
    method = _inplace(name, function)

    def op(input: Tensor, p: float, train: bool) -> Tensor:
        return method(input, p, train)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"In-place ``torch.{name[:-1]}(input, p, train)``."
    return op


dropout_ = _written("dropout_", lambda x, p, train: _dropout(x, p, train))
alpha_dropout_ = _written("alpha_dropout_", _alpha.alpha_dropout)
feature_alpha_dropout_ = _written("feature_alpha_dropout_", _alpha.feature_alpha_dropout)
feature_dropout_ = _written("feature_dropout_", _feature)
pdist = channel_ops.pdist
channel_shuffle = channel_ops.channel_shuffle
native_channel_shuffle = channel_ops.native_channel_shuffle


def convolution(input, weight, bias, stride, padding, dilation, transposed: bool, output_padding, groups: int):
    """``torch.convolution``: the 1-3-D (transposed) convolution the weight's rank asks for."""
    from . import conv
    dims = weight.ndim - 2
    if dims not in (1, 2, 3):
        raise ValueError(f"convolution: expected a 3-D to 5-D weight, got {weight.ndim}-D")
    if transposed:
        function = getattr(conv, f"conv_transpose{dims}d")
        return function(input, weight, bias, stride, padding, output_padding, groups, dilation)
    return getattr(conv, f"conv{dims}d")(input, weight, bias, stride, padding, dilation, groups)


def _gates(input, hx, w_ih, w_hh, b_ih, b_hh):
    from .linear import linear
    return linear(input, w_ih, b_ih) + linear(hx, w_hh, b_hh)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman RNN step: ``tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)``."""
    from ...ops import functions as E
    return E.tanh(_gates(input, hx, w_ih, w_hh, b_ih, b_hh))


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman RNN step with ReLU."""
    from ...ops import functions as E
    return E.relu(_gates(input, hx, w_ih, w_hh, b_ih, b_hh))


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step: ``hx`` is ``(h, c)``; returns ``(h', c')`` (gates i, f, g, o, as PyTorch)."""
    from ...ops import functions as E
    h, c = hx
    i, f, g, o = E.chunk(_gates(input, h, w_ih, w_hh, b_ih, b_hh), 4, -1)
    cell = E.sigmoid(f) * c + E.sigmoid(i) * E.tanh(g)
    return E.sigmoid(o) * E.tanh(cell), cell


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step (gates r, z, n, as PyTorch): ``n + z * (h - n)``."""
    from ...ops import functions as E
    from .linear import linear
    i_r, i_z, i_n = E.chunk(linear(input, w_ih, b_ih), 3, -1)
    h_r, h_z, h_n = E.chunk(linear(hx, w_hh, b_hh), 3, -1)
    reset, update = E.sigmoid(i_r + h_r), E.sigmoid(i_z + h_z)
    new = E.tanh(i_n + reset * h_n)
    return new + update * (hx - new)
