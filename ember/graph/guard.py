"""A compiled call's state guard, generated as straight-line Python like the call glue.

Before reusing a traced graph, a call must know that the owners' fingerprint
(:func:`ember.graph.state.fingerprint`: the module tree, ``training`` flags,
each parameter's and buffer's identity, shape, dtype, ``requires_grad`` and
gradient, the optimizers' hyperparameters and state layout) is still the one
the graph was traced with. Building that tuple on every call costs about
10 µs for a small MLP with Adam, as much as the step itself. This module
writes the same walk out as one function of comparisons against the values
seen at trace time, with the objects bound as globals, so a call pays for
attribute reads only (2-3x cheaper).

It checks exactly what the fingerprint holds, in the same order of
containers, so ``compile_guard(owners)()`` is True exactly when
``fingerprint(owners)`` equals its value when the guard was built (given the
same owners, which the caller compares through ``owners.key()``).

Example:
    >>> import ember
    >>> model = ember.nn.Linear(2, 1)
    >>> from ember.graph.state import find_owners
    >>> guard = compile_guard(find_owners(lambda x: model(x)))[0]
    >>> guard()
    True
    >>> model.eval() is model, guard()
    (True, False)
"""
from __future__ import annotations

from ..tensor import Tensor
from .state import Owners, _modules_flat, _value_key

_PLAIN = (bool, int, float, str, type(None))


class _Writer:
    def __init__(self):
        self.lines = ["def guard():"]
        self.globals = {"_value_key": _value_key}
        self.checked: set = set()  # ids of tensors whose whole key this guard already compared

    def bind(self, value, prefix: str) -> str:
        name = f"_{prefix}{len(self.globals)}"
        self.globals[name] = value
        return name

    def fail_if(self, condition: str) -> None:
        self.lines.append(f"    if {condition}:")
        self.lines.append("        return False")

    def let(self, name: str, expression: str) -> None:
        self.lines.append(f"    {name} = {expression}")

    # --- what the fingerprint records ------------------------------------------------------
    def identities(self, expression: str, expected: tuple, prefix: str) -> None:
        """``expression`` (a sequence) holds exactly these objects, in this order."""
        self.let("seq", f"tuple({expression})")
        checks = [f"len(seq) != {len(expected)}"]
        checks += [f"seq[{i}] is not {self.bind(item, prefix)}" for i, item in enumerate(expected)]
        self.fail_if(" or ".join(checks))

    def tensor(self, expression: str, tensor) -> None:
        """What ``_tensor_key`` records: identity, shape, dtype, ``requires_grad``, the gradient's layout."""
        if tensor is None:
            self.fail_if(f"{expression} is not None")
            return
        self.let("t", expression)
        checks = [f"t is not {self.bind(tensor, 't')}"]
        if id(tensor) not in self.checked:  # else the same object was compared whole earlier in this guard
            self.checked.add(id(tensor))
            data, grad = tensor._data, tensor._grad
            checks += [f"t._data.shape != {data.shape!r}", f"t._data.dtype.num != {data.dtype.num}",
                       f"t._requires_grad is not {tensor._requires_grad!r}"]
            if grad is None:
                checks.append("t._grad is not None")
            else:
                checks += ["(g := t._grad) is None", f"g._data.shape != {grad._data.shape!r}",
                           f"g._data.dtype.num != {grad._data.dtype.num}"]
        self.fail_if(" or ".join(checks))

    def grad_shape(self, owner: str, param) -> None:
        """What ``_grads_key`` records of an optimizer's parameter: its gradient's shape, or None."""
        grad = param._grad
        if id(param) in self.checked:
            return  # its identity was just checked, and its whole key earlier in this guard
        if grad is None:
            self.fail_if(f"{owner}._grad is not None")
        else:
            self.let("g", f"{owner}._grad")
            self.fail_if(f"g is None or g._data.shape != {grad._data.shape!r}")

    def value(self, expression: str, value) -> None:
        """What ``_value_key`` records for a hyperparameter or a non-tensor state entry."""
        if isinstance(value, Tensor):
            self.tensor(expression, value)
        elif type(value) in _PLAIN or (type(value) is tuple and all(type(v) in _PLAIN for v in value)):
            # the type first: comparing a tensor that replaced a number would compare elementwise
            self.let("v", expression)
            self.fail_if(f"type(v) is not {type(value).__name__ if value is not None else 'type(None)'} "
                         f"or v != {self.bind(value, 'v')}")
        else:
            self.fail_if(f"_value_key({expression}) != {self.bind(_value_key(value), 'k')}")


def compile_guard(owners: Owners):
    """``(guard, source)``: ``guard()`` is True while the owners' fingerprint is unchanged."""
    w = _Writer()
    for module in _modules_flat(owners):
        m = w.bind(module, "m")
        w.fail_if(f"{m}.training is not {module.training!r}")
        w.identities(f"{m}._modules.values()", tuple(module._modules.values()), "c")
        for kind in ("_parameters", "_buffers"):
            table = getattr(module, kind)
            w.fail_if(f"tuple({m}.{kind}) != {w.bind(tuple(table), 'n')}")
            for key, tensor in table.items():
                w.tensor(f"{m}.{kind}[{key!r}]", tensor)
    for _, optimizer in owners.optimizers:
        o = w.bind(optimizer, "o")
        w.fail_if(f"len({o}.param_groups) != {len(optimizer.param_groups)}")
        for index, group in enumerate(optimizer.param_groups):
            w.let("group", f"{o}.param_groups[{index}]")
            w.fail_if(f"tuple(group) != {w.bind(tuple(group), 'n')}")
            for key, value in group.items():
                if key == "params":  # identities and gradient shapes (``_grads_key``)
                    w.identities("group['params']", tuple(value), "p")
                    for position, param in enumerate(value):
                        w.let("p", f"seq[{position}]")
                        w.grad_shape("p", param)
                else:
                    w.value(f"group[{key!r}]", value)
        state = optimizer.state
        w.identities(f"{o}.state", tuple(state), "p")
        for param, entries in state.items():
            w.let("entries", f"{o}.state[{w.bind(param, 'p')}]")
            w.fail_if(f"tuple(entries) != {w.bind(tuple(entries), 'n')}")
            for key, value in entries.items():
                w.value(f"entries[{key!r}]", value)
    for _, tensor in owners.tensors.values():
        w.tensor(w.bind(tensor, "t"), tensor)
    w.lines.append("    return True")
    source = "\n".join(w.lines) + "\n"
    exec(compile(source, "<ember.function guard>", "exec"), w.globals)
    return w.globals["guard"], source
