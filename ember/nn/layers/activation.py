"""Activation layers: thin modules over :mod:`ember.nn.functional`'s activations."""
from __future__ import annotations

from ...ops.creation import full
from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from ..parameter import Parameter


class _Inplace(Module):
    """An activation with PyTorch's ``inplace`` flag (accepted; results are computed out of place)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Inplace):
    """max(x, 0).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ReLU()(ember.tensor([-1.0, 1.0]))
        tensor([0., 1.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input)


class ReLU6(_Inplace):
    """min(max(x, 0), 6).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ReLU6()(ember.tensor([7.0]))
        tensor([6.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.relu6(input)


class SiLU(_Inplace):
    """x·sigmoid(x).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.SiLU()(ember.tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input)


class Mish(_Inplace):
    """x·tanh(softplus(x)).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Mish()(ember.tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input)


class Hardsigmoid(_Inplace):
    """relu6(x + 3) / 6.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Hardsigmoid()(ember.tensor([3.0]))
        tensor([1.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input)


class Hardswish(_Inplace):
    """x·relu6(x + 3) / 6.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Hardswish()(ember.tensor([3.0]))
        tensor([3.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input)


class SELU(_Inplace):
    """Scaled ELU with the self-normalising constants.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.SELU()(ember.tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input)


class LeakyReLU(Module):
    """x for x > 0, else ``negative_slope * x``.

    Example:
        >>> from ember import nn
        >>> nn.LeakyReLU(0.2)
        LeakyReLU(negative_slope=0.2)
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """x for x > 0, else ``alpha * (exp(x) - 1)``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.ELU(alpha=0.5)
        ELU(alpha=0.5)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """max(0, x) + min(0, alpha·(exp(x/alpha) - 1)).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.CELU()(ember.tensor([1.0]))
        tensor([1.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha)


class GELU(Module):
    """x·Φ(x); ``approximate='tanh'`` uses the tanh approximation.

    Example:
        >>> from ember import nn
        >>> nn.GELU(approximate="tanh")
        GELU(approximate='tanh')
    """

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Sigmoid(Module):
    """1 / (1 + exp(-x)).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Sigmoid()(ember.tensor([0.0]))
        tensor([0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """Hyperbolic tangent.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Tanh()(ember.tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class LogSigmoid(Module):
    """log(sigmoid(x)), stable.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.LogSigmoid()(ember.tensor([0.0]))
        tensor([-0.6931])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Softsign(Module):
    """x / (1 + |x|).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Softsign()(ember.tensor([1.0]))
        tensor([0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class Tanhshrink(Module):
    """x - tanh(x).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Tanhshrink()(ember.tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)


class _DimActivation(Module):
    """Softmax-like layers applied along ``dim``."""

    function = None

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return type(self).function(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_DimActivation):
    """exp(x) / Σ exp(x) along ``dim``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Softmax(dim=-1)(ember.zeros(1, 4))
        tensor([[0.2500, 0.2500, 0.2500, 0.2500]])
    """

    function = staticmethod(F.softmax)


class Softmin(_DimActivation):
    """softmax(-x) along ``dim``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Softmin(dim=0)(ember.zeros(2))
        tensor([0.5000, 0.5000])
    """

    function = staticmethod(F.softmin)


class LogSoftmax(_DimActivation):
    """log(softmax(x)) along ``dim``, computed stably.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.LogSoftmax(dim=0)(ember.zeros(2))
        tensor([-0.6931, -0.6931])
    """

    function = staticmethod(F.log_softmax)


class Softplus(Module):
    """log(1 + exp(beta·x)) / beta, linear where beta·x > threshold.

    Example:
        >>> from ember import nn
        >>> nn.Softplus(beta=2.0)
        Softplus(beta=2.0, threshold=20.0)
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """Clamp to [min_val, max_val] (no gradient at or beyond the bounds).

    Example:
        >>> from ember import nn
        >>> nn.Hardtanh(-2.0, 2.0)
        Hardtanh(min_val=-2.0, max_val=2.0)
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None):
        super().__init__()
        # min_value/max_value are PyTorch's deprecated spellings.
        self.min_val = min_val if min_value is None else min_value
        self.max_val = max_val if max_value is None else max_value
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise ValueError(f"Hardtanh: max_val ({self.max_val}) must be above min_val ({self.min_val})")

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class Threshold(Module):
    """x where x > threshold, else ``value``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.Threshold(1.0, 0.0)(ember.tensor([0.5, 2.0])).tolist()
        [0.0, 2.0]
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """Leaky ReLU with a learned slope: one shared, or one per channel (``num_parameters=C``).

    Example:
        >>> from ember import nn
        >>> nn.PReLU(3).weight.tolist()
        [0.25, 0.25, 0.25]
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(full((num_parameters,), float(init), dtype=dtype))

    def reset_parameters(self) -> None:
        from .. import init as initializers
        initializers.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class GLU(Module):
    """Gated linear unit over ``dim``: first half · sigmoid(second half).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.GLU()(ember.ones(3, 4)).shape
        (3, 2)
    """

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
