"""ONNX export: ``ember.onnx.export(model, example_inputs, "model.onnx")``.

Needs the ``onnx`` package (``pip install onnx``); ``onnxruntime`` runs the result.
See ``docs/export.md``.
"""
from .errors import ExportError
from .exporter import MAX_OPSET, MIN_OPSET, export

__all__ = ["export", "ExportError", "MIN_OPSET", "MAX_OPSET"]
