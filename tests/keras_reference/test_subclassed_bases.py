"""User subclasses of keras.Loss, keras.Metric, keras.Optimizer, keras.Initializer and keras.Regularizer train
through compile/fit as in real Keras 3: the same code, written once against ``module.ops``, gives the same
losses, metric values and weights in both."""
import numpy as np
import pytest

from ember import keras as ember_keras

import keras

from .harness import random

X = random(32, 3)
Y = (X @ np.array([[0.5], [-1.0], [2.0]], "float32") + 0.3).astype("float32")


def _classes(module):
    ops = module.ops

    class CubedError(module.Loss):
        def call(self, y_true, y_pred):
            return ops.mean(ops.abs(y_true - y_pred) ** 3, axis=-1)

    class MaxAbsError(module.Metric):
        def __init__(self, name="max_abs_error", **kwargs):
            super().__init__(name=name, **kwargs)
            self.worst = self.add_variable(shape=(), initializer="zeros", name="worst")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.worst.assign(ops.maximum(self.worst, ops.max(ops.abs(ops.cast(y_true, "float32") - y_pred))))

        def result(self):
            return ops.convert_to_tensor(self.worst)

    class MomentumSGD(module.Optimizer):
        def __init__(self, learning_rate=0.05, momentum=0.8, **kwargs):
            super().__init__(learning_rate=learning_rate, **kwargs)
            self.momentum = momentum

        def build(self, var_list):
            if self.built:
                return
            super().build(var_list)
            self.velocities = [self.add_variable_from_reference(v, "velocity") for v in var_list]

        def update_step(self, gradient, variable, learning_rate):
            velocity = self.velocities[self._get_variable_index(variable)]
            self.assign(velocity, self.momentum * velocity + gradient)
            self.assign_sub(variable, ops.cast(learning_rate, variable.dtype) * velocity)

        def get_config(self):
            return {**super().get_config(), "momentum": self.momentum}

    class Ramp(module.Initializer):
        def __call__(self, shape, dtype=None):
            count = int(np.prod(shape))
            return ops.reshape(ops.arange(count, dtype="float32") / count - 0.5, shape)

    class AbsPenalty(module.Regularizer):
        def __call__(self, x):
            return 0.01 * ops.sum(ops.abs(x))

    return CubedError, MaxAbsError, MomentumSGD, Ramp, AbsPenalty


def _train(module, run_eagerly):
    loss, metric, optimizer, initializer, regularizer = _classes(module)
    model = module.Sequential([module.Input((3,)),
                               module.layers.Dense(4, activation="tanh", kernel_initializer=initializer(),
                                                   kernel_regularizer=regularizer()),
                               module.layers.Dense(1, kernel_initializer=initializer())])
    model.compile(optimizer=optimizer(), loss=loss(), metrics=[metric()], run_eagerly=run_eagerly)
    history = model.fit(X, Y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    return history.history, [np.asarray(w) for w in model.get_weights()], model


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_subclassed_bases_train_like_keras(run_eagerly):
    expected, expected_weights, keras_model = _train(keras, run_eagerly)
    actual, actual_weights, ember_model = _train(ember_keras, run_eagerly)
    assert sorted(actual) == sorted(expected) == ["loss", "max_abs_error"]
    for key in expected:
        np.testing.assert_allclose(actual[key], expected[key], rtol=1e-4, atol=1e-5, err_msg=key)
    for actual_weight, expected_weight in zip(actual_weights, expected_weights):
        np.testing.assert_allclose(actual_weight, expected_weight, rtol=1e-4, atol=1e-5)
    assert ember_model.optimizer.get_config()["momentum"] == keras_model.optimizer.get_config()["momentum"]
