"""Whole models built from the new layers, in real Keras and in Ember: same weights, same predictions,
parameter counts, per-layer output shapes (the symbolic path) and a few fit steps."""
import numpy as np
import pytest

from ember import keras as ember_keras

import keras

from .harness import RNG, random


def _image_model(k):
    return k.Sequential([
        k.Input((12, 12, 3)), k.layers.Rescaling(1 / 255.0), k.layers.ZeroPadding2D(1),
        k.layers.SeparableConv2D(8, 3, activation="relu"), k.layers.DepthwiseConv2D(3, padding="same"),
        k.layers.GroupNormalization(groups=4), k.layers.LeakyReLU(), k.layers.SpatialDropout2D(0.0),  # random draws differ: off
        k.layers.Conv2DTranspose(4, 3, strides=2, padding="same"), k.layers.Cropping2D(2),
        k.layers.UpSampling2D(), k.layers.PReLU(shared_axes=[1, 2]), k.layers.CenterCrop(8, 8),
        k.layers.Conv2D(4, 3), k.layers.GlobalMaxPooling2D(), k.layers.UnitNormalization(),
        k.layers.Dense(3), k.layers.Softmax()])


def _sequence_model(k):
    inputs = k.Input((7,), dtype="int32")
    embedded = k.layers.Embedding(20, 6, mask_zero=True)(inputs)
    recurrent = k.layers.Bidirectional(k.layers.GRU(4, return_sequences=True))(embedded)
    attended = k.layers.Attention(use_scale=True)([recurrent, recurrent])
    pooled = k.layers.GlobalAveragePooling1D()(attended)
    repeated = k.layers.RepeatVector(3)(pooled)
    timed = k.layers.TimeDistributed(k.layers.Dense(2))(repeated)
    flat = k.layers.Flatten()(k.layers.Permute((2, 1))(timed))
    output = k.layers.Dense(1, activation="sigmoid")(k.layers.ELU()(flat))
    return k.Model(inputs, output)


def _conv1d_model(k):
    return k.Sequential([
        k.Input((10, 3)), k.layers.Masking(), k.layers.Conv1D(4, 3, padding="same"),
        k.layers.Conv1DTranspose(4, 3, strides=2), k.layers.Cropping1D((1, 2)), k.layers.ZeroPadding1D(1),
        k.layers.UpSampling1D(2), k.layers.SpatialDropout1D(0.2), k.layers.LSTM(5, return_sequences=True),
        k.layers.SimpleRNN(3), k.layers.ReLU(max_value=2.0), k.layers.GaussianNoise(0.1),
        k.layers.GaussianDropout(0.1), k.layers.Dense(1)])


MODELS = {"image": (_image_model, lambda: random(6, 12, 12, 3, low=0.0, high=255.0), lambda: RNG.integers(0, 3, 6)),
          "sequence": (_sequence_model, lambda: RNG.integers(0, 20, size=(6, 7)) * (RNG.uniform(size=(6, 7)) > 0.3),
                       lambda: RNG.integers(0, 2, 6).astype("float32")),
          "conv1d": (_conv1d_model, lambda: random(6, 10, 3), lambda: random(6, 1))}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_matches_keras(name):
    build, make_x, make_y = MODELS[name]
    reference, model = build(keras), build(ember_keras)
    assert model.count_params() == reference.count_params()
    for theirs, ours in zip(reference.layers, model.layers):
        assert tuple(ours.output.shape) == tuple(theirs.output.shape), ours.name
        assert ours.count_params() == theirs.count_params(), ours.name
    model.set_weights(reference.get_weights())
    x, y = make_x(), make_y()
    np.testing.assert_allclose(model.predict(x, verbose=0), reference.predict(x, verbose=0), rtol=1e-4, atol=2e-5)
    loss = "sparse_categorical_crossentropy" if name == "image" else ("binary_crossentropy" if name == "sequence"
                                                                       else "mse")
    if name == "conv1d":  # noise layers draw differently in each library: compare training without them
        return
    for library_model in (reference, model):
        library_model.compile(optimizer="sgd", loss=loss)
    expected = reference.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0).history["loss"]
    actual = model.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(actual, expected, rtol=1e-4)
