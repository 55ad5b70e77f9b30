"""``LPPool1d``/``LPPool2d`` (power-average pooling), ``MaxUnpool1d``/``MaxUnpool2d`` and
``LocalResponseNorm``; each stores its options and calls :mod:`ember.nn.functional`."""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from ..module import Module


class _LPPool(Module):
    function = None

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return type(self).function(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, " \
               f"ceil_mode={self.ceil_mode}"


class LPPool1d(_LPPool):
    """``(sum of x ** p over each window) ** (1/p)`` over ``(N, C, L)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.LPPool1d(2, 2)(ember.tensor([[[3.0, 4.0]]])).tolist()
        [[[5.0]]]
    """

    function = staticmethod(F.lp_pool1d)


class LPPool2d(_LPPool):
    """``(sum of x ** p over each window) ** (1/p)`` over ``(N, C, H, W)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.LPPool2d(1, 2)(ember.ones(1, 1, 2, 2)).tolist()
        [[[[4.0]]]]
    """

    function = staticmethod(F.lp_pool2d)


class LPPool3d(_LPPool):
    """``(sum of x ** p over each window) ** (1/p)`` over ``(N, C, D, H, W)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.LPPool3d(1, 2)(ember.ones(1, 1, 2, 2, 2)).reshape(-1).tolist()
        [8.0]
    """

    function = staticmethod(F.lp_pool3d)


class _MaxUnpool(Module):
    function = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride if stride is not None else kernel_size, padding

    def forward(self, input: Tensor, indices: Tensor, output_size=None) -> Tensor:
        return type(self).function(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpool):
    """Put ``MaxPool1d(return_indices=True)``'s values back at their indices (zeros elsewhere).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.MaxUnpool1d(2)(ember.tensor([[[5.0]]]), ember.tensor([[[1]]])).tolist()
        [[[0.0, 5.0]]]
    """

    function = staticmethod(F.max_unpool1d)


class MaxUnpool2d(_MaxUnpool):
    """Put ``MaxPool2d(return_indices=True)``'s values back at their indices (zeros elsewhere).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.MaxUnpool2d(2)(ember.tensor([[[[9.0]]]]), ember.tensor([[[[0]]]])).tolist()
        [[[[9.0, 0.0], [0.0, 0.0]]]]
    """

    function = staticmethod(F.max_unpool2d)


class MaxUnpool3d(_MaxUnpool):
    """Put ``MaxPool3d(return_indices=True)``'s values back at their indices (zeros elsewhere).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.MaxUnpool3d(2)(ember.tensor([[[[[9.0]]]]]), ember.tensor([[[[[0]]]]])).reshape(-1).tolist()[:2]
        [9.0, 0.0]
    """

    function = staticmethod(F.max_unpool3d)


class LocalResponseNorm(Module):
    """Normalise each channel by the energy of ``size`` neighbouring channels (AlexNet).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.LocalResponseNorm(2, alpha=1.0, beta=1.0, k=0.0)(ember.ones(1, 2, 1)).tolist()
        [[[2.0], [1.0]]]
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class _FractionalMaxPool(Module):
    function = None

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices: bool = False,
                 _random_samples=None):
        super().__init__()
        if (output_size is None) == (output_ratio is None):
            raise ValueError(f"{type(self).__name__} requires specifying either an output size, or a pooling ratio")
        self.kernel_size, self.output_size, self.output_ratio = kernel_size, output_size, output_ratio
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)

    def forward(self, input: Tensor):
        return type(self).function(input, self.kernel_size, self.output_size, self.output_ratio,
                                   self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPool):
    """Max pooling over windows at fractional strides of ``(N, C, H, W)`` (new positions every call).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.FractionalMaxPool2d(3, output_ratio=0.5)(ember.randn(2, 4, 10, 10)).shape
        (2, 4, 5, 5)
    """

    function = staticmethod(F.fractional_max_pool2d)


class FractionalMaxPool3d(_FractionalMaxPool):
    """Max pooling over windows at fractional strides of ``(N, C, D, H, W)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.FractionalMaxPool3d(2, output_size=3)(ember.randn(1, 1, 7, 7, 7)).shape
        (1, 1, 3, 3, 3)
    """

    function = staticmethod(F.fractional_max_pool3d)
