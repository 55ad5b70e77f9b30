"""Grad modes: whether primitives record graph nodes.

One module-level flag object is read on every primitive call, so switching
modes costs an attribute write and checking them costs an attribute read.
It is thread-local, as in PyTorch: a ``no_grad`` block in a data-loading
thread must not stop the training thread from recording.
"""
from __future__ import annotations

import functools
import inspect
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
    """A context manager that is also a decorator and restores the previous state on exit.

    As in PyTorch, the decorator form works with and without parentheses
    (``@no_grad`` and ``@no_grad()``) and on generator functions, whose body
    then runs in the mode between every resumption.
    """

    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and not kwargs and callable(args[0]) and not isinstance(args[0], bool):
            return cls()(args[0])  # bare decorator: @no_grad
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        self._saved = (state.enabled, state.inference)
        self._apply()
        return self

    def __exit__(self, *exc):
        state.enabled, state.inference = self._saved
        return False

    def __call__(self, function):
        make = functools.partial(self.__class__, *self._args())
        if inspect.isgeneratorfunction(function):
            return _generator_wrapper(function, make)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with make():
                return function(*args, **kwargs)
        return wrapper

    def _args(self):
        return ()


def _generator_wrapper(function, make):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        generator = function(*args, **kwargs)
        try:
            with make():
                value = next(generator)
            while True:
                try:
                    sent = yield value
                except GeneratorExit:
                    with make():
                        generator.close()
                    raise
                except BaseException as error:
                    with make():
                        value = generator.throw(error)
                else:
                    with make():
                        value = generator.send(sent)
        except StopIteration as stop:
            return stop.value
    return wrapper


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
    """Enable graph recording inside a ``no_grad`` region.

    Example:
        >>> import ember
        >>> w = ember.ones(2, requires_grad=True)
        >>> with ember.no_grad(), ember.enable_grad():
        ...     (w * 2).requires_grad
        True
    """

    def _apply(self):
        state.enabled = True


class set_grad_enabled(_Mode):
    """Set grad mode on or off: ``with ember.set_grad_enabled(False): ...``.

    Like PyTorch's, calling it as a function (not as a context manager) also
    switches the mode immediately; used as a decorator it restores the mode
    at once and applies it only while the function runs.

    Example:
        >>> import ember
        >>> with ember.set_grad_enabled(False):
        ...     ember.is_grad_enabled()
        False
        >>> ember.is_grad_enabled()
        True
    """

    def __new__(cls, mode: bool):
        return object.__new__(cls)

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._saved = (state.enabled, state.inference)
        state.enabled = self.mode

    def __enter__(self):  # the state was saved and switched in __init__
        return self

    def __call__(self, function):
        state.enabled, state.inference = self._saved
        return super().__call__(function)

    def _apply(self):
        state.enabled = self.mode

    def _args(self):
        return (self.mode,)


class inference_mode(_Mode):
    """Like ``no_grad``, for code that will never need gradients (PyTorch's ``inference_mode``).

    ``inference_mode(False)`` re-enables gradients inside an inference or
    ``no_grad`` region, as PyTorch's does.

    Example:
        >>> import ember
        >>> with ember.inference_mode():
        ...     ember.is_grad_enabled()
        False
    """

    def __new__(cls, mode=True):
        if callable(mode) and not isinstance(mode, bool):
            return cls(True)(mode)
        return object.__new__(cls)

    def __init__(self, mode: bool = True):
        self.mode = bool(mode)

    def _apply(self):
        state.enabled = not self.mode
        state.inference = self.mode

    def _args(self):
        return (self.mode,)
