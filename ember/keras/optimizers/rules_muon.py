"""Keras's Muon update rule as an ``ember.optim`` optimizer on backend arrays.

Muon (Jordan et al., 2024, with Moonlight's learning-rate adjustment, as Keras 3
computes it) updates a 2-D weight with the orthogonalized momentum: the
momentum ``m = momentum m + g`` (Nesterov: ``g + momentum m``) goes through
``ns_steps`` quintic Newton-Schulz iterations that push its singular values
towards 1, and the step is ``lr * sqrt(max(rows, cols)) * rms_rate`` times that.
Every other weight (vectors, convolution kernels, embeddings, and layers the
caller excludes) gets AdamW's update at ``lr * adam_lr_ratio``. Each
parameter's ``use_adam`` flag is decided once, by the Keras optimizer.

Example:
    >>> import ember
    >>> w = ember.tensor([[3.0, 0.0], [0.0, 1.0]], requires_grad=True)
    >>> opt = KerasMuon([{"params": [w], "use_adam": False}], lr=0.1, rms_rate=None)
    >>> w.grad = ember.tensor([[1.0, 0.0], [0.0, 1.0]]); opt.step()
    >>> [round(v, 2) for v in w.detach().reshape(-1).tolist()]  # ~0.1 * I: singular values pushed near 1
    [2.89, 0.0, 0.0, 0.89]
"""
from __future__ import annotations

from ember import backend
from ember.optim import Optimizer

from .rules import _zeros_like
from .rules_factored import _step_counter


class KerasMuon(Optimizer):
    """Muon for 2-D weights, AdamW (Keras's formulas) for the rest; see the module docstring."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-7,
                 momentum: float = 0.95, nesterov: bool = True, ns_steps: int = 5,
                 ns_coefficients: tuple = (3.4445, -4.7750, 2.0315), adam_lr_ratio: float = 1.0,
                 rms_rate: float | None = 0.2):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, momentum=momentum, nesterov=nesterov,
                                      ns_steps=ns_steps, ns_coefficients=tuple(ns_coefficients),
                                      adam_lr_ratio=adam_lr_ratio, rms_rate=rms_rate, use_adam=True))

    def _init_state(self, param, group) -> dict:
        state = {"step": _step_counter(param), "m": _zeros_like(param._data)}
        if group["use_adam"]:
            state["v"] = _zeros_like(param._data)
        return state

    def _update(self, param, grad, state, group, *rest) -> None:
        step = state["step"]._data
        backend.namespace_of(param).add(step, 1.0, out=step)
        if group["use_adam"]:
            self._adam(param, grad, state, group)
        else:
            self._muon(param, grad, state, group)

    def _adam(self, param, grad, state, group) -> None:
        xp, (beta1, beta2) = backend.namespace_of(param), group["betas"]
        step, m, v = state["step"]._data, state["m"]._data, state["v"]._data
        rate = group["lr"] * group["adam_lr_ratio"]
        alpha = xp.divide(xp.multiply(xp.sqrt(xp.subtract(1.0, xp.power(beta2, step))), rate),
                          xp.subtract(1.0, xp.power(beta1, step)))
        xp.add(m, xp.multiply(xp.subtract(grad, m), 1.0 - beta1), out=m)
        xp.add(v, xp.multiply(xp.subtract(xp.multiply(grad, grad), v), 1.0 - beta2), out=v)
        update = xp.divide(xp.multiply(m, alpha), xp.add(xp.sqrt(v), group["eps"]))
        xp.subtract(param, update.astype(param.dtype, copy=False), out=param)

    def _muon(self, param, grad, state, group) -> None:
        xp, momentum = backend.namespace_of(param), group["momentum"]
        m = state["m"]._data
        xp.add(xp.multiply(m, momentum), grad, out=m)
        direction = xp.add(grad, xp.multiply(m, momentum)) if group["nesterov"] else m
        update = xp.multiply(_newton_schulz(xp, direction, group["ns_steps"], group["ns_coefficients"]), group["lr"])
        if group["rms_rate"] is not None:  # Moonlight: match AdamW's update RMS
            update = xp.multiply(update, float(max(param.shape[0], param.shape[1])) ** 0.5 * group["rms_rate"])
        xp.subtract(param, update.astype(param.dtype, copy=False), out=param)


def _newton_schulz(xp, matrix, steps: int, coefficients: tuple):
    """The quintic Newton-Schulz iteration towards the orthogonal factor of ``matrix`` (Keras's, 5 steps)."""
    a, b, c = coefficients
    tall = matrix.shape[-2] > matrix.shape[-1]
    x = xp.swapaxes(matrix, -1, -2) if tall else matrix
    x = xp.divide(x, xp.add(xp.sqrt(xp.sum(xp.multiply(x, x))), 1e-7))
    for _ in range(steps):
        gram = xp.matmul(x, xp.swapaxes(x, -1, -2))
        polynomial = xp.add(xp.multiply(gram, b), xp.multiply(xp.matmul(gram, gram), c))
        x = xp.add(xp.multiply(x, a), xp.matmul(polynomial, x))
    return xp.swapaxes(x, -1, -2) if tall else x
