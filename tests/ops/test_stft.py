"""``stft``/``istft`` and the window functions against PyTorch: values, gradients, round trips
and errors. Both transforms are composites of fft primitives, gathers and index_add."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

CONFIGS = [  # shape, n_fft, hop_length, win_length, center, normalized, window kind
    ((64,), 16, 4, None, True, False, None),
    ((2, 50), 12, 3, 8, True, True, "hann"),
    ((40,), 8, 8, None, False, False, "random"),
    ((3, 33), 10, None, 10, True, False, "hann"),
]


def _window(kind, length, rng):
    if kind is None:
        return None, None
    values = np.hanning(length) if kind == "hann" else rng.uniform(0.5, 1.5, length)
    return ember.tensor(values), torch.tensor(values)


@pytest.mark.filterwarnings("ignore::UserWarning")  # PyTorch's rectangular-window warning
@pytest.mark.parametrize("config", CONFIGS)
def test_stft_and_istft_values_and_gradients_match_torch(config):
    shape, n_fft, hop, win_length, center, normalized, kind = config
    rng = np.random.default_rng(0)
    values = rng.standard_normal(shape)
    window_mine, window_torch = _window(kind, win_length or n_fft, rng)
    options = dict(hop_length=hop, win_length=win_length, center=center, normalized=normalized)
    signal_mine, signal_torch = (ember.tensor(values, requires_grad=True),
                                 torch.tensor(values, requires_grad=True))
    spectrum_mine = ember.stft(signal_mine, n_fft, window=window_mine, return_complex=True, **options)
    spectrum_torch = torch.stft(signal_torch, n_fft, window=window_torch, return_complex=True, **options)
    np.testing.assert_allclose(spectrum_mine.detach().numpy(), spectrum_torch.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    weights = rng.standard_normal(tuple(spectrum_torch.shape) + (2,))
    (ember.view_as_real(spectrum_mine) * ember.tensor(weights)).sum().backward()
    (torch.view_as_real(spectrum_torch) * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(signal_mine.grad.numpy(), signal_torch.grad.numpy(), rtol=1e-10)

    length = shape[-1] if center else None
    frames_mine = ember.tensor(spectrum_torch.detach().numpy(), requires_grad=True)
    frames_torch = spectrum_torch.detach().clone().requires_grad_(True)
    out_mine = ember.istft(frames_mine, n_fft, window=window_mine, length=length, **options)
    out_torch = torch.istft(frames_torch, n_fft, window=window_torch, length=length, **options)
    np.testing.assert_allclose(out_mine.detach().numpy(), out_torch.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = rng.standard_normal(tuple(out_torch.shape))
    (out_mine * ember.tensor(upstream)).sum().backward()
    (out_torch * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(frames_mine.grad.numpy(), frames_torch.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_round_trip_and_tensor_methods():
    signal = ember.randn(3, 100, generator=ember.Generator().manual_seed(0))
    window = ember.hann_window(32)
    spectrum = signal.stft(32, hop_length=8, window=window, return_complex=True)
    assert spectrum.shape == (3, 17, 13) and spectrum.dtype == ember.complex64
    rebuilt = spectrum.istft(32, hop_length=8, window=window, length=100)
    np.testing.assert_allclose(rebuilt.numpy(), signal.numpy(), atol=1e-5)
    assert ember.stft(signal, 32, window=window, return_complex=False).shape == (3, 17, 13, 2)


@pytest.mark.parametrize("name", ["hann_window", "hamming_window", "blackman_window", "bartlett_window"])
@pytest.mark.parametrize("length", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows_match_torch(name, length, periodic):
    mine, reference = getattr(ember, name)(length, periodic), getattr(torch, name)(length, periodic)
    assert mine.dtype == ember.float32
    np.testing.assert_allclose(mine.numpy(), reference.numpy(), atol=1e-6)
    assert getattr(ember, name)(length, periodic, dtype=ember.float64).dtype == ember.float64


def test_errors():
    with pytest.raises(RuntimeError, match="return_complex parameter be given"):
        ember.stft(ember.ones(32), 8)
    with pytest.raises(ValueError, match="n_fft"):
        ember.stft(ember.ones(8), 32, center=False, return_complex=True)
    with pytest.raises(RuntimeError, match="complex-valued input"):
        ember.istft(ember.ones(5, 4), 8)
    with pytest.raises(RuntimeError, match="window overlap add min"):
        ember.istft(ember.stft(ember.ones(32), 8, return_complex=True), 8, window=ember.zeros(8))
