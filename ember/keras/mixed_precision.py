"""``keras.mixed_precision``: dtype policies (``float32``, ``mixed_float16``, ``mixed_bfloat16``…).

A policy names two dtypes: the one a layer's variables are stored in and
the one its computations run in. Under ``mixed_float16`` variables stay
float32 (so small updates are not lost to float16 rounding) while a layer's
floating inputs, and its variables as it reads them inside ``call``, are cast
to float16; the casts are differentiable, so gradients reach the float32
variables. Layers whose arithmetic is not safe in float16 (normalizations,
``Softmax``) compute inside in float32 and return float16, as Keras's
normalization layers do (a model's last layer is best given ``dtype="float32"``,
as Keras advises). The policy applies
to layers created after :func:`set_global_policy`; ``float32`` changes nothing.

Example:
    >>> from ember import keras
    >>> keras.mixed_precision.set_global_policy("mixed_float16")
    >>> layer = keras.layers.Dense(2)
    >>> layer.compute_dtype, layer.variable_dtype
    ('float16', 'float32')
    >>> keras.mixed_precision.set_global_policy("float32")
"""
from __future__ import annotations

import contextvars

import ember

from . import backend as _backend

_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}
_COMPUTE_DTYPE: contextvars.ContextVar = contextvars.ContextVar("keras_compute_dtype", default=None)


class DTypePolicy:
    """A named pair of dtypes: ``variable_dtype`` for storage, ``compute_dtype`` for arithmetic."""

    def __init__(self, name: str | None = None):
        if isinstance(name, DTypePolicy):
            name = name.name
        name = name or "float32"
        if not isinstance(name, str):
            raise TypeError(f"A dtype policy is named by a string such as 'mixed_float16'; received {name!r}")
        if name in _MIXED:
            self._compute, self._variable = _MIXED[name], "float32"
        else:
            try:
                dtype = str(ember.as_dtype(name)).removeprefix("ember.")
            except (TypeError, ValueError, KeyError) as error:
                raise ValueError(f"Cannot convert {name!r} to a mixed precision policy: expected a dtype "
                                 f"name or one of {sorted(_MIXED)}") from error
            self._compute = self._variable = dtype
            name = dtype
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        return self._compute

    @property
    def variable_dtype(self) -> str:
        return self._variable

    def get_config(self) -> dict:
        return {"name": self._name}

    def __eq__(self, other) -> bool:
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'


Policy = DTypePolicy
# Held by ``keras.backend`` (like floatx), so that a second import of this file (doctest
# collection does that) shares the one global policy instead of starting its own.
_GLOBAL = _backend.__dict__.setdefault("_global_dtype_policy", [DTypePolicy("float32")])


def __getattr__(name: str):
    # keras.mixed_precision.LossScaleOptimizer is Keras's second spelling of the optimizer wrapper
    # (imported lazily: optimizers import layers, which import this module).
    if name == "LossScaleOptimizer":
        from .optimizers import LossScaleOptimizer
        return LossScaleOptimizer
    raise AttributeError(f"module 'keras.mixed_precision' has no attribute {name!r}")


def set_global_policy(policy) -> None:
    """The policy of layers created from now on (a name or a :class:`DTypePolicy`)."""
    _GLOBAL[0] = policy if isinstance(policy, DTypePolicy) else DTypePolicy(policy)


def global_policy() -> DTypePolicy:
    """The policy layers get when they are not given a ``dtype``."""
    return _GLOBAL[0]


def policy_for(dtype) -> DTypePolicy:
    """The policy a layer's ``dtype`` argument names (None: the global policy)."""
    if dtype is None:
        return _GLOBAL[0]
    return dtype if isinstance(dtype, DTypePolicy) else DTypePolicy(str(dtype).removeprefix("ember."))


def current_compute_dtype() -> str | None:
    """The compute dtype of the layer whose ``call`` is running, when a policy made it matter."""
    return _COMPUTE_DTYPE.get()


def compute_scope(dtype: str):
    """Set the compute dtype for the duration of one layer's call; returns the token to reset."""
    return _COMPUTE_DTYPE.set(dtype)


def reset_compute_scope(token) -> None:
    _COMPUTE_DTYPE.reset(token)
