"""Adadelta (Zeiler): step sizes from running averages of squared gradients and updates."""
from __future__ import annotations

from .. import backend
from .optimizer import Optimizer, check_implementation_flags
from .update_helpers import add_squared_, chunked, count_step, effective_grad, step_counter, zeros_state


class Adadelta(Optimizer):
    """PyTorch's ``torch.optim.Adadelta``: the same options, defaults and state.

    ``foreach`` and ``capturable`` are accepted and choose nothing (see
    :func:`~ember.optim.optimizer.check_implementation_flags`).

    Example:
        >>> import ember
        >>> w = ember.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = ember.optim.Adadelta([w], lr=1.0)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> sorted(opt.state[w])
        ['acc_delta', 'square_avg', 'step']
        >>> w  # the first step is about lr * sqrt(eps / (1 - rho)) per weight
        tensor([ 0.9968, -1.9968], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, foreach: bool | None = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        check_implementation_flags("Adadelta", foreach=foreach, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      capturable=capturable, foreach=foreach, differentiable=differentiable))

    def _init_state(self, param, group) -> dict:
        return {"step": step_counter(param), "square_avg": zeros_state(param._data),
                "acc_delta": zeros_state(param._data)}

    def _update(self, param, grad, state, group) -> None:
        count_step(state)
        chunked(adadelta_update, [param, grad, state["square_avg"]._data, state["acc_delta"]._data],
                lr=group["lr"], rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                maximize=group["maximize"], scratch=self._scratch)


def adadelta_update(param, grad, square_avg, acc_delta, *, lr: float, rho: float, eps: float,
                    weight_decay: float, maximize: bool, scratch) -> None:
    """One Adadelta step on arrays, in place."""
    xp = backend.namespace_of(param)
    grad = effective_grad(param, grad, weight_decay=weight_decay, maximize=maximize, scratch=scratch)
    work, delta = scratch(param, 1), scratch(param, 2)
    add_squared_(square_avg, rho, grad, 1 - rho, work)
    # delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * grad
    xp.add(acc_delta, eps, out=delta)
    xp.sqrt(delta, out=delta)
    xp.add(square_avg, eps, out=work)
    xp.sqrt(work, out=work)
    xp.divide(delta, work, out=delta)
    xp.multiply(delta, grad, out=delta)
    add_squared_(acc_delta, rho, delta, 1 - rho, work)
    xp.multiply(delta, -lr, out=delta)
    xp.add(param, delta, out=param)
