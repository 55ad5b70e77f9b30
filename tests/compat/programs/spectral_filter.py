"""Noisy tones and their spectra: a fixed low-pass FFT filter cleans the signals (its residual
against the clean tones is reported), and a small classifier with a learnable per-frequency gain
(applied between ``rfft`` and ``irfft``, so it learns its own filter) is trained on
log-magnitude FFT features of the raw signals, in the style of torch.fft's spectral pipelines."""
import math

import numpy as np

import ember as torch
import ember.nn as nn
import ember.nn.functional as F

SAMPLE_RATE = 64.0
LENGTH = 64
CUTOFF = 20.0  # Hz: the tones lie below, the noise spreads over the whole band
CLASSES = 4


def lowpass(signal, cutoff=CUTOFF, sample_rate=SAMPLE_RATE):
    """Zero every frequency above ``cutoff`` and transform back."""
    spectrum = torch.fft.rfft(signal, dim=-1)
    frequencies = torch.fft.rfftfreq(signal.shape[-1], d=1.0 / sample_rate)
    spectrum = spectrum * (frequencies <= cutoff)
    return torch.fft.irfft(spectrum, n=signal.shape[-1], dim=-1)


class SpectralNet(nn.Module):
    def __init__(self, length=LENGTH, hidden=32, classes=CLASSES):
        super().__init__()
        bins = length // 2 + 1
        self.gain = nn.Parameter(torch.ones(bins))
        self.fc1 = nn.Linear(bins, hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):
        spectrum = torch.fft.rfft(x, norm="ortho")
        shaped = torch.fft.irfft(spectrum * self.gain, n=x.shape[-1], norm="ortho")
        features = torch.log1p(torch.fft.fft(shaped).abs()[..., : x.shape[-1] // 2 + 1])
        return self.fc2(F.relu(self.fc1(features)))


def make_model(device):
    return SpectralNet().to(device)


def make_data(rng, batches=8, batch_size=16):
    """Tones at 3, 7, 11 or 15 Hz with random phase, plus white noise."""
    labels = rng.integers(0, CLASSES, (batches, batch_size))
    phases = rng.uniform(0, 2 * math.pi, (batches, batch_size, 1))
    time = np.arange(LENGTH) / SAMPLE_RATE
    tones = 3.0 + 4.0 * labels[..., None]
    clean = np.sin(2 * math.pi * tones * time + phases)
    noisy = clean + 0.8 * rng.standard_normal(clean.shape)
    return clean.astype("float32"), noisy.astype("float32"), labels


def train(model, data, steps, device):
    clean, noisy, labels = data
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    numbers = []
    for step in range(steps):
        batch = step % len(labels)
        signal = torch.from_numpy(noisy[batch]).to(device)
        target = torch.from_numpy(labels[batch]).to(device)
        filtered = lowpass(signal)
        residual = (filtered - torch.from_numpy(clean[batch])).pow(2).mean()
        optimizer.zero_grad()
        # the raw signal: above the cutoff a filtered one has only rounding noise, which Adam
        # would scale up into gain updates of either sign
        loss = F.cross_entropy(model(signal), target)
        loss.backward()
        optimizer.step()
        numbers += [loss.item(), residual.item()]
        print(f"step {step}: loss {loss.item():.4f}, filter residual {residual.item():.4f}")
    with torch.no_grad():
        spectrum = torch.fft.fftshift(torch.fft.fft(torch.from_numpy(noisy[0])), dim=-1)
        numbers += [spectrum.abs().max().item(), torch.angle(spectrum).sum().item()]
    return numbers + model.gain.tolist()


if __name__ == "__main__":
    net = make_model("cpu")
    train(net, make_data(np.random.default_rng(0)), 40, "cpu")
