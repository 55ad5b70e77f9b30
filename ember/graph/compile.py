"""``ember.compile``: PyTorch's ``torch.compile`` spelling of :func:`ember.function`.

A graph compiled by ``ember.function`` returns tensors without autograd
history, while ``torch.compile``'s results can be differentiated outside the
compiled call (``loss = model(x); loss.backward()``). So a call that must be
differentiated afterwards (grad mode on and some tensor argument or module
parameter requiring grad) runs the original Python eagerly, with the same
numbers; every other call (inference, ``no_grad``, a whole training step that
calls ``backward()`` inside) runs the compiled graph.
"""
from __future__ import annotations

import functools

from ..autograd.grad_mode import state as _grad_state
from ..errors import EmberValueError
from .function import function as _function

_MODES = (None, "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend="inductor", mode=None,
            options=None, disable: bool = False):
    """Compile a function or module (``torch.compile``); usable as ``@ember.compile`` or ``@ember.compile(...)``.

    ``mode`` is checked against PyTorch's names; ``fullgraph``, ``dynamic``,
    ``backend`` and ``options`` are accepted and do not change what Ember does
    (it always traces the whole function into one graph). ``disable=True``
    returns ``model`` unchanged.

    Example:
        >>> import ember
        >>> @ember.compile
        ... def scaled(x):
        ...     return x * 2 + 1
        >>> scaled(ember.tensor([1.0, 2.0])).tolist()
        [3.0, 5.0]
    """
    if mode not in _MODES:
        raise EmberValueError(f"compile: unknown mode {mode!r}; expected one of "
                              f"{', '.join(repr(m) for m in _MODES)}")
    if not (backend is None or isinstance(backend, str) or callable(backend)):
        raise EmberValueError(f"compile: backend must be a name or a callable, got {backend!r}")
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                 mode=mode, options=options, disable=disable)
    if not callable(model):
        raise EmberValueError(f"compile: expected a function or a module, got {type(model).__name__}")
    if disable:
        return model
    from ..nn.module import Module
    if isinstance(model, Module):
        return CompiledModule(model)
    return CompiledFunction(model)


def _needs_history(args, kwargs, parameters=()) -> bool:
    if not _grad_state.enabled:
        return False
    from ..tensor import Tensor
    for value in list(args) + list(kwargs.values()):
        if isinstance(value, Tensor) and value.requires_grad:
            return True
    return any(p.requires_grad for p in parameters)


class CompiledFunction:
    """A function compiled by :func:`compile` (the original is ``_orig_mod``)."""

    def __init__(self, fn):
        self._orig_mod = fn
        self._graph = _function(fn)
        functools.update_wrapper(self, fn)

    def __call__(self, *args, **kwargs):
        if _needs_history(args, kwargs):
            return self._orig_mod(*args, **kwargs)
        return self._graph(*args, **kwargs)


class CompiledModule:
    """A module compiled by :func:`compile`: called like the module, attributes are the module's."""

    def __init__(self, module):
        object.__setattr__(self, "_orig_mod", module)
        object.__setattr__(self, "_graph", _function(module))

    def __call__(self, *args, **kwargs):
        module = self._orig_mod
        if _needs_history(args, kwargs, module.parameters()):
            return module(*args, **kwargs)
        return self._graph(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._orig_mod, name)

    def __setattr__(self, name, value):
        setattr(self._orig_mod, name, value)

    def __repr__(self) -> str:
        return f"CompiledModule({self._orig_mod!r})"


__all__ = ["compile", "CompiledFunction", "CompiledModule"]
