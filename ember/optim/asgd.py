"""Averaged SGD (Polyak & Juditsky): SGD with a decaying step and a running average of the weights."""
from __future__ import annotations

from .. import backend
from ..tensor import Tensor
from .optimizer import Optimizer, check_implementation_flags
from .update_helpers import chunked, count_step, effective_grad, step_counter, zeros_state


class ASGD(Optimizer):
    """PyTorch's ``torch.optim.ASGD``: the same options, defaults and state.

    The averaged weights are ``state[param]['ax']``; averaging starts at
    step ``t0``. ``foreach`` and ``capturable`` are accepted and choose
    nothing (see :func:`~ember.optim.optimizer.check_implementation_flags`).

    Example:
        >>> import ember
        >>> w = ember.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = ember.optim.ASGD([w], lr=0.1, t0=0)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w, opt.state[w]["ax"]
        (tensor([ 0.8000, -1.6000], requires_grad=True), tensor([ 0.8000, -1.6000]))
    """

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0.0, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        check_implementation_flags("ASGD", foreach=foreach, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def _init_state(self, param, group) -> dict:
        # eta and mu are float32 scalars, as in PyTorch, kept beside the parameter (and step count)
        xp, scalar = backend.namespace_of(param._data), backend.float32.numpy
        return {"step": step_counter(param), "eta": Tensor._make(xp.full((), group["lr"], dtype=scalar), None, False),
                "mu": Tensor._make(xp.ones((), dtype=scalar), None, False), "ax": zeros_state(param._data)}

    def _update(self, param, grad, state, group) -> None:
        float64 = backend.float64.numpy
        step = count_step(state)
        eta, mu = state["eta"]._data, state["mu"]._data
        xp = backend.namespace_of(eta)
        eta_now = eta.astype(float64)
        lr, lambd = group["lr"], group["lambd"]
        chunked(asgd_update, [param, grad, state["ax"]._data], decay=(1 - lambd * eta_now).astype(param.dtype),
                eta=eta_now.astype(param.dtype), mu=mu.astype(param.dtype),
                weight_decay=group["weight_decay"], maximize=group["maximize"], scratch=self._scratch)
        # next step's rate and averaging weight (averaging starts once step exceeds t0); written
        # with out= ufuncs, which a trace records whether the step count is known or symbolic
        xp.divide(lr, (1 + lambd * lr * step) ** group["alpha"], out=eta)
        xp.divide(1.0, xp.maximum(step - group["t0"], 1.0), out=mu)


def asgd_update(param, grad, ax, *, decay, eta, mu, weight_decay: float, maximize: bool, scratch) -> None:
    """One ASGD step on arrays, in place: ``param = decay * param - eta * grad``, then average into ``ax``."""
    xp = backend.namespace_of(param)
    grad = effective_grad(param, grad, weight_decay=weight_decay, maximize=maximize, scratch=scratch)
    work = scratch(param, 1)
    xp.multiply(param, decay, out=param)
    xp.multiply(grad, -eta, out=work)
    xp.add(param, work, out=param)
    # ax += mu * (param - ax); while mu is 1 (before t0) ax is the weights themselves
    xp.subtract(param, ax, out=work)
    xp.multiply(work, mu, out=work)
    xp.add(ax, work, out=work)
    xp.copyto(work, param, where=xp.equal(mu, 1))
    xp.copyto(ax, work)
