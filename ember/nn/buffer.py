"""``Buffer``: marks a tensor to be registered as a module buffer on attribute assignment
(``self.scale = nn.Buffer(ember.ones(3), persistent=False)``), as ``torch.nn.Buffer``."""
from __future__ import annotations

from ..tensor import Tensor


class Buffer(Tensor):
    """A tensor that ``Module.__setattr__`` registers as a buffer (``persistent=False``: not in state_dict).

    It shares memory with ``data`` and keeps its ``requires_grad``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> module = nn.Module()
        >>> module.scale = nn.Buffer(ember.ones(2))
        >>> list(module.state_dict())
        ['scale']
    """

    __slots__ = ("persistent",)

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        from ..ops.creation import empty
        source = empty(0) if data is None else data
        buffer = Tensor._make.__func__(cls, source._data, None, source.requires_grad)
        buffer._version = source._shared_version()
        buffer.persistent = persistent
        return buffer

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True):
        pass  # __new__ did the work
