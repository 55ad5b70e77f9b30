"""The new augmentation layers inside models: they augment in fit, pass images through in predict (as Keras),
and a model holding them saves and loads as a .keras file in both libraries."""
import numpy as np

from ember import keras as ember_keras

import keras

from .harness import RNG, random


def _augmenting_model(k):
    return k.Sequential([
        k.Input((8, 8, 3)), k.layers.RandomGrayscale(0.3, seed=1), k.layers.RandomHue(0.1, seed=1),
        k.layers.RandomShear(x_factor=0.1, seed=1), k.layers.RandomErasing(factor=0.5, seed=1),
        k.layers.RandomSharpness(0.2, seed=1), k.layers.Rescaling(1 / 255.0), k.layers.Flatten(),
        k.layers.Dense(2)])


def test_augmenting_model_predicts_as_keras_and_trains():
    reference, model = _augmenting_model(keras), _augmenting_model(ember_keras)
    assert model.count_params() == reference.count_params()
    model.set_weights(reference.get_weights())
    x, y = random(6, 8, 8, 3, low=0.0, high=255.0), RNG.integers(0, 2, 6)
    np.testing.assert_allclose(model.predict(x, verbose=0), reference.predict(x, verbose=0), rtol=1e-4, atol=1e-5)
    model.compile(optimizer="adam", loss=ember_keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(x, y, epochs=3, batch_size=3, verbose=0).history["loss"]
    assert np.all(np.isfinite(history))


def test_augmenting_model_file_moves_both_ways(tmp_path):
    x = random(4, 8, 8, 3, low=0.0, high=255.0)
    for source, target in ((keras, ember_keras), (ember_keras, keras)):
        model = _augmenting_model(source)
        path = str(tmp_path / f"augmenting_{source.__name__.replace('.', '_')}.keras")
        model.save(path)
        restored = target.models.load_model(path)
        np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5,
                                   atol=1e-5)
