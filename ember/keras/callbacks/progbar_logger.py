"""``ProgbarLogger``: the live progress bar of ``fit``/``evaluate``/``predict`` as a callback.

``fit`` adds one when ``verbose`` is 1 or 2: it prints ``Epoch 3/10`` (when
there is more than one epoch), redraws the bar after each batch and writes
the epoch's final line with the validation values.
"""
from __future__ import annotations

from ..utils.progbar import Progbar
from .callback import Callback


class ProgbarLogger(Callback):
    """Prints progress; ``params['verbose']`` chooses the bar (1) or one line per epoch (2)."""

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream
        self.progbar = None
        self._in_fit = False

    @property
    def verbose(self) -> int:
        return self.params.get("verbose", 1)

    def _new_bar(self, steps=None) -> None:
        self.progbar = Progbar(steps if steps is not None else self.params.get("steps"),
                               verbose=self.verbose, stream=self.stream)
        self.seen = 0

    def on_train_begin(self, logs=None) -> None:
        self._in_fit = True

    def on_train_end(self, logs=None) -> None:
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._new_bar()
        if self.verbose and self.params.get("epochs", 1) > 1:
            self.progbar._write(f"Epoch {epoch + 1}/{self.params['epochs']}\n")

    def on_epoch_end(self, epoch, logs=None) -> None:
        self._finish(logs)

    def on_test_begin(self, logs=None) -> None:
        if not self._in_fit:
            self._new_bar()

    def on_predict_begin(self, logs=None) -> None:
        self._new_bar()

    def on_train_batch_end(self, batch, logs=None) -> None:
        self._step(batch, logs)

    def on_test_batch_end(self, batch, logs=None) -> None:
        if not self._in_fit:
            self._step(batch, logs)

    def on_predict_batch_end(self, batch, logs=None) -> None:
        self._step(batch, None)

    def on_test_end(self, logs=None) -> None:
        if not self._in_fit:
            self._finish(logs)

    def on_predict_end(self, logs=None) -> None:
        self._finish(None)

    def _step(self, batch: int, logs) -> None:
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def _finish(self, logs) -> None:
        if self.progbar is None or not self.verbose:
            return
        if self.progbar.target is None:
            self.progbar.target = self.seen
        self.progbar.update(self.seen, list((logs or {}).items()), finalize=True)
