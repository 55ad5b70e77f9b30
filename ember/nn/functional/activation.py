"""Activation functions, composed from Ember ops (their gradients come for free).

Each one matches PyTorch's values *and* its gradient at the kinks (e.g.
``hardtanh`` passes no gradient at its bounds, ``leaky_relu`` passes
``negative_slope`` at 0). Functions that would overflow in one branch of a
``where`` feed that branch clamped inputs, so the unused branch never makes
an ``inf`` whose zero gradient turns into ``nan``.

``inplace=True`` is accepted for compatibility; the result is computed out of
place and returned (the input is left unchanged).
"""
from __future__ import annotations

import warnings

from ...ops import functions as E
from ...tensor import Tensor

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.relu(ember.tensor([-1.0, 0.5]))
        tensor([0.0000, 0.5000])
    """
    return E.relu(input)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.relu6(ember.tensor([-1.0, 3.0, 8.0])).tolist()
        [0.0, 3.0, 6.0]
    """
    return hardtanh(input, 0.0, 6.0)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, else ``negative_slope * x``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.leaky_relu(ember.tensor([-2.0, 3.0]), 0.5).tolist()
        [-1.0, 3.0]
    """
    x = E._float(input)
    return E.where(x > 0, x, x * negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else ``alpha * (exp(x) - 1)``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.elu(ember.tensor([0.0, 1.0]))
        tensor([0., 1.])
    """
    x = E._float(input)
    negative = E.expm1(E.clamp(x, max=0.0)) * alpha
    return E.where(x > 0, x, negative)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.selu(ember.tensor([1.0]))
        tensor([1.0507])
    """
    return elu(input, _SELU_ALPHA) * _SELU_SCALE


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.celu(ember.tensor([2.0, 0.0])).tolist()
        [2.0, 0.0]
    """
    x = E._float(input)
    return E.where(x > 0, x, E.expm1(E.clamp(x, max=0.0) / alpha) * alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x·Φ(x), exact (``'none'``) or with the ``'tanh'`` approximation.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.gelu(ember.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8413])
    """
    return E.gelu(input, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x·sigmoid(x) (swish).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.silu(ember.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7311])
    """
    return E.silu(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·tanh(softplus(x)).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.mish(ember.tensor([1.0]))
        tensor([0.8651])
    """
    x = E._float(input)
    return x * E.tanh(softplus(x))


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.sigmoid(ember.tensor([0.0]))
        tensor([0.5000])
    """
    return E.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.tanh(ember.tensor([0.0]))
        tensor([0.])
    """
    return E.tanh(input)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), exact for large |x| and with the right gradient at 0.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.logsigmoid(ember.tensor([-1000.0]))
        tensor([-1000.])
    """
    x = E._float(input)
    # Two branches, each evaluated only where it cannot overflow:
    # x >= 0: -log1p(exp(-x));  x < 0: x - log1p(exp(x)).
    positive = E.clamp(x, min=0.0)
    negative = E.clamp(x, max=0.0)
    return E.where(x >= 0, -E.log1p(E.exp(-positive)), negative - E.log1p(E.exp(negative)))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta·x)) / beta, and x itself where beta·x > threshold (as in PyTorch).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.softplus(ember.tensor([0.0]))
        tensor([0.6931])
        >>> F.softplus(ember.tensor([30.0]))  # above the threshold: x itself
        tensor([30.])
    """
    return E.softplus(input, beta, threshold)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.softsign(ember.tensor([1.0, 3.0]))
        tensor([0.5000, 0.7500])
    """
    x = E._float(input)
    return x / (E.abs(x) + 1)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """Clamp to [min_val, max_val]; no gradient at or beyond the bounds (PyTorch's rule).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.hardtanh(ember.tensor([-3.0, 0.5, 3.0])).tolist()
        [-1.0, 0.5, 1.0]
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    x = E._float(input)
    inside = (x > min_val) & (x < max_val)
    return E.where(inside, x, E.clamp(x, min_val, max_val).detach())


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.hardsigmoid(ember.tensor([-4.0, 0.0, 4.0])).tolist()
        [0.0, 0.5, 1.0]
    """
    x = E._float(input)
    inside = (x > -3.0) & (x < 3.0)
    return E.where(inside, x / 6.0 + 0.5, E.clamp(x / 6.0 + 0.5, 0.0, 1.0).detach())


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x · relu6(x + 3) / 6, with PyTorch's gradient at ±3 (0 at -3, 1 at 3).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.hardswish(ember.tensor([-4.0, 0.0, 4.0])).tolist()
        [0.0, 0.0, 4.0]
    """
    x = E._float(input)
    middle = x * (x + 3.0) / 6.0
    return E.where(x <= -3.0, 0.0, E.where(x >= 3.0, x, middle))


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else ``value``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.threshold(ember.tensor([0.5, 2.0]), 1.0, -1.0).tolist()
        [-1.0, 2.0]
    """
    x = E._tensor(input)
    return E.where(x > threshold, x, value)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """leaky_relu with a learned slope per channel (dimension 1), or one shared slope.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.prelu(ember.tensor([-2.0, 2.0]), ember.tensor([0.25])).tolist()
        [-0.5, 2.0]
    """
    x = E._float(input)
    if weight.numel() != 1 and x.ndim >= 2:
        weight = E.reshape(weight, (-1,) + (1,) * (x.ndim - 2))
    return E.where(x > 0, x, x * weight)


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """exp(x) / Σ exp(x) along ``dim``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.softmax(ember.tensor([[0.0, 0.0]]), dim=1)
        tensor([[0.5000, 0.5000]])
    """
    if dim is None:
        dim = _softmax_dim("softmax", E._tensor(input).ndim)
    return E.softmax(input, dim, dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-x).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.softmin(ember.tensor([1.0, 1.0]), dim=0)
        tensor([0.5000, 0.5000])
    """
    if dim is None:
        dim = _softmax_dim("softmin", E._tensor(input).ndim)
    return E.softmax(-E._float(input), dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """x - logsumexp(x) along ``dim`` (stable).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.log_softmax(ember.zeros(1, 2), dim=1)
        tensor([[-0.6931, -0.6931]])
    """
    if dim is None:
        dim = _softmax_dim("log_softmax", E._tensor(input).ndim)
    return E.log_softmax(input, dim, dtype)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: a · sigmoid(b), where a, b are the two halves of ``dim``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.glu(ember.tensor([2.0, 0.0]))
        tensor([1.])
    """
    x = E._float(input)
    if x.shape[dim] % 2:
        raise ValueError(f"Halving dimension must be even, but dimension {dim} is size {x.shape[dim]}")
    first, second = E.chunk(x, 2, dim)
    return first * E.sigmoid(second)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.tanhshrink(ember.tensor([0.0]))
        tensor([0.])
    """
    x = E._float(input)
    return x - E.tanh(x)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, 0 between.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.softshrink(ember.tensor([-1.0, 0.2, 1.0])).tolist()
        [-0.5, 0.0, 0.5]
    """
    x = E._float(input)
    return E.where(x > lambd, x - lambd, E.where(x < -lambd, x + lambd, 0.0))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.hardshrink(ember.tensor([-1.0, 0.2, 1.0])).tolist()
        [-1.0, 0.0, 1.0]
    """
    x = E._float(input)
    return E.where((x > lambd) | (x < -lambd), x, 0.0)
