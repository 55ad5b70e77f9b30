"""``torch.func.debug_unwrap``."""
from __future__ import annotations


def debug_unwrap(tensor, *, recurse: bool = True):
    """The tensor under a ``vmap`` batching wrapper, batch axis first (``torch.func.debug_unwrap``);
    any other tensor is returned as is. For debugging only (printing inside a transform).

    Example:
        >>> import ember
        >>> from ember.func import debug_unwrap, vmap
        >>> shapes = []
        >>> _ = vmap(lambda x: shapes.append(tuple(debug_unwrap(x).shape)) or x)(ember.zeros(4, 3))
        >>> shapes
        [(4, 3)]
    """
    from .vmap import BatchedArray
    from ..tensor import Tensor
    while isinstance(tensor, Tensor) and isinstance(tensor._data, BatchedArray):
        tensor = Tensor._make(tensor._data.value, None, False)
        if not recurse:
            break
    return tensor
