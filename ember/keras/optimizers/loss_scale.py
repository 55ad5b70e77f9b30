"""LossScaleOptimizer: Keras's mixed-precision wrapper; a pass-through around float32 training.

Keras multiplies the loss by ``dynamic_scale`` before differentiating
(``scale_loss``) and divides the gradients by it in ``apply``, so float16
gradients do not underflow. In float32 that changes nothing but rounding, so
``fit``'s steps go straight to the inner optimizer; a custom loop that calls
``scale_loss`` gets its gradients unscaled by ``apply`` as in Keras. Steps with
non-finite gradients are skipped and halve the scale; ``dynamic_growth_steps``
finite steps in a row double it.

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

    def scale_loss(self, loss):
        return loss * self.dynamic_scale

    def apply(self, grads, trainable_variables=None) -> None:
        grads = [None if g is None else ember.as_tensor(g) / self.dynamic_scale for g in grads]
        if not all(g is None or bool(numpy.isfinite(numpy.asarray(g.detach())).all()) for g in grads):
            self.dynamic_scale /= 2.0  # skip the step, as Keras does on overflow
            self._finite_steps = 0
            return
        self.inner_optimizer.apply(grads, trainable_variables)
        self._finite_steps += 1
        if self._finite_steps >= self.dynamic_growth_steps and math.isfinite(self.dynamic_scale * 2.0):
            self.dynamic_scale *= 2.0
            self._finite_steps = 0

    # fit() trains on unscaled losses: these go straight to the inner optimizer.
    def build(self, variables) -> None:
        self.inner_optimizer.build(variables)

    def step(self) -> None:
        self.inner_optimizer.step()

    def prepare_step(self) -> None:
        self.inner_optimizer.prepare_step()

    def update(self) -> None:
        self.inner_optimizer.update()

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
