"""The call glue of a compiled function, generated as Python source like the graph itself.

Around the graph's program, each call reads the input arrays (arguments,
state tensors), writes the effects back (state arrays, new ``.grad``
tensors, optimizer state) and wraps the user's outputs in tensors. Done by a
generic loop this costs more than many small NumPy calls, so it is unrolled
into straight-line code specialized to the plan, compiled once.

Example (the glue of ``f(x) = x * 2``, which has no state):
    >>> import ember
    >>> f = ember.function(lambda x: x * 2)
    >>> print(f.get_concrete_function(ember.ones(2)).runner_source.splitlines()[1])
        out = _program(leaves[0]._data)
"""
from __future__ import annotations

import numpy

from .. import backend
from ..tensor import Tensor
from .effects import build, owned
from .ir import Value
from .signature import LEAF, Static, unflatten


def _copy_back(destination, source, **options) -> None:
    """A write-back into a state array (``numpy.copyto``), in the namespace of that array's device."""
    if type(destination) is numpy.ndarray:
        numpy.copyto(destination, source, **options)
    else:
        backend.namespace_of(destination).copyto(destination, source, **options)


class _Names:
    """Objects the glue refers to, bound as globals of the generated function.

    ``claimed`` holds the memory some tensor already owns: passes may merge
    equal values (two biases with one gradient, two optimizer step counters
    that both start at zero), so a second tensor made from the same memory
    gets a copy, never shared memory. Memory is compared by *owner* (the
    value whose array an output is, or views), not by output position: after
    CSE and constant folding two positions may return the very same array.
    An output living in a constant's memory is always copied: the constant
    belongs to the compiled program and is returned again by every call, so
    handing it out would let an in-place write (``step += 1``) change it.
    """

    def __init__(self, owners=None):
        self.globals = {"_Tensor": Tensor, "_owned": owned, "_copyto": _copy_back, "_build": build,
                        "_unflatten": unflatten}
        self.claimed: set = set()
        self.owners = owners or {}   # output index -> (owner ids, lives in a constant)

    def _memory(self, index: int):
        return self.owners.get(index, ({("out", index)}, False))

    def claim(self, index: int) -> None:
        self.claimed |= self._memory(index)[0]

    def array(self, index: int) -> str:
        """Source for output ``index`` as an array no other tensor holds."""
        owners, constant = self._memory(index)
        if constant or owners & self.claimed:
            return f"out[{index}].copy()"
        self.claimed |= owners
        return f"_owned(out[{index}])"

    def bind(self, value, prefix: str) -> str:
        for name, existing in self.globals.items():
            if existing is value and name.startswith(f"_{prefix}"):
                return name
        name = f"_{prefix}{len(self.globals)}"
        self.globals[name] = value
        return name


def _source_expression(source, names: _Names) -> str:
    if source.kind == "arg":
        return f"leaves[{source.target}]._data"
    if source.kind == "arggrad":
        return f"leaves[{source.target}].grad._data"
    if source.kind == "tensor":
        return f"{names.bind(source.target, 'state')}._data"
    return names.bind(source.target, "array")


def _tensor_expression(source, names: _Names):
    """The tensor a copy effect writes into (None for a bare array)."""
    if source.kind == "arg":
        return f"leaves[{source.target}]"
    if source.kind == "arggrad":
        return f"leaves[{source.target}].grad"
    if source.kind == "tensor":
        return names.bind(source.target, "state")
    return None


def _value_expression(template, names: _Names) -> str:
    """Source building the object a template describes (see ``effects.template_of``)."""
    kind = template[0]
    if kind == "tensor":
        return f"_Tensor._make({names.array(template[1])}, None, {template[2]})"
    if kind == "dict":
        items = ", ".join(f"{names.bind(key, 'key')}: {_value_expression(child, names)}"
                          for key, child in template[1].items())
        return "{" + items + "}"
    if kind in ("list", "tuple"):
        items = ", ".join(_value_expression(child, names) for child in template[1])
        return f"[{items}]" if kind == "list" else f"({items}{',' if len(template[1]) == 1 else ''})"
    return f"_build({names.bind(template, 'template')}, out)"  # a fresh copy, or an object as it was


def _effect_lines(effect, names: _Names) -> list[str]:
    if effect.kind == "copy":
        tensor = _tensor_expression(effect.source, names)
        target = f"{tensor}._data" if tensor else names.bind(effect.source.target, "array")
        lines = [f"    if out[{effect.template}] is not {target}:",
                 f"        _copyto({target}, out[{effect.template}], casting='unsafe')"]
        if tensor and effect.source.kind == "tensor":
            # a tensor's version counter, once made, is never replaced: bind it (one lookup, not a call)
            counter = names.bind(effect.source.target._shared_version(), "version")
            lines.append(f"    {counter}.value += 1")
        elif tensor:
            lines.append(f"    {tensor}._shared_version().value += 1")
        return lines
    value = _value_expression(effect.template, names)
    if effect.kind == "argset":
        return [f"    leaves[{effect.source}].grad = {value}"]
    slot = effect.slot
    if slot.attribute:
        return [f"    {names.bind(slot.container, 'owner')}.{slot.key} = {value}"]
    return [f"    {names.bind(slot, 'slot')}.set({value})"]


def _result_lines(plan, names: _Names) -> list[str]:
    results = [f"_Tensor._make({names.array(i)}, None, False)" for i in plan.user_indices]
    structure = plan.user_structure  # ((args...), {kwargs}) was flattened from the function's result
    if structure == LEAF:
        return [f"    return {results[0]}"]
    if isinstance(structure, Static):
        return [f"    return {names.bind(structure.value, 'static')}"]
    if structure[0] in ("tuple", "list") and all(s == LEAF for s in structure[1]):
        items = ", ".join(results) + ("," if len(results) == 1 and structure[0] == "tuple" else "")
        return [f"    return ({items})" if structure[0] == "tuple" else f"    return [{items}]"]
    return [f"    return _unflatten({names.bind(structure, 'structure')}, iter(({', '.join(results)},)))"]


def _output_memory(graph) -> dict:
    """For each output position of ``graph``: the owners of its memory, and whether one is a constant."""
    if graph is None:
        return {}
    from .passes.memory import _owners
    owners = _owners(graph)
    constants = {c.id for c in graph.constants}
    found = {}
    for index, value in enumerate(graph.outputs):
        if isinstance(value, Value):
            ids = owners.get(value.id, {value.id})
            found[index] = ({("value", i) for i in ids}, bool(ids & constants))
    return found


def make_runner(plan, program_function, graph=None):
    """``(run, source)``: ``run(leaves)`` performs one compiled call with its effects.

    ``graph`` is the compiled (optimized) graph, whose outputs tell which
    positions share memory (see :class:`_Names`).
    """
    names = _Names(_output_memory(graph))
    names.globals["_program"] = program_function
    arguments = ", ".join(_source_expression(s, names) for s in plan.sources)
    lines = ["def run(leaves):", f"    out = _program({arguments})"]
    for effect in plan.effects:
        if effect.kind == "copy":
            names.claim(effect.template)  # state arrays own these (a donated output is the state's array)
    for effect in plan.effects:
        lines += _effect_lines(effect, names)
    lines += _result_lines(plan, names)
    source = "\n".join(lines) + "\n"
    exec(compile(source, "<ember.function glue>", "exec"), names.globals)
    return names.globals["run"], source
