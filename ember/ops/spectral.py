"""Short-time Fourier transforms: ``stft`` and its inverse ``istft``, as PyTorch's.

Both are composites: ``stft`` pads the signal (``center``), cuts overlapping frames with one
gather, weights them by the window and transforms each with ``ember.fft``; ``istft`` inverts
each frame, overlap-adds them with ``index_add`` and divides by the summed squared window. So
their gradients come from the primitives underneath.
"""
from __future__ import annotations

from ..errors import EmberRuntimeError, EmberValueError, ShapeError
from ..tensor import Tensor
from ._operands import _tensor


def _window(op: str, window, n_fft: int, win_length: int | None, like: Tensor) -> Tensor:
    """The window (ones by default), centred in ``n_fft`` points when shorter, as PyTorch."""
    from .creation import ones, zeros
    from .shape import cat
    win_length = n_fft if win_length is None else win_length
    if not 0 < win_length <= n_fft:
        raise EmberValueError(f"{op}: expected 0 < win_length <= n_fft, but got win_length={win_length}")
    if window is None:
        window = ones(win_length, dtype=like.dtype.to_real(), device=like.device)
    window = _tensor(window)
    if window.shape != (win_length,):
        raise ShapeError(f"{op}: expected a 1D window tensor of size equal to win_length={win_length}, "
                         f"but got window with size {window.shape}")
    if win_length == n_fft:
        return window
    left = (n_fft - win_length) // 2
    return cat([zeros(left, dtype=window.dtype, device=like.device), window,
                zeros(n_fft - win_length - left, dtype=window.dtype, device=like.device)])


def _frame_index(frames: int, n_fft: int, hop: int, like: Tensor) -> Tensor:
    """``(frames, n_fft)`` sample positions: row ``f`` reads ``f * hop`` onwards."""
    from .creation import arange
    return (arange(frames, device=like.device) * hop).unsqueeze(1) + arange(n_fft, device=like.device)


def stft(input, n_fft: int, hop_length: int | None = None, win_length: int | None = None, window=None,
         center: bool = True, pad_mode: str = "reflect", normalized: bool = False,
         onesided: bool | None = None, return_complex: bool | None = None) -> Tensor:
    """The short-time Fourier transform of a 1-D signal or a batch of them: ``(batch?, freq, frames)``.

    Example:
        >>> import ember
        >>> ember.stft(ember.ones(16), 8, hop_length=4, return_complex=True).shape
        (5, 5)
    """
    from .. import fft
    from .complex_parts import view_as_real
    from .shape import pad
    x = _tensor(input)
    if return_complex is None:
        raise EmberRuntimeError("stft requires the return_complex parameter be given for real inputs, "
                                "and will further require that return_complex=True in a future PyTorch release.")
    if x.ndim not in (1, 2):
        raise ShapeError(f"stft: expected a 1D or 2D tensor, got shape {x.shape}")
    hop = n_fft // 4 if hop_length is None else hop_length
    if hop <= 0:
        raise EmberValueError(f"stft: expected hop_length > 0, but got hop_length={hop}")
    batched = x.unsqueeze(0) if x.ndim == 1 else x
    if center:
        side = n_fft // 2
        batched = pad(batched.unsqueeze(1), (side, side), mode=pad_mode).squeeze(1)
    length = batched.shape[-1]
    if not 0 < n_fft <= length:
        raise EmberValueError(f"stft: expected 0 < n_fft <= {length} (the padded signal's length), "
                              f"but got n_fft={n_fft}")
    frames = batched[:, _frame_index(1 + (length - n_fft) // hop, n_fft, hop, x)]
    frames = frames * _window("stft", window, n_fft, win_length, x)
    complex_input = x.is_complex() or frames.is_complex()
    onesided = not complex_input if onesided is None else onesided
    norm = "ortho" if normalized else "backward"
    spectrum = fft.rfft(frames, norm=norm) if onesided else fft.fft(frames, norm=norm)
    spectrum = spectrum.transpose(1, 2)
    spectrum = spectrum.squeeze(0) if x.ndim == 1 else spectrum
    return spectrum if return_complex else view_as_real(spectrum)


def istft(input, n_fft: int, hop_length: int | None = None, win_length: int | None = None, window=None,
          center: bool = True, normalized: bool = False, onesided: bool | None = None,
          length: int | None = None, return_complex: bool = False) -> Tensor:
    """The inverse of :func:`stft`: frames transformed back, windowed, overlap-added and divided by
    the summed squared window.

    Example:
        >>> import ember
        >>> signal = ember.arange(16.0)
        >>> spectrum = ember.stft(signal, 8, hop_length=2, window=ember.ones(8), return_complex=True)
        >>> ember.allclose(ember.istft(spectrum, 8, hop_length=2, window=ember.ones(8), length=16), signal,
        ...                atol=1e-5)
        True
    """
    from .. import fft
    from .creation import zeros
    from .selection import index_add
    spectrum = _tensor(input)
    if not spectrum.is_complex():
        raise EmberRuntimeError(f"istft requires a complex-valued input tensor, got {spectrum.dtype}")
    if spectrum.ndim not in (2, 3):
        raise ShapeError(f"istft: expected a tensor with 2 or 3 dimensions of complex values, "
                         f"got shape {spectrum.shape}")
    hop = n_fft // 4 if hop_length is None else hop_length
    batched = spectrum.unsqueeze(0) if spectrum.ndim == 2 else spectrum
    onesided = batched.shape[1] != n_fft if onesided is None else onesided
    expected_bins = n_fft // 2 + 1 if onesided else n_fft
    if batched.shape[1] != expected_bins:
        raise ShapeError(f"istft: expected the frequency dimension (-2) of the input to have size "
                         f"{expected_bins} for n_fft={n_fft} (onesided={onesided}), got {batched.shape}")
    norm = "ortho" if normalized else "backward"
    per_frame = batched.transpose(1, 2)
    if onesided:
        frames = fft.irfft(per_frame, n=n_fft, norm=norm)
    else:
        frames = fft.ifft(per_frame, n=n_fft, norm=norm)
        frames = frames if return_complex else frames.real
    window_full = _window("istft", window, n_fft, win_length, frames.real if frames.is_complex() else frames)
    frames = frames * window_full
    count = frames.shape[1]
    total = n_fft + hop * (count - 1)
    positions = _frame_index(count, n_fft, hop, frames).reshape(-1)
    signal = index_add(zeros(frames.shape[0], total, dtype=frames.dtype, device=frames.device), 1, positions,
                       frames.reshape(frames.shape[0], -1))
    squares = (window_full * window_full).reshape(1, n_fft).expand(count, n_fft).reshape(-1)
    envelope = index_add(zeros(total, dtype=window_full.dtype, device=frames.device), 0, positions.detach(),
                         squares)
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else (total - n_fft // 2 if center else total)
    signal, envelope = signal[:, start:min(end, total)], envelope[start:min(end, total)]
    if bool((envelope.abs() < 1e-11).any()):
        raise EmberRuntimeError("istft: window overlap add min: the summed squared window is below 1e-11 "
                                "somewhere (NOLA condition fails)")
    signal = signal / envelope
    if end > total:
        from .shape import pad
        signal = pad(signal, (0, end - total))
    return signal.squeeze(0) if spectrum.ndim == 2 else signal


def _cosine_window(name: str, window_length: int, periodic: bool, coefficients, dtype, device,
                   requires_grad: bool) -> Tensor:
    """``sum_k (-1)^k a_k cos(2 pi k n / (N - 1))`` for n < window_length, N one longer when periodic."""
    import numpy
    from ..backend import as_dtype, get_default_dtype
    from .creation import tensor
    if window_length < 0:
        raise EmberValueError(f"{name} requires non-negative window length, got window_length={window_length}")
    dtype = get_default_dtype() if dtype is None else as_dtype(dtype)
    if not dtype.is_floating_point:
        raise EmberValueError(f"{name} expects floating point dtypes, got {dtype}")
    if window_length <= 1:
        values = numpy.ones(window_length)
    else:
        points = window_length + 1 if periodic else window_length
        phase = 2 * numpy.pi * numpy.arange(window_length) / (points - 1)
        values = sum((-1) ** k * a * numpy.cos(k * phase) for k, a in enumerate(coefficients))
    return tensor(values, dtype=dtype, device=device, requires_grad=requires_grad)


def hann_window(window_length: int, periodic: bool = True, *, dtype=None, device=None,
                requires_grad: bool = False) -> Tensor:
    """The Hann window ``0.5 - 0.5 cos(2 pi n / (N - 1))`` (periodic: N = window_length + 1).

    Example:
        >>> import ember
        >>> ember.hann_window(4)
        tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    return _cosine_window("hann_window", window_length, periodic, (0.5, 0.5), dtype, device, requires_grad)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54, beta: float = 0.46, *,
                   dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The Hamming window ``alpha - beta cos(2 pi n / (N - 1))``.

    Example:
        >>> import ember
        >>> ember.hamming_window(3, periodic=False)
        tensor([0.0800, 1.0000, 0.0800])
    """
    return _cosine_window("hamming_window", window_length, periodic, (alpha, beta), dtype, device,
                          requires_grad)


def blackman_window(window_length: int, periodic: bool = True, *, dtype=None, device=None,
                    requires_grad: bool = False) -> Tensor:
    """The Blackman window ``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``.

    Example:
        >>> import ember
        >>> ember.blackman_window(3, periodic=False).tolist()[1]
        1.0
    """
    return _cosine_window("blackman_window", window_length, periodic, (0.42, 0.5, 0.08), dtype, device,
                          requires_grad)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype=None, device=None,
                    requires_grad: bool = False) -> Tensor:
    """The triangular (Bartlett) window ``1 - |2 n / (N - 1) - 1|``.

    Example:
        >>> import ember
        >>> ember.bartlett_window(5, periodic=False)
        tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """
    import numpy
    from .creation import tensor
    if window_length <= 1:
        return _cosine_window("bartlett_window", window_length, periodic, (1.0,), dtype, device, requires_grad)
    points = window_length + 1 if periodic else window_length
    values = 1 - numpy.abs(2 * numpy.arange(window_length) / (points - 1) - 1)
    from ..backend import as_dtype, get_default_dtype
    return tensor(values, dtype=get_default_dtype() if dtype is None else as_dtype(dtype), device=device,
                  requires_grad=requires_grad)


def _install_methods() -> None:
    """``Tensor.stft`` and ``Tensor.istft``, as PyTorch's."""
    Tensor.stft = stft
    Tensor.istft = istft


_install_methods()
