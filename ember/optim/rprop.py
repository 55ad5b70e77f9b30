"""Rprop (Riedmiller & Braun): per-weight step sizes adapted from the signs of successive gradients."""
from __future__ import annotations

from .. import backend
from ..tensor import Tensor
from .optimizer import Optimizer, check_implementation_flags
from .update_helpers import chunked, count_step, step_counter, zeros_state


class Rprop(Optimizer):
    """PyTorch's ``torch.optim.Rprop``: the same options, defaults and state.

    Each weight's step grows by ``etas[1]`` while its gradient keeps its
    sign and shrinks by ``etas[0]`` when it flips (that step is skipped),
    within ``step_sizes``. ``foreach`` and ``capturable`` are accepted and
    choose nothing (see :func:`~ember.optim.optimizer.check_implementation_flags`).

    Example:
        >>> import ember
        >>> w = ember.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = ember.optim.Rprop([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w  # the first step is lr against the gradient's sign
        tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_implementation_flags("Rprop", foreach=foreach, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))

    def _init_state(self, param, group) -> dict:
        sizes = backend.namespace_of(param._data).full_like(param._data, group["lr"])
        return {"step": step_counter(param), "prev": zeros_state(param._data),
                "step_size": Tensor._make(sizes, None, False)}

    def _update(self, param, grad, state, group) -> None:
        count_step(state)
        shrink, grow = group["etas"]
        smallest, largest = group["step_sizes"]
        chunked(rprop_update, [param, grad, state["prev"]._data, state["step_size"]._data],
                shrink=shrink, grow=grow, smallest=smallest, largest=largest,
                maximize=group["maximize"], scratch=self._scratch)


def rprop_update(param, grad, prev, step_size, *, shrink: float, grow: float, smallest: float,
                 largest: float, maximize: bool, scratch) -> None:
    """One Rprop step on arrays, in place; ``prev`` keeps the gradient (zero where its sign flipped)."""
    xp = backend.namespace_of(param)
    agreement, factor = scratch(param, 1), scratch(param, 2)
    xp.multiply(grad, prev, out=agreement)
    if maximize:
        xp.negative(agreement, out=agreement)  # the effective gradient is -grad (prev already holds its like)
    flipped, kept = xp.less(agreement, 0), xp.greater(agreement, 0)
    # factor: grow where the sign was kept, shrink where it flipped, 1 where a gradient was 0
    xp.copyto(factor, 1.0, where=xp.logical_not(kept))
    xp.copyto(factor, grow, where=kept)
    xp.copyto(factor, shrink, where=flipped)
    xp.multiply(step_size, factor, out=step_size)
    xp.maximum(step_size, smallest, out=step_size)
    xp.minimum(step_size, largest, out=step_size)
    if maximize:
        xp.negative(grad, out=prev)
    else:
        xp.copyto(prev, grad)
    xp.copyto(prev, 0.0, where=flipped)  # a flipped sign skips this step and the next comparison
    xp.sign(prev, out=factor)
    xp.multiply(factor, step_size, out=factor)
    xp.subtract(param, factor, out=param)
