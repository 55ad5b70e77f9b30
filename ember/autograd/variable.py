"""``torch.autograd.Variable``: the pre-0.4 wrapper, kept (as in PyTorch) as an alias that makes
plain tensors.

Since PyTorch 0.4 every tensor is a Variable: ``Variable(t)`` returns a tensor sharing ``t``'s
data, detached from its history (a new leaf), requiring grad only if asked; ``isinstance(x,
Variable)`` holds for every tensor; ``volatile`` is ignored with a warning.
"""
from __future__ import annotations

import warnings

from ..errors import GradError


def _tensor_class():
    from ..tensor import Tensor
    return Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, other) -> bool:
        return isinstance(other, _tensor_class())


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False, volatile=False)``: a tensor sharing ``data``'s memory,
    as a new leaf (PyTorch's legacy alias).

    Example:
        >>> import ember
        >>> from ember.autograd import Variable
        >>> x = Variable(ember.ones(2), requires_grad=True)
        >>> x.requires_grad, x.is_leaf, isinstance(x, Variable)
        (True, True, True)
    """

    def __new__(cls, data=None, requires_grad: bool = False, volatile: bool = False):
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` "
                          "instead.", UserWarning, stacklevel=2)
        if data is None:
            from ..ops.creation import empty
            data = empty(0)
        if not isinstance(data, _tensor_class()):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        result = data.detach()
        if requires_grad:
            result.requires_grad_(True)
        return result


def variable(*args, **kwargs):
    """Removed in PyTorch: raises, pointing to ``tensor`` (as ``torch.autograd.variable`` does)."""
    raise GradError("torch.autograd.variable(...) is deprecated, use torch.tensor(...) instead")
