"""Each callback, the hook order, and the TensorBoard event files."""
import contextlib
import csv
import glob
import io
import os

import numpy as np
import pytest

from ember import keras
from ember.keras.utils import event_file

layers = keras.layers


def small_model(learning_rate=0.05):
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4, activation="relu"), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="mse", metrics=["mae"])
    return model


def test_user_subclass_sees_every_hook_in_order(regression_data):
    x, y = regression_data
    calls = []

    class Recorder(keras.callbacks.Callback):
        def __getattribute__(self, name):
            if name.startswith("on_"):
                calls.append(name)
            return super().__getattribute__(name)

    recorder = Recorder()
    model = small_model()
    model.fit(x, y, epochs=2, batch_size=64, validation_data=(x, y), callbacks=[recorder], verbose=0)
    assert recorder.model is model and recorder.params["epochs"] == 2 and recorder.params["steps"] == 2
    assert calls[:3] == ["on_train_begin", "on_epoch_begin", "on_train_batch_begin"]
    assert calls.count("on_train_batch_end") == 4 and calls.count("on_test_batch_end") == 4
    assert calls.count("on_test_begin") == 2 and calls[-1] == "on_train_end"
    assert calls.index("on_test_end") < calls.index("on_epoch_end")
    calls.clear()
    model.predict(x, callbacks=[recorder], verbose=0)
    assert calls == ["on_predict_begin"] + ["on_predict_batch_begin", "on_predict_batch_end"] * 4 + ["on_predict_end"]


def test_history_is_returned_and_attached(regression_data):
    x, y = regression_data
    model = small_model()
    history = model.fit(x, y, epochs=3, verbose=0)
    assert isinstance(history, keras.callbacks.History) and model.history is history
    assert history.epoch == [0, 1, 2] and len(history.history["mae"]) == 3


def test_early_stopping_with_restore_best_weights(regression_data):
    x, y = regression_data
    model = small_model(learning_rate=0.05)
    best = {}

    class Remember(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            best[epoch] = (logs["val_loss"], self.model.get_weights())

    # a learning rate that makes training diverge after a while
    stop = keras.callbacks.EarlyStopping(patience=1, restore_best_weights=True, verbose=1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, epochs=30, validation_data=(x[:32], y[:32]), callbacks=[Remember(), stop], verbose=0)
    best_epoch = min(best, key=lambda epoch: best[epoch][0])
    assert stop.best_epoch == best_epoch and stop.best == pytest.approx(best[best_epoch][0])
    for restored, saved in zip(model.get_weights(), best[best_epoch][1]):
        np.testing.assert_array_equal(restored, saved)
    if stop.stopped_epoch:
        assert f"Epoch {stop.stopped_epoch + 1}: early stopping" in out.getvalue()
    assert "Restoring model weights from the end of the best epoch" in out.getvalue()


def test_early_stopping_on_a_metric_to_maximize_and_baseline():
    stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=0, baseline=0.9)
    stop.set_model(small_model())
    stop.on_train_begin()
    stop.on_epoch_end(0, {"val_accuracy": 0.5})
    stop.on_epoch_end(1, {"val_accuracy": 0.6})  # improves, but not past the baseline: the wait goes on
    assert not stop.model.stop_training
    stop.on_epoch_end(2, {"val_accuracy": 0.55})
    assert stop.model.stop_training and stop.stopped_epoch == 2 and stop.best == 0.6


def test_model_checkpoint_best_only_and_weights_only(tmp_path, regression_data):
    x, y = regression_data
    model = small_model()
    path = str(tmp_path / "best.keras")
    checkpoint = keras.callbacks.ModelCheckpoint(path, monitor="loss", save_best_only=True, verbose=1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, epochs=3, callbacks=[checkpoint], verbose=0)
    assert os.path.exists(path) and "saving model to" in out.getvalue()
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5)

    pattern = str(tmp_path / "weights-{epoch:02d}-{loss:.3f}.weights.safetensors")
    model.fit(x, y, epochs=2, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint(pattern, save_weights_only=True)])
    files = sorted(glob.glob(str(tmp_path / "weights-*.weights.safetensors")))
    assert [os.path.basename(f)[:10] for f in files] == ["weights-01", "weights-02"]
    clone = small_model()
    clone.load_weights(files[-1])
    np.testing.assert_array_equal(clone.get_weights()[0], model.get_weights()[0])
    with pytest.raises(ValueError, match=".keras"):
        keras.callbacks.ModelCheckpoint(str(tmp_path / "model.h5"))


def test_model_checkpoint_skips_worse_epochs():
    checkpoint = keras.callbacks.ModelCheckpoint("unused.keras", monitor="val_loss", save_best_only=True)
    saved = []
    model = small_model()
    model.save = saved.append
    checkpoint.set_model(model)
    for epoch, value in enumerate([1.0, 2.0, 0.5]):
        checkpoint.on_epoch_end(epoch, {"val_loss": value})
    assert saved == ["unused.keras", "unused.keras"] and checkpoint.best == 0.5


def test_learning_rate_scheduler(regression_data):
    x, y = regression_data
    model = small_model(learning_rate=0.1)
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    history = model.fit(x, y, epochs=3, callbacks=[schedule], verbose=0)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])
    assert model.optimizer.rule.param_groups[0]["lr"] == pytest.approx(0.1 / 3)


def test_reduce_lr_on_plateau():
    model = small_model(learning_rate=1.0)
    reduce = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, min_lr=0.2, cooldown=1)
    reduce.set_model(model)
    reduce.on_train_begin()
    rates = []
    for epoch, loss in enumerate([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]):
        logs = {"loss": loss}
        reduce.on_epoch_end(epoch, logs)
        rates.append(model.optimizer.learning_rate)
    assert rates == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25] or rates[-1] == 0.2
    assert min(rates) >= 0.2 and logs["learning_rate"] == rates[-2]


def test_csv_logger(tmp_path, regression_data):
    x, y = regression_data
    path = tmp_path / "training.csv"
    model = small_model()
    model.fit(x, y, epochs=2, validation_split=0.25, callbacks=[keras.callbacks.CSVLogger(path)], verbose=0)
    model.fit(x, y, epochs=1, callbacks=[keras.callbacks.CSVLogger(path, append=True)], verbose=0,
              validation_split=0.25)
    rows = list(csv.DictReader(open(path)))
    assert [row["epoch"] for row in rows] == ["0", "1", "0"]
    assert list(rows[0]) == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert float(rows[1]["loss"]) > 0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the exploding run overflows on purpose
def test_lambda_callback_and_terminate_on_nan(regression_data):
    x, y = regression_data
    epochs, batches = [], []
    callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: epochs.append(logs["loss"]),
                                              on_batch_end=lambda batch, logs: batches.append(batch))
    model = small_model()
    model.fit(x, y, epochs=2, batch_size=64, callbacks=[callback], verbose=0)
    assert len(epochs) == 2 and batches == [0, 1, 0, 1]
    with pytest.raises(ValueError, match="Unrecognized hooks"):
        keras.callbacks.LambdaCallback(on_everything=print)

    exploding = small_model(learning_rate=1e6)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        history = exploding.fit(x * 100, y, epochs=20, batch_size=8, verbose=0,
                                callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(history.history["loss"]) < 20 and "Invalid loss" in out.getvalue()


def test_progbar_logger_is_an_ordinary_callback(regression_data):
    x, y = regression_data
    out = io.StringIO()
    model = small_model()
    model.fit(x, y, epochs=1, verbose=2, callbacks=[keras.callbacks.ProgbarLogger(stream=out)])
    assert "4/4" in out.getvalue() and "loss:" in out.getvalue()


def test_tensorboard_writes_readable_event_files(tmp_path, regression_data):
    x, y = regression_data
    model = small_model()
    board = keras.callbacks.TensorBoard(log_dir=str(tmp_path), update_freq=2)
    model.fit(x, y, epochs=3, validation_split=0.25, callbacks=[board], verbose=0)
    train_file, = glob.glob(str(tmp_path / "train" / "events.out.tfevents.*"))
    validation_file, = glob.glob(str(tmp_path / "validation" / "events.out.tfevents.*"))
    scalars = event_file.read_scalars(train_file)
    epoch_losses = [s["value"] for s in scalars if s["tag"] == "epoch_loss"]
    assert epoch_losses == pytest.approx(model.history.history["loss"], rel=1e-6)
    assert {s["tag"] for s in scalars} >= {"epoch_loss", "epoch_mae", "epoch_learning_rate", "batch_loss"}
    assert [s["step"] for s in scalars if s["tag"] == "epoch_loss"] == [0, 1, 2]
    val = [s["value"] for s in event_file.read_scalars(validation_file) if s["tag"] == "epoch_loss"]
    assert val == pytest.approx(model.history.history["val_loss"], rel=1e-6)

    # TensorBoard's own reader, when the package is installed
    accumulator_module = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    accumulator = accumulator_module.EventAccumulator(str(tmp_path / "train"))
    accumulator.Reload()
    events = accumulator.Scalars("epoch_loss")
    assert [e.step for e in events] == [0, 1, 2]
    assert [e.value for e in events] == pytest.approx(model.history.history["loss"], rel=1e-6)


def test_event_file_detects_corruption(tmp_path):
    writer = event_file.EventFileWriter(str(tmp_path))
    writer.add_scalar("x", 1.0, 0)
    writer.close()
    data = bytearray(open(writer.path, "rb").read())
    data[-6] ^= 0xFF
    open(writer.path, "wb").write(bytes(data))
    with pytest.raises(ValueError, match="corrupt"):
        event_file.read_scalars(writer.path)
