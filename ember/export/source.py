"""Turn the objects generated graph code refers to back into standalone Python source.

Generated code (``ember.graph.codegen``) reads globals: NumPy ufuncs, helper
functions, primitives whose ``forward`` it calls, dtypes and arrays. To run
without Ember each becomes a line of source: ufuncs and dtypes are spelled
through ``numpy``, functions are copied (with the module-level helpers they
call, found by walking their code objects), a primitive becomes a small class
holding its ``forward``, and arrays go to the weight file.

Example:
    >>> import numpy
    >>> definition("_add", numpy.add)
    '_add = numpy.add'
    >>> definition("_dt", numpy.dtype("float32"))
    "_dt = numpy.dtype('float32')"
"""
from __future__ import annotations

import dis
import inspect
import math
import textwrap
import types

import numpy

_STANDARD_MODULES = {"numpy": "numpy", "math": "math", "itertools": "itertools", "functools": "functools",
                     "operator": "operator"}


class NotStandalone(TypeError):
    """Generated code refers to something that cannot be written without Ember."""


def definition(name: str, value) -> str:
    """One top-level statement binding ``name`` to ``value`` (not arrays: those are weights)."""
    if value is numpy:
        return f"{name} = numpy"
    if isinstance(value, numpy.ufunc):
        return f"{name} = numpy.{value.__name__}"
    owner = getattr(value, "__self__", None)
    if isinstance(owner, numpy.ufunc):
        return f"{name} = numpy.{owner.__name__}.{value.__name__}"
    if isinstance(value, numpy.dtype):
        return f"{name} = numpy.dtype({value.name!r})"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{name} = float({str(value)!r})"
    if value is None or isinstance(value, (bool, int, float, str, tuple)):
        return f"{name} = {value!r}"
    raise NotStandalone(f"generated code refers to {name} = {value!r}, which has no standalone form")


class Collector:
    """Gathers function and primitive sources with every module-level helper they need."""

    def __init__(self):
        self.blocks: dict[str, str] = {}  # name -> source, in dependency order
        self.imports: set = {"numpy"}

    def function(self, name: str, function) -> None:
        """Define ``name`` as a copy of ``function`` (and what it calls)."""
        if name in self.blocks:
            return
        self.blocks[name] = ""  # claimed first, so a function that calls itself is not copied forever
        self._helpers(function)
        source = textwrap.dedent(inspect.getsource(function))
        source = _strip_decorators(source)
        source = source.replace(f"def {function.__name__}(", f"def {name}(", 1)
        self.blocks[name] = source

    def primitive(self, name: str, prim) -> None:
        """Define ``name`` as a class whose ``forward`` is the primitive's own."""
        self.function(f"{name}_forward", type(prim).forward)
        self.blocks.setdefault(name, f"class {name}:\n    \"\"\"Ember's '{prim.name}' primitive.\"\"\"\n\n"
                                     f"    forward = staticmethod({name}_forward)\n")

    def _helpers(self, function) -> None:
        module_globals = function.__globals__
        for global_name in sorted(_global_names(function.__code__)):
            if global_name in self.blocks or global_name not in module_globals:
                continue  # builtins, or already defined
            self._helper(global_name, module_globals[global_name])

    def _helper(self, name, value) -> None:
        substitute = _SUBSTITUTES.get((getattr(value, "__module__", None), getattr(value, "__qualname__", None)))
        if substitute is not None:
            self.blocks[name] = substitute.format(name=name)
            return
        if isinstance(value, types.ModuleType):
            if value.__name__ not in _STANDARD_MODULES:
                raise NotStandalone(f"helper code uses the module {value.__name__} ({name})")
            self.imports.add(value.__name__)
            if name != value.__name__:
                self.blocks[name] = f"{name} = {value.__name__}\n"
        elif isinstance(value, types.FunctionType):
            self.function(name, value)
        elif isinstance(value, type) and issubclass(value, Exception):
            base = next(b for b in value.__mro__ if b.__module__ == "builtins")
            self.blocks[name] = f"class {name}({base.__name__}):\n    pass\n"
        else:
            self.blocks[name] = definition(name, value) + "\n"


# Helpers whose Ember form reads process state that has no standalone form (the BLAS thread
# policy): the exported module gets a plain version computing the same numbers.
# Ember's matmul_kernel without its BLAS thread policy: the same GEMMs, the same numbers.
MATMUL_KERNEL = """def {name}(xp, a, b, out=None):
    if a.ndim > 2 and b.ndim == 2 and a.flags.c_contiguous and (out is None or out.flags.c_contiguous):
        count = int(numpy.prod(a.shape[:-1]))
        flat = xp.matmul(a.reshape(count, a.shape[-1]), b,
                         **({{}} if out is None else {{"out": out.reshape(count, b.shape[-1])}}))
        return flat.reshape(a.shape[:-1] + (b.shape[-1],)) if out is None else out
    return xp.matmul(a, b) if out is None else xp.matmul(a, b, out=out)
"""
_SUBSTITUTES = {("ember.primitives.linalg", "matmul_kernel"): MATMUL_KERNEL}


def _global_names(code) -> set:
    """Names a code object (and the functions nested in it) reads as globals."""
    names = {i.argval for i in dis.get_instructions(code) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names


def _strip_decorators(source: str) -> str:
    lines = source.splitlines()
    while lines and lines[0].lstrip().startswith("@"):
        lines.pop(0)
    return "\n".join(lines) + "\n"
