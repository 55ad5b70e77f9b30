"""Hooks on every module: ``torch.nn.modules.module.register_module_*_hook``.

A global hook runs for every :class:`~ember.nn.Module` call, before the module's own hooks
of the same kind (PyTorch's order). The hooks live in one :class:`GlobalHooks` registry held by
``Module`` itself (``Module._global_hooks``), so every copy of this module (doctest collection
imports modules again) registers where ``Module.__call__`` looks; while the registry is empty,
a call pays one attribute read for the feature.

Example:
    >>> import ember
    >>> from ember import nn
    >>> from ember.nn.modules.module import register_module_forward_hook
    >>> seen = []
    >>> handle = register_module_forward_hook(lambda module, args, output: seen.append(type(module).__name__))
    >>> _ = nn.Sequential(nn.Linear(2, 2), nn.ReLU())(ember.ones(1, 2))
    >>> handle.remove()
    >>> seen
    ['Linear', 'ReLU', 'Sequential']
"""
from __future__ import annotations

from typing import Callable

from .hooks import RemovableHandle


class GlobalHooks:
    """The registered global hooks by kind, and whether there is any (``active``)."""

    def __init__(self):
        self.forward_pre_hooks: dict = {}
        self.forward_hooks: dict = {}
        self.forward_hooks_with_kwargs: set = set()
        self.forward_hooks_always_called: set = set()
        self.backward_pre_hooks: dict = {}
        self.backward_hooks: dict = {}
        self.active = False

    def refresh(self) -> None:
        self.active = bool(self.forward_pre_hooks or self.forward_hooks
                           or self.backward_pre_hooks or self.backward_hooks)


class _GlobalHandle(RemovableHandle):
    def __init__(self, registry: GlobalHooks, hooks: dict):
        super().__init__(hooks)
        self.registry = registry

    def remove(self) -> None:
        super().remove()
        self.registry.forward_hooks_with_kwargs.discard(self.id)
        self.registry.forward_hooks_always_called.discard(self.id)
        self.registry.refresh()


def _registry() -> GlobalHooks:
    from ember.nn import Module  # the class every layer derives from (see the module docstring)
    return Module._global_hooks


def _add(kind: str, hook: Callable) -> RemovableHandle:
    if not callable(hook):
        raise TypeError(f"a module hook must be callable, got {type(hook).__name__}")
    registry = _registry()
    hooks = getattr(registry, kind)
    handle = _GlobalHandle(registry, hooks)
    hooks[handle.id] = hook
    registry.refresh()
    return handle


def register_module_forward_pre_hook(hook: Callable) -> RemovableHandle:
    """``hook(module, args)`` before every module's ``forward``; a returned value replaces ``args``."""
    return _add("forward_pre_hooks", hook)


def register_module_forward_hook(hook: Callable, *, with_kwargs: bool = False,
                                 always_call: bool = False) -> RemovableHandle:
    """``hook(module, args, output)`` (with ``kwargs`` before ``output`` when ``with_kwargs``) after
    every module's ``forward``; a returned value replaces the output. ``always_call`` runs it
    (with output None) even when ``forward`` raised."""
    handle = _add("forward_hooks", hook)
    if with_kwargs:
        handle.registry.forward_hooks_with_kwargs.add(handle.id)
    if always_call:
        handle.registry.forward_hooks_always_called.add(handle.id)
    return handle


def register_module_full_backward_pre_hook(hook: Callable) -> RemovableHandle:
    """``hook(module, grad_output)`` when every module's output gradients are computed."""
    return _add("backward_pre_hooks", hook)


def register_module_full_backward_hook(hook: Callable) -> RemovableHandle:
    """``hook(module, grad_input, grad_output)`` when every module's input gradients are computed."""
    return _add("backward_hooks", hook)
