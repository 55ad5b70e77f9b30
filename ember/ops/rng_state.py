"""The default generator's state as PyTorch spells it: ``get_rng_state``/``set_rng_state`` (a
uint8 tensor, so it can be saved with the rest of a checkpoint) and ``seed``.

Example:
    >>> import ember
    >>> state = ember.get_rng_state()
    >>> a = ember.rand(3)
    >>> ember.set_rng_state(state)
    >>> bool((ember.rand(3) == a).all())
    True
"""
from __future__ import annotations

import json

import numpy

from ..tensor import Tensor


def get_rng_state() -> Tensor:
    """The default generator's state, encoded as a uint8 tensor (restore it with :func:`set_rng_state`)."""
    from .creation import tensor
    from .random import default_generator
    state = dict(default_generator.get_state(), seed=default_generator.initial_seed())
    encoded = json.dumps(state, sort_keys=True).encode("utf-8")
    return tensor(numpy.frombuffer(encoded, dtype=numpy.uint8).copy())


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator from a state :func:`get_rng_state` returned."""
    from .random import default_generator
    if not isinstance(new_state, Tensor) or new_state.dtype.name != "uint8" or new_state.ndim != 1:
        raise TypeError("set_rng_state: expected the uint8 tensor that get_rng_state() returned")
    try:
        state = json.loads(new_state.numpy().tobytes().decode("utf-8"))
        seed = state.pop("seed")
        default_generator.manual_seed(seed)
        default_generator.set_state(state)
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"set_rng_state: not a state from get_rng_state() ({error})") from None


def seed() -> int:
    """Seed the default generator from a non-deterministic source and return the seed."""
    from .random import default_generator
    return default_generator.seed()
