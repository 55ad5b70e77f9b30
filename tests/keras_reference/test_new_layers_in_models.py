"""Models built from the layers added for issue #12 (RMSNormalization, EinsumDense, GroupQueryAttention,
ReversibleEmbedding, SpectralNormalization, adaptive pooling, ConvLSTM1D, STFTSpectrogram) in real Keras
and in Ember: same weights give the same predictions and fit steps, and .keras files move both ways."""
import numpy as np
import pytest

from ember import keras as ember_keras

import keras

from .harness import RNG, random


def _transformer_block(k):
    tokens = k.Input((6,), dtype="int32")
    x = k.layers.Embedding(12, 8)(tokens)
    attended = k.layers.GroupQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2)(x, x)
    x = k.layers.RMSNormalization()(k.layers.Add()([x, attended]))
    x = k.layers.EinsumDense("abc,cd->abd", output_shape=(None, 8), bias_axes="d", activation="relu")(x)
    x = k.layers.GlobalAveragePooling1D()(x)
    return k.Model(tokens, k.layers.Dense(3)(x))


def _image_model(k):
    return k.Sequential([k.Input((9, 9, 2)), k.layers.SpectralNormalization(k.layers.Conv2D(4, 3)),
                         k.layers.AdaptiveAveragePooling2D((3, 2)), k.layers.Flatten(), k.layers.Dense(2)])


def _sequence_model(k):
    return k.Sequential([k.Input((4, 7, 2)), k.layers.ConvLSTM1D(3, 3, padding="same"),
                         k.layers.AdaptiveMaxPooling1D(2), k.layers.Flatten(), k.layers.Dense(1)])


def _audio_model(k):
    return k.Sequential([k.Input((64, 1)), k.layers.STFTSpectrogram(mode="log", frame_length=16, frame_step=8),
                         k.layers.GlobalAveragePooling1D(), k.layers.Dense(1)])


MODELS = {
    "transformer": (_transformer_block, lambda: RNG.integers(0, 12, size=(6, 6)).astype("int32"),
                    lambda: RNG.integers(0, 3, 6), "sparse_categorical_crossentropy"),
    "image": (_image_model, lambda: random(6, 9, 9, 2), lambda: RNG.integers(0, 2, 6), "sparse_categorical_crossentropy"),
    "sequence": (_sequence_model, lambda: random(6, 4, 7, 2), lambda: random(6, 1), "mse"),
    "audio": (_audio_model, lambda: random(6, 64, 1), lambda: random(6, 1), "mse"),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_predicts_and_fits_as_keras(name):
    build, make_x, make_y, loss = MODELS[name]
    reference, model = build(keras), build(ember_keras)
    assert model.count_params() == reference.count_params()
    for theirs, ours in zip(reference.layers, model.layers):
        assert tuple(ours.output.shape) == tuple(theirs.output.shape), ours.name
    model.set_weights(reference.get_weights())
    x, y = make_x(), make_y()
    np.testing.assert_allclose(model.predict(x, verbose=0), reference.predict(x, verbose=0), rtol=1e-4, atol=2e-5)
    for library_model in (reference, model):
        library_model.compile(optimizer="sgd", loss=loss)
    expected = reference.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0).history["loss"]
    actual = model.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(actual, expected, rtol=1e-4)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_keras_files_move_both_ways(name, tmp_path):
    build, make_x, _, _ = MODELS[name]
    x = make_x()
    for source, target in ((keras, ember_keras), (ember_keras, keras)):
        model = build(source)
        model.set_weights([w + RNG.normal(scale=0.1, size=w.shape).astype("float32") for w in model.get_weights()])
        path = str(tmp_path / f"{name}_{source.__name__.replace('.', '_')}.keras")
        model.save(path)
        restored = target.models.load_model(path)
        np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0),
                                   rtol=1e-5, atol=1e-5)
        assert restored.count_params() == model.count_params()


def test_reversible_embedding_file_both_ways(tmp_path):
    ids = RNG.integers(0, 10, size=(4, 5)).astype("int32")
    for source, target in ((keras, ember_keras), (ember_keras, keras)):
        inputs = source.Input((5,), dtype="int32")
        layer = source.layers.ReversibleEmbedding(10, 6, tie_weights=False)
        model = source.Model(inputs, layer(layer(inputs), reverse=True))
        path = str(tmp_path / f"reversible_{source.__name__.replace('.', '_')}.keras")
        model.save(path)
        restored = target.models.load_model(path)
        np.testing.assert_allclose(restored.predict(ids, verbose=0), model.predict(ids, verbose=0), rtol=1e-5,
                                   atol=1e-6)
