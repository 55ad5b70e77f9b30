"""Elementwise fusion: trees of elementwise nodes become one ``fused`` node.

Starting from the last node, an elementwise node absorbs the elementwise
nodes producing its operands when it is their only reader (so each absorbed
result is used once, inside the group) and their result has the root's
shape: a broadcast operand (a bias correction worked out on a 0-d step
count) stays outside, computed once rather than once per element. The group becomes one node holding
a :class:`FusedProgram`: its steps in order, reading the group's external
inputs, Python numbers and earlier steps. Code generation runs a program as
a sequence of in-place NumPy calls that reuse the output buffer and a few
temporaries, or, when ``numba`` is installed and asked for, as one compiled
loop (a ufunc built from the steps: see :mod:`ember.graph.kernels`).

Example:
    >>> import numpy
    >>> from ember.graph.ir import Graph
    >>> from ember.primitives import elementwise as E
    >>> g = Graph()
    >>> x = g.add_input((4,), numpy.float64)
    >>> y = g.add_node(E.mul, [x, 2.0], (), (4,), numpy.float64)
    >>> g.outputs = [g.add_node(E.tanh, [y], (), (4,), numpy.float64)]
    >>> g = fuse_elementwise(g)
    >>> [node.op for node in g.nodes], g.nodes[0].attrs[0].describe()
    (['fused'], 'fused{mul, tanh}')
"""
from __future__ import annotations

from ..dims import is_symbolic
from ..ir import Graph, Node, Value
from ..lowering import UFUNCS

FUSIBLE = set(UFUNCS) | {"relu", "where", "cast"}
NOT_IN_PLACE = {"cast"}  # its NumPy form must not write over an operand


class FusedProgram:
    """The steps of a fused group: ``(op, args, shape, dtype, attrs)``; args are refs."""

    def __init__(self, steps, inputs):
        self.steps = steps            # args: ("in", k), ("step", j) or ("num", python number)
        self.inputs = inputs          # how many external inputs
        self.kernel = None            # a compiled numba kernel, when the numba path is on
        self.kernel_form = None       # "loop" (out passed last) or "ufunc" (out=): see kernels.py
        self.out_from = 0             # the first step that may write the output (see in_place_ok)
        self._registers = None

    def describe(self) -> str:
        return "fused{" + ", ".join(step[0] for step in self.steps) + "}"

    def __repr__(self) -> str:
        return self.describe()

    # --- registers for the NumPy path ----------------------------------------------------
    def registers(self, out_type):
        """Where each step writes: "out" or a temporary index; and the temporaries' types."""
        if self._registers is not None:
            return self._registers
        free, temps, where = {}, [], []
        out_free = True
        last = len(self.steps) - 1
        for index, (op, args, shape, dtype, _) in enumerate(self.steps):
            # Each step result has one reader, which may read it twice (add(x, x)): release it once,
            # or two later steps would be given the same temporary.
            dying = [where[j] for j in dict.fromkeys(a[1] for a in args if a[0] == "step")]
            if op not in NOT_IN_PLACE:
                out_free = _release(dying, free, temps, out_free)
            if index == last:
                target = "out"
            elif out_free and (shape, dtype) == out_type and index >= self.out_from:
                target, out_free = "out", False
            elif free.get((shape, dtype)):
                target = free[(shape, dtype)].pop()
            else:
                temps.append((shape, dtype))
                target = len(temps) - 1
            if op in NOT_IN_PLACE:
                out_free = _release(dying, free, temps, out_free)
                if target == "out":
                    out_free = False
            where.append(target)
        self._registers = (where, temps)
        return self._registers

    def temporaries(self, out_type=None):
        if self.kernel is not None:
            return []
        return self.registers(out_type or self._out_type)[1]

    def in_place_ok(self, owner_id, owners) -> bool:
        """Whether the output may be written over an external input living in ``owner_id``.

        A compiled kernel reads each element before writing it. The NumPy
        sequence is safe when every step reading that input runs no later than
        the first step that writes the output: the output is then first written
        by the last reader itself (an elementwise step may overwrite what it
        reads: Adam's ``v * beta2`` lands in ``v``'s own array, not in a
        temporary) or, when that step is a ``where`` or a ``cast``, by a later one.
        """
        aliased = [k for k, v in enumerate(self._node_inputs) if owner_id in owners[v.id]]
        if any(self._node_inputs[k].shape != self._out_shape for k in aliased):
            return False
        last_op, last_args = self.steps[-1][0], self.steps[-1][1]
        if last_op == "where" and any(last_args[0] == ("in", k) for k in aliased):
            return False  # where_into writes before it reads its condition
        if self.kernel is not None:
            return True
        readers = [j for j, step in enumerate(self.steps) if any(a == ("in", k) for a in step[1] for k in aliased)]
        where, _ = self.registers(self._out_type)
        if all(j <= where.index("out") for j in readers):
            return True
        last = max(readers)
        first_write = last if self.steps[last][0] not in NOT_IN_PLACE | {"where"} else last + 1
        self.out_from, self._registers = max(self.out_from, first_write), None
        return True

    # --- code ------------------------------------------------------------------------------
    def lines(self, node: Node, emitter, out, scratch) -> list[str]:
        inputs = [emitter.render(v) for v in node.inputs]
        result = emitter.name(node.output)
        if self.kernel is not None:
            return self._kernel_lines(node, emitter, inputs, out, result)
        lines = []
        if out is None:
            out = result
            shape = emitter.render(node.output.shape)
            dtype = emitter.render(node.output.dtype)
            lines.append(f"{out} = _np.empty({shape}, {dtype})")
        where, temps = self.registers((node.output.shape, node.output.dtype))
        scratch = list(scratch)
        for shape, dtype in temps[len(scratch):]:  # no memory plan: allocate the temporaries here
            scratch.append(f"{result}_t{len(scratch)}")
            lines.append(f"{scratch[-1]} = _np.empty({emitter.render(shape)}, {emitter.render(dtype)})")
        names = [out if target == "out" else scratch[target] for target in where]
        for (op, args, _, _, attrs), target in zip(self.steps, names):
            sources = [_render_arg(a, inputs, names, emitter) for a in args]
            lines.append(_step_line(op, sources, attrs, target, emitter))
        if out != result:
            lines.append(f"{result} = {out}")
        return lines

    def _kernel_lines(self, node, emitter, inputs, out, result):
        kernel = emitter.constant(self.kernel, "kernel")
        extra = [emitter.render(s) for s in self.symbolic_numbers()]
        if self.kernel_form == "ufunc":
            tail = f", out={out}" if out else ""
            return [f"{result} = {kernel}({', '.join(inputs + extra)}{tail})"]
        prelude, arguments = self.kernel_call(node, emitter, out)
        return prelude + [f"{result} = {kernel}({', '.join(arguments)})"]

    def kernel_call(self, node, emitter, out):
        """For a loop kernel: lines allocating its output if it has no buffer, and its arguments."""
        inputs = [emitter.render(v) for v in node.inputs]
        extra = [emitter.render(s) for s in self.symbolic_numbers()]
        prelude = []
        if out is None:
            out = emitter.name(node.output)
            prelude.append(f"{out} = _np.empty({emitter.render(node.output.shape)}, "
                           f"{emitter.render(node.output.dtype)})")
        return prelude, inputs + extra + [out]

    def symbolic_numbers(self):
        """Symbolic numbers (sizes) the steps use: runtime arguments of a compiled kernel."""
        found = []
        for _, args, _, _, _ in self.steps:
            for kind, value in args:
                if kind == "num" and is_symbolic(value) and value not in found:
                    found.append(value)
        return found


def _release(dying, free, temps, out_free):
    for target in dying:
        if target == "out":
            out_free = True
        else:
            free.setdefault(temps[target], []).append(target)
    return out_free


def _render_arg(arg, inputs, names, emitter):
    kind, value = arg
    if kind == "in":
        return inputs[value]
    if kind == "step":
        return names[value]
    return emitter.render(value)


def _step_line(op, sources, attrs, target, emitter) -> str:
    if op == "relu":
        return f"_maximum({sources[0]}, 0, out={target})"
    if op == "cast":
        return f"_copy_into({target}, {sources[0]})"
    if op == "where" and sources[2] in ("0", "0.0") and sources[1] != target:
        return f"_where_zero({target}, {sources[0]}, {sources[1]})"
    if op == "where":
        return f"_where_into({target}, {', '.join(sources)})"
    return f"_{UFUNCS[op]}({', '.join(sources)}, out={target})"


# --- the pass ------------------------------------------------------------------------------
def _fusible(node: Node) -> bool:
    return node.op in FUSIBLE and not node.effect and len(node.outputs) == 1


def _groups(graph: Graph, singletons: bool = False):
    """Index sets of fusible nodes, one per group, found from each group's root backwards."""
    users = graph.users()
    outputs = {v.id for v in graph.output_values()}
    position = {id(node): index for index, node in enumerate(graph.nodes)}
    taken, groups = set(), []
    for index in range(len(graph.nodes) - 1, -1, -1):
        node = graph.nodes[index]
        if index in taken or not _fusible(node):
            continue
        group, stack = [index], [node]
        while stack:
            for operand in stack.pop().inputs:
                if not isinstance(operand, Value) or operand.kind != "node":
                    continue
                producer = operand.node
                where = position[id(producer)]
                if where in taken or where in group or not _fusible(producer):
                    continue
                if producer.output.shape != node.output.shape:
                    continue  # a smaller operand (a 0-d step count) would be recomputed per element
                if operand.id in outputs or len(users.get(operand.id, ())) != 1:
                    continue
                group.append(where)
                stack.append(producer)
        if len(group) > 1 or singletons:
            taken.update(group)
            groups.append(sorted(group))
    return groups


def _program(graph: Graph, indices):
    """A FusedProgram and the external input values for the nodes at ``indices``."""
    nodes = [graph.nodes[i] for i in indices]
    step_of = {node.output.id: j for j, node in enumerate(nodes)}
    externals, steps = [], []
    for node in nodes:
        args = []
        for operand in node.inputs:
            if isinstance(operand, Value) and operand.id in step_of:
                args.append(("step", step_of[operand.id]))
            elif isinstance(operand, Value):
                if operand not in externals:
                    externals.append(operand)
                args.append(("in", externals.index(operand)))
            else:
                args.append(("num", operand))
        steps.append((node.op, args, node.output.shape, node.output.dtype, node.attrs))
    return FusedProgram(steps, len(externals)), externals


def fuse_elementwise(graph: Graph, singletons: bool = False) -> Graph:
    """Replace each group of elementwise nodes by one ``fused`` node.

    ``singletons``: also make lone elementwise nodes one-step groups (the
    numba path, where each becomes a kernel that a region can run).
    """
    for indices in _groups(graph, singletons):
        program, externals = _program(graph, indices)
        root = graph.nodes[indices[-1]]
        fused = Node("fused", None, externals, (program,), source=root.source)
        fused.outputs = [root.output]
        root.output.node = fused
        program._out_type = (root.output.shape, root.output.dtype)
        program._out_shape = root.output.shape
        program._node_inputs = externals
        for i in indices[:-1]:
            graph.nodes[i] = None
        graph.nodes[indices[-1]] = fused
    graph.nodes = [node for node in graph.nodes if node is not None]
    return graph
