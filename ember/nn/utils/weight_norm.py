"""The legacy ``nn.utils.weight_norm`` / ``remove_weight_norm`` (``<name>_g``, ``<name>_v`` parameters).

PyTorch keeps this form (deprecated in favour of
:func:`ember.nn.utils.parametrizations.weight_norm`) because old checkpoints
store ``weight_g``/``weight_v``; the weight is recomputed by a forward pre-hook.
"""
from __future__ import annotations

import warnings

from ...autograd.grad_mode import no_grad
from ...errors import EmberValueError
from ..module import Module
from ..parameter import Parameter
from .parametrizations import norm_except_dim

__all__ = ["weight_norm", "remove_weight_norm"]


class _WeightNormHook:
    def __init__(self, name: str, dim: int):
        self.name, self.dim = name, dim

    def compute_weight(self, module: Module):
        g, v = getattr(module, self.name + "_g"), getattr(module, self.name + "_v")
        return v * (g / norm_except_dim(v, self.dim))

    def __call__(self, module: Module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Split ``module.<name>`` into a magnitude ``<name>_g`` and a direction ``<name>_v``.

    Example:
        >>> import warnings
        >>> from ember import nn
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     layer = weight_norm(nn.Linear(3, 2))
        >>> list(layer.state_dict())
        ['bias', 'weight_g', 'weight_v']
    """
    warnings.warn("torch.nn.utils.weight_norm is deprecated in favor of "
                  "torch.nn.utils.parametrizations.weight_norm.", FutureWarning, stacklevel=2)
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, _WeightNormHook) and hook.name == name:
            raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
    hook = _WeightNormHook(name, -1 if dim is None else dim)
    weight = getattr(module, name)
    del module._parameters[name]
    with no_grad():
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, hook.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
    setattr(module, name, hook.compute_weight(module))
    module.register_forward_pre_hook(hook)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Fold ``<name>_g``/``<name>_v`` back into one parameter and drop the hook.

    Example:
        >>> import warnings
        >>> from ember import nn
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     layer = weight_norm(nn.Linear(3, 2))
        >>> list(remove_weight_norm(layer).state_dict())
        ['bias', 'weight']
    """
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, _WeightNormHook) and hook.name == name:
            with no_grad():
                weight = hook.compute_weight(module).detach()
            del module._forward_pre_hooks[key]
            del module._parameters[name + "_g"]
            del module._parameters[name + "_v"]
            module.__dict__.pop(name, None)
            module.register_parameter(name, Parameter(weight))
            return module
    raise EmberValueError(f"weight_norm of '{name}' not found in {module}")
