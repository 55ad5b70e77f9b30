"""User-facing autograd entry points: ``backward``, ``grad`` and anomaly detection."""
from __future__ import annotations

import numpy

from ..errors import GradError
from .engine import run_backward
from .node import _tensor_class
from .grad_mode import state


def _as_list(values):
    if values is None:
        return None
    if isinstance(values, (list, tuple)):
        return list(values)
    return [values]


def _root_grads(outputs, grad_outputs, op):
    grads = []
    for i, output in enumerate(outputs):
        given = grad_outputs[i] if grad_outputs is not None else None
        if given is None:
            data = output._data
            if data.dtype.kind == "c":
                raise GradError(f"{op}: grad can be implicitly created only for real scalar outputs "
                                f"but got {output.dtype}")
            if data.size != 1:
                raise GradError(f"{op}: grad can be implicitly created only for scalar outputs; "
                                f"got an output of shape {output.shape}, so pass gradient= "
                                "(a tensor of that shape)")
            if type(data) is numpy.ndarray:  # the usual loss.backward(): no namespace lookup
                given = _tensor_class()._make(numpy.ones(data.shape, data.dtype), None, False)
            else:
                from ..ops.creation import ones_like
                given = ones_like(output)
        else:
            from ..ops.functions import _tensor
            given = _tensor(given)
            if given.shape != output.shape:
                raise GradError(f"{op}: gradient has shape {given.shape} but the output has shape "
                                f"{output.shape}")
        grads.append(given)
    return grads


def _check_requires_grad(outputs, op):
    for output in outputs:
        if not output.requires_grad:
            raise GradError(f"{op}: element 0 of tensors does not require grad and does not have a "
                            "grad_fn (was it computed under no_grad, or from tensors without "
                            "requires_grad=True?)")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False, inputs=None) -> None:
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad``."""
    tensors = _as_list(tensors)
    _check_requires_grad(tensors, "backward")
    grads = _root_grads(tensors, _as_list(grad_tensors), "backward")
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is not None:
        targets = _as_list(inputs)
        results = run_backward(tensors, grads, retain, create_graph, targets)
        for target, grad in zip(targets, results):
            if grad is not None:
                grad = grad if create_graph else grad.detach()
                target.grad = grad.clone() if target.grad is None else target.grad + grad
        return
    run_backward(tensors, grads, retain, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         allow_unused: bool = False, materialize_grads: bool = False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned as a tuple (``.grad`` untouched).

    Example:
        >>> import ember
        >>> x = ember.tensor(3.0, requires_grad=True)
        >>> (dx,) = ember.autograd.grad(x ** 3, x, create_graph=True)
        >>> (ddx,) = ember.autograd.grad(dx, x)
        >>> float(dx), float(ddx)
        (27.0, 18.0)
    """
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    _check_requires_grad(outputs, "grad")
    for value in inputs:
        if not value.requires_grad:
            raise GradError("grad: one of the differentiated tensors does not require grad")
    grads = _root_grads(outputs, _as_list(grad_outputs), "grad")
    retain = create_graph if retain_graph is None else retain_graph
    results = run_backward(outputs, grads, retain, create_graph, inputs)
    final = []
    for value, result in zip(inputs, results):
        if result is None:
            if materialize_grads:
                from ..ops.creation import zeros_like
                result = zeros_like(value)
            elif not allow_unused:
                raise GradError("grad: one of the differentiated tensors appears to not have been "
                                "used in the graph; set allow_unused=True if this is the desired behavior")
        elif not create_graph:
            result = result.detach()
        final.append(result)
    return tuple(final)


class detect_anomaly:
    """Record each op's call site and raise when backward produces nan/inf, naming the op.

    Example:
        >>> import ember
        >>> x = ember.tensor([0.0], requires_grad=True)
        >>> with ember.autograd.detect_anomaly():
        ...     try:
        ...         ember.sqrt(x).sum().backward()
        ...     except RuntimeError as error:
        ...         print(str(error).splitlines()[0])
        function 'sqrt' returned nan or inf values in its gradient; its forward call was made at:
    """

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        self._previous = state.anomaly
        state.anomaly = self.check_nan
        return self

    def __exit__(self, *exc):
        state.anomaly = self._previous
        return False


def set_detect_anomaly(mode: bool) -> None:
    state.anomaly = bool(mode)


def is_anomaly_enabled() -> bool:
    return state.anomaly
