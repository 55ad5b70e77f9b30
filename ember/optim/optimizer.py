"""The optimizer base class: parameter groups, lazy per-parameter state, one update function.

Each optimizer module holds one update function on backend arrays (like
PyTorch's ``torch.optim._functional``), and its class supplies
``_init_state(param, group)`` (the state a parameter gets on its first
step) and ``_update(param, grad, state, group)``, which keeps the per-
parameter bookkeeping (the step count) and hands the arrays to
:func:`~ember.optim.update_helpers.chunked`. Everything else (groups,
``zero_grad``, ``state_dict`` in PyTorch's layout) lives here once.

PyTorch's implementation switches (``foreach``, ``fused``, ``capturable``,
``differentiable``) are accepted by every optimizer that has them in
PyTorch and kept in the groups, so state dicts match PyTorch's key for key;
:func:`check_implementation_flags` says what each means here.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable

from .. import backend
from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor
from .hooks import OptimizerHooks


class Optimizer(OptimizerHooks):
    """Base class of every optimizer (PyTorch's ``torch.optim.Optimizer``).

    ``params`` is an iterable of tensors, or of dicts (parameter groups) each
    with a ``'params'`` entry and per-group options overriding ``defaults``.

    Example:
        >>> import ember
        >>> w = ember.tensor([1.0, 2.0], requires_grad=True)
        >>> b = ember.tensor([0.5], requires_grad=True)
        >>> opt = ember.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
        >>> [group["lr"] for group in opt.param_groups]
        [0.1, 0.5]
        >>> opt.state_dict()["param_groups"][1]["params"]
        [1]
    """

    supports_complex = False  # whether the update is right for complex parameters (SGD's is)

    def __init__(self, params: Iterable, defaults: dict[str, Any]):
        self.defaults = dict(defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._scratch = _Scratch()
        self._init_hooks()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got a {type(params).__name__}")
        if isinstance(params, set):
            raise TypeError(_SET_MESSAGE)
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # --- parameter groups ---------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (the rest from ``defaults``).

        Its ``params`` may be ``(name, tensor)`` pairs (``model.named_parameters()``),
        whose names are kept in the group's ``param_names``, as in PyTorch.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(_SET_MESSAGE)
        param_group["params"] = list(params)
        _split_names(param_group, self.param_groups)
        for param in param_group["params"]:
            _check_param(param)
            if param._data.dtype.kind == "c" and not self.supports_complex:
                from ..errors import DTypeNotImplementedError
                raise DTypeNotImplementedError(
                    f"{type(self).__name__}: complex parameters are not supported yet (its update "
                    f"squares gradients; PyTorch treats a complex parameter as pairs of reals); "
                    f"got a parameter of dtype {param.dtype}. SGD supports them")
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to None (default), or to zeros in place."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    param.grad = param.grad.detach()
                    param.grad._data.fill(0)

    # --- the step -----------------------------------------------------------
    def step(self, closure: Callable[[], Any] | None = None):
        """Update every parameter that has a gradient; return ``closure()``'s loss if given.

        Step hooks run around it; subclasses change :meth:`_step`, not this.
        """
        return self._with_step_hooks(self._step, (self,) if closure is None else (self, closure), {})

    @no_grad()
    def _step(self, closure: Callable[[], Any] | None = None):
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        several_gpus = bool(backend.namespaces.MULTI_DEVICE_NAMESPACES)  # empty without CuPy: no cost
        for group in self.param_groups:
            self._update_group(group, several_gpus)
        return loss

    def _update_group(self, group: dict, several_gpus: bool) -> None:
        """Update each parameter of ``group`` that has a gradient (Adam batches small ones)."""
        for param in group["params"]:
            if param.grad is not None:
                self._update_param(param, group, several_gpus)

    def _update_param(self, param: Tensor, group: dict, several_gpus: bool) -> None:
        grad = param.grad
        if several_gpus:  # the update's raw namespace calls run on the parameter's GPU
            with backend.namespaces.operands_device("optimizer.step", (param._data, grad._data)):
                self._update_one(param, grad, group)
        else:
            self._update_one(param, grad, group)

    def _update_one(self, param: Tensor, grad: Tensor, group: dict) -> None:
        state = self._state_of(param, group)
        self._update(param._data, grad._data, state, group)
        param._shared_version().value += 1  # saved-tensor checks see the write

    def _state_of(self, param: Tensor, group: dict) -> dict[str, Any]:
        """The parameter's state, created on its first update."""
        state = self.state.get(param)
        if not state:  # absent, or an empty entry made by reading the defaultdict
            state = self.state[param] = self._init_state(param, group)
        return state

    def _init_state(self, param: Tensor, group: dict) -> dict[str, Any]:
        """The state a parameter gets before its first update."""
        raise NotImplementedError

    def _update(self, param, grad, state: dict, group: dict) -> None:
        """Update the backend array ``param`` in place from the array ``grad``."""
        raise NotImplementedError

    # --- state dicts --------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index, ...]}]}``.

        Parameters are numbered in group order, as in PyTorch; the state
        tensors are the live ones (save or clone them to keep a snapshot).
        """
        return self._state_dict_with_hooks(self._build_state_dict)

    def _build_state_dict(self) -> dict[str, Any]:
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {index[id(param)]: dict(values) for param, values in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore groups' options and per-parameter state saved by :meth:`state_dict`.

        State arrays are copied (and cast to the parameter's dtype, except
        ``step``), so stepping this optimizer never changes the saved dict.
        """
        self._load_state_dict_with_hooks(self._load_state_dict, state_dict)

    def _load_state_dict(self, state_dict: dict[str, Any]) -> None:
        saved_groups = state_dict["param_groups"]
        _check_group_sizes(self.param_groups, saved_groups)
        params = [p for group in self.param_groups for p in group["params"]]
        by_index = {}
        for group, saved in zip(self.param_groups, saved_groups):
            by_index.update(zip(saved["params"], group["params"]))
        self.state = defaultdict(dict)
        for key, values in state_dict["state"].items():
            param = by_index.get(int(key))
            if param is None:
                raise ValueError(f"load_state_dict: state for parameter index {key} does not match "
                                 f"any of the optimizer's {len(params)} parameters")
            self.state[param] = {name: _restore(value, param, name) for name, value in values.items()}
        self.param_groups = [self._merged_group(group, saved) for group, saved in zip(self.param_groups, saved_groups)]

    def _merged_group(self, group: dict, saved: dict) -> dict:
        """A saved group's options on this group's parameters.

        Options an older dict lacks take the defaults (PyTorch's ``__setstate__``),
        and the parameters' names stay when the dict has none (its ``update_group``).
        """
        merged = dict(self.defaults)
        if "param_names" in group:
            merged["param_names"] = group["param_names"]
        merged.update(saved)
        merged["params"] = group["params"]
        return merged

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for number, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {number}")
            lines += [f"    {key}: {value}" for key, value in sorted(group.items()) if key != "params"]
        return "\n".join(lines + [")"])


def check_implementation_flags(name: str, *, foreach: bool | None = None, fused: bool | None = None,
                               differentiable: bool = False) -> None:
    """Refuse the combinations of PyTorch's implementation switches that Ember can't honour.

    Ember has one update function per optimizer (the compiler is its fast
    path), so ``foreach`` and ``fused`` choose nothing: they are kept in the
    groups only so that code and state dicts written for PyTorch work
    unchanged. ``capturable`` asks that step counters live as arrays beside
    the parameters, which Ember's always do (that is what lets a compiled
    step read them live), so it is accepted too. ``differentiable=True``
    (autograd through the update itself) is refused: steps write the
    parameters' arrays in place, outside autograd.

    Example:
        >>> from ember.optim.optimizer import check_implementation_flags
        >>> check_implementation_flags("Adam", foreach=True, fused=True)
        Traceback (most recent call last):
        ...
        RuntimeError: Adam: `fused` and `foreach` cannot be `True` together.
    """
    if foreach and fused:
        raise RuntimeError(f"{name}: `fused` and `foreach` cannot be `True` together.")
    if differentiable:
        from ..errors import EmberValueError
        raise EmberValueError(f"{name}: differentiable=True is not supported: Ember's optimizers update "
                              "the parameters' arrays in place, outside autograd; write the update "
                              "with Ember operations to differentiate through it")


_SET_MESSAGE = ("optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets changes between runs; use a list")


class _Scratch:
    """Reusable temporary arrays, one per (shape, dtype, slot), so steps allocate nothing."""

    __slots__ = ("arrays",)

    def __init__(self):
        self.arrays: dict[tuple, Any] = {}

    def __call__(self, like, slot: int = 0):
        key = (like.shape, like.dtype, slot)
        array = self.arrays.get(key)
        if array is None:
            array = self.arrays[key] = backend.namespace_of(like).empty_like(like)
        return array


def _split_names(param_group: dict, groups: list) -> None:
    """Move the names of ``(name, tensor)`` params into ``param_names`` (all named, or none)."""
    named = [isinstance(param, tuple) for param in param_group["params"]]
    if any(named):
        if not all(named):
            raise ValueError("all optimizer params should be with/without names. Some param names are missing")
        param_group["param_names"] = [name for name, _ in param_group["params"]]
        param_group["params"] = [param for _, param in param_group["params"]]
    if groups and ("param_names" in param_group) != ("param_names" in groups[0]):
        raise ValueError("all optimizer param groups should be with/without names: some groups have "
                         "names (from named_parameters()) and some don't")


def _check_param(param) -> None:
    if not isinstance(param, Tensor):
        raise TypeError(f"optimizer can only optimize Tensors, but one of the params is "
                        f"{type(param).__name__}")
    if not param.is_leaf:
        raise ValueError("can't optimize a non-leaf Tensor (one computed by an operation); "
                         "optimize the leaf it came from, or detach() it")


def _check_group_sizes(groups, saved_groups) -> None:
    if len(groups) != len(saved_groups):
        raise ValueError(f"loaded state dict has {len(saved_groups)} parameter groups, "
                         f"but the optimizer has {len(groups)}")
    for number, (group, saved) in enumerate(zip(groups, saved_groups)):
        if len(group["params"]) != len(saved["params"]):
            raise ValueError(f"loaded state dict's parameter group {number} has "
                             f"{len(saved['params'])} parameters, but the optimizer's has "
                             f"{len(group['params'])}")


def _restore(value, param: Tensor, name: str):
    """A private copy of one saved state entry, on the parameter's dtype (``step`` keeps its own).

    Lists and tuples (LBFGS's history) are restored item by item, as PyTorch casts them.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_restore(item, param, name) for item in value)
    array = value._data if isinstance(value, Tensor) else backend.namespace_for(None).asarray(value)
    # state lives beside its parameter, as PyTorch moves it (a CPU checkpoint into a GPU model)
    array = backend.transfer(array, backend.device_of(param._data))
    dtype = array.dtype if name == "step" else param._data.dtype
    return Tensor._make(array.astype(dtype, copy=True), None, False)
