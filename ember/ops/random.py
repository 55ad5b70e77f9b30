"""Random number generation with explicit, seedable generators.

A :class:`Generator` owns a NumPy PCG64 bit generator; the module-level
default one is reseeded by :func:`manual_seed`. Draws make leaves (there is
nothing to differentiate), in the default float dtype unless told otherwise.
"""
from __future__ import annotations

import numpy

from .. import backend
from ..backend import as_dtype, get_default_dtype
from .creation import _leaf, _shape_arg
from ..primitives.core import Primitive, bind, primitive


class Generator:
    """A source of random numbers: ``g = ember.Generator().manual_seed(0)``.

    Example:
        >>> import ember
        >>> g = ember.Generator().manual_seed(0)
        >>> a = ember.rand(2, generator=g)
        >>> g.manual_seed(0)  # doctest: +ELLIPSIS
        <ember.Generator ...>
        >>> bool((ember.rand(2, generator=g) == a).all())
        True
    """

    def __init__(self, device: str = "cpu"):
        self._seed = int(numpy.random.SeedSequence().entropy % (2 ** 63))
        self._numpy = numpy.random.Generator(numpy.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> "Generator":
        self._seed = int(seed)
        self._numpy = numpy.random.Generator(numpy.random.PCG64(self._seed))
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        return self.manual_seed(int(numpy.random.SeedSequence().entropy % (2 ** 63))).initial_seed()

    def get_state(self) -> dict:
        """The generator's state (a JSON-friendly dict); restore it with :meth:`set_state`."""
        return self._numpy.bit_generator.state

    def set_state(self, state: dict) -> "Generator":
        self._numpy.bit_generator.state = state
        return self

    @property
    def numpy(self) -> numpy.random.Generator:
        return self._numpy

    def __repr__(self) -> str:
        return f"<ember.Generator seed={self._seed} at {id(self):#x}>"


default_generator = Generator().manual_seed(0)


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (every draw made without ``generator=``)."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    return default_generator.initial_seed()


def _generator(generator):
    return (generator or default_generator).numpy


def _to_backend(array):
    return array if backend.xp is numpy else backend.xp.asarray(array)


def _float_dtype(dtype):
    return get_default_dtype().numpy if dtype is None else as_dtype(dtype).numpy


@primitive
class RandomDraw(Primitive):
    """Floating samples from a generator: ``method`` is ``'random'`` (uniform) or ``'standard_normal'``.

    A primitive so that a traced function draws at run time, in order, from
    the same generator eager code uses (``generator=None``: the default one,
    looked up at each draw), and compiled and eager runs match under one seed.
    ``effect``: a draw must run even when unused and two draws are never merged.
    """

    name = "random"
    saves_inputs = False
    differentiable = False
    effect = True

    @staticmethod
    def forward(xp, generator, method, shape, dtype):
        draw_dtype = numpy.float64 if dtype == numpy.float16 else dtype
        draw = getattr(_generator(generator), method)(shape, dtype=draw_dtype)
        return _to_backend(draw.astype(dtype, copy=False))

    @staticmethod
    def abstract(generator, method, shape, dtype):
        return tuple(shape), numpy.dtype(dtype)

    @staticmethod
    def vjp(ctx, grad):
        return ()


def _draw(method, shape, generator, dtype, requires_grad):
    draw = bind(RandomDraw, (), (generator, method, _shape_arg(shape), numpy.dtype(dtype)))
    if requires_grad:
        draw.requires_grad_(True)
    return draw


def rand(*shape, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """Uniform samples in [0, 1)."""
    return _draw("random", shape, generator, _float_dtype(dtype), requires_grad)


def randn(*shape, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """Standard normal samples."""
    return _draw("standard_normal", shape, generator, _float_dtype(dtype), requires_grad)


def randint(low, high=None, size=(), *, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """Integers uniformly drawn from [low, high): ``randint(10, (3,))`` or ``randint(0, 10, (3,))``."""
    if high is None:
        low, high = 0, low
    elif isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    dtype = numpy.int64 if dtype is None else as_dtype(dtype).numpy
    draw = _generator(generator).integers(low, high, size=_shape_arg((size,)))
    return _leaf(_to_backend(draw.astype(dtype)), requires_grad)


def randperm(n: int, *, generator=None, dtype=None, device=None):
    """A random permutation of ``0 .. n-1``."""
    dtype = numpy.int64 if dtype is None else as_dtype(dtype).numpy
    return _leaf(_to_backend(_generator(generator).permutation(n).astype(dtype)), False)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """Normal samples with the given mean and std (floats, or tensors broadcast together)."""
    mean_array = numpy.asarray(getattr(mean, "_data", mean))
    std_array = numpy.asarray(getattr(std, "_data", std))
    shape = _shape_arg((size,)) if size is not None else numpy.broadcast_shapes(mean_array.shape, std_array.shape)
    if dtype is None:
        dtype = getattr(mean, "dtype", None) or getattr(std, "dtype", None)
    dtype = _float_dtype(dtype)
    draw = _generator(generator).normal(mean_array, std_array, size=shape)
    return _leaf(_to_backend(draw.astype(dtype)), requires_grad)


def rand_like(input, *, generator=None, dtype=None):
    return rand(input.shape, generator=generator, dtype=dtype or input.dtype)


def randn_like(input, *, generator=None, dtype=None):
    return randn(input.shape, generator=generator, dtype=dtype or input.dtype)
