"""Keras's schedule-free AdamW rule (Defazio et al., 2024) as an ``ember.optim`` optimizer on backend arrays.

No learning-rate schedule is needed: the optimizer keeps ``z`` (Adam steps on
the raw gradients, starting at the weights) and the weights ``y`` are an
interpolation between ``z`` and the running average ``x`` of the ``z`` iterates
(``x_t = (1 - 1/t) x_{t-1} + z_t / t``): ``y = (1 - beta_1) z + beta_1 x``.
``x`` is not stored; it is recovered from ``y`` and the previous ``z``. An
optional linear warm-up scales the rate over the first ``warmup_steps``.

Example:
    >>> import ember
    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = KerasScheduleFreeAdamW([w], lr=0.1)
    >>> w.grad = ember.tensor([2.0]); opt.step()
    >>> round(float(w.detach()[0]), 4)  # z = 1 - 0.1 * 2 / |2| = 0.9; t = 1 so x = z = y
    0.9
"""
from __future__ import annotations

from ember import backend
from ember.optim import Optimizer
from ember.tensor import Tensor

from .rules import _zeros_like
from .rules_factored import _step_counter


class KerasScheduleFreeAdamW(Optimizer):
    """Schedule-free AdamW with Keras 3's formulas (see the module docstring)."""

    def __init__(self, params, lr: float = 0.0025, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 warmup_steps: int = 0):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, warmup_steps=warmup_steps))

    def _init_state(self, param, group) -> dict:
        xp = backend.namespace_of(param._data)
        return {"step": _step_counter(param), "z": Tensor._make(xp.array(param._data, copy=True), None, False),
                "v": _zeros_like(param._data)}

    def _update(self, param, grad, state, group, *rest) -> None:
        xp, (beta1, beta2) = backend.namespace_of(param), group["betas"]
        step, z, v = state["step"]._data, state["z"]._data, state["v"]._data
        xp.add(step, 1.0, out=step)
        rate = group["lr"]
        if group["warmup_steps"] > 0:
            rate = xp.multiply(rate, xp.minimum(xp.divide(step, float(group["warmup_steps"])), 1.0))
        xp.add(v, xp.multiply(xp.subtract(xp.multiply(grad, grad), v), 1.0 - beta2), out=v)
        denominator = xp.add(xp.sqrt(xp.divide(v, xp.subtract(1.0, xp.power(beta2, step)))), group["eps"])
        previous_z = xp.multiply(z, 1.0)  # a copy: x is recovered from the z before this step
        xp.subtract(z, xp.divide(xp.multiply(grad, rate), denominator).astype(z.dtype, copy=False), out=z)
        weight = xp.divide(1.0, step)
        average = xp.divide(xp.subtract(param, xp.multiply(previous_z, 1.0 - beta1)), beta1)
        average = xp.add(xp.multiply(average, xp.subtract(1.0, weight)), xp.multiply(z, weight))
        new = xp.add(xp.multiply(z, 1.0 - beta1), xp.multiply(average, beta1))
        xp.multiply(new.astype(param.dtype, copy=False), 1.0, out=param)
