"""Keras's Adafactor and Lamb update rules, as ``ember.optim`` optimizers on backend arrays.

Written like :mod:`.rules`: each parameter's state holds its own step count
(an array, so a compiled step sees it change), and every write is an ``out=``
ufunc call, which ``ember.function`` traces.

- Adafactor (Shazeer & Stern, 2018, as Keras 3 computes it): for a matrix the
  second moment is factored into row and column averages ``r``, ``c``
  (``v = r / mean(r) ⊗ c``); a vector keeps a full ``v``. The step is
  ``max(epsilon_2, rms(param)) * min(lr, 1/sqrt(t))``, the update clipped to
  ``rms(u) <= clip_threshold``, and ``beta_2`` decays as ``1 - t^beta_2_decay``.
- Lamb (You et al., 2019): Adam's bias-corrected update scaled per parameter by
  the trust ratio ``||param|| / ||update||`` (1 when either norm is 0).

Example:
    >>> import ember
    >>> w = ember.tensor([[1.0, -1.0], [0.5, 2.0]], requires_grad=True)
    >>> opt = KerasLamb([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> [round(v, 4) for v in w.detach().reshape(-1).tolist()]  # sign(g) * 0.1 * ||w|| / ||sign(g)|| = 0.125
    [0.875, -0.875, 0.375, 1.875]
"""
from __future__ import annotations

from ember import backend
from ember.optim import Optimizer
from ember.tensor import Tensor

from .rules import _zeros_like


def _step_counter(param) -> Tensor:
    return Tensor._make(backend.namespace_of(param._data).zeros((), dtype="float64"), None, False)


def _rms(xp, values):
    return xp.sqrt(xp.mean(xp.multiply(values, values)))


def _zeros(xp, shape, like) -> Tensor:
    return Tensor._make(xp.zeros(shape, dtype=like.dtype), None, False)


class KerasAdafactor(Optimizer):
    """Adafactor with Keras 3's formulas (see the module docstring)."""

    def __init__(self, params, lr: float = 1e-3, beta_2_decay: float = -0.8, epsilon_1: float = 1e-30,
                 epsilon_2: float = 1e-3, clip_threshold: float = 1.0, relative_step: bool = True):
        super().__init__(params, dict(lr=lr, beta_2_decay=beta_2_decay, epsilon_1=epsilon_1, epsilon_2=epsilon_2,
                                      clip_threshold=clip_threshold, relative_step=relative_step))

    def _init_state(self, param, group) -> dict:
        xp, data = backend.namespace_of(param._data), param._data
        state = {"step": _step_counter(param), "v": _zeros_like(data)}
        if data.ndim >= 2:
            state["r"] = _zeros(xp, data.shape[:-1], data)
            state["c"] = _zeros(xp, data.shape[:-2] + data.shape[-1:], data)
        return state

    def _update(self, param, grad, state, group, *rest) -> None:
        xp = backend.namespace_of(param)
        step = state["step"]._data
        xp.add(step, 1.0, out=step)
        inverse_root = xp.divide(1.0, xp.sqrt(step))
        rate = xp.minimum(group["lr"], inverse_root) if group["relative_step"] else group["lr"]
        step_size = xp.multiply(xp.maximum(group["epsilon_2"], _rms(xp, param)), xp.minimum(rate, inverse_root))
        regulated = xp.add(xp.multiply(grad, grad), group["epsilon_1"])
        beta = xp.subtract(1.0, xp.power(step, group["beta_2_decay"]))
        v = state["v"]._data
        if param.ndim >= 2:
            r, c = state["r"]._data, state["c"]._data
            _decay(xp, r, beta, xp.mean(regulated, axis=-1))
            _decay(xp, c, beta, xp.mean(regulated, axis=-2))
            row_share = xp.divide(r, xp.mean(r, axis=-1, keepdims=True))
            xp.multiply(xp.expand_dims(row_share, -1), xp.expand_dims(c, -2), out=v)
        else:
            _decay(xp, v, beta, regulated)
        update = xp.divide(grad, xp.sqrt(v))
        update = xp.divide(update, xp.maximum(1.0, xp.divide(_rms(xp, update), group["clip_threshold"])))
        xp.subtract(param, xp.multiply(step_size, update).astype(param.dtype, copy=False), out=param)


def _decay(xp, average, beta, value) -> None:
    """``average = beta * average + (1 - beta) * value``, in place (``beta`` may be an array)."""
    xp.add(xp.multiply(average, beta), xp.multiply(xp.subtract(1.0, beta), value), out=average, casting="unsafe")


class KerasLamb(Optimizer):
    """Lamb with Keras 3's formulas (see the module docstring)."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-7):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps))

    def _init_state(self, param, group) -> dict:
        return {"step": _step_counter(param), "m": _zeros_like(param._data), "v": _zeros_like(param._data)}

    def _update(self, param, grad, state, group, *rest) -> None:
        xp, (beta1, beta2) = backend.namespace_of(param), group["betas"]
        step = state["step"]._data
        xp.add(step, 1.0, out=step)
        m, v = state["m"]._data, state["v"]._data
        xp.add(m, xp.multiply(xp.subtract(grad, m), 1.0 - beta1), out=m)
        xp.add(v, xp.multiply(xp.subtract(xp.multiply(grad, grad), v), 1.0 - beta2), out=v)
        m_hat = xp.divide(m, xp.subtract(1.0, xp.power(beta1, step)))
        v_root = xp.add(xp.sqrt(xp.divide(v, xp.subtract(1.0, xp.power(beta2, step)))), group["eps"])
        update = xp.divide(m_hat, v_root)
        weight_norm, update_norm = xp.sqrt(xp.sum(xp.multiply(param, param))), _rms_sum(xp, update)
        both = xp.logical_and(weight_norm > 0, update_norm > 0)
        ratio = xp.where(both, xp.divide(weight_norm, xp.where(both, update_norm, 1.0)), 1.0)
        xp.subtract(param, xp.multiply(xp.multiply(ratio, group["lr"]), update).astype(param.dtype, copy=False),
                    out=param)


def _rms_sum(xp, values):
    return xp.sqrt(xp.sum(xp.multiply(values, values)))
