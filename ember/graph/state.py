"""State a traced function reads and writes: modules, optimizers, closed-over tensors.

Parameters, buffers, gradients and optimizer state are graph inputs, read
from the live objects on every call, never baked in as constants. A traced
function's effects on them (``optimizer.step()``, ``param.add_()``,
``.grad`` writes, BatchNorm's running statistics, new optimizer state) are
found after the trace by comparing the objects with a snapshot taken before
it, then undone; the compiled call redoes them from graph outputs.

The owners of state are found where the function can reach them: its
closure, the globals it names, ``self`` of a method, and its arguments.
Their *fingerprint* (parameter shapes, which gradients exist, optimizer
hyperparameters and state layout, ``training`` flags) is part of the cache
key, because the traced Python code may branch on any of it.
"""
from __future__ import annotations

import dis
import functools
import types

import numpy

from ..tensor import Tensor
from .symbolic import SymbolicArray


def is_module(value) -> bool:
    return hasattr(value, "_parameters") and hasattr(value, "_buffers") and hasattr(value, "_modules")


def is_optimizer(value) -> bool:
    return hasattr(value, "param_groups") and hasattr(value, "state") and hasattr(value, "zero_grad")


def is_generator(value) -> bool:
    return hasattr(value, "manual_seed") and hasattr(value, "get_state")


_SKIP = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType, str, bytes, int, float,
         bool, types.MethodType)


class Owners:
    """The modules, optimizers and loose tensors a function can reach."""

    def __init__(self):
        self.modules: list = []
        self.optimizers: list = []
        self.tensors: dict[int, tuple[str, Tensor]] = {}
        self.nested = False  # whether some owner was found inside a container or an object's attributes
        self._seen: set = set()

    def add(self, value, label: str, depth: int = 0) -> None:
        if value is None or isinstance(value, _SKIP) or depth > 3 or id(value) in self._seen:
            return  # (the common case first: functions, modules and classes named by the code)
        self._seen.add(id(value))
        if isinstance(value, Tensor):
            self.tensors.setdefault(id(value), (label, value))
        elif is_module(value):
            self.modules.append((label, value))
        elif is_optimizer(value):
            self.optimizers.append((label, value))
        elif isinstance(value, (list, tuple)):
            self.nested = True
            for index, item in enumerate(value):
                self.add(item, f"{label}[{index}]", depth + 1)
        elif isinstance(value, dict):
            self.nested = True
            for key, item in list(value.items())[:256]:
                self.add(item, f"{label}[{key!r}]", depth + 1)
        elif hasattr(value, "__dict__") and depth == 0:
            self.nested = True
            for name, item in vars(value).items():
                self.add(item, f"{label}.{name}", depth + 1)

    def key(self) -> tuple:
        return tuple(id(v) for _, v in self.modules) + tuple(id(v) for _, v in self.optimizers) + \
            tuple(self.tensors)


_GLOBAL_READS = {"LOAD_GLOBAL", "LOAD_NAME", "LOAD_FROM_DICT_OR_GLOBALS"}


@functools.lru_cache(maxsize=1024)
def _code_names(code) -> tuple:
    """Global names a code object (and the functions nested in it) reads, sorted.

    Only the names its bytecode loads as globals: ``co_names`` also holds
    attribute names, so ``opt.step()`` inside ``@ember.function def step``
    made the search visit the global ``step`` (the Function itself), look
    through its attributes, and then repeat the whole search on every call.
    """
    names = {op.argval for op in dis.get_instructions(code) if op.opname in _GLOBAL_READS}
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= set(_code_names(constant))
    return tuple(sorted(names))


_MISSING = object()


def owner_sources(function, owners: Owners):
    """A check that ``find_owners(function, tensor args)`` would find these same owners, or None.

    When every owner sits directly in a closure cell or a global the code
    names (no lists, dicts or attributes searched), the owners are the same
    as long as those cells and globals hold the same objects: comparing
    identities costs far less than searching again. Returns a function of no
    arguments, True while that holds; None where the search must run again.
    """
    if owners.nested or getattr(function, "__self__", None) is not None or not hasattr(function, "__code__"):
        return None
    code = function.__code__
    try:
        cells = tuple((cell, cell.cell_contents) for cell in function.__closure__ or ())
    except ValueError:  # an empty cell
        return None
    global_names = function.__globals__
    names = tuple((name, global_names.get(name, _MISSING)) for name in _code_names(code))

    def unchanged() -> bool:
        for cell, value in cells:
            if cell.cell_contents is not value:
                return False
        for name, value in names:
            if global_names.get(name, _MISSING) is not value:
                return False
        return True
    return unchanged


def find_owners(function, args=(), kwargs=None) -> Owners:
    """Modules, optimizers and tensors reachable from ``function`` and its arguments."""
    owners = Owners()
    target = getattr(function, "__func__", function)
    bound_self = getattr(function, "__self__", None)
    if bound_self is not None:
        owners.add(bound_self, "self")
    if is_module(target) or callable(target) and not hasattr(target, "__code__"):
        owners.add(target, getattr(target, "__class__", type(target)).__name__)
        target = getattr(type(target), "forward", getattr(type(target), "__call__", None))
    code = getattr(target, "__code__", None)
    if code is not None:
        for name, cell in zip(code.co_freevars, target.__closure__ or ()):
            try:
                owners.add(cell.cell_contents, name)
            except ValueError:  # an empty cell
                pass
        global_names = target.__globals__
        for name in _code_names(code):
            if name in global_names:
                owners.add(global_names[name], name)
    for index, value in enumerate(args):
        if not isinstance(value, Tensor):
            owners.add(value, f"arg{index}")
    for name, value in (kwargs or {}).items():
        if not isinstance(value, Tensor):
            owners.add(value, name)
    return owners


# --- what the owners hold ------------------------------------------------------------
def _module_tree(owners: Owners):
    seen = set()
    for label, root in owners.modules:
        for name, module in root.named_modules(prefix=label):
            if id(module) not in seen:
                seen.add(id(module))
                yield name, module


def state_tensors(owners: Owners):
    """``(label, tensor)`` for every state tensor: parameters, gradients, buffers, optimizer state."""
    seen = set()

    def emit(label, tensor):
        if isinstance(tensor, Tensor) and id(tensor) not in seen:
            seen.add(id(tensor))
            yield label, tensor
            if tensor.grad is not None:
                yield from emit(label + ".grad", tensor.grad)
    for path, module in _module_tree(owners):
        for name, param in module._parameters.items():
            yield from emit(f"{path}.{name}", param)
        for name, buffer in module._buffers.items():
            yield from emit(f"{path}.{name}", buffer)
    for label, optimizer in owners.optimizers:
        for g, group in enumerate(optimizer.param_groups):
            for p, param in enumerate(group["params"]):
                yield from emit(f"{label}.param_groups[{g}][{p}]", param)
        for p, (param, entries) in enumerate(optimizer.state.items()):
            for key, value in entries.items():
                yield from emit(f"{label}.state[{p}].{key}", value)
    for label, tensor in owners.tensors.values():
        yield from emit(label, tensor)


def _value_key(value):
    if isinstance(value, Tensor):
        return _tensor_key(value)
    if isinstance(value, (list, tuple)):
        return tuple(_value_key(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _value_key(v)) for k, v in value.items())
    try:
        hash(value)
        return value
    except TypeError:
        return ("id", id(value))


def fingerprint(owners: Owners) -> tuple:
    """Everything about the owners that traced Python code may have branched on.

    Computed on every call, so it is one flat loop with no generators or
    string work: module tree, ``training`` flags, each parameter's and
    buffer's identity, shape, dtype, ``requires_grad`` and gradient, the
    optimizers' hyperparameters and the layout of their state.
    """
    parts = [owners.key()]
    append = parts.append
    for module in _modules_flat(owners):
        append(module.training)
        for value in module._parameters.values():
            append(_tensor_key(value))
        for value in module._buffers.values():
            append(_tensor_key(value))
    for _, optimizer in owners.optimizers:
        for group in optimizer.param_groups:
            for key, value in group.items():
                append(_grads_key(value) if key == "params" else (key, _value_key(value)))
        for param, entries in optimizer.state.items():
            append(id(param))
            for key, value in entries.items():
                append(key)
                append(_tensor_key(value) if isinstance(value, Tensor) else _value_key(value))
    for _, tensor in owners.tensors.values():
        append(_tensor_key(tensor))
    return tuple(parts)


def _tensor_key(tensor):
    # dtype.num, not the dtype: comparing dtype objects costs a microsecond each
    if tensor is None:
        return None
    data, grad = tensor._data, tensor.grad
    return (id(tensor), data.shape, data.dtype.num, tensor._requires_grad,
            None if grad is None else (grad._data.shape, grad._data.dtype.num))


def _grads_key(params):
    return tuple((id(p), None if p.grad is None else p.grad._data.shape) for p in params)


def _modules_flat(owners: Owners):
    """Every module reachable from the owners, each once, in a fixed order (iterative walk)."""
    seen, order = set(), []
    stack = [module for _, module in reversed(owners.modules)]
    while stack:
        module = stack.pop()
        if id(module) in seen:
            continue
        seen.add(id(module))
        order.append(module)
        stack.extend(child for child in reversed(list(module._modules.values())) if child is not None)
    return order


def scratch_arrays(owners: Owners) -> list:
    """Optimizers' reusable temporaries (``optimizer._scratch``): written before read, never state."""
    found = []
    for _, optimizer in owners.optimizers:
        arrays = getattr(getattr(optimizer, "_scratch", None), "arrays", None)
        if isinstance(arrays, dict):
            found.extend(a for a in arrays.values() if isinstance(a, numpy.ndarray))
    return found


# --- slots: places that hold tensors, compared before and after a trace ----------------
class Slot:
    """``container[key]`` (a dict entry) or ``container.key`` (an attribute, ``attribute=True``)."""

    __slots__ = ("container", "key", "attribute", "label")

    def __init__(self, container, key, attribute: bool, label: str):
        self.container, self.key, self.attribute, self.label = container, key, attribute, label

    def get(self):
        if self.attribute:
            return getattr(self.container, self.key)
        return self.container.get(self.key)

    def set(self, value) -> None:
        if self.attribute:
            setattr(self.container, self.key, value)
        elif value is _MISSING:
            self.container.pop(self.key, None)
        else:
            self.container[self.key] = value

    def identity(self):
        return (id(self.container), self.key)


_MISSING = object()


def slots(owners: Owners, extra_tensors=()):
    """Every slot that may hold state: gradients, buffers, optimizer state entries."""
    found = []
    params = []
    for path, module in _module_tree(owners):
        for name in module._buffers:
            found.append(Slot(module._buffers, name, False, f"{path}.{name}"))
        params.extend((f"{path}.{name}", p) for name, p in module._parameters.items() if p is not None)
    for label, optimizer in owners.optimizers:
        for g, group in enumerate(optimizer.param_groups):
            params.extend((f"{label}.param_groups[{g}][{i}]", p) for i, p in enumerate(group["params"]))
    params.extend(extra_tensors)
    seen = set()
    for label, param in params:
        if id(param) not in seen:
            seen.add(id(param))
            found.append(Slot(param, "grad", True, label + ".grad"))
    for label, optimizer in owners.optimizers:
        found.append(Slot(optimizer, "state", True, f"{label}.state"))
    return found


class Snapshot:
    """The objects in every slot (optimizer state copied two levels deep) before a trace."""

    def __init__(self, slot_list):
        self.entries = [(slot, _copy_state(slot.get())) for slot in slot_list]

    def restore(self) -> None:
        for slot, value in self.entries:
            current = slot.get()
            if isinstance(value, dict) and isinstance(current, dict) and slot.attribute:
                current.clear()
                current.update({k: dict(v) if isinstance(v, dict) else v for k, v in value.items()})
            else:
                slot.set(value)


def _copy_state(value):
    """Optimizer state dicts are mutated in place by ``step()``: keep copies of both levels."""
    if isinstance(value, dict):
        return {k: dict(v) if isinstance(v, dict) else v for k, v in value.items()}
    return value


def is_symbolic_tensor(value) -> bool:
    return isinstance(value, Tensor) and isinstance(value._data, SymbolicArray)


def concrete_array(value) -> bool:
    return isinstance(value, numpy.ndarray)
