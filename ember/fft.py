"""``ember.fft``: ``torch.fft``'s discrete Fourier transforms and frequency helpers.

The transforms are three primitives (``fft_c2c``, ``fft_r2c``, ``fft_c2r`` in
``ember.primitives.fft``, each with a VJP that is a transform in the other
direction); the functions here only resolve PyTorch's arguments (``n``/``s``,
``dim``, ``norm``), promote the input (integers and floats to complex for
``fft``, integers to the default float for ``rfft``) and zero-pad or trim each
transformed dimension with differentiable ops. ``fftfreq``, ``rfftfreq``,
``fftshift`` and ``ifftshift`` work as in PyTorch (the shifts are ``roll``).

Example:
    >>> import ember
    >>> ember.fft.fft(ember.tensor([1.0, 2.0, 3.0, 4.0]))
    tensor([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    >>> ember.fft.fftfreq(4).tolist()
    [0.0, 0.25, -0.5, -0.25]
"""
from __future__ import annotations

from typing import Sequence

from .errors import DTypeError, EmberValueError, ShapeError
from .ops import functions as _F
from .ops._operands import _tensor, cast as _cast
from .ops.complex_parts import conj as _conj, to_complex as _to_complex
from .ops.creation import tensor as _tensor_from, zeros as _zeros
from .ops.rearrange import roll
from .primitives.core import bind as _bind
from .primitives.fft import FftC2C as _C2C, FftC2R as _C2R, FftR2C as _R2C
from .primitives.rules import normalize_axis as _normalize_axis
from .tensor import Tensor


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


# --- argument handling shared by the transforms ---------------------------------------------
_NORMS = ("backward", "forward", "ortho")


def _norm(op: str, norm) -> str:
    if norm is None:
        return "backward"
    if norm not in _NORMS:
        raise EmberValueError(f"{op}: Invalid normalization mode: {norm!r} "
                              "(expected 'backward', 'forward', 'ortho' or None)")
    return norm


def _dims_and_sizes(op: str, x: Tensor, s, dim, default_dims):
    """PyTorch's ``(s, dim)`` pair as ``(axes, sizes)``: ``dim`` None with ``s`` given means the
    last ``len(s)`` dimensions; both None means ``default_dims`` (None: every dimension);
    a size of -1 keeps that dimension's length."""
    if x.ndim == 0:
        from .errors import EmberIndexError
        raise EmberIndexError(f"{op}: Dimension specified as {dim} but tensor has no dimensions")
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(s, int):
        s = (s,)
    if dim is None:
        dim = (tuple(range(-len(s), 0)) if s is not None
               else tuple(range(x.ndim)) if default_dims is None else default_dims)
    axes = tuple(_normalize_axis(op, d, x.ndim) for d in dim)
    if len(set(axes)) != len(axes):
        raise EmberValueError(f"{op}: dims must be unique, got {tuple(dim)}")
    if not axes:
        raise EmberValueError(f"{op}: must transform at least one dimension (got dim=())")
    if s is None:
        return axes, tuple(x.shape[a] for a in axes)
    if len(s) != len(axes):
        raise ShapeError(f"{op}: When given, dim and shape arguments must have the same length "
                         f"(s={tuple(s)}, dim={tuple(dim)})")
    sizes = tuple(x.shape[a] if n == -1 else int(n) for a, n in zip(axes, s))
    for n in sizes:
        if n < 1:
            raise EmberValueError(f"{op}: Invalid number of data points ({n}) specified")
    return axes, sizes


def _resized(x: Tensor, axes, sizes) -> Tensor:
    """``x`` trimmed or zero-padded at the end of each axis to the given size (differentiable)."""
    for axis, size in zip(axes, sizes):
        current = x.shape[axis]
        if size < current:
            index = [slice(None)] * x.ndim
            index[axis] = slice(0, size)
            x = _F.getitem_index(x, tuple(index))
        elif size > current:
            shape = list(x.shape)
            shape[axis] = size - current
            x = _F.cat([x, _zeros(shape, dtype=x.dtype, device=x.device)], axis)
    return x


def _real_input(op: str, input) -> Tensor:
    """``rfft``'s input: real; integers and bools become the default float, as in PyTorch."""
    x = _tensor(input)
    kind = x._data.dtype.kind
    if kind == "c":
        raise DTypeError(f"{op} expects a real input tensor, but got {x.dtype}")
    if kind != "f" or x._data.dtype.itemsize < 4:  # no float16 transform in NumPy: float32 as CPU PyTorch
        return _F._float(x) if kind != "f" else _cast(x, "float32")
    return x


# --- complex-to-complex ---------------------------------------------------------------------
def _c2c(op, input, s, dim, norm, forward, default_dims):
    x = _to_complex(input)
    axes, sizes = _dims_and_sizes(op, x, s, dim, default_dims)
    x = _resized(x, axes, sizes)
    return _bind(_C2C, (x,), (axes, _norm(op, norm), forward))


def fft(input, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The one-dimensional discrete Fourier transform along ``dim`` (``n`` points: trimmed or zero-padded).

    Real and integer input is promoted to complex, as in PyTorch.

    Example:
        >>> import ember
        >>> ember.fft.fft(ember.tensor([0.0, 1.0, 0.0, 0.0]))
        tensor([ 1.+0.j,  0.-1.j, -1.+0.j,  0.+1.j])
    """
    return _c2c("fft", input, n, (dim,), norm, True, None)


def ifft(input, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The inverse of :func:`fft` (scaled by ``1/n`` under the default ``norm='backward'``).

    Example:
        >>> import ember
        >>> ember.fft.ifft(ember.fft.fft(ember.tensor([1.0, 2.0, 3.0]))).real
        tensor([1., 2., 3.])
    """
    return _c2c("ifft", input, n, (dim,), norm, False, None)


def fft2(input, s: Sequence[int] | None = None, dim: Sequence[int] = (-2, -1),
         norm: str | None = None) -> Tensor:
    """The two-dimensional DFT over ``dim`` (the last two by default).

    Example:
        >>> import ember
        >>> ember.fft.fft2(ember.ones(2, 2))
        tensor([[4.+0.j, 0.+0.j],
                [0.+0.j, 0.+0.j]])
    """
    return _c2c("fft2", input, s, dim, norm, True, None)


def ifft2(input, s: Sequence[int] | None = None, dim: Sequence[int] = (-2, -1),
          norm: str | None = None) -> Tensor:
    """The inverse of :func:`fft2`.

    Example:
        >>> import ember
        >>> ember.fft.ifft2(ember.fft.fft2(ember.eye(2))).real
        tensor([[1., 0.],
                [0., 1.]])
    """
    return _c2c("ifft2", input, s, dim, norm, False, None)


def fftn(input, s: Sequence[int] | None = None, dim: Sequence[int] | None = None,
         norm: str | None = None) -> Tensor:
    """The N-dimensional DFT over ``dim`` (every dimension by default).

    Example:
        >>> import ember
        >>> ember.fft.fftn(ember.ones(2, 2, 2))[0, 0, 0]
        tensor(8.+0.j)
    """
    return _c2c("fftn", input, s, dim, norm, True, None)


def ifftn(input, s: Sequence[int] | None = None, dim: Sequence[int] | None = None,
          norm: str | None = None) -> Tensor:
    """The inverse of :func:`fftn`.

    Example:
        >>> import ember
        >>> ember.fft.ifftn(ember.fft.fftn(ember.ones(2, 2))).real
        tensor([[1., 1.],
                [1., 1.]])
    """
    return _c2c("ifftn", input, s, dim, norm, False, None)


# --- real-to-complex and back ----------------------------------------------------------------
def _r2c(op, input, s, dim, norm, default_dims):
    x = _real_input(op, input)
    axes, sizes = _dims_and_sizes(op, x, s, dim, default_dims)
    x = _resized(x, axes, sizes)
    return _bind(_R2C, (x,), (axes, _norm(op, norm)))


def _c2r(op, input, s, dim, norm, default_dims):
    """The inverse of a one-sided transform: the last axis's output length defaults to
    ``2 * (bins - 1)``, and its input is trimmed or zero-padded to ``length // 2 + 1`` bins."""
    x = _to_complex(input)
    axes, sizes = _dims_and_sizes(op, x, s, dim, default_dims)
    if s is None or (s if isinstance(s, int) else s[-1]) == -1:
        sizes = sizes[:-1] + (2 * (x.shape[axes[-1]] - 1),)
    last = sizes[-1]
    if last < 1:
        raise EmberValueError(f"{op}: Invalid number of data points ({last}) specified (an input of "
                              f"{x.shape[axes[-1]]} bins along dimension {axes[-1]} gives "
                              f"2 * ({x.shape[axes[-1]]} - 1); pass n >= 1)")
    x = _resized(x, axes, sizes[:-1] + (last // 2 + 1,))
    return _bind(_C2R, (x,), (axes, _norm(op, norm), last))


def rfft(input, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The DFT of a real signal: the ``n // 2 + 1`` non-negative frequencies along ``dim``.

    Example:
        >>> import ember
        >>> ember.fft.rfft(ember.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor([10.+0.j, -2.+2.j, -2.+0.j])
    """
    return _r2c("rfft", input, n, (dim,), norm, None)


def irfft(input, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The inverse of :func:`rfft`: a real signal of ``n`` points (``2 * (bins - 1)`` by default).

    Example:
        >>> import ember
        >>> ember.fft.irfft(ember.fft.rfft(ember.tensor([1.0, 2.0, 3.0])), n=3)
        tensor([1., 2., 3.])
    """
    return _c2r("irfft", input, n, (dim,), norm, None)


def rfft2(input, s: Sequence[int] | None = None, dim: Sequence[int] = (-2, -1),
          norm: str | None = None) -> Tensor:
    """The two-dimensional DFT of a real input, one-sided along the last of ``dim``.

    Example:
        >>> import ember
        >>> ember.fft.rfft2(ember.ones(2, 4)).shape
        (2, 3)
    """
    return _r2c("rfft2", input, s, dim, norm, None)


def irfft2(input, s: Sequence[int] | None = None, dim: Sequence[int] = (-2, -1),
           norm: str | None = None) -> Tensor:
    """The inverse of :func:`rfft2`.

    Example:
        >>> import ember
        >>> ember.fft.irfft2(ember.fft.rfft2(ember.ones(2, 4))).shape
        (2, 4)
    """
    return _c2r("irfft2", input, s, dim, norm, None)


def rfftn(input, s: Sequence[int] | None = None, dim: Sequence[int] | None = None,
          norm: str | None = None) -> Tensor:
    """The N-dimensional DFT of a real input, one-sided along the last of ``dim``.

    Example:
        >>> import ember
        >>> ember.fft.rfftn(ember.ones(2, 3, 4)).shape
        (2, 3, 3)
    """
    return _r2c("rfftn", input, s, dim, norm, None)


def irfftn(input, s: Sequence[int] | None = None, dim: Sequence[int] | None = None,
           norm: str | None = None) -> Tensor:
    """The inverse of :func:`rfftn`.

    Example:
        >>> import ember
        >>> ember.fft.irfftn(ember.fft.rfftn(ember.ones(2, 3, 4))).shape
        (2, 3, 4)
    """
    return _c2r("irfftn", input, s, dim, norm, None)


def hfft(input, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The DFT of a Hermitian-symmetric signal given by its first half: a real spectrum of ``n`` points
    (``irfft`` of the conjugate with the opposite normalisation).

    Example:
        >>> import ember
        >>> ember.fft.hfft(ember.tensor([1.0, 0.0, 0.0]))
        tensor([1., 1., 1., 1.])
    """
    from .primitives.fft import DUAL_NORM
    return _c2r("hfft", _conj(_to_complex(input)), n, (dim,), DUAL_NORM[_norm("hfft", norm)], None)


def ihfft(input, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The inverse of :func:`hfft`: the one-sided spectrum of a real signal, conjugated and scaled.

    Example:
        >>> import ember
        >>> ember.fft.ihfft(ember.tensor([1.0, 1.0, 1.0, 1.0]))
        tensor([1.+0.j, 0.+0.j, 0.+0.j])
    """
    from .primitives.fft import DUAL_NORM
    return _conj(_r2c("ihfft", input, n, (dim,), DUAL_NORM[_norm("ihfft", norm)], None))


def hfft2(input, s: Sequence[int] | None = None, dim: Sequence[int] = (-2, -1),
          norm: str | None = None) -> Tensor:
    """The two-dimensional :func:`hfftn`.

    Example:
        >>> import ember
        >>> ember.fft.hfft2(ember.ones(2, 3)).shape
        (2, 4)
    """
    return hfftn(input, s, dim, norm)


def ihfft2(input, s: Sequence[int] | None = None, dim: Sequence[int] = (-2, -1),
           norm: str | None = None) -> Tensor:
    """The two-dimensional :func:`ihfftn`.

    Example:
        >>> import ember
        >>> ember.fft.ihfft2(ember.ones(2, 4)).shape
        (2, 3)
    """
    return ihfftn(input, s, dim, norm)


def hfftn(input, s: Sequence[int] | None = None, dim: Sequence[int] | None = None,
          norm: str | None = None) -> Tensor:
    """The N-dimensional DFT of a Hermitian-symmetric signal given by its half along the last of
    ``dim``: a real result (``irfftn`` of the conjugate with the opposite normalisation).

    Example:
        >>> import ember
        >>> ember.fft.hfftn(ember.ones(2, 3)).shape
        (2, 4)
    """
    from .primitives.fft import DUAL_NORM
    return _c2r("hfftn", _conj(_to_complex(input)), s, dim, DUAL_NORM[_norm("hfftn", norm)], None)


def ihfftn(input, s: Sequence[int] | None = None, dim: Sequence[int] | None = None,
           norm: str | None = None) -> Tensor:
    """The inverse of :func:`hfftn`: the conjugated one-sided spectrum of a real signal, scaled.

    Example:
        >>> import ember
        >>> ember.fft.ihfftn(ember.ones(2, 4))[0, 0]
        tensor(1.+0.j)
    """
    from .primitives.fft import DUAL_NORM
    return _conj(_r2c("ihfftn", input, s, dim, DUAL_NORM[_norm("ihfftn", norm)], None))
