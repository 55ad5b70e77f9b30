"""Code for ``cond`` and ``while_loop`` nodes: each subgraph is compiled to its own function."""
from __future__ import annotations


def _compiled(graph, emitter) -> str:
    from .codegen import compile_graph
    from .passes import optimize_graph
    optimized, _ = optimize_graph(graph.copy(), plan=False)
    program = compile_graph(optimized, name=_name(graph))
    return emitter.constant(program.function, "sub_" + graph.name + "_")


def _name(graph) -> str:
    return "".join(c if c.isalnum() else "_" for c in graph.name)


def control_lines(node, emitter) -> list[str]:
    names = [emitter.name(v) for v in node.outputs]
    args = [emitter.render(v) for v in node.inputs]
    if node.op == "cond":
        true_fn, false_fn = (_compiled(g, emitter) for g in node.attrs[:2])
        pred, rest = args[0], ", ".join(args[1:])
        call = f"({true_fn} if {pred} else {false_fn})({rest})"
        return [f"{', '.join(names)}, = {call}"]
    test, body = (_compiled(g, emitter) for g in node.attrs[:2])
    count = node.attrs[2]
    loop, captured = args[:count], args[count:]
    extra = "".join(", " + c for c in captured)
    state = f"_state{node.outputs[0].id}"
    return [f"{state} = ({', '.join(loop)},)",
            f"while {test}(*{state}{extra})[0]:",
            f"    {state} = {body}(*{state}{extra})",
            f"{', '.join(names)}, = {state}"]
