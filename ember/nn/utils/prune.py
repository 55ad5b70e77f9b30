"""``torch.nn.utils.prune``: masks that zero parts of a module's parameter.

Pruning parameter ``name`` of a module moves the parameter to ``name + "_orig"``, stores the
mask as buffer ``name + "_mask"``, and makes ``name`` a plain attribute ``orig * mask``,
recomputed before every forward by a forward pre-hook (the pruning method itself), so
gradients reach ``name_orig`` only where the mask is 1. Pruning the same parameter again
combines the masks in a ``PruningContainer``: the new method only sees the entries (or, for
structured methods, the channels) still unpruned. ``remove`` makes the pruning permanent.
"""
from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable

from ...autograd.grad_mode import no_grad
from ...ops import functions as E
from ...ops.random import rand, rand_like

__all__ = ["BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured",
           "L1Unstructured", "RandomStructured", "LnStructured", "CustomFromMask", "identity",
           "random_unstructured", "l1_unstructured", "random_structured", "ln_structured",
           "global_unstructured", "custom_from_mask", "remove", "is_pruned"]


class BasePruningMethod(ABC):
    """A way of computing a mask; also the forward pre-hook that applies it.

    Subclasses set ``PRUNING_TYPE`` ("unstructured", "structured" or "global") and define
    ``compute_mask(t, default_mask)``.
    """

    _tensor_name: str | None = None

    def __call__(self, module, inputs):
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t, default_mask):
        """The new mask for ``t``, given the mask already in place (``default_mask``)."""

    def apply_mask(self, module):
        """``name_orig * name_mask`` of ``module``."""
        orig = getattr(module, self._tensor_name + "_orig")
        mask = getattr(module, self._tensor_name + "_mask")
        return orig * mask.to(dtype=orig.dtype)

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)``, combining with earlier pruning."""
        old = _pruning_hook(module, name)
        method = cls(*args, **kwargs)
        method._tensor_name = name
        if old is not None:
            del module._forward_pre_hooks[old[0]]
            container = old[1] if isinstance(old[1], PruningContainer) else PruningContainer(old[1])
            container.add_pruning_method(method)
            method = container
        orig = getattr(module, name)
        if importance_scores is not None and tuple(importance_scores.shape) != tuple(orig.shape):
            raise ValueError(f"importance_scores should have the same shape as parameter {name} "
                             f"of {module}")
        if not isinstance(method, PruningContainer):
            module.register_parameter(name + "_orig", orig)
            del module._parameters[name]
            default_mask = E.ones_like(orig)
        else:
            default_mask = getattr(module, name + "_mask").detach().clone()
        try:
            with no_grad():
                scores = importance_scores if importance_scores is not None else orig
                mask = method.compute_mask(scores.detach(), default_mask=default_mask)
            module.register_buffer(name + "_mask", mask)
            setattr(module, name, method.apply_mask(module))
            module.register_forward_pre_hook(method)
        except Exception:
            if not isinstance(method, PruningContainer):  # undo the renaming
                orig = getattr(module, name + "_orig")
                del module._parameters[name + "_orig"]
                module.register_parameter(name, orig)
            raise
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """``t`` times the mask computed from ``importance_scores`` (default ``t``)."""
        scores = importance_scores if importance_scores is not None else t
        mask = self.compute_mask(scores, default_mask if default_mask is not None else E.ones_like(t))
        return t * mask

    def remove(self, module):
        """Make the pruning permanent: ``name`` becomes a parameter holding ``orig * mask``."""
        if self._tensor_name is None:
            raise ValueError(f"Module {module} has to be pruned before pruning can be removed")
        weight = self.apply_mask(module)
        if self._tensor_name in module.__dict__:
            delattr(module, self._tensor_name)
        orig = module._parameters[self._tensor_name + "_orig"]
        with no_grad():
            orig.copy_(weight)
        del module._parameters[self._tensor_name + "_orig"]
        del module._buffers[self._tensor_name + "_mask"]
        module.register_parameter(self._tensor_name, orig)


class PruningContainer(BasePruningMethod):
    """The sequence of methods applied to one parameter; its mask is the latest method's,
    computed on what the earlier ones left."""

    def __init__(self, *args):
        self._pruning_methods: tuple = ()
        if len(args) == 1 and not isinstance(args[0], Iterable):
            self._tensor_name = args[0]._tensor_name
            self.add_pruning_method(args[0])
        else:
            methods = args[0] if len(args) == 1 else args
            for method in methods:
                self.add_pruning_method(method)

    def add_pruning_method(self, method) -> None:
        if method is not None and not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if method is not None and self._tensor_name != method._tensor_name:
            raise ValueError("Can only add pruning methods acting on the parameter named "
                             f"'{self._tensor_name}' to PruningContainer {self}. Found "
                             f"'{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, index):
        return self._pruning_methods[index]

    def compute_mask(self, t, default_mask):
        method = self._pruning_methods[-1]
        mask = default_mask.clone()
        if method.PRUNING_TYPE == "unstructured":
            keep = mask == 1
            mask[keep] = method.compute_mask(t[keep], default_mask=mask[keep]).to(dtype=mask.dtype)
            return mask
        if method.PRUNING_TYPE == "structured":
            dim = method.dim if method.dim >= 0 else method.dim + t.dim()
            others = [d for d in range(t.dim()) if d != dim]
            alive = E.nonzero(mask.sum(dim=others) != 0).reshape(-1)
            part = E.index_select(t, dim, alive)
            new = method.compute_mask(part, default_mask=E.index_select(mask, dim, alive))
            return E.index_copy(mask, dim, alive, new.to(dtype=mask.dtype))
        if method.PRUNING_TYPE == "global":
            return method.compute_mask(t, default_mask=mask).to(dtype=mask.dtype)
        raise ValueError(f"Unrecognized PRUNING_TYPE {method.PRUNING_TYPE}")


class Identity(BasePruningMethod):
    """Prunes nothing (a mask of ones)."""
    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


class RandomUnstructured(BasePruningMethod):
    """Zeroes ``amount`` entries chosen at random."""
    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _check_amount(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        count = _count_to_prune(self.amount, t.numel())
        mask = default_mask.clone()
        if count:
            chosen = E.topk(rand_like(t).reshape(-1), k=count).indices
            mask = _zero_entries(mask, chosen)
        return mask

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(BasePruningMethod):
    """Zeroes the ``amount`` entries of smallest absolute value."""
    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _check_amount(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        count = _count_to_prune(self.amount, t.numel())
        mask = default_mask.clone()
        if count:
            smallest = E.topk(E.abs(t).reshape(-1), k=count, largest=False).indices
            mask = _zero_entries(mask, smallest)
        return mask

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Zeroes ``amount`` whole channels along ``dim``, chosen at random."""
    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        _check_amount(amount)
        self.amount, self.dim = amount, dim

    def compute_mask(self, t, default_mask):
        _check_structured(t, self.dim)
        size = t.shape[self.dim]
        count = _count_to_prune(self.amount, size)
        if count == 0:
            return default_mask
        keep = E.topk(rand(size), k=size - count).indices
        return _channel_mask(t, self.dim, keep) * default_mask

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Zeroes the ``amount`` channels along ``dim`` of smallest ``n``-norm."""
    PRUNING_TYPE = "structured"

    def __init__(self, amount, n, dim=-1):
        _check_amount(amount)
        self.amount, self.n, self.dim = amount, n, dim

    def compute_mask(self, t, default_mask):
        _check_structured(t, self.dim)
        size = t.shape[self.dim]
        count = _count_to_prune(self.amount, size)
        if count == 0:
            return default_mask
        dim = self.dim if self.dim >= 0 else self.dim + t.dim()
        norms = E.norm(t, p=self.n, dim=[d for d in range(t.dim()) if d != dim])
        keep = E.topk(norms, k=size - count, largest=True).indices
        return _channel_mask(t, dim, keep) * default_mask.to(dtype=t.dtype)

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim,
                             importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Applies a given mask."""
    PRUNING_TYPE = "global"

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        if tuple(default_mask.shape) != tuple(self.mask.shape):
            raise ValueError(f"custom_from_mask: mask of shape {tuple(self.mask.shape)} does not "
                             f"match the parameter's shape {tuple(default_mask.shape)}")
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)


def _check_amount(amount) -> None:
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    integral = isinstance(amount, numbers.Integral)
    if (integral and amount < 0) or (not integral and not 0.0 <= float(amount) <= 1.0):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a "
                         "non-negative integer")


def _count_to_prune(amount, size: int) -> int:
    count = amount if isinstance(amount, numbers.Integral) else round(amount * size)
    if count > size:
        raise ValueError(f"amount={amount} should be smaller than the number of parameters to "
                         f"prune={size}")
    return int(count)


def _check_structured(t, dim) -> None:
    if t.dim() <= 1:
        raise ValueError("Structured pruning can only be applied to multidimensional tensors. Found "
                         f"tensor of shape {tuple(t.shape)} with {t.dim()} dims")
    if dim >= t.dim() or dim < -t.dim():
        raise IndexError(f"Invalid index {dim} for tensor of size {tuple(t.shape)}")


def _zero_entries(mask, flat_indices):
    flat = mask.reshape(-1).clone()
    flat[flat_indices] = 0
    return flat.reshape(mask.shape)


def _channel_mask(t, dim, keep):
    """Ones in the channels ``keep`` along ``dim``, zeros elsewhere."""
    index = [slice(None)] * t.dim()
    index[dim] = keep
    mask = E.zeros_like(t)
    mask[tuple(index)] = 1
    return mask


def _pruning_hook(module, name):
    """``(key, method)`` of the pruning hook already acting on ``module.<name>``, or None."""
    found = [(key, hook) for key, hook in module._forward_pre_hooks.items()
             if isinstance(hook, BasePruningMethod) and hook._tensor_name == name]
    if len(found) > 1:
        raise ValueError(f"More than one pruning hook acts on parameter {name} of {module}")
    return found[0] if found else None


def identity(module, name):
    """Prune nothing, but set up ``name_orig``/``name_mask`` (a mask of ones).

    Example:
        >>> import ember
        >>> from ember.nn.utils import prune
        >>> layer = prune.identity(ember.nn.Linear(2, 2), "weight")
        >>> sorted(k for k in layer.state_dict())
        ['bias', 'weight_mask', 'weight_orig']
    """
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Zero ``amount`` (a count, or a fraction in [0, 1]) randomly chosen entries of ``name``.

    Example:
        >>> import ember
        >>> from ember.nn.utils import prune
        >>> layer = prune.random_unstructured(ember.nn.Linear(4, 5), "weight", amount=0.5)
        >>> int((layer.weight == 0).sum())
        10
    """
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Zero the ``amount`` entries of ``name`` with the smallest absolute values (or scores).

    Example:
        >>> import ember
        >>> from ember.nn.utils import prune
        >>> layer = ember.nn.Linear(2, 1)
        >>> with ember.no_grad():
        ...     _ = layer.weight.copy_(ember.tensor([[0.1, -2.0]]))
        >>> prune.l1_unstructured(layer, "weight", amount=1).weight.tolist()
        [[0.0, -2.0]]
    """
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Zero ``amount`` randomly chosen channels of ``name`` along ``dim``.

    Example:
        >>> import ember
        >>> from ember.nn.utils import prune
        >>> layer = prune.random_structured(ember.nn.Linear(3, 4), "weight", amount=2, dim=0)
        >>> int((layer.weight.abs().sum(1) == 0).sum())
        2
    """
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Zero the ``amount`` channels of ``name`` along ``dim`` with the smallest ``n``-norm.

    Example:
        >>> import ember
        >>> from ember.nn.utils import prune
        >>> layer = ember.nn.Linear(2, 2)
        >>> with ember.no_grad():
        ...     _ = layer.weight.copy_(ember.tensor([[3.0, 4.0], [0.1, 0.2]]))
        >>> prune.ln_structured(layer, "weight", amount=1, n=2, dim=0).weight.tolist()
        [[3.0, 4.0], [0.0, 0.0]]
    """
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prune several ``(module, name)`` pairs together, ranking all their entries at once.

    Example:
        >>> import ember
        >>> from ember.nn.utils import prune
        >>> net = ember.nn.Sequential(ember.nn.Linear(4, 4), ember.nn.Linear(4, 2))
        >>> prune.global_unstructured([(net[0], "weight"), (net[1], "weight")],
        ...                           pruning_method=prune.L1Unstructured, amount=12)
        >>> int((net[0].weight == 0).sum() + (net[1].weight == 0).sum())
        12
    """
    from .convert_parameters import parameters_to_vector
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    parameters = list(parameters)
    importance_scores = importance_scores if importance_scores is not None else {}
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    with no_grad():
        scores = parameters_to_vector([importance_scores.get((m, n), getattr(m, n)).detach()
                                       for m, n in parameters])
        default_mask = parameters_to_vector([getattr(m, n + "_mask", None) if hasattr(m, n + "_mask")
                                             else E.ones_like(getattr(m, n)) for m, n in parameters])
        container = PruningContainer()
        container._tensor_name = "temp"
        method = pruning_method(**kwargs)
        method._tensor_name = "temp"
        if method.PRUNING_TYPE != "unstructured":
            raise TypeError('Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. '
                            f"Found method {pruning_method} of type {method.PRUNING_TYPE}")
        container.add_pruning_method(method)
        final_mask = container.compute_mask(scores, default_mask)
    start = 0
    for module, name in parameters:
        param = getattr(module, name)
        custom_from_mask(module, name, mask=final_mask[start:start + param.numel()].view_as(param))
        start += param.numel()


def custom_from_mask(module, name, mask):
    """Apply the given ``mask`` (combined with any earlier pruning) to ``name``.

    Example:
        >>> import ember
        >>> from ember.nn.utils import prune
        >>> layer = prune.custom_from_mask(ember.nn.Linear(2, 1), "bias", ember.tensor([0.0]))
        >>> layer.bias.tolist()
        [0.0]
    """
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module, name):
    """Make the pruning of ``name`` permanent: drop ``name_orig``, ``name_mask`` and the hook.

    Example:
        >>> import ember
        >>> from ember.nn.utils import prune
        >>> layer = prune.remove(prune.l1_unstructured(ember.nn.Linear(2, 2), "weight", 1), "weight")
        >>> sorted(layer.state_dict()), int((layer.weight == 0).sum())
        (['bias', 'weight'], 1)
    """
    found = _pruning_hook(module, name)
    if found is None:
        raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning "
                         "can be removed")
    found[1].remove(module)
    del module._forward_pre_hooks[found[0]]
    return module


def is_pruned(module) -> bool:
    """Whether any submodule of ``module`` has a pruned parameter.

    Example:
        >>> import ember
        >>> from ember.nn.utils import prune
        >>> net = ember.nn.Sequential(ember.nn.Linear(2, 2))
        >>> prune.is_pruned(net), prune.is_pruned(prune.identity(net[0], "bias"))
        (False, True)
    """
    return any(isinstance(hook, BasePruningMethod)
               for sub in module.modules() for hook in sub._forward_pre_hooks.values())
