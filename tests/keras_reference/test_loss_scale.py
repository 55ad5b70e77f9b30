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


def _twin_models(optimizer_factory):
    models = {}
    for name, library in (("keras", keras), ("ember", ember_keras)):
        models[name] = library.Sequential([library.Input((3,)), library.layers.Dense(4, activation="tanh"),
                                           library.layers.Dense(1)])
    models["ember"].set_weights(models["keras"].get_weights())
    for name, library in (("keras", keras), ("ember", ember_keras)):
        models[name].compile(optimizer_factory(library), "mse")
    return models


def test_fit_with_loss_scaling_matches_keras():
    # fit scales the loss, unscales the gradients, and grows the scale every 2 finite steps
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    y = x.sum(1, keepdims=True).astype("float32")
    models = _twin_models(lambda library: library.optimizers.LossScaleOptimizer(
        library.optimizers.SGD(0.05), dynamic_growth_steps=2))
    losses = {name: model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"]
              for name, model in models.items()}
    np.testing.assert_allclose(losses["ember"], losses["keras"], rtol=1e-5)
    assert models["ember"].optimizer.dynamic_scale == float(as_numpy(models["keras"].optimizer.dynamic_scale))
    assert int(models["ember"].optimizer.iterations) == int(as_numpy(models["keras"].optimizer.iterations)) == 8


def test_fit_skips_steps_whose_scaled_gradients_overflow_as_keras():
    x = np.ones((4, 3), "float32")
    y = np.full((4, 1), 1e36, "float32")  # gradients ~1e36 times the scale 2**15: inf in float32
    models = _twin_models(lambda library: library.optimizers.LossScaleOptimizer(library.optimizers.SGD(1e-3)))
    before = models["ember"].get_weights()
    for model in models.values():
        model.fit(x, y, batch_size=4, epochs=3, verbose=0)
    for kept, now, theirs in zip(before, models["ember"].get_weights(), models["keras"].get_weights()):
        np.testing.assert_array_equal(now, kept)
        np.testing.assert_array_equal(theirs, kept)
    assert models["ember"].optimizer.dynamic_scale == float(as_numpy(models["keras"].optimizer.dynamic_scale)) \
        == 2.0 ** 12
    assert int(models["ember"].optimizer.iterations) == int(as_numpy(models["keras"].optimizer.iterations)) == 0


def test_compile_under_mixed_float16_wraps_the_optimizer_as_keras():
    try:
        for library in (keras, ember_keras):
            library.mixed_precision.set_global_policy("mixed_float16")
            model = library.Sequential([library.Input((3,)), library.layers.Dense(1)])
            model.compile(library.optimizers.SGD(0.1), "mse")
            assert isinstance(model.optimizer, library.optimizers.LossScaleOptimizer)
    finally:
        keras.mixed_precision.set_global_policy("float32")
        ember_keras.mixed_precision.set_global_policy("float32")
