"""RMSprop (Hinton), optionally centered and with momentum."""
from __future__ import annotations

from .. import backend
from .optimizer import Optimizer, check_implementation_flags
from .update_helpers import add_squared_, chunked, count_step, effective_grad, lerp_, step_counter, zeros_state


class RMSprop(Optimizer):
    """PyTorch's ``torch.optim.RMSprop``: the same options, defaults and state.

    ``foreach`` and ``capturable`` are accepted and choose nothing (see
    :func:`~ember.optim.optimizer.check_implementation_flags`).

    Example:
        >>> import ember
        >>> w = ember.tensor([1.0], requires_grad=True)
        >>> opt = ember.optim.RMSprop([w], lr=0.01, centered=True, momentum=0.9)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> sorted(opt.state[w])
        ['grad_avg', 'momentum_buffer', 'square_avg', 'step']
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False):
        for name, value in (("learning rate", lr), ("epsilon value", eps), ("momentum value", momentum),
                            ("weight_decay value", weight_decay), ("alpha value", alpha)):
            if value < 0.0:
                raise ValueError(f"Invalid {name}: {value}")
        check_implementation_flags("RMSprop", foreach=foreach, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                                      weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    def _init_state(self, param, group) -> dict:
        state = {"step": step_counter(param), "square_avg": zeros_state(param._data)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_state(param._data)
        if group["centered"]:
            state["grad_avg"] = zeros_state(param._data)
        return state

    def _update(self, param, grad, state, group) -> None:
        count_step(state)
        buffer = state["momentum_buffer"]._data if group["momentum"] > 0 else None
        grad_avg = state["grad_avg"]._data if group["centered"] else None
        chunked(rmsprop_update, [param, grad, state["square_avg"]._data, buffer, grad_avg],
                lr=group["lr"], alpha=group["alpha"], eps=group["eps"], momentum=group["momentum"],
                weight_decay=group["weight_decay"], maximize=group["maximize"], scratch=self._scratch)


def rmsprop_update(param, grad, square_avg, momentum_buffer, grad_avg, *, lr: float, alpha: float,
                   eps: float, momentum: float, weight_decay: float, maximize: bool, scratch) -> None:
    """One RMSprop step on arrays, in place (centered when ``grad_avg`` is given)."""
    xp = backend.namespace_of(param)
    grad = effective_grad(param, grad, weight_decay=weight_decay, maximize=maximize, scratch=scratch)
    average = scratch(param, 1)
    add_squared_(square_avg, alpha, grad, 1 - alpha, average)
    if grad_avg is not None:
        lerp_(grad_avg, grad, 1 - alpha, average)
        xp.multiply(grad_avg, grad_avg, out=average)
        xp.subtract(square_avg, average, out=average)
        xp.sqrt(average, out=average)
    else:
        xp.sqrt(square_avg, out=average)
    xp.add(average, eps, out=average)
    xp.divide(grad, average, out=average)
    if momentum_buffer is not None:
        xp.multiply(momentum_buffer, momentum, out=momentum_buffer)
        xp.add(momentum_buffer, average, out=momentum_buffer)
        xp.multiply(momentum_buffer, -lr, out=average)
    else:
        xp.multiply(average, -lr, out=average)
    xp.add(param, average, out=param)
