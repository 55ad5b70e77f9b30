"""Keras's update rules, as ``ember.optim`` optimizers.

Each is an :class:`ember.optim.Optimizer` (parameter groups, per-parameter
state, one update function), so it runs, saves and compiles like any Ember
optimizer. They are Keras's own formulas because none matches PyTorch's
exactly:

- SGD with momentum: Keras keeps ``m = momentum m - lr g`` and adds it;
  PyTorch keeps ``b = momentum b + g`` and subtracts ``lr b`` (the same only
  while the learning rate is constant).
- Adam: Keras adds epsilon to ``sqrt(v)`` *before* the bias correction
  (``param -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)``),
  PyTorch after it.
- RMSprop: Keras divides by ``sqrt(v + epsilon)``; PyTorch by ``sqrt(v) + epsilon``.
- Adagrad: the same difference (``sqrt(sum + epsilon)``).

Example:
    >>> import ember
    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = KerasRMSprop([w], lr=0.1, rho=0.9, eps=1e-7)
    >>> (w * w).sum().backward(); opt.step()
    >>> round(float(w.detach()), 4)  # 1 - 0.1 * 2 / sqrt(0.1 * 4)
    0.6838
"""
from __future__ import annotations

from ember import backend
from ember.optim import Optimizer
from ember.tensor import Tensor


def _zeros_like(array, fill: float = 0.0) -> Tensor:
    return Tensor._make(backend.namespace_of(array).full_like(array, fill), None, False)


class KerasSGD(Optimizer):
    """``param -= lr g``, or with momentum ``m = momentum m - lr g; param += m`` (Nesterov: ``momentum m - lr g``)."""

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov))

    def _init_state(self, param, group) -> dict:
        return {"momentum": _zeros_like(param._data)} if group["momentum"] else {}

    def _update(self, param, grad, state, group, *rest) -> None:
        xp, momentum = backend.namespace_of(param), group["momentum"]
        step = xp.multiply(grad, group["lr"])
        if not momentum:
            xp.subtract(param, step, out=param)
            return
        velocity = state["momentum"]._data
        xp.multiply(velocity, momentum, out=velocity)
        xp.subtract(velocity, step, out=velocity)
        if group["nesterov"]:
            xp.add(param, xp.subtract(xp.multiply(velocity, momentum), step), out=param)
        else:
            xp.add(param, velocity, out=param)


class KerasAdam(Optimizer):
    """Adam as Keras computes it (moments ``m``, ``v``; optional AMSGrad maximum ``v_hat``)."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-7,
                 amsgrad: bool = False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, amsgrad=amsgrad))

    def _init_state(self, param, group) -> dict:
        state = {"step": Tensor._make(backend.namespace_of(param._data).zeros((), dtype="float64"), None, False),
                 "m": _zeros_like(param._data), "v": _zeros_like(param._data)}
        if group["amsgrad"]:
            state["v_hat"] = _zeros_like(param._data)
        return state

    def _update(self, param, grad, state, group, *rest) -> None:
        xp, (beta1, beta2) = backend.namespace_of(param), group["betas"]
        step = state["step"]._data
        xp.add(step, 1.0, out=step)  # an array, not a float: inside ember.function it is symbolic
        alpha = xp.divide(xp.multiply(xp.sqrt(xp.subtract(1.0, xp.power(beta2, step))), group["lr"]),
                          xp.subtract(1.0, xp.power(beta1, step)))
        m, v = state["m"]._data, state["v"]._data
        _blend(m, beta1, grad)
        _blend(v, beta2, xp.multiply(grad, grad))
        if group["amsgrad"]:
            v = xp.maximum(state["v_hat"]._data, v, out=state["v_hat"]._data)
        update = xp.divide(xp.multiply(m, alpha), xp.add(xp.sqrt(v), group["eps"]))
        xp.subtract(param, update.astype(param.dtype, copy=False), out=param)


class KerasRMSprop(Optimizer):
    """``v = rho v + (1 - rho) g²``; ``param -= lr g / sqrt(v + eps)`` (with optional momentum, centering)."""

    def __init__(self, params, lr: float = 1e-3, rho: float = 0.9, eps: float = 1e-7,
                 momentum: float = 0.0, centered: bool = False):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, momentum=momentum, centered=centered))

    def _init_state(self, param, group) -> dict:
        state = {"velocity": _zeros_like(param._data)}
        if group["momentum"] > 0:
            state["momentum"] = _zeros_like(param._data)
        if group["centered"]:
            state["average_gradient"] = _zeros_like(param._data)
        return state

    # In-place writes go through ufuncs' ``out=`` (what ember.function traces), never ``a[...] =``.
    def _update(self, param, grad, state, group, *rest) -> None:
        xp, rho = backend.namespace_of(param), group["rho"]
        velocity = state["velocity"]._data
        _blend(velocity, rho, xp.multiply(grad, grad))
        denominator = xp.add(velocity, group["eps"])
        if group["centered"]:
            average = state["average_gradient"]._data
            _blend(average, rho, grad)
            denominator = xp.subtract(denominator, xp.multiply(average, average))
        increment = xp.divide(xp.multiply(grad, group["lr"]), xp.sqrt(denominator))
        if group["momentum"] > 0:
            momentum = state["momentum"]._data
            xp.multiply(momentum, group["momentum"], out=momentum)
            xp.add(momentum, increment, out=momentum)
            increment = momentum
        xp.subtract(param, increment, out=param)


def _blend(average, decay: float, value) -> None:
    """``average = decay * average + (1 - decay) * value``, in place."""
    xp = backend.namespace_of(average)
    xp.multiply(average, decay, out=average)
    xp.add(average, xp.multiply(value, 1.0 - decay), out=average)


class KerasAdagrad(Optimizer):
    """``sum += g²``; ``param -= lr g / sqrt(sum + eps)``, the sum starting at ``initial_accumulator_value``."""

    def __init__(self, params, lr: float = 1e-3, initial_accumulator_value: float = 0.1, eps: float = 1e-7):
        super().__init__(params, dict(lr=lr, initial_accumulator_value=initial_accumulator_value, eps=eps))

    def _init_state(self, param, group) -> dict:
        return {"accumulator": _zeros_like(param._data, group["initial_accumulator_value"])}

    def _update(self, param, grad, state, group, *rest) -> None:
        xp = backend.namespace_of(param)
        accumulator = state["accumulator"]._data
        xp.add(accumulator, xp.multiply(grad, grad), out=accumulator)
        step = xp.divide(xp.multiply(grad, group["lr"]), xp.sqrt(xp.add(accumulator, group["eps"])))
        xp.subtract(param, step, out=param)
