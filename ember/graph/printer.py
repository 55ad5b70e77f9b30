"""Readable listings and Graphviz DOT for graphs (see :class:`ember.graph.ir.Graph`)."""
from __future__ import annotations

import os

import numpy

from .ir import Graph, Node, Value, attr_names, short_dtype


def format_operand(value) -> str:
    if isinstance(value, Value):
        return repr(value)
    if isinstance(value, slice):
        parts = ["" if p is None else format_operand(p) for p in (value.start, value.stop, value.step)]
        return ":".join(parts[:2] if value.step is None else parts)
    if isinstance(value, numpy.ndarray):
        return f"array<{short_dtype(value.dtype)}{list(value.shape)}>"
    if isinstance(value, numpy.dtype):
        return value.name
    if isinstance(value, tuple):
        inner = ", ".join(format_operand(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(format_operand(v) for v in value) + "]"
    if value is Ellipsis:
        return "..."
    if isinstance(value, Graph):
        return f"<graph {value.name}>"
    if hasattr(value, "describe"):
        return value.describe()
    return repr(value)


def format_attrs(node: Node) -> str:
    if not node.attrs:
        return ""
    names = attr_names(node)
    if names is None:
        parts = [format_operand(a) for a in node.attrs]
    else:
        parts = [f"{n}={format_operand(a)}" for n, a in zip(names, node.attrs)]
    return " {" + ", ".join(parts) + "}"


def format_node(node: Node) -> str:
    outputs = ", ".join(repr(v) for v in node.outputs)
    types = ", ".join(v.type_str for v in node.outputs)
    operands = ", ".join(format_operand(v) for v in node.inputs)
    line = f"{outputs} = {node.op}({operands}){format_attrs(node)} : {types}"
    if node.source:
        line = line.ljust(72) + f"  # {os.path.basename(node.source[0])}:{node.source[1]}"
    return line


def _signature(graph: Graph) -> str:
    return ", ".join(f"{v!r}: {v.type_str}" + (f" {v.label}" if v.label else "") for v in graph.inputs)


def format_graph(graph: Graph, indent: str = "") -> str:
    lines = [f"{indent}graph {graph.name}({_signature(graph)}) {{"]
    for const in graph.constants:
        lines.append(f"{indent}  {const!r} = const {_const_text(const)} : {const.type_str}")
    for node in graph.nodes:
        lines.append(f"{indent}  {format_node(node)}")
        for sub in _subgraphs(node):
            lines.append(format_graph(sub, indent + "    "))
    outputs = ", ".join(format_operand(v) for v in graph.outputs)
    lines.append(f"{indent}  return ({outputs})")
    lines.append(f"{indent}}}")
    return "\n".join(lines)


def _subgraphs(node: Node):
    return [a for a in node.attrs if isinstance(a, Graph)]


def _const_text(const: Value) -> str:
    data = const.data
    if data.size <= 4:
        return numpy.array2string(data, separator=",").replace("\n", "")
    return f"<{data.size} elements>"


def _dot_label(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def graph_to_dot(graph: Graph) -> str:
    """Graphviz DOT: inputs and constants as ellipses, nodes as boxes, edges carry values."""
    lines = [f'digraph "{_dot_label(graph.name)}" {{', "  rankdir=TB;", '  node [fontname="monospace"];']
    producer = {}
    for value in graph.inputs:
        name = f"v{value.id}"
        producer[value.id] = name
        label = f"{value.label or repr(value)}\\n{value.type_str}"
        lines.append(f'  {name} [shape=ellipse, label="{_dot_label(label)}"];')
    for value in graph.constants:
        name = f"v{value.id}"
        producer[value.id] = name
        lines.append(f'  {name} [shape=ellipse, style=dashed, label="const\\n{value.type_str}"];')
    for index, node in enumerate(graph.nodes):
        name = f"n{index}"
        types = ", ".join(v.type_str for v in node.outputs)
        lines.append(f'  {name} [shape=box, label="{_dot_label(node.op)}\\n{_dot_label(types)}"];')
        for value in dict.fromkeys(node.operands()):
            if value.id in producer:
                lines.append(f"  {producer[value.id]} -> {name};")
        for value in node.outputs:
            producer[value.id] = name
    for position, value in enumerate(graph.output_values()):
        lines.append(f'  out{position} [shape=doublecircle, label="out{position}"];')
        if value.id in producer:
            lines.append(f"  {producer[value.id]} -> out{position};")
    lines.append("}")
    return "\n".join(lines)
