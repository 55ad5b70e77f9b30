"""Code generation: a graph becomes readable Python source calling NumPy, compiled once.

The generated function takes the graph inputs' arrays and returns its
outputs' arrays. Its first lines bind each symbolic size (``batch =
v0.shape[0]``) and check inputs that share one; each node is then one line.
Nodes that memory planning gave a buffer write into it with ``out=`` (the
buffers are allocated once per set of sizes and reused by every call with
them); fused elementwise groups expand to several in-place lines.

Example:
    >>> import numpy
    >>> from ember.graph.ir import Graph
    >>> from ember.primitives import elementwise as E
    >>> g = Graph("f")
    >>> x = g.add_input((3,), numpy.float64, "x")
    >>> g.outputs = [g.add_node(E.exp, [x], (), (3,), numpy.float64)]
    >>> program = compile_graph(g)
    >>> print(program.source.strip().splitlines()[-2])
        v1 = _exp(v0)
    >>> program(numpy.zeros(3))[0]
    array([1., 1., 1.])
"""
from __future__ import annotations

import itertools
import math

import numpy

from . import lowering
from .dims import Dim, SymFloat
from .ir import Graph, Node, Value

# __name__: the module warnings are attributed to (see ember/backend/float_warnings.py)
_NAMESPACE = {"__name__": "ember.graph.generated", "inf": math.inf, "nan": math.nan}


class Emitter:
    """Renders operands and attributes as source, collecting the objects the code refers to.

    ``xp`` is the array namespace the code calls (``_np`` in the source): the
    traced device's, NumPy's by default.
    """

    def __init__(self, xp=numpy):
        self.xp = xp
        self.globals = dict(_NAMESPACE)
        self.globals.update(lowering.namespace(xp))
        self.names: dict[int, str] = {}
        self._counter = itertools.count()

    def constant(self, value, hint: str = "k") -> str:
        for name, existing in self.globals.items():
            if existing is value and name.startswith("_" + hint):
                return name
        name = f"_{hint}{next(self._counter)}"
        self.globals[name] = value
        return name

    def name(self, value: Value) -> str:
        return self.names.setdefault(value.id, f"v{value.id}")

    def render(self, item) -> str:
        """Source text for an operand or attribute."""
        if isinstance(item, Value):
            return self.name(item)
        if isinstance(item, (Dim, SymFloat)):
            return item.source()
        if item is None or isinstance(item, (bool, str)):
            return repr(item)
        if isinstance(item, int):
            return repr(int(item))
        if isinstance(item, float):
            return repr(item) if math.isfinite(item) else f"float({str(item)!r})"
        if isinstance(item, tuple):
            inner = ", ".join(self.render(i) for i in item)
            return f"({inner},)" if len(item) == 1 else f"({inner})"
        if isinstance(item, list):
            return "[" + ", ".join(self.render(i) for i in item) + "]"
        if isinstance(item, slice):
            return f"slice({self.render(item.start)}, {self.render(item.stop)}, {self.render(item.step)})"
        if item is Ellipsis:
            return "..."
        if isinstance(item, numpy.dtype):
            return self.constant(item, "dt_" + item.name + "_")
        return self.constant(item)


def _dim_bindings(graph: Graph):
    """Lines binding each symbol from the first input dimension that is exactly it, then checks."""
    bound, lines, checks = set(), [], []
    for value in graph.inputs:
        for axis, size in enumerate(value.shape):
            if not isinstance(size, Dim):
                continue
            symbols = size.symbols
            if str(size) in symbols and str(size) not in bound:
                bound.add(str(size))
                lines.append(f"    {size} = v{value.id}.shape[{axis}]")
            else:
                checks.append((value, axis, size))
    for value, axis, size in checks:
        lines.append(f"    if v{value.id}.shape[{axis}] != {size.source()}:")
        lines.append(f"        raise _shape_error({value.label or value.id!r}, {axis}, "
                     f"v{value.id}.shape[{axis}], {size.source()}, {str(size)!r})")
    return lines


def _shape_error(label, axis, actual, expected, name):
    from ..errors import ShapeError
    return ShapeError(f"compiled function: input {label} has size {actual} in dimension {axis}, "
                      f"but the graph needs {name} = {expected} there (inputs that share a "
                      "dimension name must agree)")


def node_lines(node: Node, emitter: Emitter, out: str | None = None, scratch=()) -> list[str]:
    """The source lines computing ``node`` (assigning its outputs)."""
    if node.op == "fused":
        return node.attrs[0].lines(node, emitter, out, scratch)
    if node.op in ("cond", "while_loop"):
        from .control_codegen import control_lines
        return control_lines(node, emitter)
    args = [emitter.render(v) for v in node.inputs]
    attrs = [emitter.render(a) for a in node.attrs]
    target = ", ".join(emitter.name(v) for v in node.outputs)
    text = lowering.emit(node, args, attrs, out)
    if text is None and out is not None:
        return [f"{target} = {_fallback(node, emitter, args, attrs)}", f"_copy_into({out}, {target})",
                f"{target} = {out}"]
    if text is None:
        prim = emitter.constant(node.prim, f"p_{node.op}_")
        text = f"{prim}.forward(_np, {', '.join(args + attrs)})"
    return [f"{target} = {text}"]


def _fallback(node, emitter, args, attrs) -> str:
    prim = emitter.constant(node.prim, f"p_{node.op}_")
    return f"{prim}.forward(_np, {', '.join(args + attrs)})"


# --- kernel regions (the numba path) ------------------------------------------------------
class _Region:
    """The numba-compiled body of a run of nodes: statements, the kernels they call, parameters."""

    def __init__(self, emitter: Emitter):
        self.emitter = emitter
        self.prelude, self.statements = [], []
        self.bindings: dict = {}      # result -> (array it was written into, None) or (view expression, source)
        self.kernels: dict = {}       # alias -> kernel
        self.parameters: list = []
        self.types: dict = {}         # parameter -> numba type
        self.defined: set = set()
        self.c_arrays: set = set()    # names surely C-contiguous inside (results in fresh buffers)

    def kernel(self, kernel) -> str:
        for alias, known in self.kernels.items():
            if known is kernel:
                return alias
        alias = f"k{len(self.kernels)}"
        self.kernels[alias] = kernel
        return alias

    def argument(self, text: str, value=None) -> str:
        """A name for an operand: defined in the region, or a parameter (typed from ``value``)."""
        if not text.isidentifier():  # a symbolic size expression: worked out outside
            name = f"_r{len(self.prelude)}"
            self.prelude.append(f"{name} = {text}")
            text, value = name, 0
        if text not in self.defined and text not in self.parameters:
            self.parameters.append(text)
            self.types[text] = value
        return text

    def output(self, node: Node, out) -> str:
        """The array a node's result goes into: its buffer, or a fresh one made before the call."""
        fresh = out is None or _is_buffer(out)  # not a state array written in place, whose layout is the user's
        if out is None:
            out = self.emitter.name(node.output)
            self.prelude.append(f"{out} = _np.empty({self.emitter.render(node.output.shape)}, "
                                f"{self.emitter.render(node.output.dtype)})")
        name = self.argument(out, node.output)
        if fresh:
            self.c_arrays.add(name)
        return name


def _is_buffer(name: str) -> bool:
    """Whether ``name`` is one of the memory plan's buffers (allocated C-contiguous by the plan)."""
    return name[:1] == "b" and name[1:].isdigit()


def _region_statement(region: _Region, node: Node, out) -> bool:
    """Add ``node`` to ``region`` if numba can run it there; False (adding nothing) if not."""
    from . import kernels
    emitter = region.emitter
    result = emitter.name(node.output)
    values = [v for v in node.inputs if isinstance(v, Value)]
    if node.op == "fused":
        program = node.attrs[0]
        if program.kernel is None or program.kernel_form != "loop":
            return False
        _, arguments = program.kernel_call(node, emitter, "_")
        sources = list(node.inputs) + [0] * len(program.symbolic_numbers())
        names = [region.argument(text, source) for text, source in zip(arguments[:-1], sources)]
        names.append(region.output(node, out))
        region.statements.append(f"{result} = {region.kernel(program.kernel)}({', '.join(names)})")
        region.bindings[result] = (names[-1], None)
    elif node.op in ("sum", "amax", "amin") and len(values) == 1:
        kernel = kernels.compile_reduce_kernel(node.op, values[0].shape, node.attrs[0], values[0].dtype)
        if kernel is None:
            return False
        source = region.argument(emitter.render(values[0]), values[0])
        target = region.output(node, out)
        region.statements.append(f"{result} = {region.kernel(kernel)}({source}, {target})")
        region.bindings[result] = (target, None)
    elif node.op == "matmul" and len(values) == 2 and kernels.matmul_in_regions() \
            and (out is None or _is_buffer(out)) \
            and all(v.ndim == 2 and v.dtype == node.output.dtype for v in values) \
            and node.output.dtype.kind == "f" and node.output.dtype.itemsize in (4, 8):
        # (numba's numpy.dot wants a C-contiguous output: a buffer of the plan, never a state array)
        a, b = (region.argument(emitter.render(v), v) for v in values)
        target = region.output(node, out)
        region.statements += [f"numpy.dot({a}, {b}, {target})", f"{result} = {target}"]
        region.bindings[result] = (target, None)
    elif node.op == "permute" and len(values) == 1 and tuple(node.attrs[0]) == (1, 0):
        source = region.argument(emitter.render(values[0]), values[0])
        region.statements.append(f"{result} = {source}.T")
        region.bindings[result] = (f"{source}.T", source)
    elif node.op == "reshape" and len(values) == 1 and emitter.render(values[0]) in region.c_arrays \
            and kernels.static(node.attrs[0]):
        source = emitter.render(values[0])
        expression = f"{source}.reshape({emitter.render(tuple(node.attrs[0]))})"
        region.statements.append(f"{result} = {expression}")
        region.bindings[result] = (expression, source)
        region.c_arrays.add(result)
    else:
        return False
    region.defined.add(result)
    return True


def _numba_type(value):
    """The numba type a region parameter is compiled for: C-contiguous arrays, int64 sizes."""
    import numba
    if isinstance(value, Value):
        return numba.types.Array(numba.from_dtype(value.dtype), len(value.shape), "C")
    if isinstance(value, numpy.ndarray):
        return numba.typeof(value)
    return numba.types.int64


def region_lines(graph: Graph, start: int, emitter: Emitter, plan):
    """``(lines, stop)``: the nodes from ``start`` that one numba region runs, or ``([], start)``.

    A Python call into numba costs about half a microsecond, and a small
    model's step is dozens of small kernels, matmuls and reductions: run
    as one region, that overhead is paid once. Only runs of two or more
    nodes are worth it. The region is compiled before the program runs; if
    numba cannot type it, the run's nodes get one line each instead.
    """
    from .kernels import compile_region
    region, index = _Region(emitter), start
    while index < len(graph.nodes):
        out = plan.out.get(index) if plan is not None else None
        if not _region_statement(region, graph.nodes[index], out):
            break
        index += 1
    kernel_nodes = sum(1 for node in graph.nodes[start:index] if node.op not in ("permute", "reshape"))
    if kernel_nodes < 2:
        return [], start
    while graph.nodes[index - 1].op in ("permute", "reshape"):  # trailing views: plain Python is cheaper
        index -= 1
        region.statements.pop()
    try:
        signature = [_numba_type(region.types[name]) for name in region.parameters]
        function = compile_region(region.statements, region.kernels, region.parameters, signature)
    except Exception:  # noqa: BLE001 -- numba's typing errors have no common base worth naming
        # the whole run falls back at once: retrying from each later node would compile again and again
        lines = []
        for position in range(start, index):
            out = plan.out.get(position) if plan is not None else None
            scratch = plan.scratch.get(position, ()) if plan is not None else ()
            lines += node_lines(graph.nodes[position], emitter, out, scratch)
        return lines, index
    name = emitter.constant(function, "region")
    return region.prelude + [f"{name}({', '.join(region.parameters)})"] + \
        _rebind(graph, graph.nodes[start:index], region), index


def _rebind(graph: Graph, nodes, region: _Region) -> list[str]:
    """Lines naming, after the region call, each result the rest of the program reads.

    A kernel's result is the array it wrote into; a view is made again from
    its source (itself named first, if only the view is read later).
    """
    inside = {id(node) for node in nodes}
    needed = {v.id for v in graph.output_values()}
    for node in graph.nodes:
        if id(node) not in inside:
            needed.update(v.id for v in node.operands())
    wanted = set()
    for node in reversed(nodes):
        result = region.emitter.name(node.output)
        if node.output.id in needed or result in wanted:
            wanted.add(result)
            source = region.bindings[result][1]
            if source is not None and source in region.bindings:
                wanted.add(source)
    lines = []
    for node in nodes:
        result = region.emitter.name(node.output)
        if result in wanted and region.bindings[result][0] != result:
            lines.append(f"{result} = {region.bindings[result][0]}")
    return lines


class Program:
    """A compiled graph: ``program(*input_arrays) -> tuple of output arrays``."""

    def __init__(self, graph: Graph, source: str, namespace: dict, function, workspace=None):
        self.graph = graph
        self.source = source
        self.namespace = namespace
        self.function = function
        self.workspace = workspace

    def __call__(self, *arrays):
        return self.function(*arrays)


def generate(graph: Graph, plan=None, emitter: Emitter | None = None, name: str = "compiled"):
    """Source text and global namespace for ``graph`` (``plan``: a memory plan, or None)."""
    emitter = emitter or Emitter(graph.namespace)
    for const in graph.constants:  # host arrays, moved to the graph's device once, here
        data = const.data if emitter.xp is numpy else emitter.xp.asarray(const.data)
        emitter.names[const.id] = emitter.constant(data, f"c{const.id}_")
    emitter.globals["_shape_error"] = _shape_error
    params = ", ".join(emitter.name(v) for v in graph.inputs)
    tail = ("_buffers" if not params else ", _buffers") if plan is not None else ""
    lines = [f"def {name}({params}{tail}):"]
    lines += _dim_bindings(graph)
    if plan is not None:
        lines += plan.prologue(emitter)
    regions = any(node.op == "fused" and node.attrs[0].kernel is not None for node in graph.nodes)
    index = 0
    while index < len(graph.nodes):
        if regions:
            region, stop = region_lines(graph, index, emitter, plan)
            if stop > index:
                lines += ["    " + line for line in region]
                index = stop
                continue
        node = graph.nodes[index]
        out = plan.out.get(index) if plan is not None else None
        scratch = plan.scratch.get(index, ()) if plan is not None else ()
        lines += ["    " + line for line in node_lines(node, emitter, out, scratch)]
        index += 1
    outputs = [emitter.render(v) for v in graph.outputs]
    lines.append(f"    return ({', '.join(outputs)}{',' if len(outputs) == 1 else ''})")
    return "\n".join(lines) + "\n", emitter.globals


def compile_graph(graph: Graph, plan=None, name: str = "compiled") -> Program:
    """Generate, compile and load the function for ``graph``."""
    source, namespace = generate(graph, plan, name=name)
    code = compile(source, f"<ember.function {graph.name}>", "exec")
    exec(code, namespace)
    function = namespace[name]
    if plan is not None:
        function = plan.bind(function, graph)
    return Program(graph, source, namespace, function, plan)
