"""RAdam (Liu et al.): Adam whose adaptive step is switched on as its variance becomes tractable."""
from __future__ import annotations

from .. import backend
from .adam import _check_options
from .optimizer import Optimizer, check_implementation_flags
from .update_helpers import add_squared_, chunked, count_step, effective_grad, lerp_, step_counter, zeros_state


class RAdam(Optimizer):
    """PyTorch's ``torch.optim.RAdam``: the same options, defaults and state.

    ``decoupled_weight_decay=True`` gives RAdamW. ``foreach`` and
    ``capturable`` are accepted and choose nothing (see
    :func:`~ember.optim.optimizer.check_implementation_flags`).

    Example:
        >>> import ember
        >>> w = ember.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = ember.optim.RAdam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w  # early steps are plain momentum SGD: lr * grad
        tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False):
        _check_options(lr, betas, eps, weight_decay)
        check_implementation_flags("RAdam", foreach=foreach, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      differentiable=differentiable))

    def _init_state(self, param, group) -> dict:
        return {"step": step_counter(param), "exp_avg": zeros_state(param._data),
                "exp_avg_sq": zeros_state(param._data)}

    def _update(self, param, grad, state, group) -> None:
        xp = backend.namespace_of(param)
        step = count_step(state)
        beta1, beta2 = group["betas"]
        correction1, correction2 = 1 - beta1 ** step, 1 - beta2 ** step
        # rho: the length of the approximated simple moving average; the adaptive step is
        # used once it exceeds 5, scaled by the rectification term ``rect``
        rho_inf = 2 / (1 - beta2) - 1
        rho = rho_inf - 2 * step * beta2 ** step / correction2
        ratio = (rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)
        rect = xp.sqrt(xp.maximum(ratio, 0.0))  # clipped: the value is only used where rho > 5
        chunked(radam_update, [param, grad, state["exp_avg"]._data, state["exp_avg_sq"]._data],
                adaptive=xp.greater(rho, 5.0), rect=rect.astype(param.dtype),
                correction1=correction1.astype(param.dtype),
                root_correction2=xp.sqrt(correction2).astype(param.dtype), lr=group["lr"],
                beta1=beta1, beta2=beta2, eps=group["eps"], weight_decay=group["weight_decay"],
                decoupled=group["decoupled_weight_decay"], maximize=group["maximize"],
                scratch=self._scratch)


def radam_update(param, grad, exp_avg, exp_avg_sq, *, adaptive, rect, correction1, root_correction2,
                 lr: float, beta1: float, beta2: float, eps: float, weight_decay: float, decoupled: bool,
                 maximize: bool, scratch) -> None:
    """One RAdam step on arrays, in place.

    ``adaptive`` is a 0-d boolean array (not a Python bool), so that a
    compiled step chooses between the two updates on every call.
    """
    xp = backend.namespace_of(param)
    if weight_decay != 0 and decoupled:
        xp.multiply(param, 1 - lr * weight_decay, out=param)
    grad = effective_grad(param, grad, weight_decay=0 if decoupled else weight_decay,
                          maximize=maximize, scratch=scratch)
    work, scale = scratch(param, 1), scratch(param, 2)
    lerp_(exp_avg, grad, 1 - beta1, work)
    add_squared_(exp_avg_sq, beta2, grad, 1 - beta2, work)
    # scale = sqrt(1 - beta2^t) / (sqrt(v) + eps) * rect where adaptive, else 1
    xp.sqrt(exp_avg_sq, out=scale)
    xp.add(scale, eps, out=scale)
    xp.divide(root_correction2, scale, out=scale)
    xp.multiply(scale, rect, out=scale)
    xp.copyto(scale, 1.0, where=xp.logical_not(adaptive))
    xp.divide(exp_avg, correction1, out=work)
    xp.multiply(work, lr, out=work)
    xp.multiply(work, scale, out=work)
    xp.subtract(param, work, out=param)
