"""``History``: the per-epoch logs of ``fit`` (what ``fit`` returns).

Example:
    >>> history = History()
    >>> history.on_train_begin()
    >>> history.on_epoch_end(0, {"loss": 0.5}); history.on_epoch_end(1, {"loss": 0.25})
    >>> history.history, history.epoch
    ({'loss': [0.5, 0.25]}, [0, 1])
"""
from __future__ import annotations

from .callback import Callback


class History(Callback):
    """Records every epoch's logs in ``history`` (a dict of lists) and the epoch numbers in ``epoch``."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self

    def plot(self, metrics=None, path: str | None = None, show: bool = False):
        """Draw the loss and metric curves with matplotlib (see :func:`keras.utils.plot_history`)."""
        from ..utils.plot import plot_history
        return plot_history(self, metrics=metrics, path=path, show=show)
