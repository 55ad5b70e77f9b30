"""Adamax (Kingma & Ba): Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

from .. import backend
from .adam import _check_options
from .optimizer import Optimizer, check_implementation_flags
from .update_helpers import chunked, count_step, effective_grad, lerp_, step_counter, zeros_state


class Adamax(Optimizer):
    """PyTorch's ``torch.optim.Adamax``: the same options, defaults and state.

    ``foreach`` and ``capturable`` are accepted and choose nothing (see
    :func:`~ember.optim.optimizer.check_implementation_flags`).

    Example:
        >>> import ember
        >>> w = ember.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = ember.optim.Adamax([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w  # the first step moves each weight by lr
        tensor([ 0.9000, -1.9000], requires_grad=True)
        >>> sorted(opt.state[w])
        ['exp_avg', 'exp_inf', 'step']
    """

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False):
        _check_options(lr, betas, eps, weight_decay)
        check_implementation_flags("Adamax", foreach=foreach, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def _init_state(self, param, group) -> dict:
        return {"step": step_counter(param), "exp_avg": zeros_state(param._data),
                "exp_inf": zeros_state(param._data)}

    def _update(self, param, grad, state, group) -> None:
        step = count_step(state)
        beta1, beta2 = group["betas"]
        chunked(adamax_update, [param, grad, state["exp_avg"]._data, state["exp_inf"]._data],
                step=step, lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                weight_decay=group["weight_decay"], maximize=group["maximize"], scratch=self._scratch)


def adamax_update(param, grad, exp_avg, exp_inf, *, step, lr: float, beta1: float, beta2: float,
                  eps: float, weight_decay: float, maximize: bool, scratch) -> None:
    """One Adamax step on arrays, in place (``step`` is this step's count, a 0-d array)."""
    xp = backend.namespace_of(param)
    grad = effective_grad(param, grad, weight_decay=weight_decay, maximize=maximize, scratch=scratch)
    work = scratch(param, 1)
    lerp_(exp_avg, grad, 1 - beta1, work)
    # exp_inf = max(beta2 * exp_inf, |grad| + eps): eps inside, so it is never zero
    xp.absolute(grad, out=work)
    xp.add(work, eps, out=work)
    xp.multiply(exp_inf, beta2, out=exp_inf)
    xp.maximum(exp_inf, work, out=exp_inf)
    step_size = (-lr / (1 - beta1 ** step)).astype(param.dtype)
    xp.divide(exp_avg, exp_inf, out=work)
    xp.multiply(work, step_size, out=work)
    xp.add(param, work, out=param)
