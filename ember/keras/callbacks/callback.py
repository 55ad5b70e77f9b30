"""``Callback``, the hooks ``fit``/``evaluate``/``predict`` call, and ``CallbackList``, which calls them.

Subclass :class:`Callback` and override any hook; ``self.model`` is the model
being trained and ``self.params`` holds ``epochs``, ``steps`` and ``verbose``.
``logs`` dicts carry the running loss and metrics (``val_*`` at epoch end).

Example:
    >>> class Count(Callback):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.batches = 0
    ...     def on_train_batch_end(self, batch, logs=None):
    ...         self.batches += 1
    >>> counter = Count()
    >>> callbacks = CallbackList([counter])
    >>> callbacks.on_batch_end("train", 0, {"loss": 1.0})
    >>> counter.batches
    1
"""
from __future__ import annotations


class Callback:
    """Base class of callbacks: every hook does nothing until overridden."""

    def __init__(self):
        self.params: dict = {}
        self._model = None

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self._model = model

    @property
    def model(self):
        return self._model

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...

    # Keras 2's names for the training-batch hooks
    def on_batch_begin(self, batch, logs=None):
        self.on_train_batch_begin(batch, logs)

    def on_batch_end(self, batch, logs=None):
        self.on_train_batch_end(batch, logs)


class CallbackList:
    """Calls each hook on every callback, in order; adds History and the progress bar when asked."""

    def __init__(self, callbacks=None, add_history: bool = False, add_progbar: bool = False, model=None,
                 **params):
        from .history import History
        from .progbar_logger import ProgbarLogger
        self.callbacks = list(callbacks or [])
        self.history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        if self.history is None and add_history:
            self.history = History()
            self.callbacks.append(self.history)
        if add_progbar and not any(isinstance(cb, ProgbarLogger) for cb in self.callbacks):
            # First, so the epoch's line prints before other callbacks' messages.
            self.callbacks.insert(0, ProgbarLogger())
        self.params = params
        self.set_params(params)
        if model is not None:
            self.set_model(model)

    def set_params(self, params: dict) -> None:
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model) -> None:
        for callback in self.callbacks:
            callback.set_model(model)

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    def _call(self, hook: str, *args) -> None:
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    # mode is "train", "test" or "predict": one loop serves fit, evaluate and predict
    def on_begin(self, mode: str, logs=None) -> None:
        self._call(f"on_{mode}_begin", logs)

    def on_end(self, mode: str, logs=None) -> None:
        self._call(f"on_{mode}_end", logs)

    def on_batch_begin(self, mode: str, batch: int, logs=None) -> None:
        self._call(f"on_{mode}_batch_begin", batch, logs)

    def on_batch_end(self, mode: str, batch: int, logs=None) -> None:
        self._call(f"on_{mode}_batch_end", batch, logs)

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self._call("on_epoch_end", epoch, logs)

    def __iter__(self):
        return iter(self.callbacks)
