"""Adam (Kingma & Ba), with AMSGrad, L2 or decoupled weight decay, and maximize."""
from __future__ import annotations

import numpy

from .. import backend
from .optimizer import Optimizer, check_implementation_flags
from .update_helpers import (add_squared_, chunked, count_step, effective_grad, lerp_, step_counter, update_together,
                             zeros_state)

# Parameters of up to this many elements are updated together (``Adam._update_group``).
BATCHED = 1 << 12


class Adam(Optimizer):
    """PyTorch's ``torch.optim.Adam``: the same options, defaults and state.

    ``foreach``, ``fused`` and ``capturable`` are accepted and choose nothing
    (see :func:`~ember.optim.optimizer.check_implementation_flags`).

    Example:
        >>> import ember
        >>> w = ember.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = ember.optim.Adam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w  # the first Adam step moves each weight by about lr
        tensor([0.9000, 1.9000], requires_grad=True)
        >>> sorted(opt.state[w])
        ['exp_avg', 'exp_avg_sq', 'step']
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False):
        _check_options(lr, betas, eps, weight_decay)
        check_implementation_flags(type(self).__name__, foreach=foreach, fused=fused,
                                   differentiable=differentiable)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable, fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _init_state(self, param, group) -> dict:
        state = {"step": step_counter(param), "exp_avg": zeros_state(param._data),
                 "exp_avg_sq": zeros_state(param._data)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_state(param._data)
        return state

    def _update(self, param, grad, state, group) -> None:
        chunked(adam_update, _arrays(param, grad, state, group), **self._options(param, count_step(state), group))

    def _update_group(self, group: dict, several_gpus: bool) -> None:
        """Small host parameters of one dtype and step count are updated in one call.

        See :func:`~ember.optim.update_helpers.update_together`; the rest (large,
        traced or GPU parameters) take the per-parameter path.
        """
        batches: dict[tuple, list] = {}
        for param in group["params"]:
            grad = param.grad
            if grad is None:
                continue
            data = param._data
            if several_gpus or data.size > BATCHED or type(data) is not numpy.ndarray \
                    or type(grad._data) is not numpy.ndarray:
                self._update_param(param, group, several_gpus)
                continue
            state = self._state_of(param, group)
            step = float(count_step(state))
            batches.setdefault((data.dtype, step), []).append((param, grad._data, state))
        for (_, step), members in batches.items():
            rows = [_arrays(param._data, grad, state, group) for param, grad, state in members]
            options = self._options(rows[0][0], step, group)
            if len(rows) == 1:
                adam_update(*rows[0], **options)
            else:
                update_together(adam_update, rows, **options)
            for param, _, _ in members:
                param._shared_version().value += 1  # saved-tensor checks see the write

    def _options(self, param, step, group) -> dict:
        """:func:`adam_update`'s options for this step of ``group``'s parameter ``param``."""
        beta1, beta2 = group["betas"]
        step_size, eps = adam_scalars(param, step, lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"])
        return dict(step_size=step_size, eps=eps, lr=group["lr"], beta1=beta1, beta2=beta2,
                    weight_decay=group["weight_decay"], decoupled=group["decoupled_weight_decay"],
                    maximize=group["maximize"], scratch=self._scratch)


def _arrays(param, grad, state, group) -> list:
    """The arrays :func:`adam_update` takes, in order (``None`` for AMSGrad's maximum without it)."""
    maximum = state["max_exp_avg_sq"]._data if group["amsgrad"] else None
    return [param, grad, state["exp_avg"]._data, state["exp_avg_sq"]._data, maximum]


class AdamW(Adam):
    """PyTorch's ``torch.optim.AdamW``: Adam with decoupled weight decay (default 1e-2).

    Example:
        >>> import ember
        >>> w = ember.tensor([1.0], requires_grad=True)
        >>> ember.optim.AdamW([w]).param_groups[0]["weight_decay"]
        0.01
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         foreach=foreach, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)


def adam_scalars(param, step, *, lr: float, beta1: float, beta2: float, eps: float):
    """This step's ``(step_size, eps)`` for :func:`adam_update`, in the parameter's dtype.

    PyTorch's update is ``param -= lr / (1 - beta1^t) * m / (sqrt(v) / c + eps)``
    with ``c = sqrt(1 - beta2^t)``. Multiplying through by ``c`` gives
    ``param += step_size * m / (sqrt(v) + eps * c)`` with ``step_size =
    -lr c / (1 - beta1^t)``: the same value, one pass over the arrays fewer
    (no division by ``c``). Worked out once per parameter (not per cache-sized
    piece) in float64. A host step count is read as a Python float (the 0-d
    array arithmetic cost 6 us a parameter, most of a small one's step); a
    traced or device count stays an array, so a traced step reads the live
    counter. Either way cast to the parameter's dtype so that every pass over
    the full-size arrays stays in one dtype.
    """
    if isinstance(step, numpy.ndarray):
        step = float(step)
    correction2 = (1 - beta2 ** step) ** 0.5
    step_size = -lr * correction2 / (1 - beta1 ** step)
    return _in_dtype(step_size, param.dtype), _in_dtype(eps * correction2, param.dtype)


def _in_dtype(value, dtype):
    """A float or a 0-d array as a value of ``dtype`` (a NumPy scalar for a float)."""
    return dtype.type(value) if isinstance(value, float) else value.astype(dtype)


def adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, *, step_size, eps, lr: float,
                beta1: float, beta2: float, weight_decay: float, decoupled: bool,
                maximize: bool, scratch) -> None:
    """One Adam/AdamW step on arrays, in place (``max_exp_avg_sq`` is None without AMSGrad).

    ``step_size`` and ``eps`` come from :func:`adam_scalars`. Twelve passes
    over the arrays (three for the first moment, four for the second, five
    for the step), each an in-place NumPy call into the scratch buffer.
    """
    xp = backend.namespace_of(param)
    if weight_decay != 0 and decoupled:
        xp.multiply(param, 1 - lr * weight_decay, out=param)
    grad = effective_grad(param, grad, weight_decay=0 if decoupled else weight_decay,
                          maximize=maximize, scratch=scratch)
    work = scratch(param, 1)
    lerp_(exp_avg, grad, 1 - beta1, work)
    add_squared_(exp_avg_sq, beta2, grad, 1 - beta2, work)
    second_moment = exp_avg_sq
    if max_exp_avg_sq is not None:
        xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        second_moment = max_exp_avg_sq
    xp.sqrt(second_moment, out=work)
    xp.add(work, eps, out=work)
    xp.divide(exp_avg, work, out=work)
    xp.multiply(work, step_size, out=work)
    xp.add(param, work, out=param)


def _check_options(lr, betas, eps, weight_decay) -> None:
    if lr < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if eps < 0.0:
        raise ValueError(f"Invalid epsilon value: {eps}")
    for number, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {number}: {beta}")
    if weight_decay < 0.0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
