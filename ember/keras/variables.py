"""``keras.Variable``: Keras 3's standalone variable, on :class:`ember.Variable`.

``initializer`` is a value (array, tensor, number) or an initializer (a name
such as ``"glorot_uniform"``, or a callable taking ``(shape, dtype)``) used
with ``shape``. ``value`` is the current value as a tensor; ``assign``,
``assign_add``, ``assign_sub`` and ``numpy()`` come from ``ember.Variable``.

Example:
    >>> from ember import keras
    >>> v = keras.Variable("ones", shape=(2,), name="scale")
    >>> v.assign_add([1.0, 2.0]).numpy().tolist(), v.name, v.value.shape
    ([2.0, 3.0], 'scale', (2,))
"""
from __future__ import annotations

from ember.tensor import Tensor

from ..tf_compat.variable import Variable as _TFVariable
from . import initializers
# Bound once here, not imported per call: pytest's doctest collection can put a second copy of a
# module in sys.modules, and the scope state must be the one keras.StatelessScope writes.
from . import scopes as _scopes


class Variable(_TFVariable):
    """``Variable(initializer, shape=None, dtype=None, trainable=True, name=None)`` (Keras 3's signature).

    Layer weights made by ``add_weight`` are Variables too (``layer.kernel.assign(...)``,
    ``.value``, ``.numpy()``, ``.trainable``, ``.path`` as in Keras 3), and still the
    Parameters (trainable) or buffers (non-trainable) that optimizers and
    ``ember.function`` see.
    """

    __slots__ = ("_path",)

    def __init__(self, initializer, shape=None, dtype=None, trainable: bool = True, autocast: bool = True,
                 aggregation: str = "none", synchronization: str = "auto", name: str | None = None):
        if isinstance(initializer, str) or (callable(initializer) and not isinstance(initializer, Tensor)):
            if shape is None:
                raise ValueError("keras.Variable: `shape` is required when `initializer` is an initializer")
            initializer = initializers.get(initializer)(tuple(shape), dtype or "float32")
        super().__init__(initializer, trainable=trainable, name=name or "variable", dtype=dtype)
        from .name_scopes import current_path  # keras.name_scope prefixes the path, as in Keras 3
        scope = current_path()
        self._path = f"{scope}/{self.name}" if scope else None

    @property
    def name(self) -> str:
        return self._tf_name[:-2] if self._tf_name.endswith(":0") else self._tf_name

    @property
    def path(self) -> str:
        """``layer_name/weight_name`` for a layer's weight (Keras 3's), else the name."""
        return self._path or self.name

    def __repr__(self) -> str:
        return (f"<Variable path={self.path}, shape={tuple(self.shape)}, dtype={self.dtype.name}, "
                f"value={self.numpy()}>")

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self.numpy(), self._trainable, self.name, self._path, self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = _rebuild(self.numpy(), self._trainable, self.name, self._path, self.requires_grad)
        return memo[id(self)]

    @property
    def value(self) -> Tensor:
        """The current value, cut from the graph."""
        return self.detach()

    # Inside a keras.StatelessScope assignments are recorded there, not kept (Keras 3's rule).
    def assign(self, value, *args, **kwargs) -> "Variable":
        if _scopes.record_assignment(self, value):
            return self
        return super().assign(value, *args, **kwargs)

    def assign_add(self, delta, *args, **kwargs) -> "Variable":
        if _scopes.in_stateless_scope():
            return self.assign(self.detach() + delta)
        return super().assign_add(delta, *args, **kwargs)

    def assign_sub(self, delta, *args, **kwargs) -> "Variable":
        if _scopes.in_stateless_scope():
            return self.assign(self.detach() - delta)
        return super().assign_sub(delta, *args, **kwargs)


def _rebuild(array, trainable, name, path, requires_grad) -> Variable:
    variable = Variable(array, trainable=trainable, name=name)
    variable._path = path
    if variable.requires_grad != requires_grad:  # a trainable weight of a frozen layer
        variable.requires_grad_(requires_grad)
    return variable
