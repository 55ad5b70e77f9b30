"""Compiled loops for the numba path of ``ember.function`` (optional).

A :class:`~ember.graph.passes.fusion.FusedProgram` becomes one compiled pass
over the data instead of one NumPy call (and one sweep through memory) per
step. Two forms:

- a **loop kernel** (``numba.njit``) when every operand has the output's
  shape, a single element, the output's leading dimensions (one value per
  row) or its trailing ones (a bias): see :func:`operand_layout`. It walks
  flat, contiguous memory, which LLVM vectorizes (``error_model="numpy"``
  drops the division-by-zero checks that would stop it). This is the common
  case: optimizer updates, activations, their gradients.
- otherwise a scalar function that ``numba.vectorize`` turns into a NumPy
  ufunc, which broadcasts anything but runs a strided, unvectorized loop.

Small float reductions get loop kernels too (:func:`compile_reduce_kernel`),
and :func:`compile_region` wraps a run of kernels, reductions and matmuls
into one numba function, so a small model's step crosses from Python into
compiled code once instead of dozens of times (see ``codegen.region_lines``).

The source is written to a file in
the kernel cache (``$EMBER_KERNEL_CACHE``, default ``~/.cache/ember/kernels``)
named by its hash, and compiled with ``cache=True``, so each kernel is
compiled once per machine, not once per process.

When numba is missing, :func:`available` is False and fused groups run as
in-place NumPy sequences instead.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import pathlib
import re
import sys

import numpy

from .dims import is_symbolic

_NUMBA = None  # whether numba imports: an optional extra, looked up on first use (it is slow to import)

_UNARY = {"neg": "-{0}", "exp": "numpy.exp({0})", "log": "numpy.log({0})", "log1p": "numpy.log1p({0})",
          "expm1": "numpy.expm1({0})", "sqrt": "numpy.sqrt({0})", "sin": "numpy.sin({0})",
          "cos": "numpy.cos({0})", "tan": "numpy.tan({0})", "tanh": "numpy.tanh({0})",
          "abs": "abs({0})", "sign": "numpy.sign({0})", "floor": "numpy.floor({0})",
          "ceil": "numpy.ceil({0})", "round": "numpy.rint({0})", "logical_not": "(not {0})",
          "isnan": "numpy.isnan({0})", "isinf": "numpy.isinf({0})",
          "relu": "({0} if ({0} > 0 or {0} != {0}) else {zero})"}
_BINARY = {"add": "{0} + {1}", "sub": "{0} - {1}", "mul": "{0} * {1}", "div": "{0} / {1}",
           "pow": "{0} ** {1}", "floor_divide": "{0} // {1}", "remainder": "{0} % {1}",
           "maximum": "({0} if ({0} >= {1} or {0} != {0}) else {1})",
           "minimum": "({0} if ({0} <= {1} or {0} != {0}) else {1})",
           "eq": "{0} == {1}", "ne": "{0} != {1}", "lt": "{0} < {1}", "le": "{0} <= {1}",
           "gt": "{0} > {1}", "ge": "{0} >= {1}", "logical_and": "({0} and {1})",
           "logical_or": "({0} or {1})", "logical_xor": "(bool({0}) != bool({1}))"}


def available() -> bool:
    global _NUMBA
    if _NUMBA is None:
        _NUMBA = importlib.util.find_spec("numba") is not None
    return _NUMBA


# numba calls libm once per element for these, while NumPy has SIMD loops for them:
# a group using one runs faster as NumPy's in-place sequence (measured in bench_graph.py).
_SLOWER_IN_NUMBA = {"exp", "log", "log1p", "expm1", "tanh", "sin", "cos", "tan", "pow"}


# Below this many elements a group costs its NumPy calls (about 0.5 µs each), not its loops,
# even where numba calls libm once per element (about 10 ns) and NumPy has SIMD loops.
SMALL = 64


def static(shape) -> bool:
    """Whether every size is a plain int (a symbolic :class:`~ember.graph.dims.Dim` is an int too)."""
    return all(isinstance(s, int) and not is_symbolic(s) for s in shape)


def worthwhile(program, out_shape=None) -> bool:
    """Whether a compiled loop should beat NumPy for this group.

    Small outputs always gain (one call instead of several); large ones only
    without transcendental steps.
    """
    if out_shape is not None and static(out_shape) and numpy.prod(out_shape) <= SMALL:
        return True
    return not any(step[0] in _SLOWER_IN_NUMBA for step in program.steps)


def cache_directory() -> pathlib.Path:
    root = os.environ.get("EMBER_KERNEL_CACHE") or os.path.join(os.path.expanduser("~"), ".cache",
                                                                    "ember", "kernels")
    path = pathlib.Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _type(dtype) -> str:
    name = numpy.dtype(dtype).name
    return "boolean" if name == "bool" else name


def kernel_source(program, input_dtypes) -> str | None:
    """The Python source of the numba kernel for ``program`` (None if a step can't be compiled)."""
    numbers = program.symbolic_numbers()
    names = [f"a{k}" for k in range(len(input_dtypes))] + [f"n{k}" for k in range(len(numbers))]
    body = []
    for index, (op, args, _, dtype, attrs) in enumerate(program.steps):
        operands = [_operand(arg, numbers, dtype) for arg in args]
        expression = _expression(op, operands, dtype, attrs)
        if expression is None:
            return None
        body.append(f"    s{index} = {expression}")
    result_type = _type(program.steps[-1][3])
    signature = f"{result_type}({', '.join(_type(d) for d in input_dtypes)}" + \
        "".join(", float64" if isinstance(n, float) else ", int64" for n in numbers) + ")"
    return "\n".join([
        "import numpy",
        "import numba",
        "",
        "",
        f"@numba.vectorize([{signature!r}], nopython=True, cache=True)",
        f"def kernel({', '.join(names)}):",
        *body,
        f"    return s{len(program.steps) - 1}",
        "",
    ])


def operand_layout(input_shapes, out_shape):
    """How a loop kernel reads each input, or None when some input needs general broadcasting.

    The output is walked as rows x inner, split after its first ``k`` axes.
    An input is "full" (the output's shape), "one" (a single element),
    "lead" (the first ``k`` axes, then ones: indexed by row) or "tail" (the
    last axes: indexed by position in the row). All lead and tail inputs must
    agree on ``k``.
    """
    out_shape, layout, splits = tuple(out_shape), [], set()
    for shape in input_shapes:
        shape = tuple(shape)
        if shape == out_shape:
            layout.append("full")
            continue
        if all(isinstance(s, int) and s == 1 for s in shape):
            layout.append("one")
            continue
        padded = (1,) * (len(out_shape) - len(shape)) + shape
        if len(padded) != len(out_shape):
            return None
        core = shape
        while core and isinstance(core[0], int) and core[0] == 1:
            core = core[1:]
        if core and core == out_shape[len(out_shape) - len(core):]:
            layout.append("tail")
            splits.add(len(out_shape) - len(core))
            continue
        lead = len(padded)
        while lead and isinstance(padded[lead - 1], int) and padded[lead - 1] == 1:
            lead -= 1
        if lead and padded[:lead] == out_shape[:lead]:
            layout.append("lead")
            splits.add(lead)
            continue
        return None
    return layout if len(splits) <= 1 else None


def loop_kernel_source(program, input_dtypes, layout) -> str | None:
    """The source of the ``numba.njit`` loop kernel for ``program`` (see :func:`operand_layout`).

    When the output buffer is also one of the inputs (an in-place update of a
    state array), LLVM's runtime overlap check would send the loop down its
    scalar path, several times slower. So the kernel checks which full-size
    input, if any, is the output's memory, and runs a copy of the loop that
    reads that operand through the output instead.
    """
    numbers = program.symbolic_numbers()
    names = [f"a{k}" for k in range(len(input_dtypes))] + [f"n{k}" for k in range(len(numbers))]
    setup = ["    o = out.ravel()"]
    for k, kind in enumerate(layout):
        setup.append(f"    x{k} = {'first' if kind == 'one' else 'flat'}(a{k})")
    body = []
    for index, (op, args, _, dtype, attrs) in enumerate(program.steps):
        operands = [f"e{a[1]}" if a[0] == "in" else _operand(a, numbers, dtype) for a in args]
        expression = _expression(op, operands, dtype, attrs)
        if expression is None:
            return None
        body.append(f"s{index} = {expression}")
    body.append(f"o[i] = s{len(program.steps) - 1}")
    tails = [k for k, kind in enumerate(layout) if kind == "tail"]  # (leads: see _loop_lines)
    out_dtype = numpy.dtype(program.steps[-1][3])
    aliases = [k for k, kind in enumerate(layout)
               if kind == "full" and numpy.dtype(input_dtypes[k]) == out_dtype]
    lines = list(setup)
    for position, alias in enumerate(aliases):
        keyword = "if" if position == 0 else "elif"
        lines.append(f"    {keyword} x{alias}.ctypes.data == o.ctypes.data:")
        lines += _loop_lines(layout, tails, body, alias, "        ")
    if aliases:
        lines.append("    else:")
    lines += _loop_lines(layout, tails, body, None, "        " if aliases else "    ")
    return "\n".join([
        "import numpy",
        "import numba",
        "from ember.graph.kernel_support import first, flat",
        "",
        "",
        '@numba.njit(cache=True, nogil=True, error_model="numpy")',
        f"def kernel({', '.join(names + ['out'])}):",
        *lines,
        "    if o.size and o.ctypes.data != out.ctypes.data:  # o was a copy: write it back",
        "        out[...] = o.reshape(out.shape)",
        "    return out",
        "",
    ])


def _loop_lines(layout, tails, body, alias, indent) -> list[str]:
    """One pass over the output: a flat loop, or rows x inner when an input is a lead or a tail."""
    loads = []
    for k, kind in enumerate(layout):
        if k == alias:
            loads.append(f"e{k} = o[i]")
        elif kind == "one":
            loads.append(f"e{k} = x{k}")
        else:
            loads.append(f"e{k} = x{k}[{dict(full='i', tail='c', lead='r')[kind]}]")
    leads = [k for k, kind in enumerate(layout) if kind == "lead"]
    if not tails and not leads:
        inner = indent + "    "
        return [f"{indent}for i in range(o.size):", *(inner + line for line in loads + body)]
    inner = indent + "        "
    size = f"x{tails[0]}.size" if tails else f"(o.size // x{leads[0]}.size if x{leads[0]}.size else 0)"
    return [f"{indent}inner = {size}",
            f"{indent}for r in range(o.size // inner if inner else 0):",
            f"{indent}    for c in range(inner):",
            f"{inner}i = r * inner + c",
            *(inner + line for line in loads + body)]


def _operand(arg, numbers, dtype):
    kind, value = arg
    if kind == "in":
        return f"a{value}"
    if kind == "step":
        return f"s{value}"
    if is_symbolic(value):
        return f"n{numbers.index(value)}"
    if isinstance(value, bool):
        return repr(value)
    if numpy.dtype(dtype).kind == "f":  # NumPy casts a Python number to the array's dtype first
        return f"numpy.{numpy.dtype(dtype).name}({float(value)!r})"
    return repr(value)


def _expression(op, operands, dtype, attrs):
    zero = f"numpy.{numpy.dtype(dtype).name}(0)" if numpy.dtype(dtype).kind != "b" else "False"
    if op == "cast":
        return f"numpy.{_type(attrs[0]).replace('boolean', 'bool_')}({operands[0]})"
    if op == "where":
        return f"({operands[1]} if {operands[0]} else {operands[2]})"
    if op in _UNARY:
        return _UNARY[op].format(*operands, zero=zero)
    if op in _BINARY:
        return _BINARY[op].format(*operands)
    return None


_LOADED: dict = {}


def compile_kernel(program, input_dtypes, input_shapes=None, out_shape=None):
    """A numba kernel computing ``program`` (cached in memory and on disk), or None.

    Sets ``program.kernel_form``: "loop" (called with the output buffer as the
    last positional argument) or "ufunc" (called with ``out=``).
    """
    if not available() or not worthwhile(program, out_shape):
        return None
    layout = operand_layout(input_shapes, out_shape) if input_shapes is not None else None
    source = loop_kernel_source(program, input_dtypes, layout) if layout is not None else None
    program.kernel_form = "loop"
    if source is None:
        source, program.kernel_form = kernel_source(program, input_dtypes), "ufunc"
    if source is None:
        return None
    return _load(source, "kernel")


def _load(source: str, prefix: str):
    """The function ``kernel`` of a module with this source, written once to the cache and imported.

    Returns the function; its module's name is kept in :data:`MODULE_OF`
    so that a region module can import it.
    """
    digest = hashlib.sha1(source.encode()).hexdigest()[:20]
    if digest in _LOADED:
        return _LOADED[digest]
    name = f"ember_{prefix}_{digest}"
    path = cache_directory() / f"{name}.py"
    if not path.exists():
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(source)
        os.replace(temporary, path)  # atomic: concurrent processes never see half a file
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # numba's on-disk cache (and region modules) find it by name
    spec.loader.exec_module(module)
    _LOADED[digest] = module.kernel
    MODULE_OF[id(module.kernel)] = name
    return module.kernel


MODULE_OF: dict = {}  # id(kernel) -> the name of the module defining it


# --- reductions ---------------------------------------------------------------------------
_REDUCE_STEP = {"sum": "acc + v", "amax": "(v if (v > acc or v != v) else acc)",
                "amin": "(v if (v < acc or v != v) else acc)"}
REDUCE_LIMIT = 1 << 16  # elements: beyond this NumPy's pairwise SIMD sums win


def reduce_block(input_shape, axes):
    """``(lo, hi)`` when the reduced axes are one contiguous block of a static shape, else None."""
    if not static(input_shape) or not input_shape:
        return None  # symbolic sizes: the kernel's loop bounds are fixed when it is written
    axes = tuple(range(len(input_shape))) if axes is None else tuple(sorted(axes))
    if not axes or axes != tuple(range(axes[0], axes[-1] + 1)):
        return None
    return axes[0], axes[-1] + 1


def compile_reduce_kernel(op, input_shape, axes, dtype):
    """A kernel ``(x, out)`` for a small sum/amax/amin over a contiguous block of axes, or None.

    The input is walked as (before, reduced, after); sums of floats accumulate
    in float64, so they are at least as accurate as NumPy's pairwise sums.
    """
    block = reduce_block(input_shape, axes)
    dtype = numpy.dtype(dtype)
    if not available() or op not in _REDUCE_STEP or block is None or dtype.kind != "f":
        return None
    size = int(numpy.prod(input_shape))
    lo, hi = block
    before, reduced = int(numpy.prod(input_shape[:lo])), int(numpy.prod(input_shape[lo:hi]))
    after = int(numpy.prod(input_shape[hi:]))
    if size > REDUCE_LIMIT or (reduced == 0 and op != "sum"):
        return None
    initial = {"sum": "0.0", "amax": "-numpy.inf", "amin": "numpy.inf"}[op]
    accumulate = "numpy.float64" if op == "sum" else f"numpy.{dtype.name}"
    source = "\n".join([
        "import numpy",
        "import numba",
        "from ember.graph.kernel_support import flat",
        "",
        "",
        '@numba.njit(cache=True, nogil=True, error_model="numpy")',
        "def kernel(a, out):",
        "    x = flat(a)",
        "    o = out.ravel()",
        f"    for p in range({before}):",
        f"        for q in range({after}):",
        f"            acc = {accumulate}({initial})",
        f"            for r in range({reduced}):",
        f"                v = x[(p * {reduced} + r) * {after} + q]",
        f"                acc = {_REDUCE_STEP[op]}",
        f"            o[p * {after} + q] = acc",
        "    if o.size and o.ctypes.data != out.ctypes.data:  # o was a copy: write it back",
        "        out[...] = o.reshape(out.shape)",
        "    return out",
        "",
    ])
    return _load(source, "kernel")


# --- regions ------------------------------------------------------------------------------
def compile_region(statements, kernels, parameters, signature=None):
    """One numba function running a run of graph nodes: one call from Python, not many.

    ``statements`` are lines of the body, calling ``kernels`` (loop and reduce
    kernels, by the alias each is imported under) and ``numpy``; ``parameters``
    the names the region receives. Every result lives in an array the caller
    passed in (a kernel's or ``numpy.dot``'s last argument), so the region
    returns nothing. With ``signature`` (numba argument types) it is compiled
    now, so a typing problem shows here, before any call, and raises.
    """
    imports = [f"from {MODULE_OF[id(kernel)]} import kernel as {alias}" for alias, kernel in kernels.items()]
    statements, parameters = _canonical(statements, parameters)
    source = "\n".join([
        "import numba",
        "import numpy",
        *imports,
        "",
        "",
        "@numba.njit(cache=True, nogil=True, error_model=\"numpy\")",
        f"def kernel({', '.join(parameters)}):",
        *("    " + line for line in statements),
        "",
    ])
    if "numpy.dot" in source:
        _blas_under_policy()
    region = _load(source, "region")
    if signature is not None:
        region.compile(tuple(signature))
    return region


def _blas_under_policy() -> None:
    """numba's ``numpy.dot`` calls SciPy's own OpenBLAS: load it now and give it Ember's
    thread policy, as NumPy's BLAS has (see :mod:`ember.backend.threads`)."""
    import scipy.linalg.cython_blas  # noqa: F401  (what numba binds numpy.dot to)
    from ..backend import threads
    threads.ensure_policy()
    threads.adopt_new_libraries()


def _canonical(statements, parameters):
    """Rename parameters ``a0, a1, ...`` and results ``t0, t1, ...``, in order of appearance.

    Two runs of the same nodes (an unrolled recurrent layer's time steps)
    then have the same source, so the region is compiled (and cached) once.
    """
    names = {name: f"a{index}" for index, name in enumerate(parameters)}
    for statement in statements:
        target = statement.split(" = ", 1)[0]
        if " = " in statement and target.isidentifier() and target not in names:
            names[target] = f"t{len(names) - len(parameters)}"
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b")

    def rename(text):
        return pattern.sub(lambda match: names[match.group(0)], text) if names else text
    return [rename(statement) for statement in statements], [names[p] for p in parameters]


def matmul_in_regions() -> bool:
    """Whether numba can run ``numpy.dot`` (it calls BLAS through SciPy)."""
    return available() and importlib.util.find_spec("scipy") is not None
