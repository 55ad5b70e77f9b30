"""Whether a tensor's values can be read now (for optional checks of data, e.g. index bounds).

While ``ember.function`` traces, a tensor holds a symbolic array: its values
exist only when the compiled graph runs, so value checks are skipped there
rather than turning every loss into a tracing error.
"""
from __future__ import annotations

from ... import backend
from ...tensor import Tensor


def values_known(tensor: Tensor) -> bool:
    """True when ``tensor`` holds a real backend array (always, outside tracing)."""
    return isinstance(tensor._data, backend.ndarray)
