"""STFTSpectrogram, MelSpectrogram, HashedCrossing and Pipeline against real Keras 3 (torch backend)."""
import numpy as np
import pytest

import ember
from ember import keras as ember_keras

import keras
import torch

from .harness import as_numpy, both, compare_layer, random

L = ember_keras.layers


@pytest.mark.parametrize("kwargs", [
    {"mode": "log"}, {"mode": "magnitude", "frame_step": 5}, {"mode": "psd"}, {"mode": "real"}, {"mode": "imag"},
    {"mode": "angle"}, {"mode": "stft", "fft_length": 32}, {"mode": "magnitude", "padding": "same"},
    {"mode": "log", "expand_dims": True}, {"mode": "magnitude", "window": "hamming", "scaling": "spectrum"},
    {"mode": "real", "window": None, "periodic": True}, {"mode": "magnitude", "data_format": "channels_first"},
])
def test_stft_spectrogram(kwargs):
    shape = (2, 2, 70) if kwargs.get("data_format") == "channels_first" else (2, 70, 2)
    atol = 1e-4 if kwargs["mode"] in ("angle", "log") else 2e-5  # atan2/log near 0: float32 rounding
    keras_layer, ember_layer, _, _ = compare_layer(*both("STFTSpectrogram", frame_length=16, **kwargs),
                                                   random(*shape), atol=atol, rtol=1e-4)


def test_stft_spectrogram_initial_kernels_equal_keras():
    for kwargs in ({}, {"window": "hamming", "scaling": "spectrum", "periodic": True}, {"window": None}):
        keras_layer = keras.layers.STFTSpectrogram(frame_length=20, fft_length=32, **kwargs)
        ember_layer = L.STFTSpectrogram(frame_length=20, fft_length=32, **kwargs)
        keras_layer(torch.ones(1, 40, 1))
        ember_layer(ember.ones(1, 40, 1))
        for expected, actual in zip(keras_layer.get_weights(), ember_layer.get_weights()):
            np.testing.assert_allclose(actual, expected, atol=1e-5)  # Keras computes them in float32


@pytest.mark.parametrize("kwargs", [
    {"fft_length": 64, "sequence_stride": 16, "num_mel_bins": 10},
    {"fft_length": 64, "sequence_stride": 8, "sequence_length": 48, "num_mel_bins": 12, "power_to_db": False},
    {"fft_length": 32, "sequence_stride": 16, "num_mel_bins": 6, "window": "hamming", "mag_exp": 1.0,
     "top_db": 30.0, "sampling_rate": 8000, "min_freq": 100.0, "max_freq": 3000},
])
def test_mel_spectrogram(kwargs):
    signal = np.sin(np.linspace(0, 60, 300)).astype("float32")[None] + 0.3 * random(3, 300)
    # dB of float32 powers; input gradients reach ~1e2 (sums over overlapping frames in float32)
    rtol, atol = (1e-4, 1e-3) if kwargs.get("power_to_db", True) else (1e-4, 1e-4)
    compare_layer(*both("MelSpectrogram", **kwargs), signal, rtol=rtol, atol=atol)


def _string_and_int_features():
    return np.array(["A", "B", "A", "B", "A", "café", ""]), np.array([101, 101, 101, 102, 102, -3, 0])


def test_hashed_crossing_matches_keras_documented_bins():
    # Keras's HashedCrossing needs TensorFlow (not installed here): its docstring's outputs are the reference.
    first, second = _string_and_int_features()
    layer = L.HashedCrossing(num_bins=5)
    assert layer((first[:5], second[:5])).tolist() == [1, 4, 1, 1, 3]
    one_hot = L.HashedCrossing(num_bins=5, output_mode="one_hot")((first[:5], second[:5])).numpy()
    np.testing.assert_array_equal(one_hot, np.eye(5, dtype="float32")[[1, 4, 1, 1, 3]])
    assert layer.compute_output_shape([(None,), (None,)]) == (None,)
    assert L.HashedCrossing(5, output_mode="one_hot").compute_output_shape([(None, 1), (None, 1)]) == (None, 5)


def test_hashed_crossing_properties():
    first, second = _string_and_int_features()
    bins = L.HashedCrossing(num_bins=1000)((first[:, None], second[:, None], second[:, None])).numpy()
    assert bins.shape == (7, 1) and bins.dtype == np.int64 and bins.min() >= 0 and bins.max() < 1000
    assert bins[0, 0] == bins[2, 0] and len(set(bins[:, 0].tolist())) == 6  # equal rows cross equally
    swapped = L.HashedCrossing(num_bins=1000)((second, first)).numpy()
    assert not np.array_equal(swapped, bins[:, 0])  # the order of the features matters, as in TensorFlow
    config = L.HashedCrossing(num_bins=7, output_mode="one_hot").get_config()
    assert set(config) == {"num_bins", "output_mode", "sparse", "name", "dtype"}
    with pytest.raises(ValueError, match="at least two inputs"):
        L.HashedCrossing(4)([first])
    with pytest.raises(ValueError, match="equal shape"):
        L.HashedCrossing(4)([first, second[:3]])
    with pytest.raises(ValueError, match="integer or string"):
        L.HashedCrossing(4)([first, np.ones(7)])


def test_pipeline_matches_keras_and_round_trips():
    images = random(2, 8, 8, 3, low=0.0, high=255.0)
    make = lambda k: k.layers.Pipeline([k.layers.Rescaling(1 / 255.0), k.layers.CenterCrop(4, 6),  # noqa: E731
                                        k.layers.RandomFlip(seed=1)])
    keras_pipeline, pipeline = make(keras), make(ember_keras)
    expected = as_numpy(keras_pipeline(torch.tensor(images), training=False))
    np.testing.assert_allclose(pipeline(ember.tensor(images), training=False).numpy(), expected, rtol=1e-6)
    assert set(pipeline.get_config()) == set(keras_pipeline.get_config())
    rebuilt = L.Pipeline.from_config(pipeline.get_config())
    assert [type(layer).__name__ for layer in rebuilt.layers] == ["Rescaling", "CenterCrop", "RandomFlip"]
    assert pipeline.compute_output_shape((None, 8, 8, 3)) == (None, 4, 6, 3)
    flipped = pipeline(ember.tensor(images)).numpy()  # training defaults to True: the flips happen
    assert flipped.shape == (2, 4, 6, 3)
    keras_config = keras_pipeline.get_config()
    assert type(keras.layers.Pipeline.from_config(keras_config)).__name__ == "Pipeline"
