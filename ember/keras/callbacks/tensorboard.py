"""``TensorBoard``: scalar logs as real TensorBoard event files.

Like Keras, it writes ``log_dir/train`` and ``log_dir/validation`` with one
``epoch_<name>`` scalar per logged value and epoch (``val_`` stripped in the
validation run), plus ``batch_<name>`` every ``update_freq`` batches when that
is a number or ``'batch'``. Point ``tensorboard --logdir log_dir`` at it. Only
scalars are written (no histograms, graphs or images).
"""
from __future__ import annotations

import os

from ..utils.event_file import EventFileWriter
from .callback import Callback


class TensorBoard(Callback):
    """Write the loss, metrics and learning rate for TensorBoard."""

    def __init__(self, log_dir="logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, write_steps_per_second: bool = False, update_freq="epoch",
                 profile_batch=0, embeddings_freq: int = 0, embeddings_metadata=None):
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self._writers: dict[str, EventFileWriter] = {}
        self._batches = 0

    def _writer(self, run: str) -> EventFileWriter:
        if run not in self._writers:
            self._writers[run] = EventFileWriter(os.path.join(self.log_dir, run))
        return self._writers[run]

    def on_train_begin(self, logs=None) -> None:
        self._batches = 0

    def on_train_batch_end(self, batch, logs=None) -> None:
        self._batches += 1
        if isinstance(self.update_freq, int) and self._batches % self.update_freq == 0:
            values = {f"batch_{key}": value for key, value in (logs or {}).items()}
            self._writer("train").add_scalars(values, self._batches)

    def on_epoch_end(self, epoch, logs=None) -> None:
        train, validation = {}, {}
        for key, value in (logs or {}).items():
            if key.startswith("val_"):
                validation[f"epoch_{key[4:]}"] = value
            else:
                train[f"epoch_{key}"] = value
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and "epoch_learning_rate" not in train:
            train["epoch_learning_rate"] = float(optimizer.learning_rate)
        self._writer("train").add_scalars(train, epoch)
        if validation:
            self._writer("validation").add_scalars(validation, epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
