"""``keras.dtype_policies``: the dtype policies layers compute and store weights in.

``DTypePolicy`` is :class:`ember.keras.mixed_precision.DTypePolicy`;
``FloatDTypePolicy`` is Keras's older name for the same class. The
quantized policies (int8, float8, GPTQ, AWQ) are outside Ember's scope.

Example:
    >>> from ember import keras
    >>> policy = keras.dtype_policies.get("mixed_float16")
    >>> policy.compute_dtype, policy.variable_dtype
    ('float16', 'float32')
    >>> keras.dtype_policies.serialize(policy)
    {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'mixed_float16'}, 'registered_name': None}
    >>> keras.dtype_policies.deserialize(keras.dtype_policies.serialize(policy)) == policy
    True
"""
from __future__ import annotations

from .mixed_precision import DTypePolicy

FloatDTypePolicy = DTypePolicy

__all__ = ["DTypePolicy", "FloatDTypePolicy", "deserialize", "get", "serialize"]


def serialize(policy: DTypePolicy) -> dict:
    """Keras 3's serialized form of a policy."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": policy.get_config(),
            "registered_name": None}


def deserialize(config: dict) -> DTypePolicy:
    """A policy from :func:`serialize`'s dict (class names DTypePolicy / FloatDTypePolicy)."""
    if config.get("class_name") not in ("DTypePolicy", "FloatDTypePolicy"):
        raise ValueError(f"Ember has float dtype policies only (DTypePolicy); cannot deserialize "
                         f"{config.get('class_name')!r}")
    return DTypePolicy(**config.get("config", {}))


def get(identifier) -> DTypePolicy:
    """A policy from a name (``'float32'``, ``'mixed_bfloat16'``), a config dict or a policy."""
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    raise ValueError(f"Cannot interpret `dtype` argument. Expected a string or a DTypePolicy; received "
                     f"{identifier!r}")
