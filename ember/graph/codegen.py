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
    >>> from ember.ops import elementwise as E
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

_NAMESPACE = {"_np": numpy, "_where_into": lowering.where_into, "_copy_into": lowering.copy_into,
              "_where_zero": lowering.where_zero, "inf": math.inf, "nan": math.nan}


class Emitter:
    """Renders operands and attributes as source, collecting the objects the code refers to."""

    def __init__(self):
        self.globals = dict(_NAMESPACE)
        self.globals.update(lowering.namespace())
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
    emitter = emitter or Emitter()
    for const in graph.constants:
        emitter.names[const.id] = emitter.constant(const.data, f"c{const.id}_")
    emitter.globals["_shape_error"] = _shape_error
    params = ", ".join(emitter.name(v) for v in graph.inputs)
    tail = ("_buffers" if not params else ", _buffers") if plan is not None else ""
    lines = [f"def {name}({params}{tail}):"]
    lines += _dim_bindings(graph)
    if plan is not None:
        lines += plan.prologue(emitter)
    for index, node in enumerate(graph.nodes):
        out = plan.out.get(index) if plan is not None else None
        scratch = plan.scratch.get(index, ()) if plan is not None else ()
        lines += ["    " + line for line in node_lines(node, emitter, out, scratch)]
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
