"""Learning-rate callbacks: ``LearningRateScheduler`` (a function of the epoch) and ``ReduceLROnPlateau``.

Both change ``model.optimizer.learning_rate`` and add ``learning_rate`` to the epoch's logs.

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> model = keras.Sequential([keras.layers.Dense(1)])
    >>> model.compile(keras.optimizers.SGD(0.1), loss="mse")
    >>> halve = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    >>> history = model.fit(np.ones((4, 2)), np.ones(4), epochs=3, callbacks=[halve], verbose=0)
    >>> history.history["learning_rate"]
    [0.05, 0.025, 0.0125]
"""
from __future__ import annotations

import inspect

from .callback import Callback
from .monitor import improvement_test, initial_best, monitored_value


class LearningRateScheduler(Callback):
    """At each epoch's start, set the rate to ``schedule(epoch, lr)`` (or ``schedule(epoch)``)."""

    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None) -> None:
        optimizer = self.model.optimizer
        try:
            takes_rate = len(inspect.signature(self.schedule).parameters) >= 2
        except (TypeError, ValueError):
            takes_rate = True
        rate = self.schedule(epoch, optimizer.learning_rate) if takes_rate else self.schedule(epoch)
        if not isinstance(rate, (int, float)):
            raise ValueError(f'The output of the "schedule" function should be a float. Got: {rate}')
        optimizer.learning_rate = float(rate)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(rate)}.")

    def on_epoch_end(self, epoch, logs=None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class ReduceLROnPlateau(Callback):
    """Multiply the rate by ``factor`` after ``patience`` epochs without improvement (not below ``min_lr``)."""

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0, **kwargs):
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.cooldown, self.min_lr = cooldown, min_lr
        self._better = improvement_test(monitor, mode, min_delta)
        self._initial = initial_best(monitor, mode)
        self.on_train_begin()

    def on_train_begin(self, logs=None) -> None:
        self.best, self.wait, self.cooldown_counter = self._initial, 0, 0

    def on_epoch_end(self, epoch, logs=None) -> None:
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = monitored_value(logs, self.monitor, "Learning rate reduction")
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._better(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                self._reduce(optimizer, epoch)

    def _reduce(self, optimizer, epoch: int) -> None:
        old = float(optimizer.learning_rate)
        if old > self.min_lr:
            new = max(old * self.factor, self.min_lr)
            optimizer.learning_rate = new
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
            self.cooldown_counter, self.wait = self.cooldown, 0
