"""``CSVLogger``: one CSV row per epoch (``epoch`` then every logged value).

Example:
    >>> import os, tempfile, numpy as np
    >>> from ember import keras
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> model = keras.Sequential([keras.layers.Dense(1)])
    >>> model.compile("sgd", loss="mse")
    >>> _ = model.fit(np.ones((4, 2)), np.ones(4), epochs=2, callbacks=[keras.callbacks.CSVLogger(path)], verbose=0)
    >>> open(path).read().splitlines()[0]
    'epoch,loss'
"""
from __future__ import annotations

import csv
import os

from .callback import Callback


class CSVLogger(Callback):
    """Write each epoch's logs to ``filename`` (appending to an existing file with ``append=True``)."""

    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__()
        self.filename, self.separator, self.append = os.fspath(filename), separator, append
        self._file = self._writer = self._keys = None

    def on_train_begin(self, logs=None) -> None:
        has_rows = self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._keys, self._writer, self._has_header = None, None, has_rows

    def on_epoch_end(self, epoch, logs=None) -> None:
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch"] + self._keys, delimiter=self.separator)
            if not self._has_header:
                self._writer.writeheader()
        self._writer.writerow({"epoch": epoch, **{key: logs.get(key, "NA") for key in self._keys}})
        self._file.flush()

    def on_train_end(self, logs=None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
