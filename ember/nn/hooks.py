"""Removable handles for module hooks (``handle.remove()``, or use it as a context manager)."""
from __future__ import annotations

import itertools

_next_id = itertools.count()


class RemovableHandle:
    """Removes one hook from the dictionaries it was registered in.

    Example:
        >>> hooks = {}
        >>> handle = RemovableHandle(hooks)
        >>> hooks[handle.id] = print
        >>> handle.remove()
        >>> hooks
        {}
    """

    def __init__(self, *dicts: dict):
        self.id = next(_next_id)
        self.dicts = dicts

    def remove(self) -> None:
        for hooks in self.dicts:
            hooks.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
