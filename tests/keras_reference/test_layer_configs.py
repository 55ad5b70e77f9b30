"""get_config()/from_config() round trips of the new layers: the rebuilt layer computes the same outputs
with the same weights, and real Keras 3 accepts Ember's config for its own layer of that name."""
import numpy as np
import pytest

import ember
from ember import keras as ember_keras

import keras

from .harness import as_numpy, random

L = ember_keras.layers
CASES = [
    (lambda: L.ReLU(max_value=2.0, negative_slope=0.1), (2, 4)), (lambda: L.LeakyReLU(0.2), (2, 4)),
    (lambda: L.PReLU(shared_axes=[1]), (2, 3, 4)), (lambda: L.ELU(0.5), (2, 4)), (lambda: L.Softmax(axis=1), (2, 4)),
    (lambda: L.Permute((2, 1)), (2, 3, 4)), (lambda: L.RepeatVector(3), (2, 4)),
    (lambda: L.ZeroPadding2D(((1, 0), (2, 1))), (1, 3, 3, 2)), (lambda: L.Cropping1D((1, 2)), (2, 5, 3)),
    (lambda: L.Cropping2D(((1, 0), (0, 1))), (1, 4, 4, 2)), (lambda: L.UpSampling2D(2, interpolation="bilinear"),
                                                               (1, 3, 3, 2)),
    (lambda: L.UnitNormalization(axis=[1, 2]), (2, 3, 4)), (lambda: L.GroupNormalization(2), (2, 3, 4)),
    (lambda: L.Conv2DTranspose(3, 3, strides=2, padding="same"), (1, 4, 4, 2)),
    (lambda: L.SeparableConv2D(3, 3, depth_multiplier=2), (1, 5, 5, 2)),
    (lambda: L.DepthwiseConv2D(3, depth_multiplier=2), (1, 5, 5, 2)), (lambda: L.Conv3D(2, 2), (1, 3, 3, 3, 1)),
    (lambda: L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode="sum"), (2, 4, 3)),
    (lambda: L.TimeDistributed(L.Dense(2)), (2, 4, 3)),
    (lambda: L.ConvLSTM2D(2, 3, padding="same"), (1, 2, 4, 4, 1)),
    (lambda: L.Dot(axes=(2, 2), normalize=True), [(2, 3, 4), (2, 5, 4)]),
    (lambda: L.Attention(use_scale=True, score_mode="concat"), [(2, 3, 4), (2, 5, 4)]),
    (lambda: L.AdditiveAttention(), [(2, 3, 4), (2, 5, 4)]), (lambda: L.Masking(0.5), (2, 3, 4)),
    (lambda: L.Normalization(mean=[1.0, 2.0], variance=[1.0, 4.0]), (2, 2)),
    (lambda: L.Discretization(bin_boundaries=[0.0, 1.0]), (2, 3)),
    (lambda: L.CategoryEncoding(5, output_mode="count"), None), (lambda: L.Resizing(3, 2), (1, 5, 4, 2)),
    (lambda: L.RandomRotation(0.1, fill_mode="constant"), (1, 4, 4, 1)),
    (lambda: L.StringLookup(vocabulary=["x", "y"]), None),
    (lambda: L.TextVectorization(vocabulary=["x", "y"], output_sequence_length=3), None),
    (lambda: L.RNN([L.LSTMCell(2), L.GRUCell(3)], return_sequences=True), (2, 4, 3)),
]


def _inputs(shape):
    return [random(*s) for s in shape] if isinstance(shape, list) else random(*shape)


@pytest.mark.parametrize("index", range(len(CASES)))
def test_round_trip(index):
    make, shape = CASES[index]
    layer = make()
    if shape is None:  # integer or string inputs
        sample = [["x", "z"], ["y", "x"]] if "Lookup" in type(layer).__name__ else \
            (["x y z"] if "Text" in type(layer).__name__ else np.array([[0, 4], [2, 2]]))
    else:
        sample = _inputs(shape)
    expected = layer(sample, training=False) if "Random" in type(layer).__name__ else layer(sample)
    config = layer.get_config()
    rebuilt = type(layer).from_config(config)
    out = rebuilt(sample, training=False) if "Random" in type(layer).__name__ else rebuilt(sample)
    rebuilt.set_weights(layer.get_weights())
    out = rebuilt(sample, training=False) if "Random" in type(layer).__name__ else rebuilt(sample)
    np.testing.assert_allclose(as_numpy(out), as_numpy(expected), rtol=1e-6)
    if type(layer).__name__ not in ("StringLookup", "TextVectorization", "Bidirectional", "TimeDistributed", "RNN"):
        keras_config = {key: value for key, value in config.items() if key not in ("dtype", "batch_input_shape")}
        getattr(keras.layers, type(layer).__name__).from_config(keras_config)  # Keras reads Ember's config
