"""``SwapEMAWeights``: evaluate and predict with the optimizer's moving averages of the weights.

With an optimizer made with ``use_ema=True``, the model's variables hold the
trained weights and the optimizer their exponential moving averages. This
callback swaps the two around evaluation and prediction (validation during
``fit`` included), and, with ``swap_on_epoch=True``, at the end of each epoch
(so checkpoints written then hold the averages) and back at the next epoch's
start.

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(keras.optimizers.SGD(0.1, use_ema=True), "mse")
    >>> _ = model.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=2, verbose=0,
    ...               callbacks=[keras.callbacks.SwapEMAWeights()])
"""
from __future__ import annotations

import ember

from .callback import Callback


class SwapEMAWeights(Callback):
    """Swap the model's weights with their moving averages for evaluation and prediction."""

    def __init__(self, swap_on_epoch: bool = False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _optimizer(self):
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # LossScaleOptimizer
        if not getattr(optimizer, "use_ema", False):
            raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. "
                             f"Received: use_ema={getattr(optimizer, 'use_ema', False)}")
        return optimizer

    def _pairs(self, optimizer) -> list:
        if optimizer.rule is None:  # not built yet (evaluate before any training): nothing to swap
            return []
        return [(variable, optimizer.rule.state[variable]["ema"]) for variable in optimizer.variables
                if "ema" in optimizer.rule.state.get(variable, {})]

    def _swap(self) -> None:
        with ember.no_grad():
            for variable, average in self._pairs(self._optimizer()):
                held = variable.detach().clone()
                variable.copy_(average)
                average.copy_(held)

    def _finalize_ema_values(self) -> None:
        """The averages take the values now in the model (the averages, after a swap)."""
        with ember.no_grad():
            for variable, average in self._pairs(self._optimizer()):
                average.copy_(variable)

    def _swap_in(self) -> None:
        if not self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = True

    def _swap_out(self) -> None:
        if self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._swap_out()

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_in()
            if epoch == self.params.get("epochs", 0) - 1:
                self._finalize_ema_values()

    def on_test_begin(self, logs=None):
        self._swap_in()

    def on_test_end(self, logs=None):
        self._swap_out()

    def on_predict_begin(self, logs=None):
        self._swap_in()

    def on_predict_end(self, logs=None):
        self._swap_out()
