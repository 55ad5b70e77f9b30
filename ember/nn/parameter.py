"""``Parameter``: a tensor that a :class:`~ember.nn.Module` registers as learnable.

A Parameter is an ordinary :class:`ember.Tensor` (every op accepts it) whose
type tells ``Module.__setattr__`` to put it in ``_parameters``; ops applied to
it return plain tensors, as in PyTorch.
"""
from __future__ import annotations

from ..ops.creation import to_array
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad by default and is registered by modules on assignment.

    It shares memory with ``data`` when given a tensor (like ``torch.nn.Parameter``).

    Example:
        >>> import ember
        >>> p = ember.nn.Parameter(ember.zeros(2))
        >>> p
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
        >>> (p * 2).requires_grad
        True
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            data = to_array([])
        self._data = data._data if isinstance(data, Tensor) else to_array(data)
        self._node = None
        self._requires_grad = False
        self.grad = None
        self._version = data._shared_version() if isinstance(data, Tensor) else None
        self._hooks = None
        self._base = None
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        # Rebuild through the constructor so copies and pickles stay Parameters.
        return (_rebuild_parameter, (self.detach().clone(), self._requires_grad, self.grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        copy = Parameter(self.detach().clone(), self._requires_grad)
        if self.grad is not None:
            copy.grad = self.grad.detach().clone()
        memo[id(self)] = copy
        return copy


def _rebuild_parameter(data, requires_grad, grad):
    parameter = Parameter(data, requires_grad)
    parameter.grad = grad
    return parameter
