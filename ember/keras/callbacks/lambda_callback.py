"""``LambdaCallback`` (hooks from plain functions) and ``TerminateOnNaN``.

Example:
    >>> seen = []
    >>> callback = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    >>> callback.on_epoch_end(0, {}); callback.on_train_begin()
    >>> seen
    [0]
"""
from __future__ import annotations

import math

from .callback import Callback

_HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
          "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
          "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end")


class LambdaCallback(Callback):
    """Each keyword argument names a hook and gives the function to run there."""

    def __init__(self, **hooks):
        super().__init__()
        for alias, name in (("on_batch_begin", "on_train_batch_begin"), ("on_batch_end", "on_train_batch_end")):
            if alias in hooks:
                hooks[name] = hooks.pop(alias)
        unknown = set(hooks) - set(_HOOKS)
        if unknown:
            raise ValueError(f"Unrecognized hooks {sorted(unknown)}; known: {list(_HOOKS)}")
        for name, function in hooks.items():
            if function is not None:
                setattr(self, name, function)


class TerminateOnNaN(Callback):
    """Stop training as soon as the loss becomes NaN or infinite."""

    def on_train_batch_end(self, batch, logs=None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
