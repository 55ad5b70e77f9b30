"""SwapEMAWeights against real Keras 3: validation losses computed on the moving averages, and the final weights."""
import numpy as np
import pytest

from ember import keras as ember_keras

import keras

from .harness import random


@pytest.mark.parametrize("swap_on_epoch", [False, True])
def test_swap_ema_weights_matches_keras(swap_on_epoch):
    x, y = random(24, 3), random(24, 1)
    x_val, y_val = random(8, 3), random(8, 1)
    weights = [random(3, 1), random(1)]
    results = []
    for module in (keras, ember_keras):
        model = module.Sequential([module.Input((3,)), module.layers.Dense(1)])
        model.set_weights(weights)
        model.compile(module.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5), "mse")
        swap = module.callbacks.SwapEMAWeights(swap_on_epoch=swap_on_epoch)
        history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0, validation_data=(x_val, y_val),
                            callbacks=[swap])
        evaluated = model.evaluate(x_val, y_val, verbose=0, callbacks=[swap])
        results.append((history.history, evaluated, model.get_weights()))
    (expected, expected_eval, expected_weights), (actual, actual_eval, actual_weights) = results
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(actual[key], expected[key], rtol=1e-5, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(actual_eval, expected_eval, rtol=1e-5, atol=1e-6)
    for actual_weight, expected_weight in zip(actual_weights, expected_weights):
        np.testing.assert_allclose(actual_weight, expected_weight, rtol=1e-5, atol=1e-6)


def test_swap_ema_weights_needs_an_ema_optimizer():
    for module in (keras, ember_keras):
        model = module.Sequential([module.Input((3,)), module.layers.Dense(1)])
        model.compile("sgd", "mse")
        with pytest.raises(ValueError, match="use_ema"):
            model.fit(random(8, 3), random(8, 1), epochs=1, verbose=0, validation_data=(random(4, 3), random(4, 1)),
                      callbacks=[module.callbacks.SwapEMAWeights()])
