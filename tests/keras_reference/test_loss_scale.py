"""LossScaleOptimizer's dynamic scaling in a custom loop, step by step against real Keras 3.

Gradients scaled by the current scale go to ``apply``: finite ones are unscaled and applied,
``dynamic_growth_steps`` finite steps in a row double the scale, a non-finite one skips the
step (weights and ``iterations`` unchanged) and halves the scale. (``fit`` trains float32
steps without scaling: there it is a pass-through.)
"""
import numpy as np

import ember
from ember import keras as ember_keras

import keras

from .harness import as_numpy

GRADIENTS = [[1.0, 1.0], [np.inf, 1.0], [1.0, 2.0], [1.0, 2.0], [np.nan, 0.0], [3.0, 1.0], [1.0, 1.0],
             [1.0, 1.0]]


def test_dynamic_loss_scaling_matches_keras_step_by_step():
    expected_opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1), dynamic_growth_steps=2)
    actual_opt = ember_keras.optimizers.LossScaleOptimizer(ember_keras.optimizers.SGD(0.1), dynamic_growth_steps=2)
    assert actual_opt.dynamic_scale == 2.0 ** 15 == float(as_numpy(expected_opt.initial_scale))
    expected_var = keras.Variable(np.array([1.0, 2.0], "float32"))
    actual_var = ember_keras.Variable(np.array([1.0, 2.0], "float32"))
    for gradient in GRADIENTS:
        scaled = (np.array(gradient) * actual_opt.dynamic_scale).astype("float32")
        expected_opt.apply([keras.ops.convert_to_tensor(scaled)], [expected_var])
        actual_opt.apply([ember.tensor(scaled)], [actual_var])
        assert actual_opt.dynamic_scale == float(as_numpy(expected_opt.dynamic_scale))
        np.testing.assert_allclose(actual_var.numpy(), as_numpy(expected_var.value), rtol=1e-6, atol=1e-7)
        assert int(np.asarray(actual_opt.iterations)) == int(as_numpy(expected_opt.iterations))
