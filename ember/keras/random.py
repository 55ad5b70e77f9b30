"""``keras.random`` on Ember's generators: draws, ``dropout``, ``shuffle`` and ``SeedGenerator``.

``seed`` is None (Ember's default generator, seeded by
``keras.utils.set_random_seed``), an int (a fresh generator seeded with it:
the same numbers on every call, as Keras's stateless integer seeds), or a
:class:`SeedGenerator` (its own stream, advancing with each draw). The numbers
differ from real Keras's (another generator algorithm); their distributions
are the same.

Example:
    >>> from ember import keras
    >>> seed = keras.random.SeedGenerator(42)
    >>> a, b = keras.random.normal((2,), seed=seed), keras.random.normal((2,), seed=seed)
    >>> bool((a != b).all()), keras.random.uniform((3,), seed=1).tolist() == keras.random.uniform((3,), seed=1).tolist()
    (True, True)
"""
from __future__ import annotations

import numpy

import ember
from ember.ops import functions as F
from ember.ops import random as _random

from ..tf_compat import random as _tf_random


class SeedGenerator:
    """A stream of random draws of its own, seeded once (``SeedGenerator(seed=None)``)."""

    def __init__(self, seed=None, name: str | None = None, **kwargs):
        if seed is None:
            seed = int(_random.default_generator.numpy.integers(2 ** 31))
        self.seed = int(seed)
        self.name = name or "seed_generator"
        self.generator = _random.Generator().manual_seed(self.seed)

    def next(self, ordered: bool = True) -> int:
        """A fresh integer seed drawn from this stream."""
        return int(self.generator.numpy.integers(2 ** 31))

    def get_config(self) -> dict:
        return {"seed": self.seed, "name": self.name}


def _dtype(dtype):
    return ember.as_dtype(dtype or "float32")


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> ember.Tensor:
    return _tf_random.normal(shape, mean, stddev, _dtype(dtype), seed)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> ember.Tensor:
    return _tf_random.uniform(shape, minval, maxval, _dtype(dtype), seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> ember.Tensor:
    return _tf_random.truncated_normal(shape, mean, stddev, _dtype(dtype), seed)


def randint(shape, minval, maxval, dtype="int32", seed=None) -> ember.Tensor:
    """Integers in ``[minval, maxval)``."""
    return _tf_random.uniform(shape, minval, maxval, ember.as_dtype(dtype), seed)


def dropout(inputs, rate: float, noise_shape=None, seed=None) -> ember.Tensor:
    """Zero entries with probability ``rate``, scale the rest by ``1 / (1 - rate)``."""
    from ..tf_compat.nn_functions import dropout as tf_dropout
    return tf_dropout(inputs, rate, noise_shape=noise_shape, seed=seed)


def shuffle(x, axis: int = 0, seed=None) -> ember.Tensor:
    """``x`` randomly reordered along ``axis``."""
    value = F._tensor(x)
    order = _random.randperm(value.shape[axis], generator=_tf_random.generator_for(seed))
    return value[(slice(None),) * (axis % value.ndim) + (order,)]


def categorical(logits, num_samples: int, dtype="int32", seed=None) -> ember.Tensor:
    return _tf_random.categorical(logits, num_samples, dtype, seed)


def gamma(shape, alpha, dtype=None, seed=None) -> ember.Tensor:
    generator = (_tf_random.generator_for(seed) or _random.default_generator).numpy
    return ember.from_numpy(generator.gamma(alpha, size=tuple(shape)).astype(_dtype(dtype).name))


def binomial(shape, counts, probabilities, dtype=None, seed=None) -> ember.Tensor:
    generator = (_tf_random.generator_for(seed) or _random.default_generator).numpy
    draws = generator.binomial(numpy.asarray(counts), numpy.asarray(probabilities), size=tuple(shape))
    return ember.from_numpy(draws.astype(_dtype(dtype).name))


def beta(shape, alpha, beta, dtype=None, seed=None) -> ember.Tensor:
    generator = (_tf_random.generator_for(seed) or _random.default_generator).numpy
    return ember.from_numpy(generator.beta(alpha, beta, size=tuple(shape)).astype(_dtype(dtype).name))
