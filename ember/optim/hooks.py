"""Optimizer hooks, as PyTorch's: around ``step()``, ``state_dict()`` and ``load_state_dict()``.

Each ``register_*`` returns a handle whose ``remove()`` unregisters the
hook. Step hooks see ``(optimizer, args, kwargs)`` where ``args`` starts
with the optimizer itself, as in PyTorch; a pre-hook may return new
``(args, kwargs)``.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

from ..nn.hooks import RemovableHandle


class OptimizerHooks:
    """The hook tables of an optimizer and the methods that register and run them."""

    def _init_hooks(self) -> None:
        self._optimizer_step_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict[int, Callable] = OrderedDict()

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` before each step; it may return new ``(args, kwargs)``.

        Example:
            >>> import ember
            >>> opt = ember.optim.SGD([ember.ones(1, requires_grad=True)], lr=0.1)
            >>> handle = opt.register_step_pre_hook(lambda optimizer, args, kwargs: print("stepping"))
            >>> opt.step()
            stepping
            >>> handle.remove(); opt.step()
        """
        return _register(self._optimizer_step_pre_hooks, hook, prepend=False)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` after each step."""
        return _register(self._optimizer_step_post_hooks, hook, prepend=False)

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer)`` before ``state_dict()`` builds the dict."""
        return _register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer, state_dict)`` on the built dict; a returned dict replaces it."""
        return _register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer, state_dict)`` before loading; a returned dict is loaded instead."""
        return _register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer)`` after ``load_state_dict()``."""
        return _register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    def _with_step_hooks(self, run: Callable, args: tuple, kwargs: dict) -> Any:
        """``run(*args[1:], **kwargs)`` between the step hooks (``args[0]`` is the optimizer)."""
        for hook in list(self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is None:
                continue
            if not (isinstance(result, tuple) and len(result) == 2):
                raise RuntimeError(f"an optimizer step pre-hook must return None or a tuple of "
                                   f"(new_args, new_kwargs), but got {result!r}")
            args, kwargs = result
        out = run(*args[1:], **kwargs)
        for hook in list(self._optimizer_step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    def _state_dict_with_hooks(self, build: Callable[[], dict]) -> dict:
        for hook in list(self._optimizer_state_dict_pre_hooks.values()):
            hook(self)
        state_dict = build()
        for hook in list(self._optimizer_state_dict_post_hooks.values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def _load_state_dict_with_hooks(self, load: Callable[[dict], None], state_dict: dict) -> None:
        state_dict = dict(state_dict)  # a hook may edit its copy, never the caller's dict
        for hook in list(self._optimizer_load_state_dict_pre_hooks.values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        load(state_dict)
        for hook in list(self._optimizer_load_state_dict_post_hooks.values()):
            hook(self)


def _register(table: OrderedDict, hook: Callable, prepend: bool) -> RemovableHandle:
    handle = RemovableHandle(table)
    table[handle.id] = hook
    if prepend:
        table.move_to_end(handle.id, last=False)
    return handle
