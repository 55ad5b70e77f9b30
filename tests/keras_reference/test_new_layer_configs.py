"""get_config()/from_config() of the layers added for issue #12: the rebuilt layer computes the same outputs
with the same weights, and real Keras 3 rebuilds its own layer of that name from Ember's config."""
import numpy as np
import pytest

import ember
from ember import keras as ember_keras

import keras

from .harness import as_numpy, random

L = ember_keras.layers
CASES = [
    (lambda: L.RMSNormalization(axis=[1, 2], epsilon=1e-4), (2, 3, 4)),
    (lambda: L.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de", activation="relu"), (2, 3, 4)),
    (lambda: L.GroupQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2, sliding_window=3), "qv"),
    (lambda: L.AdaptiveAveragePooling2D((2, 3)), (2, 5, 7, 3)), (lambda: L.AdaptiveMaxPooling1D(3), (2, 7, 2)),
    (lambda: L.AdaptiveMaxPooling3D((1, 2, 2), data_format="channels_first"), (1, 2, 3, 4, 5)),
    (lambda: L.SpectralNormalization(L.Dense(3), power_iterations=2), (2, 4)),
    (lambda: L.ReversibleEmbedding(10, 4, tie_weights=False, logit_soft_cap=3.0), "ids"),
    (lambda: L.SpatialDropout3D(0.3, seed=1), (1, 2, 2, 2, 3)),
    (lambda: L.ConvLSTM1D(2, 3, padding="same", return_sequences=True), (2, 3, 5, 2)),
    (lambda: L.ConvLSTM3D(2, 2), (1, 2, 3, 3, 3, 1)),
    (lambda: L.STFTSpectrogram(mode="magnitude", frame_length=8, frame_step=4), (2, 32, 1)),
    (lambda: L.MelSpectrogram(fft_length=32, sequence_stride=8, num_mel_bins=6), (2, 64)),
    (lambda: L.Resizing(3, 4, antialias=True), (1, 8, 9, 2)),
]


def _sample(shape):
    if shape == "qv":
        return random(2, 5, 8)
    if shape == "ids":
        return np.array([[1, 2, 3], [4, 0, 9]])
    return random(*shape)


def _call(layer, sample):
    if isinstance(layer, L.GroupedQueryAttention):
        return layer(sample, sample)
    return layer(sample, training=False) if "Dropout" in type(layer).__name__ else layer(sample)


@pytest.mark.parametrize("index", range(len(CASES)))
def test_round_trip_and_keras_reads_the_config(index):
    make, shape = CASES[index]
    layer, sample = make(), _sample(shape)
    expected = _call(layer, sample)
    config = layer.get_config()
    rebuilt = type(layer).from_config(config)
    _call(rebuilt, sample)
    rebuilt.set_weights(layer.get_weights())
    np.testing.assert_allclose(as_numpy(_call(rebuilt, sample)), as_numpy(expected), rtol=1e-6, atol=1e-6)
    keras_config = {key: value for key, value in config.items() if key not in ("dtype", "batch_input_shape")}
    if isinstance(layer, L.SpatialDropout3D):
        keras_config.pop("trainable")  # Keras's SpatialDropout3D refuses the `trainable` its own config holds
    if "layer" in keras_config:  # wrappers hold a serialized layer: Keras needs its module
        keras_config["layer"] = {"module": "keras.layers", **keras_config["layer"]}
    name = {"GroupedQueryAttention": "GroupQueryAttention"}.get(type(layer).__name__, type(layer).__name__)
    getattr(keras.layers, name).from_config(keras_config)


@pytest.mark.parametrize("name", [
    "RandomErasing", "RandomGrayscale", "RandomHue", "RandomSaturation", "RandomSharpness", "RandomShear",
    "RandomInvert", "RandomPosterization", "Solarization", "AutoContrast", "Equalization", "MixUp", "CutMix",
    "RandomColorJitter", "RandomColorDegeneration", "RandomGaussianBlur", "RandomPerspective",
    "RandomElasticTransform", "AugMix", "RandAugment", "MaxNumBoundingBoxes",
    "ContrastLimitedAdaptiveHistogramEqualization",
])
def test_augmentation_configs_round_trip_and_load_in_keras(name):
    args = {"RandomHue": (0.2,), "RandomSaturation": (0.4,), "RandomSharpness": (0.3,), "RandomPosterization": (4,),
            "RandomColorDegeneration": (0.5,), "MaxNumBoundingBoxes": (4,)}.get(name, ())
    layer = getattr(L, name)(*args)
    config = layer.get_config()
    rebuilt = type(layer).from_config(config)
    assert rebuilt.get_config() == config
    images = ember.tensor(random(2, 6, 6, 3, low=0.0, high=255.0))
    assert tuple(rebuilt(images).shape) == (2, 6, 6, 3)
    keras_config = {key: value for key, value in config.items() if key != "dtype"}
    if name == "MaxNumBoundingBoxes":
        keras_config.pop("fill_value")  # Keras's own config lacks it and its from_config refuses nothing else
    getattr(keras.layers, name).from_config(keras_config)
