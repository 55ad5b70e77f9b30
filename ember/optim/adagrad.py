"""Adagrad (Duchi et al.), with learning-rate decay and an initial accumulator value."""
from __future__ import annotations

from .. import backend
from ..tensor import Tensor
from .optimizer import Optimizer, check_implementation_flags
from .update_helpers import chunked, count_step, effective_grad, step_counter


class Adagrad(Optimizer):
    """PyTorch's ``torch.optim.Adagrad``: the same options, defaults and state.

    ``foreach`` and ``fused`` are accepted and choose nothing (see
    :func:`~ember.optim.optimizer.check_implementation_flags`).

    Example:
        >>> import ember
        >>> w = ember.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = ember.optim.Adagrad([w], lr=0.5)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w  # the first step moves each weight by lr (up to eps)
        tensor([0.5000, 1.5000], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10,
                 foreach: bool | None = None, *, maximize: bool = False, differentiable: bool = False,
                 fused: bool | None = None):
        for name, value in (("learning rate", lr), ("lr_decay value", lr_decay),
                            ("weight_decay value", weight_decay), ("epsilon value", eps),
                            ("initial_accumulator_value", initial_accumulator_value)):
            if value < 0.0:
                raise ValueError(f"Invalid {name}: {value}")
        check_implementation_flags("Adagrad", foreach=foreach, fused=fused, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      foreach=foreach, maximize=maximize, differentiable=differentiable,
                                      fused=fused))

    def _init_state(self, param, group) -> dict:
        total = backend.namespace_of(param._data).full_like(param._data, group["initial_accumulator_value"])
        return {"step": step_counter(param), "sum": Tensor._make(total, None, False)}

    def _update(self, param, grad, state, group) -> None:
        step = count_step(state)
        chunked(adagrad_update, [param, grad, state["sum"]._data],
                step_size=group["lr"] / (1 + (step - 1) * group["lr_decay"]), eps=group["eps"],
                weight_decay=group["weight_decay"], maximize=group["maximize"], scratch=self._scratch)


def adagrad_update(param, grad, state_sum, *, step_size: float, eps: float, weight_decay: float,
                   maximize: bool, scratch) -> None:
    """One Adagrad step on arrays, in place, with this step's (decayed) learning rate."""
    xp = backend.namespace_of(param)
    grad = effective_grad(param, grad, weight_decay=weight_decay, maximize=maximize, scratch=scratch)
    work = scratch(param, 1)
    xp.multiply(grad, grad, out=work)
    xp.add(state_sum, work, out=state_sum)
    xp.sqrt(state_sum, out=work)
    xp.add(work, eps, out=work)
    xp.divide(grad, work, out=work)
    xp.multiply(work, -step_size, out=work)
    xp.add(param, work, out=param)
