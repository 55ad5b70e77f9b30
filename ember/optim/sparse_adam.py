"""SparseAdam: Adam that updates only the entries a gradient touches (embedding tables)."""
from __future__ import annotations

from .. import backend
from .optimizer import Optimizer
from .update_helpers import chunked, count_step, step_counter, zeros_state


class SparseAdam(Optimizer):
    """PyTorch's ``torch.optim.SparseAdam``, on Ember's dense gradients.

    PyTorch feeds it sparse gradients (``nn.Embedding(sparse=True)``) and
    updates the moments and weights only at their entries, which its
    documentation defines as the entries whose gradient is non-zero. Ember
    has no sparse tensors (``Embedding(sparse=True)`` gives a dense
    gradient), so this takes dense gradients and masks by their non-zero
    entries: rows an embedding lookup didn't touch keep their weights and
    moments, as in PyTorch. The one difference: a touched entry whose
    gradient is exactly zero is left alone here, while PyTorch would still
    decay its moments. Epsilon is added before the bias correction, as in
    PyTorch's SparseAdam (unlike its Adam).

    Example:
        >>> import ember
        >>> table = ember.nn.Embedding(4, 2)
        >>> opt = ember.optim.SparseAdam(table.parameters(), lr=0.1)
        >>> before = table.weight.detach().numpy().copy()
        >>> table(ember.tensor([1, 3])).sum().backward()
        >>> opt.step()
        >>> (table.weight.detach().numpy() != before).any(axis=1).tolist()  # only rows 1 and 3 moved
        [False, True, False, True]
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, maximize: bool = False):
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for number, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {number}: {beta}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, maximize=maximize))

    def _init_state(self, param, group) -> dict:
        # PyTorch counts steps in a Python int; a 0-d array lets a compiled step read it live
        return {"step": step_counter(param), "exp_avg": zeros_state(param._data),
                "exp_avg_sq": zeros_state(param._data)}

    def _update(self, param, grad, state, group) -> None:
        if isinstance(state["step"], int):  # loaded from a PyTorch state dict
            counter = step_counter(param)
            counter._data[...] = state["step"]
            state["step"] = counter
        step = count_step(state)
        beta1, beta2 = group["betas"]
        step_size = group["lr"] * backend.namespace_of(step).sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
        chunked(sparse_adam_update, [param, grad, state["exp_avg"]._data, state["exp_avg_sq"]._data],
                step_size=step_size.astype(param.dtype), beta1=beta1, beta2=beta2, eps=group["eps"],
                maximize=group["maximize"], scratch=self._scratch)


def sparse_adam_update(param, grad, exp_avg, exp_avg_sq, *, step_size, beta1: float, beta2: float,
                       eps: float, maximize: bool, scratch) -> None:
    """One SparseAdam step on arrays, in place, at the entries where ``grad`` is non-zero."""
    xp = backend.namespace_of(param)
    if maximize:
        grad = xp.negative(grad, out=scratch(param, 0))
    touched = xp.not_equal(grad, 0)
    work = scratch(param, 1)
    # exp_avg += (1 - beta1) * (grad - exp_avg), at the touched entries
    xp.subtract(grad, exp_avg, out=work)
    xp.multiply(work, 1 - beta1, out=work)
    xp.add(exp_avg, work, out=work)
    xp.copyto(exp_avg, work, where=touched)
    # exp_avg_sq += (1 - beta2) * (grad^2 - exp_avg_sq), at the touched entries
    xp.multiply(grad, grad, out=work)
    xp.subtract(work, exp_avg_sq, out=work)
    xp.multiply(work, 1 - beta2, out=work)
    xp.add(exp_avg_sq, work, out=work)
    xp.copyto(exp_avg_sq, work, where=touched)
    xp.sqrt(exp_avg_sq, out=work)
    xp.add(work, eps, out=work)
    xp.divide(exp_avg, work, out=work)
    xp.multiply(work, -step_size, out=work)
    xp.add(param, work, out=work)
    xp.copyto(param, work, where=touched)
