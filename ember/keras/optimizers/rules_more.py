"""More of Keras's update rules as ``ember.optim`` optimizers: Adadelta, Adamax, Nadam, Lion, Ftrl.

Each is Keras's formula (``keras/src/optimizers/<name>.py``), written with the
backend namespace's ufuncs and ``out=`` so that ``ember.function`` traces the
in-place updates (see :mod:`.rules`). Step counts are per-parameter arrays,
as in :class:`~.rules.KerasAdam`.

Example:
    >>> import ember
    >>> w = ember.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = KerasLion([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> w.detach().tolist()  # lr * sign(gradient) removed
    [0.8999999761581421, -0.8999999761581421]
"""
from __future__ import annotations

from ember import backend
from ember.optim import Optimizer
from ember.tensor import Tensor

from .rules import _blend, _zeros_like


def _counter(param) -> Tensor:
    return Tensor._make(backend.namespace_of(param._data).zeros((), dtype="float64"), None, False)


class KerasAdadelta(Optimizer):
    """``E[g²]`` and ``E[Δ²]`` running averages; ``Δ = -sqrt(E[Δ²] + eps) / sqrt(E[g²] + eps) · g``."""

    def __init__(self, params, lr: float = 1e-3, rho: float = 0.95, eps: float = 1e-7):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps))

    def _init_state(self, param, group) -> dict:
        return {"accumulated_grad": _zeros_like(param._data), "accumulated_delta_var": _zeros_like(param._data)}

    def _update(self, param, grad, state, group, *rest) -> None:
        xp, rho, eps = backend.namespace_of(param), group["rho"], group["eps"]
        accumulated_grad, accumulated_delta = state["accumulated_grad"]._data, state["accumulated_delta_var"]._data
        _blend(accumulated_grad, rho, xp.multiply(grad, grad))
        delta = xp.divide(xp.multiply(xp.sqrt(xp.add(accumulated_delta, eps)), grad),
                          xp.sqrt(xp.add(accumulated_grad, eps)))  # the step is minus this
        _blend(accumulated_delta, rho, xp.multiply(delta, delta))
        xp.subtract(param, xp.multiply(delta, group["lr"]), out=param)


class KerasAdamax(Optimizer):
    """``m`` averages gradients, ``u = max(beta2 u, |g|)``; ``param -= lr m / ((1 - beta1^t)(u + eps))``."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-7):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps))

    def _init_state(self, param, group) -> dict:
        return {"step": _counter(param), "m": _zeros_like(param._data), "u": _zeros_like(param._data)}

    def _update(self, param, grad, state, group, *rest) -> None:
        xp, (beta1, beta2) = backend.namespace_of(param), group["betas"]
        step, m, u = state["step"]._data, state["m"]._data, state["u"]._data
        xp.add(step, 1.0, out=step)
        _blend(m, beta1, grad)
        xp.maximum(xp.multiply(u, beta2), xp.abs(grad), out=u)
        denominator = xp.multiply(xp.subtract(1.0, xp.power(beta1, step)), xp.add(u, group["eps"]))
        update = xp.divide(xp.multiply(m, group["lr"]), denominator)
        xp.subtract(param, update.astype(param.dtype, copy=False), out=param)


class KerasNadam(Optimizer):
    """Adam with Nesterov momentum and Keras's momentum schedule ``beta1 (1 - 0.5 · 0.96^t)``."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-7):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps))

    def _init_state(self, param, group) -> dict:
        u_product = Tensor._make(backend.namespace_of(param._data).ones((), dtype="float64"), None, False)
        return {"step": _counter(param), "u_product": u_product, "m": _zeros_like(param._data),
                "v": _zeros_like(param._data)}

    def _update(self, param, grad, state, group, *rest) -> None:
        xp, (beta1, beta2) = backend.namespace_of(param), group["betas"]
        step, u_product = state["step"]._data, state["u_product"]._data
        xp.add(step, 1.0, out=step)
        u_t = xp.multiply(beta1, xp.subtract(1.0, xp.multiply(0.5, xp.power(0.96, step))))
        u_next = xp.multiply(beta1, xp.subtract(1.0, xp.multiply(0.5, xp.power(0.96, xp.add(step, 1.0)))))
        xp.multiply(u_product, u_t, out=u_product)
        u_product_next = xp.multiply(u_product, u_next)
        m, v = state["m"]._data, state["v"]._data
        _blend(m, beta1, grad)
        _blend(v, beta2, xp.multiply(grad, grad))
        m_hat = xp.add(xp.divide(xp.multiply(u_next, m), xp.subtract(1.0, u_product_next)),
                       xp.divide(xp.multiply(xp.subtract(1.0, u_t), grad), xp.subtract(1.0, u_product)))
        v_hat = xp.divide(v, xp.subtract(1.0, xp.power(beta2, step)))
        update = xp.divide(xp.multiply(m_hat, group["lr"]), xp.add(xp.sqrt(v_hat), group["eps"]))
        xp.subtract(param, update.astype(param.dtype, copy=False), out=param)


class KerasLion(Optimizer):
    """``param -= lr · sign(beta1 m + (1 - beta1) g)``, then ``m = beta2 m + (1 - beta2) g``."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.99)):
        super().__init__(params, dict(lr=lr, betas=tuple(betas)))

    def _init_state(self, param, group) -> dict:
        return {"m": _zeros_like(param._data)}

    def _update(self, param, grad, state, group, *rest) -> None:
        xp, (beta1, beta2) = backend.namespace_of(param), group["betas"]
        m = state["m"]._data
        direction = xp.sign(xp.add(xp.multiply(m, beta1), xp.multiply(grad, 1.0 - beta1)))
        xp.subtract(param, xp.multiply(direction, group["lr"]), out=param)
        _blend(m, beta2, grad)


class KerasFtrl(Optimizer):
    """Follow-the-regularized-leader (McMahan et al.), with Keras's L1/L2/shrinkage options."""

    def __init__(self, params, lr: float = 1e-3, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1, l1: float = 0.0, l2: float = 0.0,
                 l2_shrinkage: float = 0.0, beta: float = 0.0):
        super().__init__(params, dict(lr=lr, learning_rate_power=learning_rate_power,
                                      initial_accumulator_value=initial_accumulator_value, l1=l1, l2=l2,
                                      l2_shrinkage=l2_shrinkage, beta=beta))

    def _init_state(self, param, group) -> dict:
        return {"accumulator": _zeros_like(param._data, group["initial_accumulator_value"]),
                "linear": _zeros_like(param._data)}

    def _update(self, param, grad, state, group, *rest) -> None:
        xp, lr, power = backend.namespace_of(param), group["lr"], -group["learning_rate_power"]
        accumulator, linear = state["accumulator"]._data, state["linear"]._data
        l2 = group["l2"] + group["beta"] / (2.0 * lr)
        shrunk_grad = xp.add(grad, xp.multiply(param, 2.0 * group["l2_shrinkage"]))
        new_accumulator = xp.add(accumulator, xp.multiply(grad, grad))
        sigma = xp.divide(xp.subtract(xp.power(new_accumulator, power), xp.power(accumulator, power)), lr)
        xp.add(linear, xp.subtract(shrunk_grad, xp.multiply(sigma, param)), out=linear)
        quadratic = xp.add(xp.divide(xp.power(new_accumulator, power), lr), 2.0 * l2)
        clipped = xp.minimum(xp.maximum(linear, -group["l1"]), group["l1"])
        xp.divide(xp.subtract(clipped, linear), quadratic, out=param)
        xp.add(accumulator, xp.multiply(grad, grad), out=accumulator)
