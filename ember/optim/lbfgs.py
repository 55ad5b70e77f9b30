"""L-BFGS (Liu & Nocedal): quasi-Newton steps from a short history of gradient changes.

Unlike the other optimizers, one ``step(closure)`` runs up to ``max_iter``
iterations, each re-evaluating the loss through the closure, so it works
on all parameters at once as one flat vector (as PyTorch's does).
"""
from __future__ import annotations

from typing import Any, Callable

from .. import backend
from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor
from .line_search import strong_wolfe
from .optimizer import Optimizer

_CLOSURE_MESSAGE = (
    "LBFGS.step() needs a closure: L-BFGS evaluates the loss several times per step. Pass a "
    "function that clears the gradients, computes the loss, calls backward() and returns the "
    "loss, e.g.\n    def closure():\n        optimizer.zero_grad()\n        loss = loss_fn(model(x), y)\n"
    "        loss.backward()\n        return loss\n    optimizer.step(closure)")


class LBFGS(Optimizer):
    """PyTorch's ``torch.optim.LBFGS``: the same options, defaults, state and steps.

    ``line_search_fn`` is None (fixed steps of ``lr``) or ``'strong_wolfe'``.
    Only one parameter group is supported, as in PyTorch; the state lives
    under the first parameter.

    Example:
        >>> import ember
        >>> w = ember.tensor([0.0, 0.0], requires_grad=True)
        >>> target = ember.tensor([1.0, -2.0])
        >>> opt = ember.optim.LBFGS([w], line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = ((w - target) ** 2).sum()
        ...     loss.backward()
        ...     return loss
        >>> _ = opt.step(closure)
        >>> w
        tensor([ 1., -2.], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got {line_search_fn!r}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                                      tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                                      history_size=history_size, line_search_fn=line_search_fn))
        self._params = self.param_groups[0]["params"]

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    # --- the parameters as one flat vector ------------------------------------------------
    def _flat_grad(self):
        xp = backend.namespace_of(self._params[0]._data)
        pieces = [xp.zeros(p._data.size, dtype=p._data.dtype) if p.grad is None else p.grad._data.reshape(-1)
                  for p in self._params]
        return xp.concatenate(pieces)

    def _move(self, step, direction) -> None:
        """``params += step * direction``, each parameter from its slice of the flat vector."""
        offset = 0
        for param in self._params:
            size = param._data.size
            piece = direction[offset:offset + size].reshape(param._data.shape)
            backend.namespace_of(param._data).add(param._data, step * piece, out=param._data)
            param._shared_version().value += 1
            offset += size

    def _copy_params(self) -> list:
        return [param._data.copy() for param in self._params]

    def _set_params(self, arrays: list) -> None:
        for param, array in zip(self._params, arrays):
            backend.namespace_of(param._data).copyto(param._data, array)
            param._shared_version().value += 1

    def _evaluate(self, closure: Callable) -> Any:
        with enable_grad():
            return closure()

    def _probe(self, closure, start: list, step, direction):
        """The loss and flat gradient at ``start + step * direction``; the weights go back to ``start``."""
        self._move(step, direction)
        loss = float(self._evaluate(closure))
        grad = self._flat_grad()
        self._set_params(start)
        return loss, grad

    # --- the step -----------------------------------------------------------------------
    @no_grad()
    def _step(self, closure: Callable[[], Any] | None = None):
        """Run up to ``max_iter`` L-BFGS iterations; return the loss ``closure()`` gave first."""
        if closure is None:
            raise TypeError(_CLOSURE_MESSAGE)
        group = self.param_groups[0]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        first_loss = self._evaluate(closure)
        state["func_evals"] += 1
        grad = self._flat_grad()
        if backend.namespace_of(grad).abs(grad).max() <= group["tolerance_grad"]:
            return first_loss  # already optimal
        memory = _Memory.load(state)
        memory.run(self, closure, group, state, float(first_loss), grad)
        memory.save(state)
        return first_loss


class _Memory:
    """What L-BFGS carries between iterations and steps (PyTorch's state entries, as arrays)."""

    def __init__(self, values: dict):
        self.d, self.t = values.get("d"), values.get("t")
        self.old_dirs, self.old_stps = values.get("old_dirs"), values.get("old_stps")
        self.ro, self.H_diag = values.get("ro"), values.get("H_diag")
        self.prev_flat_grad, self.prev_loss = values.get("prev_flat_grad"), values.get("prev_loss")
        self.al = values.get("al")  # the two-loop recursion's coefficients, kept like PyTorch

    @classmethod
    def load(cls, state: dict) -> "_Memory":
        return cls({key: _unwrap(value) for key, value in state.items()})

    def save(self, state: dict) -> None:
        for key in ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss"):
            state[key] = _wrap(getattr(self, key))
        if self.al is not None:
            state["al"] = _wrap(self.al)

    def run(self, optimizer: LBFGS, closure, group: dict, state: dict, loss: float, grad) -> None:
        """Iterate from ``loss`` and ``grad`` until an iteration or evaluation limit or a tolerance stops it."""
        xp = backend.namespace_of(grad)
        tolerance_change, evaluations = group["tolerance_change"], 1
        for iteration in range(1, group["max_iter"] + 1):
            state["n_iter"] += 1
            self._new_direction(grad, state, group["history_size"])
            if self.prev_flat_grad is None:
                self.prev_flat_grad = grad.copy()
            else:
                xp.copyto(self.prev_flat_grad, grad)
            self.prev_loss = loss
            # the first step ever is scaled to the gradient, so it can't overshoot wildly
            self.t = min(1.0, 1.0 / xp.abs(grad).sum()) * group["lr"] if state["n_iter"] == 1 else group["lr"]
            slope = grad.dot(self.d)
            if slope > -tolerance_change:
                break  # not a descent direction any more
            loss, grad, used, converged = self._take_step(optimizer, closure, group, loss, grad, slope,
                                                          evaluations, last=iteration == group["max_iter"])
            evaluations += used
            state["func_evals"] += used
            if iteration == group["max_iter"] or evaluations >= group["max_eval"] or converged:
                break
            if xp.abs(self.d * self.t).max() <= tolerance_change or abs(loss - self.prev_loss) < tolerance_change:
                break

    def _new_direction(self, grad, state: dict, history_size: int) -> None:
        """``d``: steepest descent at first, then the two-loop recursion over the history."""
        if state["n_iter"] == 1:
            self.d = -grad
            self.old_dirs, self.old_stps, self.ro, self.H_diag = [], [], [], 1
            return
        y = grad - self.prev_flat_grad
        s = self.d * self.t
        ys = y.dot(s)
        if ys > 1e-10:  # keep only pairs with positive curvature, so the inverse Hessian stays positive
            if len(self.old_dirs) == history_size:
                del self.old_dirs[0], self.old_stps[0], self.ro[0]
            self.old_dirs.append(y)
            self.old_stps.append(s)
            self.ro.append(1.0 / ys)
            self.H_diag = ys / y.dot(y)
        if self.al is None:
            self.al = [None] * history_size
            state["al"] = None  # its place among the keys is where PyTorch creates it
        alphas = self.al
        q = -grad
        for i in range(len(self.old_dirs) - 1, -1, -1):
            alphas[i] = self.old_stps[i].dot(q) * self.ro[i]
            q += -alphas[i] * self.old_dirs[i]
        r = q * self.H_diag
        for i in range(len(self.old_dirs)):
            beta = self.old_dirs[i].dot(r) * self.ro[i]
            r += (alphas[i] - beta) * self.old_stps[i]
        self.d = r

    def _take_step(self, optimizer: LBFGS, closure, group: dict, loss: float, grad, slope, evaluations: int,
                   last: bool):
        """Move along ``d`` (line search, or a step of ``t``): ``(loss, grad, evaluations, converged)``."""
        xp, tolerance_grad = backend.namespace_of(grad), group["tolerance_grad"]
        if group["line_search_fn"] == "strong_wolfe":
            start = optimizer._copy_params()
            loss, grad, self.t, used = strong_wolfe(
                lambda t: optimizer._probe(closure, start, t, self.d), self.t, self.d, loss, grad, slope,
                max_ls=group["max_eval"] - evaluations)
            optimizer._move(self.t, self.d)
            return loss, grad, used, xp.abs(grad).max() <= tolerance_grad
        optimizer._move(self.t, self.d)
        if last:  # the loss at the final weights is not needed
            return loss, grad, 0, False
        loss = float(optimizer._evaluate(closure))
        grad = optimizer._flat_grad()
        return loss, grad, 1, xp.abs(grad).max() <= tolerance_grad


def _wrap(value):
    """State as PyTorch keeps it: arrays (and NumPy scalars) as tensors, lists item by item."""
    if isinstance(value, list):
        return [_wrap(item) for item in value]
    if hasattr(value, "dtype") and not isinstance(value, Tensor):
        return Tensor._make(backend.namespace_of(value).asarray(value), None, False)
    return value


def _unwrap(value):
    if isinstance(value, list):
        return [_unwrap(item) for item in value]
    return value._data if isinstance(value, Tensor) else value
