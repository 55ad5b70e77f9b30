"""``BackupAndRestore``: resume an interrupted ``fit`` where its last backup left it.

Every epoch (or every ``save_freq`` batches) the model's weights, the
optimizer's state and the epoch reached are written to ``backup_dir`` (one
safetensors file, written atomically). A later ``fit`` with the same callback
loads them and starts at that epoch; a ``fit`` that finishes deletes the
backup (unless ``delete_checkpoint=False``).

Example:
    >>> import os, tempfile, numpy as np
    >>> from ember import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile("sgd", "mse")
    >>> folder = os.path.join(tempfile.mkdtemp(), "backup")
    >>> backup = keras.callbacks.BackupAndRestore(folder, delete_checkpoint=False)
    >>> history = model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, callbacks=[backup], verbose=0)
    >>> history = model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=3, callbacks=[backup], verbose=0)
    >>> history.epoch  # epochs 0 and 1 were done: only epoch 2 runs
    [2]
"""
from __future__ import annotations

import os
import shutil

import ember

from .callback import Callback

_FILE = "latest.backup.safetensors"


class BackupAndRestore(Callback):
    """Back up the training state to ``backup_dir``; restore it when ``fit`` starts."""

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint: bool = False,
                 delete_checkpoint: bool = True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: save_freq={save_freq}. "
                             "Expected either 'epoch' or an integer value.")
        self.backup_dir, self.save_freq = os.fspath(backup_dir), save_freq
        self.double_checkpoint, self.delete_checkpoint = double_checkpoint, delete_checkpoint
        self._path = os.path.join(self.backup_dir, _FILE)
        self._previous_path = self._path + ".bkp"
        self._current_epoch, self._batches_since_save = 0, 0

    def on_train_begin(self, logs=None) -> None:
        path = self._path if os.path.exists(self._path) else self._previous_path
        if not os.path.exists(path):
            return
        if not self.model.built or not self.model.weights:
            raise ValueError(f"To use the BackupAndRestore callback, you model must be built before you call "
                             f"`fit()`. Model {self.model.name!r} is unbuilt. You can build it beforehand by "
                             "calling it on a batch of data.")
        saved = ember.load(path)
        self.model.set_weights([value.numpy() for value in saved["weights"]])
        optimizer = self.model.optimizer
        if saved.get("optimizer") is not None and optimizer is not None:
            if not optimizer.built:
                optimizer.build(self.model.trainable_weights)
            optimizer.rule.load_state_dict(saved["optimizer"])
            optimizer.iterations = int(saved["iterations"])
        self.model._initial_epoch = int(saved["epoch"])

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None) -> None:
        self._current_epoch = epoch + 1
        if self.save_freq == "epoch":
            self._save()

    def on_train_batch_end(self, batch, logs=None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save()

    def _save(self) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._path):
            shutil.copyfile(self._path, self._previous_path)
        optimizer = self.model.optimizer
        built = optimizer is not None and optimizer.built
        ember.save({"weights": [ember.tensor(value) for value in self.model.get_weights()],
                    "optimizer": optimizer.rule.state_dict() if built else None,
                    "iterations": optimizer.iterations if built else 0,
                    "epoch": self._current_epoch}, self._path)

    def on_train_end(self, logs=None) -> None:
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
