"""Adafactor (Shazeer & Stern): second moments kept as row and column factors, relative step sizes."""
from __future__ import annotations

from .. import backend
from ..tensor import Tensor
from .optimizer import Optimizer, check_implementation_flags
from .update_helpers import count_step, step_counter, zeros_state


class Adafactor(Optimizer):
    """PyTorch's ``torch.optim.Adafactor``: the same options, defaults, state and steps.

    A matrix's (or batch of matrices') squared-gradient average is kept as
    its row means and column means only (``row_var``, ``col_var``): memory
    of order rows + columns. Steps are relative to the parameter's RMS
    (at least ``eps[1]``), and clipped so the update's RMS is at most ``d``.
    ``eps[0]`` None means the dtype's machine epsilon. ``foreach`` is
    accepted and chooses nothing.

    Example:
        >>> import ember
        >>> w = ember.ones(2, 3, requires_grad=True)
        >>> opt = ember.optim.Adafactor([w], lr=0.01)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> [tuple(opt.state[w][key].shape) for key in ("row_var", "col_var")]
        [(2, 1), (1, 3)]
        >>> round(float(w[0, 0]), 4)  # moved by lr times the weights' RMS
        0.99
    """

    def __init__(self, params, lr: float = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach: bool | None = None, maximize: bool = False):
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        check_implementation_flags("Adafactor", foreach=foreach)
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=tuple(eps), d=d,
                                      weight_decay=weight_decay, foreach=foreach, maximize=maximize))

    def _init_state(self, param, group) -> dict:
        state = {"step": step_counter(param)}
        array = param._data
        if array.ndim > 1:  # factored: one value per row and one per column
            xp = backend.namespace_of(array)
            state["row_var"] = Tensor._make(xp.zeros(array.shape[:-1] + (1,), dtype=array.dtype), None, False)
            state["col_var"] = Tensor._make(xp.zeros(array.shape[:-2] + (1, array.shape[-1]), dtype=array.dtype),
                                            None, False)
        else:
            state["variance"] = zeros_state(array)
        return state

    def _update(self, param, grad, state, group) -> None:
        step = count_step(state)
        eps1, eps2 = group["eps"]
        factors = (state["row_var"]._data, state["col_var"]._data) if "row_var" in state else None
        adafactor_update(param, grad, factors, None if factors else state["variance"]._data, step=step,
                         lr=group["lr"], beta2_decay=group["beta2_decay"],
                         eps1=_machine_epsilon(param) if eps1 is None else eps1, eps2=eps2, d=group["d"],
                         weight_decay=group["weight_decay"], maximize=group["maximize"])


def adafactor_update(param, grad, factors, variance, *, step, lr: float, beta2_decay: float, eps1: float,
                     eps2: float, d: float, weight_decay: float, maximize: bool) -> None:
    """One Adafactor step on arrays, in place (``factors``: the (row, column) averages, or None)."""
    xp = backend.namespace_of(param)
    if maximize:
        grad = xp.negative(grad)
    weight = step ** beta2_decay  # this step's 1 - beta2
    # the step is relative to the weights' RMS, measured before the decay
    rms = xp.sqrt(xp.sum(xp.multiply(param, param))) / param.size ** 0.5
    alpha = xp.maximum(eps2, rms) * xp.minimum(lr, 1 / step ** 0.5)
    if weight_decay != 0:
        xp.multiply(param, 1 - lr * weight_decay, out=param)
    squared = xp.multiply(grad, grad)
    if factors is not None:
        rows, columns = factors
        # row and column mean squares, through the norm as PyTorch computes them
        _lerp_(rows, xp.sqrt(xp.sum(squared, axis=-1, keepdims=True)) ** 2 / grad.shape[-1], weight)
        _lerp_(columns, xp.sqrt(xp.sum(squared, axis=-2, keepdims=True)) ** 2 / grad.shape[-2], weight)
        estimate = xp.matmul(rows, columns)
        estimate = xp.divide(estimate, xp.maximum(xp.mean(rows, axis=-2, keepdims=True), eps1))
    else:
        _lerp_(variance, squared, weight)
        estimate = variance
    # new arrays, not out=: for a 0-d parameter these are NumPy scalars
    update = xp.multiply(xp.divide(1.0, xp.sqrt(xp.maximum(estimate, eps1 * eps1))), grad)
    # clip: the update's RMS is at most d
    clip = xp.maximum(1.0, xp.sqrt(xp.sum(xp.multiply(update, update))) / (param.size ** 0.5 * d))
    xp.add(param, xp.multiply(update, (-alpha / clip).astype(param.dtype)), out=param)


def _lerp_(average, value, weight) -> None:
    """``average`` moves toward ``value`` by ``weight`` (a 0-d array), in PyTorch's two forms of lerp.

    From ``average`` while the weight is under a half, from ``value`` after,
    which is exact at weight 1 (Adafactor's first step); the choice is an
    array operation so a compiled step makes it on every call.
    """
    xp = backend.namespace_of(average)
    difference = xp.subtract(value, average)
    near = xp.add(average, xp.multiply(difference, weight))
    far = xp.subtract(value, xp.multiply(difference, 1 - weight))
    xp.copyto(average, xp.where(xp.less(weight, 0.5), near, far))


def _machine_epsilon(array) -> float:
    import numpy
    return float(numpy.finfo(array.dtype).eps)
