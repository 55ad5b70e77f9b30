"""Keras optimizers against real Keras 3: the same variables and gradient rule, several steps, to 1e-5."""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras

import keras

from .harness import random

TARGET = [random(3, 4), random(4)]


def _gradients(values):
    # The gradient of sum(c * (w - target)^4 / 4) + the weight itself, a non-trivial function of w.
    return [((value - target) ** 3 + 0.1 * value).astype("float32") for value, target in zip(values, TARGET)]


def _run(make, steps=6):
    """Weights after each of ``steps`` updates, in real Keras and in Ember."""
    start = [random(3, 4), random(4)]
    keras_vars = [keras.Variable(value.copy()) for value in start]
    ember_vars = [ember.nn.Parameter(ember.tensor(value.copy())) for value in start]
    keras_opt, ember_opt = make(keras.optimizers), make(ember_keras.optimizers)
    history = []
    for _ in range(steps):
        keras_values = [np.array(v.value.detach()) for v in keras_vars]
        ember_values = [np.array(v.detach()) for v in ember_vars]
        keras_opt.apply([torch.tensor(g) for g in _gradients(keras_values)], keras_vars)
        ember_opt.apply([ember.tensor(g) for g in _gradients(ember_values)], ember_vars)
        history.append(([np.array(v.value.detach()) for v in keras_vars], [np.array(v.detach()) for v in ember_vars]))
    return history, keras_opt, ember_opt


OPTIMIZERS = {
    "sgd_momentum": lambda o: o.SGD(0.05, momentum=0.9, nesterov=True),
    "adam": lambda o: o.Adam(0.05),
    "adamw": lambda o: o.AdamW(0.05, weight_decay=0.1),
    "rmsprop": lambda o: o.RMSprop(0.01, centered=True, momentum=0.5),
    "adagrad": lambda o: o.Adagrad(0.1),
    "adadelta": lambda o: o.Adadelta(1.0),
    "adadelta_defaults": lambda o: o.Adadelta(),
    "adamax": lambda o: o.Adamax(0.05),
    "nadam": lambda o: o.Nadam(0.05),
    "lion": lambda o: o.Lion(0.01),
    "ftrl": lambda o: o.Ftrl(0.1),
    "ftrl_regularized": lambda o: o.Ftrl(0.1, l1_regularization_strength=0.01, l2_regularization_strength=0.02,
                                         l2_shrinkage_regularization_strength=0.01, beta=0.1),
    "clipnorm": lambda o: o.Adam(0.05, clipnorm=0.5),
    "clipvalue": lambda o: o.SGD(0.05, clipvalue=0.3),
    "global_clipnorm": lambda o: o.SGD(0.05, global_clipnorm=0.7),
    "ema": lambda o: o.Adam(0.05, use_ema=True, ema_momentum=0.9),
    "ema_overwrite": lambda o: o.SGD(0.05, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=3),
    "loss_scale": lambda o: o.LossScaleOptimizer(o.Adam(0.05)),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_steps_match_keras(name):
    history, keras_opt, ember_opt = _run(OPTIMIZERS[name])
    for step, (expected, actual) in enumerate(history):
        for e, a in zip(expected, actual):
            np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-5, err_msg=f"{name}, step {step + 1}")
    assert not np.allclose(history[0][1][0], history[-1][1][0])  # the variables did move
    if name != "loss_scale":
        assert set(keras_opt.get_config()) <= set(ember_opt.get_config())


def test_ema_finalize_sets_the_averages():
    history, keras_opt, ember_opt = _run(OPTIMIZERS["ema"], steps=4)
    keras_vars = keras_opt._trainable_variables
    keras_opt.finalize_variable_values(keras_vars)
    ember_opt.finalize_variable_values()
    for keras_var, ember_var in zip(keras_vars, ember_opt.variables):
        np.testing.assert_allclose(np.asarray(ember_var.detach()), np.asarray(keras_var.value.detach()),
                                   rtol=1e-5, atol=1e-5)


def test_optimizer_argument_errors():
    with pytest.raises(ValueError, match="beta_1"):
        ember_keras.optimizers.Lion(beta_1=0.0)
    with pytest.raises(ValueError, match="l1_regularization_strength"):
        ember_keras.optimizers.Ftrl(l1_regularization_strength=-1.0)
    with pytest.raises(ValueError, match="Optimizer instance"):
        ember_keras.optimizers.LossScaleOptimizer("adam")
    assert type(ember_keras.optimizers.get("nadam")).__name__ == "Nadam"


@pytest.mark.parametrize("name", ["nadam", "adamax", "lion", "adadelta", "ftrl", "loss_scale", "clipnorm"])
def test_fit_with_new_optimizers_matches_keras(name):
    x, y = random(32, 3), random(32, 1)
    models = []
    for library in (keras, ember_keras):
        model = library.Sequential([library.Input((3,)), library.layers.Dense(4, activation="tanh"),
                                    library.layers.Dense(1)])
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    losses = []
    for library, model in zip((keras, ember_keras), models):
        model.compile(optimizer=OPTIMIZERS[name](library.optimizers), loss="mse")
        losses.append(model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"])
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-4)
    for expected, actual in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)


def test_fit_with_ema_ends_on_the_averages():
    x, y = random(32, 3), random(32, 1)
    models = [library.Sequential([library.Input((3,)), library.layers.Dense(2)]) for library in (keras, ember_keras)]
    models[1].set_weights(models[0].get_weights())
    for library, model in zip((keras, ember_keras), models):
        model.compile(optimizer=library.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.8), loss="mse")
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for expected, actual in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)
