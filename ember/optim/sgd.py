"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from .. import backend
from .optimizer import Optimizer, check_implementation_flags
from .update_helpers import chunked, effective_grad, zeros_state


class SGD(Optimizer):
    """PyTorch's ``torch.optim.SGD``: the same options, defaults and state.

    ``foreach`` and ``fused`` are accepted and choose nothing (see
    :func:`~ember.optim.optimizer.check_implementation_flags`).

    Example:
        >>> import ember
        >>> w = ember.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([0.8000, 1.6000], requires_grad=True)
    """

    supports_complex = True  # every step is linear in the gradient

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        check_implementation_flags("SGD", foreach=foreach, fused=fused, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                                      foreach=foreach, differentiable=differentiable, fused=fused))

    def _init_state(self, param, group) -> dict:
        return {}  # the momentum buffer is created from the first gradient, as in PyTorch

    def _update(self, param, grad, state, group) -> None:
        buffer, first = None, False
        if group["momentum"] != 0:
            if "momentum_buffer" not in state:
                state["momentum_buffer"], first = zeros_state(param), True
            buffer = state["momentum_buffer"]._data
        chunked(sgd_update, [param, grad, buffer], first_step=first, lr=group["lr"],
                momentum=group["momentum"], dampening=group["dampening"], nesterov=group["nesterov"],
                weight_decay=group["weight_decay"], maximize=group["maximize"], scratch=self._scratch)


def sgd_update(param, grad, momentum_buffer, *, first_step: bool, lr: float, momentum: float,
               dampening: float, nesterov: bool, weight_decay: float, maximize: bool, scratch) -> None:
    """One SGD step on arrays, in place; on the first step the buffer takes the gradient itself."""
    xp = backend.namespace_of(param)
    grad = effective_grad(param, grad, weight_decay=weight_decay, maximize=maximize, scratch=scratch)
    if momentum_buffer is not None:
        if first_step:
            xp.copyto(momentum_buffer, grad)
        else:
            xp.multiply(momentum_buffer, momentum, out=momentum_buffer)
            if dampening == 0:
                xp.add(momentum_buffer, grad, out=momentum_buffer)
            else:
                term = scratch(param, 1)
                xp.multiply(grad, 1 - dampening, out=term)
                xp.add(momentum_buffer, term, out=momentum_buffer)
        if nesterov:
            direction = scratch(param, 1)
            xp.multiply(momentum_buffer, momentum, out=direction)
            xp.add(grad, direction, out=direction)
            grad = direction
        else:
            grad = momentum_buffer
    step = scratch(param, 0)  # may be ``grad`` itself: an elementwise write in place is safe
    xp.multiply(grad, -lr, out=step)
    xp.add(param, step, out=param)
