"""``torch.autograd.set_multithreading_enabled``.

PyTorch can run backward passes for accelerator devices on worker threads; this switch turns
that off (backward on the calling thread). Ember's backward always runs on the calling
thread, so the switch only records the mode (``is_multithreading_enabled``) and restores it.
"""
from __future__ import annotations

import functools

_ENABLED = [True]


def is_multithreading_enabled() -> bool:
    """The mode last set by ``set_multithreading_enabled`` (True by default)."""
    return _ENABLED[0]


class set_multithreading_enabled:  # noqa: N801  (PyTorch's spelling)
    """Set the multithreaded-backward mode now; as a context manager, restore it on exit.

    Example:
        >>> from ember.autograd import set_multithreading_enabled
        >>> from ember.autograd.multithreading import is_multithreading_enabled
        >>> with set_multithreading_enabled(False):
        ...     is_multithreading_enabled()
        False
        >>> is_multithreading_enabled()
        True
    """

    def __init__(self, mode: bool) -> None:
        self.prev = _ENABLED[0]
        self.mode = bool(mode)
        _ENABLED[0] = self.mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _ENABLED[0] = self.prev

    def clone(self) -> "set_multithreading_enabled":
        return self.__class__(self.mode)

    def __call__(self, function):
        # as in PyTorch, building the decorator has already set the mode (and it stays set)
        @functools.wraps(function)
        def wrapped(*args, **kwargs):
            with self.clone():
                return function(*args, **kwargs)
        return wrapped
