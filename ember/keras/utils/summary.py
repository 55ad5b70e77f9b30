"""``model.summary()``: Keras 3's table of layers, output shapes and parameter counts.

Example:
    >>> from ember import keras
    >>> keras.backend.clear_session()
    >>> model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(128)])
    >>> model.summary()  # doctest: +NORMALIZE_WHITESPACE
    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
    │ dense (Dense)                   │ (None, 128)            │       100,480 │
    └─────────────────────────────────┴────────────────────────┴───────────────┘
     Total params: 100,480 (392.50 KB)
     Trainable params: 100,480 (392.50 KB)
     Non-trainable params: 0 (0.00 B)
"""
from __future__ import annotations

from ..layers.symbolic import is_shape


def readable_size(num_bytes: float) -> str:
    """Bytes in B, KB, MB … (powers of 1024), as Keras prints them."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if num_bytes < 1024 or unit == "TB":
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024


def format_shape(shape) -> str:
    if shape is None:
        return "?"
    if is_shape(shape):
        return "(" + ", ".join(str(size) for size in shape) + ("," if len(shape) == 1 else "") + ")"
    if isinstance(shape, dict):
        return "{" + ", ".join(f"{k}: {format_shape(v)}" for k, v in shape.items()) + "}"
    return "[" + ", ".join(format_shape(item) for item in shape) + "]"


def _count(weights) -> int:
    return int(sum(w.numel() for w in weights))


def _table(headers: list[str], rows: list[list[str]], widths: list[int], right: set[int]) -> list[str]:
    def line(cells, left, middle, end, fill=" "):
        parts = []
        for index, (cell, width) in enumerate(zip(cells, widths)):
            text = cell.rjust(width) if index in right else cell.ljust(width)
            parts.append(fill + text + fill)
        return left + middle.join(parts) + end

    def rule(left, middle, end, char):
        return left + middle.join(char * (width + 2) for width in widths) + end

    lines = [rule("┏", "┳", "┓", "━"), line(headers, "┃", "┃", "┃"), rule("┡", "╇", "┩", "━")]
    for number, row in enumerate(rows):
        cell_lines = [cell.split("\n") for cell in row]
        for depth in range(max(len(c) for c in cell_lines)):
            lines.append(line([c[depth] if depth < len(c) else "" for c in cell_lines], "│", "│", "│"))
        if number < len(rows) - 1:
            lines.append(rule("├", "┼", "┤", "─"))
    lines.append(rule("└", "┴", "┘", "─"))
    return lines


def summary_lines(model, show_trainable: bool = False) -> list[str]:
    """The lines of ``model.summary()``."""
    rows, connected = model._summary_rows(), model._summary_has_connections()
    headers = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if connected else [])
    widths = [31, 22, 13] + ([20] if connected else [])
    table_rows = []
    for name, kind, shape, params, inbound in rows:
        row = [f"{name} ({kind})", format_shape(shape), f"{params:,}"]
        if connected:
            row.append("\n".join(inbound) if inbound else "-")
        table_rows.append(row)
    widths = [max([width] + [len(part) for row in table_rows for part in row[i].split("\n")])
              for i, width in enumerate(widths)]
    trainable, non_trainable = _count(model.trainable_weights), _count(model.non_trainable_weights)
    item = 4  # float32 bytes
    lines = [f'Model: "{model.name}"'] + _table(headers, table_rows, widths, right={2})
    lines += [f" Total params: {trainable + non_trainable:,} ({readable_size((trainable + non_trainable) * item)})",
              f" Trainable params: {trainable:,} ({readable_size(trainable * item)})",
              f" Non-trainable params: {non_trainable:,} ({readable_size(non_trainable * item)})"]
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and optimizer.built:
        state = [value for per_param in optimizer.rule.state.values() for value in per_param.values()
                 if hasattr(value, "numel") and value.ndim > 0]
        count = _count(state) + 2  # Keras also counts its iteration counter and learning rate
        lines.append(f" Optimizer params: {count:,} ({readable_size(count * item)})")
    return lines


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested: bool = False,
                  show_trainable: bool = False, layer_range=None) -> None:
    """Print (or pass to ``print_fn`` line by line) the summary table of ``model``."""
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling `build()` "
                         "or by calling the model on a batch of data.")
    print_fn = print_fn or print
    for line in summary_lines(model, show_trainable):
        print_fn(line)
