"""The error raised when a model cannot be exported to ONNX."""
from __future__ import annotations

import os


class ExportError(RuntimeError):
    """A graph cannot be written as ONNX: an unsupported primitive, opset or input.

    Example:
        >>> raise ExportError("no ONNX mapping for 'random'")
        Traceback (most recent call last):
        ...
        ember.onnx.errors.ExportError: no ONNX mapping for 'random'
    """


def where(node) -> str:
    """`` (at model.py:12, /full/path/model.py)`` for a node that recorded its source line, else ``""``."""
    if not node.source:
        return ""
    filename, line = node.source[0], node.source[1]
    return f" (at {os.path.basename(filename)}:{line}, {filename})"
