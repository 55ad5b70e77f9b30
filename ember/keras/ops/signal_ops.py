"""``keras.ops``'s framing and short-time Fourier transforms: ``extract_sequences``, ``stft``, ``istft``.

Keras passes complex spectra as ``(real, imag)`` pairs with frames before frequency bins
(``(..., frames, bins)``); Ember's :func:`ember.stft`/:func:`ember.istft` (PyTorch's) compute
them. ``istft`` with ``fft_length != sequence_length`` or ``center=False`` takes Keras's own
route (inverse real FFT, a window normalised by its overlapping squares, overlap-add), the
overlap-add done by :func:`ember.nn.functional.fold`. All of it is differentiable.

Example:
    >>> from ember.keras import ops
    >>> ops.extract_sequences(ops.arange(6.0), 3, 2).tolist()
    [[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]]
"""
from __future__ import annotations

import math

import ember
from ember.ops import functions as F
import ember.nn.functional as NF

from .numpy_ops import _t


def extract_sequences(x, sequence_length: int, sequence_stride: int):
    """Frames of ``sequence_length`` samples every ``sequence_stride`` along the last axis."""
    value = _t(x)
    count = (value.shape[-1] - sequence_length) // sequence_stride + 1
    starts = ember.arange(max(count, 0)) * sequence_stride
    index = F.unsqueeze(starts, 1) + F.unsqueeze(ember.arange(sequence_length), 0)
    return value[..., index]


def _window(window, length: int, dtype):
    if window is None:
        return ember.ones(length, dtype=dtype)
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(f'stft: a window given by name must be "hann" or "hamming", got {window!r}')
        make = ember.hann_window if window == "hann" else ember.hamming_window
        return make(length, periodic=True, dtype=dtype)
    values = F.cast(_t(window), dtype)
    if values.ndim != 1 or values.shape[0] != length:
        raise ValueError(f"stft: the window must have shape ({length},), got {tuple(values.shape)}")
    return values


def _flat_batch(x, kept: int):
    """``x`` with its leading dimensions (all but the last ``kept``) merged into one."""
    lead = tuple(x.shape[:x.ndim - kept])
    return F.reshape(x, (math.prod(lead),) + tuple(x.shape[x.ndim - kept:])), lead


def stft(x, sequence_length: int, sequence_stride: int, fft_length: int, window="hann", center: bool = True):
    """``(real, imag)`` of shape ``(..., frames, fft_length // 2 + 1)``."""
    value = _t(x)
    if value.dtype not in (ember.float32, ember.float64):
        raise TypeError(f"stft: expected a float32 or float64 input, got {value.dtype.name}")
    if fft_length < sequence_length:
        raise ValueError(f"stft: fft_length ({fft_length}) must be at least sequence_length ({sequence_length})")
    flat, lead = _flat_batch(value, 1)
    spectrum = ember.stft(flat, fft_length, sequence_stride, sequence_length,
                          _window(window, sequence_length, value.dtype), center=center, return_complex=True)
    spectrum = F.swap_last(F.reshape(spectrum, lead + tuple(spectrum.shape[1:])))
    return ember.real(spectrum), ember.imag(spectrum)


def _complex(x):
    real_part, imaginary_part = (_t(part) for part in x)
    if real_part.shape != imaginary_part.shape:
        raise ValueError(f"istft: real and imaginary parts differ in shape: {real_part.shape}, {imaginary_part.shape}")
    return ember.complex(real_part, imaginary_part)


def _overlap_add(frames, stride: int):
    """Sum frames ``(batch, count, length)`` placed every ``stride`` samples: ``(batch, samples)``."""
    batch, count, length = frames.shape
    samples = stride * (count - 1) + length
    folded = NF.fold(F.swap_last(frames), (1, samples), (1, length), stride=(1, stride))
    return F.reshape(folded, (batch, samples))


def istft(x, sequence_length: int, sequence_stride: int, fft_length: int, length=None, window="hann",
          center: bool = True):
    """The signal from ``(real, imag)`` spectra of shape ``(..., frames, bins)``."""
    spectrum = _complex(x)
    dtype = ember.real(spectrum).dtype
    flat, lead = _flat_batch(spectrum, 2)
    if sequence_length == fft_length and center and window is not None:
        signal = ember.istft(F.swap_last(flat), fft_length, sequence_stride, sequence_length,
                             _window(window, sequence_length, dtype), center=True, length=length)
        return F.reshape(signal, lead + tuple(signal.shape[1:]))
    frames = ember.fft.irfft(flat, n=fft_length)
    if window is not None:
        frames = frames * _normalized_window(_window(window, sequence_length, dtype), fft_length, sequence_stride)
    signal = _overlap_add(frames, sequence_stride)
    start = fft_length // 2 if center else 0  # centred frames started half a frame before the signal
    if length is not None:
        end = start + length
    else:
        end = signal.shape[-1] - start
    signal = signal[:, start:end]
    return F.reshape(signal, lead + tuple(signal.shape[1:]))


def _normalized_window(window, fft_length: int, stride: int):
    """The window centred in ``fft_length`` and divided by the sum of its overlapping squares."""
    left = (fft_length - window.shape[0]) // 2
    padded = NF.pad(window, [left, fft_length - window.shape[0] - left])
    overlaps = -(-fft_length // stride)
    squares = NF.pad(F.square(padded), [0, overlaps * stride - fft_length])
    denominator = F.sum(F.reshape(squares, (overlaps, stride)), 0)
    tiled = F.reshape(F.broadcast_to(F.unsqueeze(denominator, 0), (overlaps, stride)), (-1,))
    return padded / tiled[:fft_length]


__all__ = ["extract_sequences", "istft", "stft"]
