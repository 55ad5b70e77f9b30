"""``ember.fft``: ``torch.fft``'s frequency helpers; the transforms themselves wait for a complex dtype.

``fftfreq``, ``rfftfreq``, ``fftshift`` and ``ifftshift`` work as in PyTorch (the shifts are
``roll``, so they differentiate). ``fft``, ``ifft``, ``rfft``, ``irfft``, ``fft2`` and the
other transforms return or take complex tensors, and Ember's dtypes are real only: they
raise a :class:`~ember.errors.DTypeError` that says so, rather than return something
PyTorch code would misread.

Example:
    >>> import ember
    >>> ember.fft.fftfreq(4).tolist()
    [0.0, 0.25, -0.5, -0.25]
"""
from __future__ import annotations

from .errors import DTypeError
from .ops._operands import _tensor
from .ops.creation import tensor as _tensor_from
from .ops.rearrange import roll


def fftfreq(n: int, d: float = 1.0, *, dtype=None, device=None, requires_grad: bool = False):
    """The sample frequencies of an ``n``-point FFT with sample spacing ``d`` (cycles per unit).

    Example:
        >>> import ember
        >>> ember.fft.fftfreq(5, d=0.5).tolist()
        [0.0, 0.4, 0.8, -0.8, -0.4]
    """
    positive = list(range((n - 1) // 2 + 1))
    negative = list(range(-(n // 2), 0))
    values = [k / (d * n) for k in positive + negative]
    return _tensor_from(values, dtype=dtype, requires_grad=requires_grad)


def rfftfreq(n: int, d: float = 1.0, *, dtype=None, device=None, requires_grad: bool = False):
    """The non-negative sample frequencies of an ``n``-point real FFT.

    Example:
        >>> import ember
        >>> ember.fft.rfftfreq(4).tolist()
        [0.0, 0.25, 0.5]
    """
    values = [k / (d * n) if n else float("nan") for k in range(n // 2 + 1)]  # n = 0: 0/0, as PyTorch
    return _tensor_from(values, dtype=dtype, requires_grad=requires_grad)


def _shift(input, dim, sign):
    x = _tensor(input)
    dims = tuple(range(x.ndim)) if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    shifts = tuple(sign * (x.shape[d] // 2) for d in dims)
    return roll(x, shifts, dims) if dims else x


def fftshift(input, dim=None):
    """Move the zero frequency to the middle (``roll`` by half of each dimension).

    Example:
        >>> import ember
        >>> ember.fft.fftshift(ember.fft.fftfreq(4)).tolist()
        [-0.5, -0.25, 0.0, 0.25]
    """
    return _shift(input, dim, 1)


def ifftshift(input, dim=None):
    """The inverse of :func:`fftshift`."""
    return _shift(input, dim, -1)


def _needs_complex(name):
    def transform(*args, **kwargs):
        raise DTypeError(f"ember.fft.{name}: Ember has no complex dtype yet, so the Fourier transforms "
                         "(fft, ifft, rfft, irfft, fft2, ...) are not available; fftfreq, rfftfreq, "
                         "fftshift and ifftshift are")
    transform.__name__ = name
    transform.__doc__ = f"Not available: ``{name}`` needs complex tensors, which Ember does not have yet."
    return transform


fft = _needs_complex("fft")
ifft = _needs_complex("ifft")
rfft = _needs_complex("rfft")
irfft = _needs_complex("irfft")
fft2 = _needs_complex("fft2")
ifft2 = _needs_complex("ifft2")
rfft2 = _needs_complex("rfft2")
irfft2 = _needs_complex("irfft2")
fftn = _needs_complex("fftn")
ifftn = _needs_complex("ifftn")
rfftn = _needs_complex("rfftn")
irfftn = _needs_complex("irfftn")
hfft = _needs_complex("hfft")
ihfft = _needs_complex("ihfft")
