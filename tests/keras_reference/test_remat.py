"""keras.remat against real Keras 3: a layer that rematerializes part of its call trains to the same weights."""
import numpy as np

from ember import keras as ember_keras

import keras

from .harness import random


def _model(module):
    class Squash(module.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = module.remat(self.intermediate)

        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

        def intermediate(self, x):
            for _ in range(2):
                x = module.ops.tanh(x * self.scale) + 0.1 * x
            return x

        def call(self, inputs):
            return self.inner(inputs)
    return module.Sequential([module.Input((4,)), module.layers.Dense(4), Squash(), module.layers.Dense(1)])


def test_remat_layer_trains_like_keras():
    x, y = random(16, 4), random(16, 1)
    results = []
    for module in (keras, ember_keras):
        model = _model(module)
        if results:
            model.set_weights(results[0][1])
        else:
            start = model.get_weights()
        model.compile(module.optimizers.SGD(0.05), "mse")
        history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"]
        results.append((history, start if len(results) == 0 else None, model.get_weights()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5, atol=1e-6)
    for actual, expected in zip(results[1][2], results[0][2]):
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
    assert not np.allclose(results[0][2][2], np.ones(4))  # the weight used only inside remat was trained
