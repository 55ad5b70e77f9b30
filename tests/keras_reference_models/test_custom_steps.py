"""Custom train_step/test_step/predict_step in TensorFlow-backend style (GradientTape), checked
against real Keras 3 running the same model with a torch-style custom train_step, from the same weights."""
import numpy as np
import pytest
import torch

import ember as tf
from ember import keras

import keras as real_keras

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 5)).astype("float32")
Y = (X @ RNG.normal(size=(5, 1)) + 0.1).astype("float32")


def _copy_weights(source, target):
    target.set_weights([np.asarray(w) for w in source.get_weights()])


class TapeModel(keras.Model):
    """The TensorFlow guide's custom fit: GradientTape, compute_loss, apply_gradients, metrics loop."""

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    def predict_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        return self(x, training=False) * 2.0


class TorchStyleModel(real_keras.Model):
    """Keras 3's own custom train_step on its torch backend."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def _functional(module, cls):
    inputs = module.Input(shape=(5,))
    hidden = module.layers.Dense(8, activation="tanh")(inputs)
    return cls(inputs, module.layers.Dense(1)(hidden))


def test_tape_train_step_matches_real_keras_custom_step():
    ours = _functional(keras, TapeModel)
    theirs = _functional(real_keras, TorchStyleModel)
    _copy_weights(theirs, ours)
    ours.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    theirs.compile(optimizer=real_keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    ours_history = ours.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    theirs_history = theirs.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(ours_history["loss"], theirs_history["loss"], rtol=1e-4)
    assert sorted(ours_history) == sorted(theirs_history), (list(ours_history), list(theirs_history))
    np.testing.assert_allclose(ours_history["mae"], theirs_history["mae"], rtol=1e-4)
    assert ours_history["loss"][-1] < ours_history["loss"][0]
    ours_eval = ours.evaluate(X, Y, verbose=0, return_dict=True)
    np.testing.assert_allclose(ours_eval["loss"], theirs.evaluate(X, Y, verbose=0, return_dict=True)["loss"], rtol=1e-4)
    np.testing.assert_allclose(ours.predict(X, verbose=0), 2.0 * theirs.predict(X, verbose=0), rtol=1e-4, atol=1e-5)


def test_tape_train_step_equals_the_built_in_step():
    keras.utils.set_random_seed(3)
    custom = _functional(keras, TapeModel)
    plain = _functional(keras, keras.Model)
    _copy_weights(custom, plain)
    for model in (custom, plain):
        model.compile(optimizer="rmsprop", loss="mse")
    a = custom.fit(X, Y, batch_size=32, epochs=2, shuffle=False, verbose=0).history["loss"]
    b = plain.fit(X, Y, batch_size=32, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(a, b, rtol=1e-5)


def test_keras2_style_compiled_loss_and_own_metrics():
    class Legacy(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]
    model = Legacy()
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    history = model.fit(X, Y, batch_size=16, epochs=4, verbose=0).history
    assert sorted(history) == ["loss", "mae"] and history["loss"][-1] < history["loss"][0]
    assert all(isinstance(v, float) for v in history["loss"])


def test_vae_style_model_without_compiled_loss():
    class Reconstruct(keras.Model):
        def __init__(self):
            super().__init__()
            self.encoder = keras.layers.Dense(2)
            self.decoder = keras.layers.Dense(5)
            self.total = keras.metrics.Mean(name="total_loss")

        def call(self, x):
            return self.decoder(self.encoder(x))

        def train_step(self, data):
            x = data[0] if isinstance(data, tuple) else data
            with tf.GradientTape() as tape:
                code = self.encoder(x)
                loss = tf.reduce_mean(tf.square(x - self.decoder(code))) + 1e-3 * tf.reduce_mean(tf.square(code))
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            self.total.update_state(loss)
            return {"total_loss": self.total.result()}

        @property
        def metrics(self):
            return [self.total]
    model = Reconstruct()
    model.compile(optimizer=keras.optimizers.Adam(0.01))
    losses = model.fit(X, epochs=5, batch_size=16, verbose=0).history["total_loss"]
    assert losses[-1] < losses[0]
