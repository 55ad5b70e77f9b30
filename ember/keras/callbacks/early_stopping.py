"""``EarlyStopping``: stop ``fit`` when a monitored value stops improving.

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> model = keras.Sequential([keras.layers.Dense(1)])
    >>> model.compile(keras.optimizers.SGD(0.0), loss="mse")  # never improves
    >>> stop = keras.callbacks.EarlyStopping(monitor="loss", patience=2)
    >>> history = model.fit(np.ones((8, 2)), np.ones(8), epochs=10, callbacks=[stop], verbose=0)
    >>> len(history.history["loss"]), stop.stopped_epoch
    (3, 2)
"""
from __future__ import annotations

from .callback import Callback
from .monitor import improvement_test, initial_best, monitored_value


class EarlyStopping(Callback):
    """Stop after ``patience`` epochs without improvement; optionally restore the best weights."""

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self._better = improvement_test(monitor, mode, min_delta)
        self._initial = initial_best(monitor, mode)
        self.on_train_begin()

    def on_train_begin(self, logs=None) -> None:
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights = self._initial, None

    def on_epoch_end(self, epoch, logs=None) -> None:
        current = monitored_value(logs, self.monitor, "Early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._better(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # The wait restarts only when the baseline is beaten too.
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
