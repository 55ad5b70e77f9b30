"""NAdam (Dozat): Adam with Nesterov momentum and a warming-up momentum schedule."""
from __future__ import annotations

from .. import backend
from ..tensor import Tensor
from .adam import _check_options
from .optimizer import Optimizer, check_implementation_flags
from .update_helpers import add_squared_, chunked, count_step, effective_grad, lerp_, step_counter, zeros_state


class NAdam(Optimizer):
    """PyTorch's ``torch.optim.NAdam``: the same options, defaults and state.

    ``decoupled_weight_decay=True`` gives NAdamW (the decay scales the
    weights instead of joining the gradient). ``foreach`` and ``capturable``
    are accepted and choose nothing (see
    :func:`~ember.optim.optimizer.check_implementation_flags`).

    Example:
        >>> import ember
        >>> w = ember.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = ember.optim.NAdam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> sorted(opt.state[w])
        ['exp_avg', 'exp_avg_sq', 'mu_product', 'step']
        >>> w
        tensor([ 0.8944, -1.8944], requires_grad=True)
    """

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False):
        _check_options(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        check_implementation_flags("NAdam", foreach=foreach, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                                      foreach=foreach, capturable=capturable, differentiable=differentiable))

    def _init_state(self, param, group) -> dict:
        mu_product = backend.namespace_of(param._data).ones((), dtype=backend.float32.numpy)  # float32, as PyTorch keeps it
        return {"step": step_counter(param), "mu_product": Tensor._make(mu_product, None, False),
                "exp_avg": zeros_state(param._data), "exp_avg_sq": zeros_state(param._data)}

    def _update(self, param, grad, state, group) -> None:
        step = count_step(state)
        beta1, beta2 = group["betas"]
        decay = group["momentum_decay"]
        # the momentum schedule mu_t and the running product of the mu's, on 0-d arrays
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
        product = state["mu_product"]._data
        product *= mu
        product = product.astype(backend.float64.numpy)
        lr, dtype = group["lr"], param.dtype
        chunked(nadam_update, [param, grad, state["exp_avg"]._data, state["exp_avg_sq"]._data],
                correction2=1 - beta2 ** step, grad_scale=(-lr * (1.0 - mu) / (1.0 - product)).astype(dtype),
                momentum_scale=(-lr * mu_next / (1.0 - product * mu_next)).astype(dtype),
                lr=lr, beta1=beta1, beta2=beta2, eps=group["eps"], weight_decay=group["weight_decay"],
                decoupled=group["decoupled_weight_decay"], maximize=group["maximize"], scratch=self._scratch)


def nadam_update(param, grad, exp_avg, exp_avg_sq, *, correction2, grad_scale, momentum_scale, lr: float,
                 beta1: float, beta2: float, eps: float, weight_decay: float, decoupled: bool,
                 maximize: bool, scratch) -> None:
    """One NAdam step on arrays, in place.

    ``param += grad_scale * grad / denom + momentum_scale * exp_avg / denom``
    with ``denom = sqrt(exp_avg_sq / correction2) + eps``: the gradient's
    share and the momentum's share of the Nesterov look-ahead.
    """
    xp = backend.namespace_of(param)
    if weight_decay != 0 and decoupled:
        xp.multiply(param, 1 - lr * weight_decay, out=param)
    grad = effective_grad(param, grad, weight_decay=0 if decoupled else weight_decay,
                          maximize=maximize, scratch=scratch)
    work, denom = scratch(param, 1), scratch(param, 2)
    lerp_(exp_avg, grad, 1 - beta1, work)
    add_squared_(exp_avg_sq, beta2, grad, 1 - beta2, work)
    xp.divide(exp_avg_sq, correction2, out=denom)
    xp.sqrt(denom, out=denom)
    xp.add(denom, eps, out=denom)
    xp.divide(grad, denom, out=work)
    xp.multiply(work, grad_scale, out=work)
    xp.add(param, work, out=param)
    xp.divide(exp_avg, denom, out=work)
    xp.multiply(work, momentum_scale, out=work)
    xp.add(param, work, out=param)
