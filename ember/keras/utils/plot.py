"""Pictures: training curves with matplotlib, model graphs as Graphviz DOT.

``plot_history`` draws each logged quantity (with its ``val_`` twin) against
the epoch; it needs matplotlib and says so when it is missing.
``model_to_dot`` describes the layer graph in DOT; ``plot_model`` writes it,
and renders it with Graphviz's ``dot`` program when installed (else it writes
the ``.dot`` file beside the requested image and says where).

Example:
    >>> from ember import keras
    >>> keras.backend.clear_session()
    >>> model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2)])
    >>> print(model_to_dot(model))  # doctest: +NORMALIZE_WHITESPACE
    digraph "sequential" {
      rankdir=TB;
      node [shape=record, fontname="Helvetica"];
      "input_layer" [label="{input_layer|InputLayer|(None, 4)}"];
      "dense" [label="{dense|Dense|(None, 2)}"];
      "input_layer" -> "dense";
    }
"""
from __future__ import annotations

import os
import shutil
import subprocess
import warnings


def plot_history(history, metrics=None, path: str | None = None, show: bool = False):
    """One panel per quantity (training and validation curves); returns the matplotlib figure."""
    try:
        import matplotlib
        if not show:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError("plot_history needs matplotlib: pip install matplotlib") from error
    logs = history.history if hasattr(history, "history") else dict(history)
    names = metrics or [key for key in logs if not key.startswith("val_")]
    figure, axes = plt.subplots(1, len(names), figsize=(4.5 * len(names), 3.5), squeeze=False)
    for axis, name in zip(axes[0], names):
        epochs = range(1, len(logs[name]) + 1)
        axis.plot(epochs, logs[name], marker="o", label=name)
        if f"val_{name}" in logs:
            axis.plot(epochs, logs[f"val_{name}"], marker="o", label=f"val_{name}")
        axis.set_xlabel("epoch")
        axis.set_title(name)
        axis.legend()
    figure.tight_layout()
    if path:
        figure.savefig(path)
    if show:
        plt.show()
    return figure


def _shape_text(shape) -> str:
    from .summary import format_shape
    return format_shape(shape).replace("{", "\\{").replace("}", "\\}")


def model_to_dot(model, show_shapes: bool = True, show_layer_names: bool = True, rankdir: str = "TB",
                 **kwargs) -> str:
    """The model's layers and their connections as Graphviz DOT text."""
    nodes, edges = _graph_of(model)
    lines = [f'digraph "{model.name}" {{', f"  rankdir={rankdir};", '  node [shape=record, fontname="Helvetica"];']
    for name, kind, shape in nodes:
        parts = ([name] if show_layer_names else []) + [kind] + ([_shape_text(shape)] if show_shapes else [])
        lines.append(f'  "{name}" [label="{{{"|".join(parts)}}}"];')
    lines += [f'  "{source}" -> "{target}";' for source, target in edges]
    return "\n".join(lines + ["}"])


def _graph_of(model):
    """(nodes, edges): a functional graph's layers and links, or a chain for other models."""
    graph = getattr(model, "_graph", None)
    if graph is not None:
        from ..models.model import _output_shape_in
        nodes = [(layer.name, type(layer).__name__, _output_shape_in(layer, graph)) for layer in graph.layers]
        edges = list(dict.fromkeys((tensor._history[0].layer.name, node.layer.name)
                                   for node in graph.nodes for tensor in node.input_tensors))
        return nodes, edges
    rows = [(name, kind, shape) for name, kind, shape, _, _ in model._summary_rows()]
    input_layer = getattr(model, "_input_layer", None)
    if input_layer is not None:
        rows.insert(0, (input_layer.name, "InputLayer", input_layer.batch_shape))
    return rows, [(a[0], b[0]) for a, b in zip(rows, rows[1:])]


def plot_model(model, to_file: str = "model.png", show_shapes: bool = True, show_layer_names: bool = True,
               rankdir: str = "TB", dpi: int = 96, **kwargs) -> str:
    """Write the model graph: an image via Graphviz ``dot`` if installed, else a ``.dot`` file. Returns its path."""
    dot = model_to_dot(model, show_shapes=show_shapes, show_layer_names=show_layer_names, rankdir=rankdir)
    base, extension = os.path.splitext(os.fspath(to_file))
    if extension == ".dot":
        with open(to_file, "w") as file:
            file.write(dot)
        return to_file
    program = shutil.which("dot")
    if program is None:
        path = base + ".dot"
        with open(path, "w") as file:
            file.write(dot)
        warnings.warn(f"Graphviz's `dot` program was not found, so no image was made; the graph is in "
                      f"{path} (install graphviz, e.g. apt-get install graphviz, to render it)", stacklevel=2)
        return path
    subprocess.run([program, f"-T{extension.lstrip('.') or 'png'}", f"-Gdpi={dpi}", "-o", to_file],
                   input=dot.encode(), check=True)
    return to_file
