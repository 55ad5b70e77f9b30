"""Parametrizations (``ember.nn.utils.parametrize``): a tensor of a module computed from others.

As in PyTorch, ``register_parametrization(module, "weight", p)`` moves the
parameter to ``module.parametrizations.weight.original`` (or ``original0``,
``original1``... when ``p.right_inverse`` returns several tensors) and turns
``module.weight`` into a property that evaluates the parametrization chain on
each access, so state-dict keys match PyTorch's one for one.
"""
from __future__ import annotations

import contextlib

from ...autograd.grad_mode import no_grad
from ...errors import EmberValueError
from ...tensor import Tensor
from ..containers import ModuleDict, ModuleList
from ..module import Module
from ..parameter import Parameter

__all__ = ["register_parametrization", "remove_parametrizations", "is_parametrized", "ParametrizationList",
           "cached"]


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor and its unconstrained original(s)."""

    def __init__(self, modules, original: Tensor):
        super().__init__(modules)
        first = modules[0]
        new = original
        if hasattr(first, "right_inverse"):
            try:
                with no_grad():
                    new = first.right_inverse(original)
            except NotImplementedError:  # as PyTorch: taken to be the identity at registration
                new = original
        self.is_tensor = not isinstance(new, (tuple, list))
        if self.is_tensor:
            self.original = original if isinstance(original, Parameter) and new is original else Parameter(
                new.detach(), requires_grad=original.requires_grad)
            self.ntensors = 1
        else:
            self.ntensors = len(new)
            for i, value in enumerate(new):
                self.register_parameter(f"original{i}", Parameter(value.detach(),
                                                                 requires_grad=original.requires_grad))

    def right_inverse(self, value: Tensor) -> None:
        """Set the original(s) so that the chain yields ``value`` (what ``module.<name> = value``
        does): each parametrization's ``right_inverse``, last to first."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise EmberValueError(f"parametrization {type(module).__name__} does not implement "
                                          "right_inverse.")
                value = module.right_inverse(value)
            if self.is_tensor:
                targets, values = [self.original], [value]
            else:
                targets = [getattr(self, f"original{i}") for i in range(self.ntensors)]
                values = list(value)
            for target, new in zip(targets, values):
                if not isinstance(new, Tensor):
                    raise EmberValueError(f"`right_inverse` should return a tensor. Got {type(new).__name__}")
                if new.dtype != target.dtype:
                    raise EmberValueError(f"The tensor returned by `right_inverse` has dtype {new.dtype} "
                                          f"while `original` has dtype {target.dtype}")
                if tuple(new.shape) == tuple(target.shape):
                    target.copy_(new)
                else:  # PyTorch swaps the storage: the original takes the new shape
                    target.data = new.detach().clone()

    def forward(self) -> Tensor:
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


_CACHE_DEPTH = 0
_CACHE: dict = {}


@contextlib.contextmanager
def cached():
    """Within this context each parametrized tensor is computed once, at its first access, and
    reused (one evaluation per forward pass instead of one per use).

    Example:
        >>> import ember
        >>> from ember.nn.utils import parametrize
        >>> class Double(ember.nn.Module):
        ...     def forward(self, x):
        ...         return x * 2
        >>> layer = parametrize.register_parametrization(ember.nn.Linear(2, 2), "weight", Double())
        >>> with parametrize.cached():
        ...     layer.weight is layer.weight
        True
    """
    global _CACHE_DEPTH, _CACHE
    _CACHE_DEPTH += 1
    try:
        yield
    finally:
        _CACHE_DEPTH -= 1
        if not _CACHE_DEPTH:
            _CACHE = {}


def _parametrized_property(name: str) -> property:
    def get(self):
        if not _CACHE_DEPTH:
            return self.parametrizations[name]()
        key = (id(self), name)
        if key not in _CACHE:
            _CACHE[key] = self.parametrizations[name]()
        return _CACHE[key]

    def set_(self, value):
        self.parametrizations[name].right_inverse(value)
    return property(get, set_)


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` (or its tensor ``tensor_name``) has a parametrization.

    Example:
        >>> from ember import nn
        >>> is_parametrized(nn.Linear(2, 2))
        False
    """
    parametrizations = module.__dict__.get("_modules", {}).get("parametrizations")
    if parametrizations is None:
        return False
    return tensor_name is None or tensor_name in parametrizations


def register_parametrization(module: Module, tensor_name: str, parametrization: Module,
                             *, unsafe: bool = False) -> Module:
    """Make ``module.<tensor_name>`` the output of ``parametrization`` applied to a new original.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> class Symmetric(nn.Module):
        ...     def forward(self, x):
        ...         return x.triu() + x.triu(1).transpose(0, 1)
        >>> layer = register_parametrization(nn.Linear(3, 3), "weight", Symmetric())
        >>> w = layer.weight
        >>> bool((w == w.transpose(0, 1)).all())
        True
        >>> sorted(layer.state_dict())
        ['bias', 'parametrizations.weight.original']
    """
    if is_parametrized(module, tensor_name):
        module.parametrizations[tensor_name].append(parametrization)
        return module
    original = getattr(module, tensor_name)
    if tensor_name in module._parameters:
        del module._parameters[tensor_name]
    elif tensor_name in module._buffers:
        del module._buffers[tensor_name]
    if not is_parametrized(module):
        module.parametrizations = ModuleDict()
        cls = type(module)
        module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {})
    module.parametrizations[tensor_name] = ParametrizationList([parametrization], original)
    setattr(type(module), tensor_name, _parametrized_property(tensor_name))
    return module


def remove_parametrizations(module: Module, tensor_name: str, leave_parametrized: bool = True) -> Module:
    """Undo :func:`register_parametrization`: the tensor becomes a plain parameter again.

    ``leave_parametrized=True`` keeps the current (parametrized) value;
    otherwise the original is restored (single-original parametrizations only).

    Example:
        >>> from ember import nn
        >>> from ember.nn.utils import parametrizations
        >>> layer = parametrizations.weight_norm(nn.Linear(2, 2))
        >>> sorted(remove_parametrizations(layer, "weight").state_dict())
        ['bias', 'weight']
    """
    if not is_parametrized(module, tensor_name):
        raise EmberValueError(f"Module {type(module).__name__} does not have a parametrization on {tensor_name}")
    chain = module.parametrizations[tensor_name]
    with no_grad():
        if leave_parametrized:
            value = chain().detach()
        elif chain.is_tensor:
            value = chain.original.detach()
        else:
            raise EmberValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor "
                                  "that is parametrized in terms of a sequence of tensors.")
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    module.register_parameter(tensor_name, Parameter(value.clone()))
    if not len(module.parametrizations):
        del module._modules["parametrizations"]
        module.__class__ = type(module).__bases__[0]
    return module
