"""compile / fit / evaluate / predict: inputs, options, compiled vs eager, and Keras-like errors."""
import importlib.util
import os
import io
import contextlib

import numpy as np
import pytest

import ember
from ember import keras
from ember.data import DataLoader, TensorDataset

layers = keras.layers


def regression_model(**compile_kwargs):
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(8, activation="relu"), layers.Dense(1)])
    model.compile(**{"optimizer": keras.optimizers.Adam(0.02), "loss": "mse", **compile_kwargs})
    return model


def classifier(loss="sparse_categorical_crossentropy", activation="softmax", **compile_kwargs):
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(16, activation="relu"),
                              layers.Dense(3, activation=activation)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss, **{"metrics": ["accuracy"], **compile_kwargs})
    return model


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_every_optimizer_string_trains(regression_data, optimizer):
    x, y = regression_data
    model = regression_model(optimizer=optimizer)
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


@pytest.mark.parametrize("loss", ["mse", "mae", "huber", keras.losses.Huber(delta=0.5), "log_cosh"])
def test_regression_losses_train(regression_data, loss):
    x, y = regression_data
    model = regression_model(loss=loss, metrics=["mae", "mse"])
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert set(history.history) == {"loss", "mae", "mse"}


def test_classification_losses_and_accuracy_variants(classification_data):
    x, y = classification_data
    sparse = classifier()
    logs = sparse.fit(x, y, epochs=8, verbose=0).history
    assert logs["accuracy"][-1] > logs["accuracy"][0] and logs["accuracy"][-1] > 0.6
    assert sparse._compile_metrics.metrics[0]._fn is keras.metrics.sparse_categorical_accuracy

    one_hot = keras.utils.to_categorical(y, 3)
    dense = classifier(loss="categorical_crossentropy", metrics=["accuracy", "AUC",
                                                                  keras.metrics.TopKCategoricalAccuracy(k=2)])
    logs = dense.fit(x, one_hot, epochs=2, verbose=0).history
    assert {"accuracy", "AUC", "top_k_categorical_accuracy", "loss"} == set(logs)
    assert dense._compile_metrics.metrics[0]._fn is keras.metrics.categorical_accuracy

    logits = classifier(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), activation=None)
    assert logits.fit(x, y, epochs=3, verbose=0).history["loss"][-1] < 1.1

    binary = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(1, activation="sigmoid")])
    binary.compile("adam", "binary_crossentropy", metrics=["accuracy", "precision", "recall"])
    logs = binary.fit(x, (y > 0).astype("float32"), epochs=2, verbose=0).history
    assert binary._compile_metrics.metrics[0]._fn is keras.metrics.binary_accuracy
    assert set(logs) == {"accuracy", "loss", "precision", "recall"}


def test_fit_accepts_tensors_dataloaders_and_iterables(regression_data):
    x, y = regression_data
    model = regression_model()
    history = model.fit(ember.tensor(x), ember.tensor(y), epochs=2, batch_size=32, verbose=0)
    assert len(history.history["loss"]) == 2
    loader = DataLoader(TensorDataset(ember.tensor(x), ember.tensor(y)), batch_size=32, shuffle=True)
    history = model.fit(loader, epochs=2, verbose=0, validation_data=loader)
    assert set(history.history) == {"loss", "val_loss"}
    batches = ((x[i:i + 32], y[i:i + 32]) for i in range(0, 128, 32))  # a generator of batches
    history = model.fit(batches, epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
    assert model.evaluate(loader, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-5)
    assert model.predict(loader, verbose=0).shape == (128, 1)


def test_fit_with_dict_inputs_and_multiple_outputs():
    a, b = keras.Input(shape=(2,), name="a"), keras.Input(shape=(3,), name="b")
    hidden = layers.Dense(8, activation="relu")(layers.Concatenate()([a, b]))
    model = keras.Model([a, b], [layers.Dense(1, name="value")(hidden),
                                 layers.Dense(2, activation="softmax", name="label")(hidden)])
    model.compile("adam", loss={"value": "mse", "label": "sparse_categorical_crossentropy"},
                  loss_weights={"value": 1.0, "label": 0.5}, metrics={"label": ["accuracy"]})
    rng = np.random.default_rng(0)
    inputs = {"a": rng.normal(size=(64, 2)).astype("float32"), "b": rng.normal(size=(64, 3)).astype("float32")}
    targets = {"value": inputs["a"].sum(1, keepdims=True), "label": (inputs["b"][:, 0] > 0).astype("int64")}
    history = model.fit(inputs, targets, epochs=3, batch_size=16, verbose=0, validation_split=0.25)
    assert set(history.history) == {"loss", "value_loss", "label_loss", "label_accuracy", "val_loss",
                                    "val_value_loss", "val_label_loss", "val_label_accuracy"}
    logs = history.history
    assert logs["loss"][-1] == pytest.approx(logs["value_loss"][-1] + 0.5 * logs["label_loss"][-1], rel=1e-4)
    value, label = model.predict(inputs, verbose=0)
    assert value.shape == (64, 1) and label.shape == (64, 2)


def test_validation_split_and_data(regression_data):
    x, y = regression_data
    model = regression_model()
    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "val_loss"}
    assert history.params["steps"] == 3  # 96 training samples in batches of 32
    history = model.fit(x, y, epochs=1, validation_data=(x[:10], y[:10]), verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(x[:10], y[:10], verbose=0), rel=1e-5)


def test_sample_weight_and_class_weight(classification_data):
    x, y = classification_data
    model = classifier()
    zero = np.zeros(len(x), "float32")
    before = model.get_weights()
    model.fit(x, y, sample_weight=zero, epochs=1, verbose=0, shuffle=False)
    # zero weights: zero loss, zero gradients, weights unchanged (Adam's step is 0 for g = 0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-7)
    weighted = model.evaluate(x, y, sample_weight=np.full(len(x), 2.0), verbose=0, return_dict=True)
    plain = model.evaluate(x, y, verbose=0, return_dict=True)
    assert weighted["loss"] == pytest.approx(2 * plain["loss"], rel=1e-5)
    history = model.fit(x, y, class_weight={0: 1.0, 1: 0.0, 2: 0.0}, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_initial_epoch_steps_per_epoch_and_shuffle(regression_data):
    x, y = regression_data
    model = regression_model()
    history = model.fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]
    history = model.fit(x, y, epochs=1, steps_per_epoch=2, batch_size=8, verbose=0)
    assert history.params["steps"] == 2 and model.optimizer.iterations == 2 * 4 + 2


def test_evaluate_predict_and_single_batch_methods(classification_data):
    x, y = classification_data
    model = classifier(metrics=["accuracy", "sparse_top_k_categorical_accuracy"])
    assert model.metrics_names == ["loss"]  # metrics are built on the first batch
    loss, accuracy, top_k = model.evaluate(x, y, verbose=0, batch_size=50)
    assert model.metrics_names == ["loss", "accuracy", "sparse_top_k_categorical_accuracy"] and top_k == 1.0
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(loss, rel=1e-5) and logs["accuracy"] == pytest.approx(accuracy)
    predictions = model.predict(x, batch_size=7, verbose=0)
    assert isinstance(predictions, np.ndarray) and predictions.shape == (160, 3)
    np.testing.assert_allclose(predictions.sum(1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), predictions[:5], rtol=1e-5)
    first = model.train_on_batch(x[:32], y[:32])
    assert len(first) == 3 and first[0] > 0
    assert set(model.test_on_batch(x[:32], y[:32], return_dict=True)) == set(model.metrics_names)


def _losses(run_eagerly: bool, optimizer, jit_compile="auto"):
    keras.backend.clear_session()
    keras.utils.set_random_seed(7)
    model = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(16, activation="relu"), layers.Dropout(0.3),
                              layers.BatchNormalization(), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  run_eagerly=run_eagerly, jit_compile=jit_compile)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(96, 6)).astype("float32")
    y = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0.5)
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0, validation_split=0.25)
    return history.history, model


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_compiled_default_equals_run_eagerly(optimizer):
    eager, _ = _losses(True, optimizer)
    compiled, model = _losses(False, optimizer)
    assert model._step_functions["train"].trace_count >= 1  # it really was compiled
    for key in eager:
        np.testing.assert_allclose(compiled[key], eager[key], rtol=1e-5, atol=1e-6)


@pytest.mark.slow  # compiles numba kernels: about a minute on a 2-core machine
@pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="numba is an optional extra")
def test_jit_compile_true_runs_the_numba_path(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_KERNEL_CACHE", str(tmp_path))
    eager, _ = _losses(True, "adam")
    compiled, model = _losses(False, "adam", jit_compile=True)
    assert model._step_functions["train"].function.numba
    for key in eager:
        np.testing.assert_allclose(compiled[key], eager[key], rtol=1e-5, atol=1e-6)


_EMBER_DATA = os.environ.get("EMBER_DATA")


@pytest.mark.skipif(not _EMBER_DATA or not os.path.isdir(os.path.join(_EMBER_DATA, "mnist")),
                    reason="the real MNIST files are not available: set $EMBER_DATA to a folder holding mnist/")
def test_keras_datasets_load_mnist_as_numpy():
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8 and y_test.shape == (10000,)
    assert y_test[:5].tolist() == [7, 2, 1, 0, 4]


def test_clear_errors():
    model = keras.Sequential([layers.Dense(3, activation="softmax")])
    x = np.ones((10, 4), "float32")
    with pytest.raises(RuntimeError, match=r"must call `compile\(\)` before calling `fit\(\)`"):
        model.fit(x, np.zeros(10))
    with pytest.raises(RuntimeError, match="compile"):
        model.evaluate(x, np.zeros(10))
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"(?s)cardinality.*'x' sizes: 10.*'y' sizes: 9"):
        model.fit(x, np.zeros(9), verbose=0)
    one_hot = keras.utils.to_categorical(np.arange(10) % 3, 3)
    with pytest.raises(ValueError, match="one-hot encoded: use loss='categorical_crossentropy'"):
        model.fit(x, one_hot, verbose=0)
    model.compile("adam", "categorical_crossentropy")
    with pytest.raises(ValueError, match="use loss='sparse_categorical_crossentropy'"):
        model.fit(x, np.arange(10) % 3, verbose=0)
    with pytest.raises(ValueError, match="Unknown loss"):
        model.compile("adam", "not_a_loss")
    with pytest.raises(ValueError, match="optimizer"):
        model.compile("not_an_optimizer", "mse")
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(((x, np.zeros(10)) for _ in range(2)), validation_split=0.5, verbose=0)


def test_progress_bar_output_verbose_1_and_2(regression_data):
    x, y = regression_data
    model = regression_model(metrics=["mae"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, epochs=2, batch_size=32, verbose=1, validation_split=0.25)
    text = out.getvalue()
    assert "Epoch 1/2" in text and "Epoch 2/2" in text
    assert "3/3 ━━━━━━━━━━━━━━━━━━━━" in text and "/step - loss: " in text
    assert " - mae: " in text and " - val_loss: " in text and " - val_mae: " in text
    assert "\x1b[" not in text  # no colour codes when the output is not a terminal
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, epochs=1, batch_size=32, verbose=2)
        model.evaluate(x, y, verbose=1)
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("4/4 - ") and "/step - loss:" in lines[0] and "mae:" in lines[0]
    assert lines[1].startswith("4/4 ━")


def test_live_progress_bar_in_a_terminal():
    from ember.keras.utils.progbar import Progbar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    bar = Progbar(10, stream=screen, interval=0.0)
    for step in range(1, 11):
        bar.update(step, [("loss", 1.0 / step), ("accuracy", 0.5)])
    text = screen.getvalue()
    assert text.count("\r") == 10 and "\x1b[32m" in text  # redrawn in place, in Keras's green
    assert " 5/10\x1b[0m" in text and "10/10" in text and "loss: 0.1000" in text and text.endswith("\n")


def test_subclassed_model_fits_compiled_and_a_custom_train_step(regression_data):
    x, y = regression_data

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(8, activation="relu")
            self.out = layers.Dense(1)

        def call(self, inputs, training=False):
            return self.out(self.hidden(inputs))

    model = Net()
    model.compile(keras.optimizers.Adam(0.02), "mse")
    history = model.fit(x, y, epochs=3, verbose=0)  # built by its first batch
    assert history.history["loss"][-1] < history.history["loss"][0]

    class Custom(Net):
        def train_step(self, data):  # Keras 3's custom-step recipe (PyTorch backend)
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            weights = self.trainable_weights
            self.optimizer.apply([w.grad for w in weights], weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(float(loss))
                else:
                    metric.update_state(y, y_pred)
            return {metric.name: metric.result() for metric in self.metrics}

    custom = Custom()
    custom.compile(keras.optimizers.Adam(0.02), "mse", metrics=["mae"])
    history = custom.fit(x, y, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] and custom.optimizer.iterations == 12
