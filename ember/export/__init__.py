"""Ways out of (and into) Ember: DLPack exchange and standalone NumPy modules.

``ember.from_dlpack`` shares memory with other array libraries;
``ember.export.numpy_module`` writes a model as one NumPy-only ``.py`` file.
ONNX export lives in :mod:`ember.onnx`. See ``docs/export.md``.
"""
from .dlpack import from_dlpack


def numpy_module(fn_or_model, example_inputs, path, **options):
    """Write a NumPy-only module for ``fn_or_model`` (see :func:`ember.export.standalone.numpy_module`)."""
    from .standalone import numpy_module as write  # loaded on use: it pulls in the graph passes
    return write(fn_or_model, example_inputs, path, **options)


__all__ = ["from_dlpack", "numpy_module"]
