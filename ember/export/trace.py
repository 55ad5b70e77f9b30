"""Tracing for export (ONNX and NumPy modules): example inputs become TensorSpecs, modules run in eval mode.

Example:
    >>> import ember
    >>> spec_for(ember.zeros(2, 3), [0], 0).shape
    (None, 3)
"""
from __future__ import annotations

import numpy

import ember
from ember.graph import TensorSpec
from ember.graph.function import Function
from ember.nn import Module



def spec_for(example, dynamic, position: int) -> TensorSpec:
    """The TensorSpec of one example input, its ``dynamic`` axes left free."""
    if isinstance(example, TensorSpec):
        return example
    array = example._data if isinstance(example, ember.Tensor) else numpy.asarray(example)
    names = dynamic if isinstance(dynamic, dict) else {axis: None for axis in dynamic or ()}
    shape = tuple(names[axis] if axis in names else size for axis, size in enumerate(array.shape))
    return TensorSpec(shape, array.dtype)


def example_tensor(spec: TensorSpec):
    """A zero tensor fitting ``spec`` (free sizes traced at 2)."""
    shape = tuple(2 if s is None or isinstance(s, str) else s for s in spec.shape)
    return ember.zeros(*shape, dtype=spec.dtype or ember.float32)


def trace_concrete(model_or_function, example_inputs, input_names=None, dynamic_axes=None):
    """``(concrete function, {argument index: input name})`` of one traced call, for export."""
    examples = example_inputs if isinstance(example_inputs, (tuple, list)) else (example_inputs,)
    names = list(input_names or [f"input_{i}" for i in range(len(examples))])
    if len(names) != len(examples):
        raise ValueError(f"{len(names)} input_names for {len(examples)} example inputs")
    specs = [spec_for(e, (dynamic_axes or {}).get(n), i) for i, (e, n) in enumerate(zip(examples, names))]
    tensors = [example_tensor(s) if isinstance(e, TensorSpec) else _as_tensor(e)
               for e, s in zip(examples, specs)]
    return _concrete(model_or_function, specs, tensors), dict(enumerate(names))


def _as_tensor(example):
    return example if isinstance(example, ember.Tensor) else ember.tensor(numpy.asarray(example))


def _concrete(model_or_function, specs, tensors):
    is_module = isinstance(model_or_function, Module)
    was_training = is_module and model_or_function.training
    if is_module:
        model_or_function.eval()
    try:
        function = model_or_function
        if is_module and hasattr(function, "_traced_callable"):  # e.g. a Keras model: inputs as one list
            function = function._traced_callable(len(tensors))
        if not isinstance(function, Function):
            function = ember.function(function, input_signature=specs)
        with ember.no_grad():
            return function.get_concrete_function(*tensors)
    finally:
        if was_training:
            model_or_function.train()
