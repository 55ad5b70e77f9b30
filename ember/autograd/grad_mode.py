"""Grad modes: whether primitives record graph nodes.

One module-level flag object is read on every primitive call, so switching
modes costs an attribute write and checking them costs an attribute read.
It is thread-local, as in PyTorch: a ``no_grad`` block in a data-loading
thread must not stop the training thread from recording.
"""
from __future__ import annotations

import functools
import threading


class _GradState(threading.local):
    def __init__(self):
        self.enabled = True
        self.anomaly = False
        self.inference = False


state = _GradState()


def is_grad_enabled() -> bool:
    """True when operations record the graph needed for ``backward``."""
    return state.enabled


def is_inference_mode_enabled() -> bool:
    """True inside :class:`inference_mode`."""
    return state.inference


class _Mode:
    """A context manager that is also a decorator and restores the previous state on exit."""

    def __enter__(self):
        self._saved = (state.enabled, state.inference)
        self._apply()
        return self

    def __exit__(self, *exc):
        state.enabled, state.inference = self._saved
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args()):
                return function(*args, **kwargs)
        return wrapper

    def _args(self):
        return ()


class no_grad(_Mode):
    """Disable graph recording: ``with ember.no_grad(): ...`` or ``@ember.no_grad()``.

    Example:
        >>> import ember
        >>> w = ember.ones(2, requires_grad=True)
        >>> with ember.no_grad():
        ...     y = w * 2
        >>> y.requires_grad
        False
    """

    def _apply(self):
        state.enabled = False


class enable_grad(_Mode):
    """Enable graph recording inside a ``no_grad`` region."""

    def _apply(self):
        state.enabled = True


class set_grad_enabled(_Mode):
    """Set grad mode on or off: ``with ember.set_grad_enabled(False): ...``.

    Like PyTorch's, calling it as a function (not as a context manager) also
    switches the mode immediately.
    """

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._saved = (state.enabled, state.inference)
        state.enabled = self.mode

    def __enter__(self):  # the state was saved and switched in __init__
        return self

    def _apply(self):
        state.enabled = self.mode

    def _args(self):
        return (self.mode,)


class inference_mode(_Mode):
    """Like ``no_grad``, for code that will never need gradients (PyTorch's ``inference_mode``)."""

    def __init__(self, mode: bool = True):
        self.mode = bool(mode)

    def _apply(self):
        if self.mode:
            state.enabled = False
            state.inference = True

    def _args(self):
        return (self.mode,)
