"""LossScaleOptimizer: Keras's dynamic loss scaling for mixed-precision training.

Keras multiplies the loss by ``dynamic_scale`` before differentiating
(``scale_loss``) and divides the gradients by it in ``apply``, so float16
gradients do not underflow. Steps with non-finite gradients are skipped (no
update, ``iterations`` unchanged) and halve the scale; ``dynamic_growth_steps``
finite steps in a row double it. A custom loop calls ``scale_loss`` and
``apply``; ``fit`` scales its loss and calls :meth:`update`, which unscales the
gradients in ``.grad`` and skips the same way. The skip depends on the
gradients' values, so ``fit`` runs such a step eagerly (not compiled), and
``compile`` wraps the optimizer in one under the ``mixed_float16`` policy, as
Keras does.

Example:
    >>> import ember
    >>> from ember import keras
    >>> opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1))
    >>> w = ember.nn.Parameter(ember.tensor([1.0]))
    >>> loss = opt.scale_loss((w * w).sum())
    >>> grad, = ember.autograd.grad(loss, [w])
    >>> opt.apply([grad], [w]); w.detach().tolist(), opt.dynamic_scale
    ([0.800000011920929], 32768.0)
"""
from __future__ import annotations

import math

import numpy

import ember

from .base import Optimizer


class LossScaleOptimizer(Optimizer):
    """Wraps ``inner_optimizer``; everything not about scaling is the inner optimizer's."""

    def __init__(self, inner_optimizer: Optimizer, initial_scale: float = 2.0 ** 15,
                 dynamic_growth_steps: int = 2000, name: str | None = None, **kwargs):
        if not isinstance(inner_optimizer, Optimizer):
            raise ValueError(f"Argument `inner_optimizer` must be an Optimizer instance. Received: "
                             f"inner_optimizer={inner_optimizer}")
        super().__init__(name=name, **kwargs)
        self.inner_optimizer = inner_optimizer
        self.initial_scale, self.dynamic_growth_steps = float(initial_scale), dynamic_growth_steps
        self.dynamic_scale = float(initial_scale)
        self._finite_steps = 0
        self.step_skipped = False  # whether the last update skipped (non-finite gradients)

    def scale_loss(self, loss):
        return loss * self.dynamic_scale

    def apply(self, grads, trainable_variables=None) -> None:
        grads = [None if g is None else ember.as_tensor(g) / self.dynamic_scale for g in grads]
        if not self._finite(grads):
            return
        self.inner_optimizer.apply(grads, trainable_variables)
        self._count_finite_step()

    def update(self) -> None:
        """``fit``'s update: the gradients in ``.grad`` come from the scaled loss; unscale, then
        update unless one is not finite (then skip and halve the scale, as ``apply``)."""
        variables = self.inner_optimizer.variables
        with ember.no_grad():
            for variable in variables:
                if variable.grad is not None:
                    variable.grad = variable.grad / self.dynamic_scale
        if not self._finite([variable.grad for variable in variables]):
            return
        self.inner_optimizer.update()
        self._count_finite_step()

    def _finite(self, grads) -> bool:
        """Whether every gradient is finite; if not, the step is skipped and the scale halved."""
        finite = all(g is None or bool(numpy.isfinite(numpy.asarray(g.detach())).all()) for g in grads)
        self.step_skipped = not finite
        if not finite:
            self.dynamic_scale /= 2.0
            self._finite_steps = 0
        return finite

    def _count_finite_step(self) -> None:
        self._finite_steps += 1
        if self._finite_steps >= self.dynamic_growth_steps and math.isfinite(self.dynamic_scale * 2.0):
            self.dynamic_scale *= 2.0
            self._finite_steps = 0

    def build(self, variables) -> None:
        self.inner_optimizer.build(variables)

    def step(self) -> None:
        self.inner_optimizer.step()

    def prepare_step(self) -> None:
        self.inner_optimizer.prepare_step()

    def zero_grad(self) -> None:
        self.inner_optimizer.zero_grad()

    def finalize_variable_values(self, var_list=None) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    @property
    def rule(self):
        return self.inner_optimizer.rule

    @rule.setter
    def rule(self, value) -> None:  # the base class's __init__ sets it; the inner optimizer holds it
        pass

    @property
    def variables(self):
        return self.inner_optimizer.variables

    @variables.setter
    def variables(self, value) -> None:
        pass

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @iterations.setter
    def iterations(self, value) -> None:
        if hasattr(self, "inner_optimizer"):
            self.inner_optimizer.iterations = value

    @property
    def learning_rate(self) -> float:
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self.inner_optimizer.learning_rate = value

    def get_config(self) -> dict:
        from . import serialize
        return {"name": self.name, "inner_optimizer": serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale, "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config: dict) -> "LossScaleOptimizer":
        from . import deserialize
        config = dict(config)
        return cls(deserialize(config.pop("inner_optimizer")), **config)
