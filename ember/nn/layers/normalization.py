"""Normalisation layers: ``BatchNorm1d/2d/3d``, ``LayerNorm``, ``GroupNorm``, ``RMSNorm``,
``InstanceNorm1d/2d/3d``."""
from __future__ import annotations

from ... import backend
from ...ops import functions as E
from ...ops.creation import ones, tensor, zeros
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter


def _register_affine(module: Module, shape, enabled: bool, bias: bool, dtype) -> None:
    """The learned scale (ones) and shift (zeros) of a normalisation layer, or None, under
    PyTorch's names ``weight`` and ``bias``."""
    weight = Parameter(ones(shape, dtype=dtype)) if enabled else None
    module.register_parameter("weight", weight)
    module.register_parameter("bias", Parameter(zeros(shape, dtype=dtype)) if enabled and bias else None)


def _reset_affine(module: Module) -> None:
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _NormBase(Module):
    """Per-channel affine parameters and running statistics, shared by batch and instance norm."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, dtype=None, bias: bool = True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _register_affine(self, num_features, affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=backend.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def _momentum(self):
        """This step's blending factor; counts the batch (``momentum=None``: cumulative average).

        The cumulative factor 1/batches stays a tensor so that a traced step
        (``ember.function``) keeps counting instead of freezing the first value.
        """
        if not (self.training and self.track_running_stats):
            return 0.0 if self.momentum is None else self.momentum
        self.num_batches_tracked.add_(1)
        if self.momentum is None:
            return E.reciprocal(E.cast(self.num_batches_tracked, self.running_mean.dtype))
        return self.momentum

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        if input.shape[1] != self.num_features:
            raise ValueError(f"{self!r}: expected {self.num_features} channels in dimension 1, "
                             f"got input of shape {tuple(input.shape)}")
        momentum = self._momentum()
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        # In training without tracking, no running buffers are passed (nothing to update).
        keep = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep else None, self.running_var if keep else None,
                            self.weight, self.bias, use_batch_stats, momentum, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch norm over ``(N, C)`` or ``(N, C, L)`` input, per channel C.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> bn = nn.BatchNorm1d(3)
        >>> bn(ember.randn(8, 3)).shape
        (8, 3)
        >>> int(bn.num_batches_tracked), bn
        (1, BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True))
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None, dtype=None,
                 *, bias: bool = True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype, bias)

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")


class BatchNorm2d(BatchNorm1d):
    """Batch norm over ``(N, C, H, W)`` input, per channel C.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.BatchNorm2d(3)(ember.randn(2, 3, 4, 4)).shape
        (2, 3, 4, 4)
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim != 4:
            raise ValueError(f"expected 4D input (got {input.ndim}D input)")


class BatchNorm3d(BatchNorm1d):
    """Batch norm over ``(N, C, D, H, W)`` input, per channel C.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.BatchNorm3d(3)(ember.randn(2, 3, 2, 2, 2)).shape
        (2, 3, 2, 2, 2)
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim != 5:
            raise ValueError(f"expected 5D input (got {input.ndim}D input)")


class _InstanceNorm(_NormBase):
    """Instance norm: statistics per sample and channel (running stats off by default)."""

    _batched_ndim = 3

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (self._batched_ndim - 1, self._batched_ndim):
            raise ValueError(f"expected {self._batched_ndim - 1}D or {self._batched_ndim}D input "
                             f"(got {input.ndim}D input)")
        unbatched = input.ndim == self._batched_ndim - 1
        x = input.unsqueeze(0) if unbatched else input
        use_input_stats = self.training or not self.track_running_stats
        momentum = self.momentum if self.momentum is not None else 0.1
        out = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                              use_input_stats, momentum, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance norm over ``(N, C, L)`` or ``(C, L)`` input.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.InstanceNorm1d(3)(ember.randn(2, 3, 5)).shape
        (2, 3, 5)
    """

    _batched_ndim = 3


class InstanceNorm2d(_InstanceNorm):
    """Instance norm over ``(N, C, H, W)`` or ``(C, H, W)`` input.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.InstanceNorm2d(3)(ember.randn(3, 4, 4)).shape
        (3, 4, 4)
    """

    _batched_ndim = 4


class InstanceNorm3d(_InstanceNorm):
    """Instance norm over ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.InstanceNorm3d(2)(ember.randn(1, 2, 2, 2, 2)).shape
        (1, 2, 2, 2, 2)
    """

    _batched_ndim = 5


def _shape(normalized_shape) -> tuple:
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


class LayerNorm(Module):
    """Normalise over the trailing ``normalized_shape`` dimensions, then scale and shift.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> ln = nn.LayerNorm(4)
        >>> ln(ember.randn(2, 4)).shape, ln
        ((2, 4), LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True))
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _register_affine(self, self.normalized_shape, elementwise_affine, bias, dtype)

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """x / sqrt(mean(x²) + eps) over the trailing dimensions, times a learned scale.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.RMSNorm(2, eps=0.0)(ember.tensor([[3.0, 3.0]])).tolist()
        [[1.0, 1.0]]
    """

    def __init__(self, normalized_shape, eps: float | None = None, elementwise_affine: bool = True,
                 device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ones(self.normalized_shape, dtype=dtype))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, input: Tensor) -> Tensor:
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class GroupNorm(Module):
    """Normalise each of ``num_groups`` channel groups per sample, then scale and shift per channel.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.GroupNorm(2, 4)(ember.randn(3, 4, 5)).shape
        (3, 4, 5)
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device=None, dtype=None, *, bias: bool = True):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _register_affine(self, num_channels, affine, bias, dtype)

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")
