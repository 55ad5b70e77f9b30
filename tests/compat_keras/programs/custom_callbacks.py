"""keras.io "Writing your own callbacks": hooks that record what fit/evaluate/predict report,
early stopping at the minimum loss that restores the best weights, and a learning-rate
schedule callback that sets the optimizer's rate each epoch.

Only the import differs from the guide (``from ember import keras``).
"""
import numpy as np

from ember import keras


class RecordingCallback(keras.callbacks.Callback):
    """Keeps the name and the logs (rounded) of every hook that runs."""

    def __init__(self):
        super().__init__()
        self.events = []

    def _record(self, name, logs):
        self.events.append((name, {key: round(float(value), 5) for key, value in sorted((logs or {}).items())}))

    def on_train_begin(self, logs=None):
        self._record("train_begin", logs)

    def on_epoch_end(self, epoch, logs=None):
        self._record(f"epoch_end_{epoch}", logs)

    def on_train_batch_end(self, batch, logs=None):
        self._record(f"train_batch_end_{batch}", logs)

    def on_test_end(self, logs=None):
        self._record("test_end", logs)

    def on_predict_batch_end(self, batch, logs=None):
        self.events.append((f"predict_batch_end_{batch}", {}))


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    """Stop training when the loss is at its min, i.e. the loss stops decreasing.

    Arguments:
        patience: Number of epochs to wait after min has been hit. After this
        number of no improvement, training stops.
    """

    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        # best_weights to store the weights at which the minimum loss occurs.
        self.best_weights = None

    def on_train_begin(self, logs=None):
        # The number of epoch it has waited when loss is no longer minimum.
        self.wait = 0
        # The epoch the training stops at.
        self.stopped_epoch = 0
        # Initialize the best as infinity.
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best = current
            self.wait = 0
            # Record the best weights if current results is better (less).
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                # Restoring model weights from the end of the best epoch
                self.model.set_weights(self.best_weights)


class CustomLearningRateScheduler(keras.callbacks.Callback):
    """Learning rate scheduler which sets the learning rate according to schedule.

    Arguments:
        schedule: a function that takes an epoch index
            (integer, indexed from 0) and current learning rate
            as inputs and returns a new learning rate as output (float).
    """

    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        # Get the current learning rate from model's optimizer.
        lr = self.model.optimizer.learning_rate
        # Call schedule function to get the scheduled learning rate.
        scheduled_lr = self.schedule(epoch, lr)
        # Set the value back to the optimizer before this epoch starts
        self.model.optimizer.learning_rate = scheduled_lr


LR_SCHEDULE = [
    # (epoch to start, learning rate) tuples
    (2, 0.05),
    (4, 0.01),
]


def lr_schedule(epoch, lr):
    """Helper function to retrieve the scheduled learning rate based on epoch."""
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for i in range(len(LR_SCHEDULE)):
        if epoch == LR_SCHEDULE[i][0]:
            return LR_SCHEDULE[i][1]
    return lr


def make_data(rng, samples=40):
    x = rng.normal(size=(samples, 8)).astype("float32")
    y = (x[:, :4].sum(axis=1, keepdims=True) + rng.normal(size=(samples, 1)) * 0.1).astype("float32")
    return x, y


def build_model():
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mean_squared_error",
                  metrics=["mean_absolute_error"])
    return model


def train(model, data):
    x, y = data
    recorder = RecordingCallback()
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False, callbacks=[recorder])
    model.evaluate(x, y, batch_size=16, verbose=0, callbacks=[recorder])
    model.predict(x, batch_size=16, verbose=0, callbacks=[recorder])
    batch_losses = [logs["loss"] for name, logs in recorder.events if name.startswith("train_batch_end")]

    stopper = EarlyStoppingAtMinLoss(patience=1)
    # A learning rate this large makes the loss grow, so training stops early
    model.optimizer.learning_rate = 0.9
    stopped = model.fit(x, y, batch_size=16, epochs=6, verbose=0, shuffle=False, callbacks=[stopper])
    restored_loss = model.evaluate(x, y, verbose=0)[0]

    rates = []
    model.optimizer.learning_rate = 0.1
    scheduled = model.fit(x, y, batch_size=16, epochs=5, verbose=0, shuffle=False, callbacks=[
        CustomLearningRateScheduler(lr_schedule),
        keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: rates.append(float(np.asarray(model.optimizer.learning_rate))))])
    return {"events": [name for name, _ in recorder.events],
            "losses": history.history["loss"] + batch_losses + stopped.history["loss"] + [restored_loss, stopper.best]
            + scheduled.history["loss"],
            "counts": [len(stopped.history["loss"]), stopper.stopped_epoch, len(batch_losses)],
            "rates": rates,
            "event_logs": [sorted(logs) for _, logs in recorder.events if logs],
            "predictions": model.predict(x[:6], verbose=0)}


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0))))
