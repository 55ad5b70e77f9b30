"""``tf.random`` on Ember's generators (``ember.random``).

Draws go through :func:`ember.rand`/:func:`ember.randn`/:func:`ember.randint`,
so they are traced like any draw and share the default generator that
``ember.manual_seed`` (and :func:`set_seed`) seeds. An op-level ``seed=``
gives a draw from a fresh generator seeded with it: the same numbers on every
call with that seed (TensorFlow's stateless behaviour, simpler than its
global-plus-op seed pairs). ``ember.random`` is this module, so ``import ember
as tf; tf.random.normal(...)`` works; PyTorch's ``ember.manual_seed`` stays.

Example:
    >>> import ember as tf
    >>> tf.random.set_seed(0)
    >>> a = tf.random.normal([2, 3])
    >>> tf.random.set_seed(0)
    >>> bool(tf.reduce_all(a == tf.random.normal([2, 3]))), a.dtype
    (True, ember.float32)
    >>> int(tf.reduce_max(tf.random.uniform([100], maxval=10, dtype="int32"))) < 10
    True
"""
from __future__ import annotations

import numpy

from ..backend import as_dtype
from ..errors import EmberValueError
from ..ops import functions as F
from ..ops import random as _random
from ..tensor import Tensor


def set_seed(seed: int) -> None:
    """Seed the default generator (TensorFlow's global seed)."""
    _random.manual_seed(int(seed))


def _shape(shape) -> tuple:
    if isinstance(shape, Tensor):
        shape = shape.tolist()
    if isinstance(shape, int):
        shape = (shape,)
    return tuple(int(s) for s in shape)


def generator_for(seed):
    """The generator a draw with ``seed`` uses: None (the default one) or a fresh seeded one."""
    if seed is None:
        return None
    if isinstance(seed, _random.Generator):
        return seed
    if hasattr(seed, "generator"):  # keras.random.SeedGenerator
        return seed.generator
    return _random.Generator().manual_seed(int(seed))


def normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None, name: str | None = None) -> Tensor:
    """Samples from N(mean, stddev²)."""
    dtype = as_dtype(dtype or "float32")
    draw = _random.randn(*_shape(shape), generator=generator_for(seed), dtype=dtype)
    return draw * stddev + mean if (stddev != 1.0 or mean != 0.0) else draw


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None, name: str | None = None) -> Tensor:
    """Normal samples redrawn until within two standard deviations of the mean."""
    dtype = as_dtype(dtype or "float32")
    generator = generator_for(seed)
    values = numpy.asarray(_random.randn(*_shape(shape), generator=generator, dtype="float64"))
    outside = numpy.abs(values) > 2
    while outside.any():
        values[outside] = numpy.asarray(_random.randn(int(outside.sum()), generator=generator, dtype="float64"))
        outside = numpy.abs(values) > 2
    return F._tensor((values * stddev + mean).astype(dtype.name))


def uniform(shape, minval=0, maxval=None, dtype="float32", seed=None, name: str | None = None) -> Tensor:
    """Uniform samples in ``[minval, maxval)``; integer dtypes need ``maxval``."""
    dtype = as_dtype(dtype or "float32")
    generator = generator_for(seed)
    if not dtype.is_floating_point:
        if maxval is None:
            raise EmberValueError(f"random.uniform: maxval must be given for integer dtype {dtype.name}")
        return _random.randint(int(minval), int(maxval), _shape(shape), generator=generator, dtype=dtype)
    maxval = 1.0 if maxval is None else maxval
    draw = _random.rand(*_shape(shape), generator=generator, dtype=dtype)
    return draw * (maxval - minval) + minval if (minval != 0 or maxval != 1.0) else draw



def gamma(shape, alpha, beta=None, dtype="float32", seed=None, name: str | None = None) -> Tensor:
    """Samples from Gamma(alpha, beta), beta the rate (inverse scale; 1 when None).

    As TensorFlow: the result's shape is ``shape`` followed by the broadcast shape of ``alpha``
    and ``beta``, each of the ``shape`` draws holding one sample per (alpha, beta) pair. The
    unit-rate draws come from the generator (NumPy's Marsaglia-Tsang sampler) and are then divided
    by ``beta`` as a tensor op, so gradients reach ``beta``; none reach ``alpha`` (TensorFlow's
    implicit reparameterisation gradient is not implemented).
    """
    dtype = as_dtype(dtype or "float32")
    if not dtype.is_floating_point:
        raise EmberValueError(f"random.gamma: dtype must be a floating type, got {dtype.name}")
    concentration = numpy.asarray(alpha.detach() if isinstance(alpha, Tensor) else alpha, dtype="float64")
    rate = None if beta is None else F._tensor(beta)
    batch = numpy.broadcast_shapes(concentration.shape, () if rate is None else tuple(rate.shape))
    generator = (generator_for(seed) or _random.default_generator).numpy
    draws = generator.standard_gamma(numpy.broadcast_to(concentration, batch), size=_shape(shape) + batch)
    # float32's smallest normal number, as TensorFlow keeps tiny-alpha draws above zero
    draws = numpy.maximum(draws, numpy.finfo(dtype.name).tiny).astype(dtype.name)
    sample = F._tensor(draws)
    return sample if rate is None else sample / rate.to(dtype)


def shuffle(value, seed=None, name: str | None = None) -> Tensor:
    """``value`` with its first dimension randomly reordered."""
    x = F._tensor(value)
    order = _random.randperm(x.shape[0], generator=generator_for(seed))
    return x[order]


def categorical(logits, num_samples: int, dtype="int64", seed=None, name: str | None = None) -> Tensor:
    """``num_samples`` class ids per row of ``logits`` (batch, classes), drawn from softmax(logits)."""
    probabilities = numpy.asarray(F.softmax(F._tensor(logits).detach(), -1), dtype="float64")
    generator = (generator_for(seed) or _random.default_generator).numpy
    rows = [generator.choice(probabilities.shape[-1], size=int(num_samples), p=row / row.sum())
            for row in probabilities]
    return F._tensor(numpy.asarray(rows, dtype=as_dtype(dtype).name).reshape(len(rows), int(num_samples)))
