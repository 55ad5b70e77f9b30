"""``keras.name_scope``: a context that prefixes the paths of the variables made inside it.

Example:
    >>> from ember import keras
    >>> with keras.name_scope("encoder"):
    ...     with keras.name_scope("block"):
    ...         variable = keras.Variable(1.0, name="scale")
    ...         keras.name_scope.current_path()
    'encoder/block'
    >>> variable.path, keras.Variable(2.0, name="free").path
    ('encoder/block/scale', 'free')
"""
from __future__ import annotations

import threading

_local = threading.local()


def _stack() -> list:
    if not hasattr(_local, "names"):
        _local.names = []
    return _local.names


class name_scope:  # noqa: N801 - Keras's spelling
    """Enter to add ``name`` to the current path (``'outer/inner'``); leave to drop it."""

    def __init__(self, name: str, caller=None, deduplicate: bool = True, override_parent: str | None = None):
        if not isinstance(name, str) or "/" in name:
            raise ValueError(f"Argument `name` must be a string without '/'. Received: name={name!r}")
        self.name, self.caller, self.override_parent = name, caller, override_parent
        self.deduplicate = deduplicate
        self._saved = None

    def __enter__(self) -> "name_scope":
        stack = _stack()
        self._saved = list(stack)
        if self.override_parent is not None:
            stack[:] = [part for part in self.override_parent.split("/") if part]
        if not (self.deduplicate and stack and stack[-1] == self.name):
            stack.append(self.name)
        return self

    def __exit__(self, *exc_info) -> None:
        _stack()[:] = self._saved

    @staticmethod
    def current_path() -> str:
        """The enclosing scopes joined by '/' ('' outside any)."""
        return "/".join(_stack())


def current_path() -> str:
    return name_scope.current_path()
