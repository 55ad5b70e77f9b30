"""``tf.Module``: a named container whose ``variables`` are found by walking its attributes.

TensorFlow's base class for models written without Keras: assign
``tf.Variable``s (and other Modules, or lists/tuples/dicts of them) to
attributes, define ``__call__``, and ``variables``, ``trainable_variables`` and
``submodules`` collect them, attribute by attribute in sorted name order (so
``b`` before ``w``), each object once. Keras layers held in an attribute
contribute their own weights.

Example:
    >>> import ember as tf
    >>> class Linear(tf.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = tf.Variable(5.0, name="w")
    ...         self.b = tf.Variable(0.0, name="b", trainable=False)
    ...     def __call__(self, x):
    ...         return self.w * x + self.b
    >>> model = Linear()
    >>> model.name, [v.name for v in model.variables], [v.name for v in model.trainable_variables]
    ('linear', ['b:0', 'w:0'], ['w:0'])
    >>> float(model(2.0))
    10.0
"""
from __future__ import annotations

import functools
import re
import sys

from .variable import Variable


def _snake_case(name: str) -> str:
    """``MyDenseModel`` → ``my_dense_model`` (TensorFlow's default Module name)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


class Module:
    """``tf.Module(name=None)``: ``name`` defaults to the class name in snake_case."""

    def __init__(self, name: str | None = None):
        if name is None:
            name = _snake_case(type(self).__name__)
        elif not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"{name!r} is not a valid module name. Module names must be valid Python 3 "
                             "identifiers (letters, digits and underscores, not starting with a digit).")
        self._name = name

    def __setattr__(self, key, value) -> None:
        object.__setattr__(self, key, value)
        checkpoints = sys.modules.get("ember.tf_compat.train")
        if checkpoints is not None and checkpoints._PENDING:  # a restore kept a value for this attribute
            checkpoints.restore_pending(self, key, value)

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self):
        """A context in which Keras's name scopes (``keras.name_scope``) start with this module's name."""
        from ember import keras  # the package's name_scope (its state), whatever sys.modules holds
        return keras.name_scope(self._name)

    @property
    def variables(self) -> tuple:
        """Every Variable reachable from this module's attributes (submodules' included)."""
        return tuple(_walk(self, lambda item: isinstance(item, Variable)))

    @property
    def trainable_variables(self) -> tuple:
        """The variables with ``trainable=True``."""
        return tuple(v for v in self.variables if getattr(v, "trainable", True))

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(v for v in self.variables if not getattr(v, "trainable", True))

    @property
    def submodules(self) -> tuple:
        """Every Module reachable from this module's attributes (not this module itself)."""
        return tuple(_walk(self, lambda item: isinstance(item, Module)))

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: ``method`` runs inside ``self.name_scope``."""
        @functools.wraps(method)
        def scoped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        return scoped

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object named {self._name!r}>"


def _walk(module: Module, wanted):
    """Depth-first over attributes in sorted name order; each object once."""
    seen, found = {id(module)}, []

    def visit(item):
        if id(item) in seen:
            return
        seen.add(id(item))
        if wanted(item):
            found.append(item)
        if isinstance(item, Module):
            for key in sorted(vars(item)):
                visit(vars(item)[key])
        elif isinstance(item, dict):
            for key in sorted(item, key=str):
                visit(item[key])
        elif isinstance(item, (list, tuple)):
            for element in item:
                visit(element)
        elif hasattr(item, "weights") and hasattr(item, "call"):  # a Keras layer: its own weights
            for weight in item.weights:
                visit(weight)

    for key in sorted(vars(module)):
        visit(vars(module)[key])
    return found
