"""PyTorch's ``out=`` keyword for the ``ember.*`` functions that lack their own.

``with_out(f)`` computes ``f(...)`` and writes the result into ``out`` (a tensor, or a tuple
of tensors for functions returning several), as PyTorch does: a result that can't be cast to
``out``'s dtype is an error; an ``out`` of another shape is resized (with PyTorch's warning
when it held elements); and ``out=`` refuses inputs that require grad while grad mode is on.
Without ``out`` the function runs unchanged.
"""
from __future__ import annotations

import functools
import inspect
import warnings

import numpy

from ..errors import DTypeError, GradError


def _tensor_class():
    from ..tensor import Tensor
    return Tensor


def _write(result, out, name):
    """Copy ``result`` into the tensor ``out`` (resizing it if needed) and return ``out``."""
    from ..autograd.grad_mode import no_grad
    source, target = numpy.dtype(result.dtype.name), numpy.dtype(out.dtype.name)
    if not numpy.can_cast(source, target, "same_kind"):
        raise DTypeError(f"{name}: result type {result.dtype} can't be cast to the desired output "
                         f"type {out.dtype}")
    with no_grad():
        if tuple(out.shape) != tuple(result.shape):
            if out.numel() > 0:
                warnings.warn(f"An output with one or more elements was resized since it had shape "
                              f"{list(out.shape)}, which does not match the required output shape "
                              f"{list(result.shape)}. This behavior is deprecated, and in a future "
                              "PyTorch release outputs will not be resized unless they have zero "
                              "elements. You can explicitly reuse an out tensor t by resizing it, "
                              "inplace, to zero elements with t.resize_(0).", UserWarning, stacklevel=4)
            out.data = result.to(out.dtype).clone()
        else:
            out.copy_(result)
    return out


def with_out(function):
    """``function`` accepting ``out=`` (a no-op wrapper if it already takes one).

    Example:
        >>> import ember
        >>> y = ember.empty(3)
        >>> _ = ember.mul(ember.tensor([1.0, 2.0, 3.0]), 2, out=y)
        >>> y.tolist()
        [2.0, 4.0, 6.0]
    """
    try:
        if "out" in inspect.signature(function).parameters:
            return function
    except (TypeError, ValueError):  # builtins without a signature
        return function
    name = function.__name__

    @functools.wraps(function)
    def wrapper(*args, out=None, **kwargs):
        if out is None:
            return function(*args, **kwargs)
        from ..autograd.grad_mode import is_grad_enabled
        Tensor = _tensor_class()
        if is_grad_enabled() and any(isinstance(a, Tensor) and a.requires_grad
                                     for a in list(args) + list(kwargs.values())):
            raise GradError(f"{name}(): functions with out=... arguments don't support automatic "
                            "differentiation, but one of the arguments requires grad.")
        result = function(*args, **kwargs)
        if isinstance(out, (tuple, list)):
            for target, value in zip(out, result):
                _write(value, target, name)
            return type(result)(*out) if hasattr(result, "_fields") else tuple(out)
        return _write(result, out, name)
    return wrapper
