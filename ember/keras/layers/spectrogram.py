"""Audio front ends: STFTSpectrogram (a trainable STFT as two convolutions) and MelSpectrogram.

``STFTSpectrogram`` frames ``(batch, samples, channels)`` signals with a 1-D
convolution whose kernels (``real_kernel``, ``imag_kernel``, shape
``(frame_length, 1, fft_length // 2 + 1)``) start as the windowed cosine and
sine of the discrete Fourier transform, scaled by ``scaling``; they are
weights, so training can adapt them. ``mode`` picks what is returned:
``log`` / ``magnitude`` / ``psd`` of the spectrum, its ``real`` or ``imag``
part, its ``angle``, or ``stft`` (real and imaginary parts side by side).

``MelSpectrogram`` turns ``(batch, samples)`` audio into ``(batch,
num_mel_bins, frames)``: a centred STFT (``ember.stft``, reflect padding,
periodic window), its magnitude to the power ``mag_exp``, triangular mel
filters (HTK's mel scale) and, with ``power_to_db``, decibels clipped
``top_db`` below the batch's peak.

Example:
    >>> import ember
    >>> from ember import keras
    >>> keras.layers.STFTSpectrogram(frame_length=16, frame_step=8)(ember.ones(2, 64, 1)).shape
    (2, 7, 9)
    >>> keras.layers.MelSpectrogram(fft_length=64, sequence_stride=16, num_mel_bins=8)(ember.ones(2, 128)).shape
    (2, 8, 9)
"""
from __future__ import annotations

import math

import numpy

import ember
from ember.nn import functional as F

from .layer import Layer

_MEL_BREAK_HERTZ, _MEL_HIGH_FREQUENCY_Q = 700.0, 1127.0
_EPSILON = 1e-7  # keras.config.epsilon()


def window_values(window, length: int, periodic: bool) -> numpy.ndarray:
    """A named window (``hann``, ``hamming``, ``blackman``, ``bartlett``, ``boxcar``) or given values."""
    if not isinstance(window, str):
        return numpy.asarray(window, dtype=numpy.float64)
    points = length + 1 if periodic else length  # a periodic window is a symmetric one a point longer
    shapes = {"hann": numpy.hanning, "hamming": numpy.hamming, "blackman": numpy.blackman,
              "bartlett": numpy.bartlett, "boxcar": numpy.ones, "rectangular": numpy.ones}
    if window in shapes:
        return shapes[window](points)[:length] if points > 1 else numpy.ones(length)
    try:
        import scipy.signal
    except ImportError:
        raise ValueError(f"Unknown window {window!r}: Ember knows {sorted(shapes)} (others need SciPy)") from None
    return scipy.signal.get_window(window, length, periodic)


def stft_kernel(side: str, window, scaling, periodic: bool, shape, dtype=None):
    """The STFT convolution kernel ``(frame_length, 1, bins)``: windowed cos (``real``) or sin (``imag``)."""
    frame_length, _, bins = shape
    time = numpy.arange(frame_length, dtype=numpy.float64)[:, None, None]
    frequency = numpy.arange(bins, dtype=numpy.float64)[None, None, :] / ((bins - 1) * 2)
    angles = -2.0 * time * frequency * math.pi
    kernel = numpy.cos(angles) if side == "real" else numpy.sin(angles)
    if window is not None:
        values = window_values(window, frame_length, periodic)
        if values.shape != (frame_length,):
            raise ValueError(f"The shape of `window` must be equal to [frame_length]. Received: window shape="
                             f"{values.shape}")
        scale = {"density": math.sqrt(float(numpy.sum(values ** 2))), "spectrum": float(numpy.sum(numpy.abs(values)))}
        kernel = kernel * values[:, None, None] / scale.get(scaling, 1.0)
    return ember.tensor(kernel.astype(numpy.float32), dtype=ember.as_dtype(dtype or "float32"))


class STFTSpectrogram(Layer):
    """The STFT of ``(batch, samples, channels)`` signals as a convolution with trainable kernels."""

    _MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")

    def __init__(self, mode: str = "log", frame_length: int = 256, frame_step: int | None = None,
                 fft_length: int | None = None, window="hann", periodic: bool = False, scaling="density",
                 padding: str = "valid", expand_dims: bool = False, data_format=None, **kwargs):
        if frame_step is not None and not 1 <= frame_step <= frame_length:
            raise ValueError(f"`frame_step` should be a positive integer not greater than `frame_length`. "
                             f"Received frame_step={frame_step}, frame_length={frame_length}")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError(f"`fft_length` should be not less than `frame_length`. Received "
                             f"fft_length={fft_length}, frame_length={frame_length}")
        if mode not in self._MODES:
            raise ValueError(f"Output mode is invalid, it must be one of {', '.join(self._MODES)}. "
                             f"Received: mode={mode}")
        if scaling not in (None, "density", "spectrum"):
            raise ValueError(f"Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received scaling={scaling}")
        if padding not in ("valid", "same"):
            raise ValueError(f"Padding is invalid, it should be 'valid', 'same'. Received: padding={padding}")
        if isinstance(window, str):
            window_values(window, 1, periodic)  # an unknown name fails here, as Keras checks it
        super().__init__(**kwargs)
        self.mode, self.frame_length, self.frame_step, self.fft_length = mode, frame_length, frame_step, fft_length
        self._frame_step = frame_step or frame_length // 2
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window, self.periodic, self.scaling, self.padding = window, periodic, scaling, padding
        self.expand_dims = expand_dims
        self.data_format = data_format or "channels_last"

    def build(self, input_shape) -> None:
        if len(input_shape) != 3:
            raise ValueError(f"STFTSpectrogram {self.name!r} expects inputs of rank 3 (batch, samples, channels "
                             f"for channels_last); received input shape {tuple(input_shape)}")
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        for side in ("real", "imag"):
            if self.mode != {"real": "imag", "imag": "real"}.get(side):
                setattr(self, f"{side}_kernel", self.add_weight(
                    shape=shape, name=f"{side}_kernel", initializer=lambda shape, dtype=None, side=side: stft_kernel(
                        side, self.window, self.scaling, self.periodic, shape, dtype)))

    def _convolve(self, inputs, kernel):
        """``(batch, channels, bins, frames)`` from ``inputs`` and one kernel."""
        signals = ember.movedim(inputs, -1, 1) if self.data_format == "channels_last" else inputs
        batch, channels, samples = signals.shape
        signals = ember.reshape(signals, (batch * channels, 1, samples))
        if self.padding == "same":
            frames = math.ceil(samples / self._frame_step)
            total = max((frames - 1) * self._frame_step + self.frame_length - samples, 0)
            signals = F.pad(signals, (total // 2, total - total // 2))
        outputs = F.conv1d(signals, ember.permute(kernel, (2, 1, 0)), stride=self._frame_step)
        return ember.reshape(outputs, (batch, channels) + tuple(outputs.shape[1:]))

    def _arrange(self, outputs):
        """``(batch, channels, bins, frames)`` in Keras's output layout."""
        batch, channels, bins, frames = outputs.shape
        if self.expand_dims:
            return ember.permute(outputs, (0, 3, 2, 1) if self.data_format == "channels_last" else (0, 1, 3, 2))
        merged = ember.reshape(outputs, (batch, channels * bins, frames))
        return ember.transpose(merged, 1, 2) if self.data_format == "channels_last" else merged

    def call(self, inputs):
        if not inputs.is_floating_point():
            raise TypeError(f"Invalid input type. Expected `float16`, `float32` or `float64`. Received: input "
                            f"type={inputs.dtype}")
        real = self._convolve(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._convolve(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode in ("real", "imag"):
            return self._arrange(real if self.mode == "real" else imag)
        if self.mode == "angle":
            return self._arrange(ember.atan2(imag, real))
        if self.mode == "stft":
            return self._arrange(ember.cat([real, imag], 2))
        power = real * real + imag * imag
        if self.mode == "psd":  # one-sided: the bins between DC and Nyquist count twice
            return self._arrange(power + F.pad(power[:, :, 1:-1], (0, 0, 1, 1)))
        magnitude = self._arrange(ember.sqrt(ember.clamp(power, min=_EPSILON)))
        return magnitude if self.mode == "magnitude" else ember.log(ember.clamp(magnitude, min=_EPSILON))

    def compute_output_shape(self, input_shape):
        channels_last = self.data_format == "channels_last"
        batch, channels = input_shape[0], input_shape[-1] if channels_last else input_shape[1]
        samples = input_shape[1] if channels_last else input_shape[2]
        bins = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        if samples is None:
            frames = None
        elif self.padding == "same":
            frames = math.ceil(samples / self._frame_step)
        else:
            frames = (samples - self.frame_length) // self._frame_step + 1
        if self.expand_dims:
            return (batch, frames, bins, channels) if channels_last else (batch, channels, frames, bins)
        features = None if channels is None else bins * channels
        return (batch, frames, features) if channels_last else (batch, features, frames)

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode, "frame_length": self.frame_length,
                "frame_step": self.frame_step, "fft_length": self.fft_length, "window": self.window,
                "periodic": self.periodic, "scaling": self.scaling, "padding": self.padding,
                "data_format": self.data_format, "expand_dims": self.expand_dims}


def _hertz_to_mel(hertz):
    return _MEL_HIGH_FREQUENCY_Q * numpy.log(1.0 + hertz / _MEL_BREAK_HERTZ)


def mel_weight_matrix(num_mel_bins: int, num_spectrogram_bins: int, sampling_rate: float, lower_edge_hertz: float,
                      upper_edge_hertz: float) -> numpy.ndarray:
    """``(num_spectrogram_bins, num_mel_bins)`` triangular filters on the mel scale (the DC bin gets none)."""
    linear = numpy.linspace(0.0, sampling_rate / 2.0, num_spectrogram_bins, dtype=numpy.float32)[1:]
    bins_mel = _hertz_to_mel(linear)[:, None]
    edges = numpy.linspace(_hertz_to_mel(numpy.float32(lower_edge_hertz)),
                           _hertz_to_mel(numpy.float32(upper_edge_hertz)), num_mel_bins + 2, dtype=numpy.float32)
    lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    weights = numpy.maximum(0.0, numpy.minimum((bins_mel - lower) / (center - lower),
                                               (upper - bins_mel) / (upper - center)))
    return numpy.pad(weights, ((1, 0), (0, 0))).astype(numpy.float32)


class MelSpectrogram(Layer):
    """``(batch, samples)`` audio → ``(batch, num_mel_bins, frames)`` mel power spectrogram (in dB by default)."""

    def __init__(self, fft_length: int = 2048, sequence_stride: int = 512, sequence_length: int | None = None,
                 window="hann", sampling_rate: int = 16000, num_mel_bins: int = 128, min_freq: float = 20.0,
                 max_freq: float | None = None, power_to_db: bool = True, top_db: float = 80.0,
                 mag_exp: float = 2.0, min_power: float = 1e-10, ref_power: float = 1.0, **kwargs):
        self.fft_length, self.sequence_stride = fft_length, sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.fft_length < self.sequence_length:
            raise ValueError(f"`fft_length` must be greater than or equal to `sequence_length`. Received: "
                             f"`sequence_length`={self.sequence_length}, `fft_length`={self.fft_length}.")
        if isinstance(window, str) and window not in ("hann", "hamming"):
            raise ValueError(f'If a string is passed to `window`, it must be one of `"hann"`, `"hamming"`. '
                             f"Received: window={window}")
        self.window, self.sampling_rate, self.num_mel_bins = window, sampling_rate, num_mel_bins
        self.min_freq, self.max_freq = min_freq, max_freq or int(sampling_rate / 2)
        self.power_to_db, self.top_db, self.mag_exp = power_to_db, top_db, mag_exp
        self.min_power, self.ref_power = min_power, ref_power
        super().__init__(**kwargs)

    def call(self, inputs):
        signals = inputs if inputs.dtype in (ember.float32, ember.float64) else ember.cast(inputs, ember.float32)
        window = None if self.window is None else ember.tensor(
            window_values(self.window, self.sequence_length, periodic=True), dtype=signals.dtype)
        flat = ember.reshape(signals, (-1, signals.shape[-1]))
        spectrum = ember.stft(flat, self.fft_length, hop_length=self.sequence_stride,
                              win_length=self.sequence_length, window=window, center=True, return_complex=True)
        real, imag = ember.real(spectrum), ember.imag(spectrum)
        power = ember.pow(ember.sqrt(real * real + imag * imag), self.mag_exp)  # (batch, bins, frames)
        matrix = ember.tensor(mel_weight_matrix(self.num_mel_bins, power.shape[1], self.sampling_rate,
                                                self.min_freq, self.max_freq), dtype=power.dtype)
        mel = ember.matmul(ember.t(matrix), power)  # (batch, mel, frames)
        if self.power_to_db:
            mel = self._decibels(mel)
        return ember.reshape(mel, tuple(signals.shape[:-1]) + tuple(mel.shape[1:]))

    def _decibels(self, mel):
        decibels = 10.0 * ember.log10(ember.clamp(mel, min=self.min_power))
        decibels = decibels - 10.0 * math.log10(max(abs(self.ref_power), self.min_power))
        return ember.maximum(decibels, ember.max(decibels) - self.top_db)

    def compute_output_shape(self, input_shape):
        samples = input_shape[-1]
        frames = None if samples is None else (samples + self.sequence_stride + 1) // self.sequence_stride
        return tuple(input_shape[:-1]) + (self.num_mel_bins, frames)

    def get_config(self) -> dict:
        return {**super().get_config(), "fft_length": self.fft_length, "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length, "window": self.window,
                "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins, "min_freq": self.min_freq,
                "max_freq": self.max_freq, "power_to_db": self.power_to_db, "top_db": self.top_db,
                "mag_exp": self.mag_exp, "min_power": self.min_power, "ref_power": self.ref_power}
