"""Random number generation with explicit, seedable generators.

A :class:`Generator` owns a NumPy PCG64 bit generator; the module-level
default one is reseeded by :func:`manual_seed`. Draws make leaves (there is
nothing to differentiate), in the default float dtype unless told otherwise.
"""
from __future__ import annotations

import numpy

from ..backend import as_dtype, get_default_dtype
from .creation import _leaf, _shape_arg, _size_keyword
from ..primitives.core import bind
from ..primitives.random import RandomDraw


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


def _float_dtype(dtype):
    return get_default_dtype().numpy if dtype is None else as_dtype(dtype).numpy


def _draw(method, shape, generator, dtype, requires_grad, device=None, params=()):
    """One bind of the random primitive: eager code draws now, a traced function on every call."""
    draw = bind(RandomDraw, (), (generator, method, _shape_arg(shape), numpy.dtype(dtype), params))
    if device is not None:
        draw = draw.to(device)
    if requires_grad:
        draw.requires_grad_(True)
    return draw


def rand(*shape, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """Uniform samples in [0, 1)."""
    shape = _size_keyword("rand", shape, size)
    return _draw("random", shape, generator, _float_dtype(dtype), requires_grad, device)


def randn(*shape, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """Standard normal samples; a complex dtype gives real and imaginary parts of variance 1/2 each,
    as PyTorch does (so E|z|^2 = 1).

    Example:
        >>> import ember
        >>> ember.randn(2, 3, dtype=ember.complex64).shape
        (2, 3)
    """
    shape = _size_keyword("randn", shape, size)
    if dtype is not None and as_dtype(dtype).is_complex:
        from .complex_parts import view_as_complex
        from ..backend import real_dtype
        parts = _draw("standard_normal", _shape_arg(shape) + (2,), generator,
                      real_dtype(as_dtype(dtype)).numpy, False, device)
        return view_as_complex(parts * 0.5 ** 0.5).requires_grad_(requires_grad)
    return _draw("standard_normal", shape, generator, _float_dtype(dtype), requires_grad, device)


def randint(low, high=None, size=(), *, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """Integers uniformly drawn from [low, high): ``randint(10, (3,))`` or ``randint(0, 10, (3,))``.

    Example:
        >>> import ember
        >>> draw = ember.randint(3, 5, (4,), generator=ember.Generator().manual_seed(0))
        >>> draw.dtype, set(draw.tolist()) <= {3, 4}
        (ember.int64, True)
    """
    if high is None:
        low, high = 0, low
    elif isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    dtype = numpy.int64 if dtype is None else as_dtype(dtype).numpy
    return _draw("integers", (size,), generator, dtype, requires_grad, device, (int(low), int(high)))


def randperm(n: int, *, generator=None, dtype=None, device=None):
    """A random permutation of ``0 .. n-1``.

    Example:
        >>> import ember
        >>> sorted(ember.randperm(4).tolist())
        [0, 1, 2, 3]
    """
    dtype = numpy.int64 if dtype is None else as_dtype(dtype).numpy
    return _draw("permutation", (int(n),), generator, dtype, False, device, (int(n),))


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """Normal samples with the given mean and std (floats, or tensors broadcast together).

    Drawn as ``mean + std * z`` from float64 standard normals ``z`` (NumPy's own
    rule, so the numbers equal ``numpy.random.Generator.normal``'s), then cast.

    Example:
        >>> import ember
        >>> ember.normal(ember.tensor([0.0, 100.0]), 0.001).round().tolist()
        [0.0, 100.0]
    """
    from ..autograd.grad_mode import no_grad
    from ._operands import cast
    tensors = [t for t in (mean, std) if hasattr(t, "_data")]
    if device is None and tensors:  # tensor arguments say where the samples go
        device = tensors[0].device
    if size is not None:
        shape = _shape_arg((size,))
    else:
        shape = numpy.broadcast_shapes(*(tuple(getattr(v, "shape", ())) for v in (mean, std)))
    if dtype is None:
        dtype = getattr(mean, "dtype", None) or getattr(std, "dtype", None)
    dtype = _float_dtype(dtype)
    with no_grad():  # like PyTorch, the samples carry no gradient to mean and std
        z = _draw("standard_normal", shape, generator, numpy.float64, False, device)
        samples = cast(_as_float64(mean) + _as_float64(std) * z, dtype)
    return _leaf(samples._data, requires_grad) if requires_grad else samples


def _as_float64(value):
    from ._operands import cast
    return cast(value, numpy.float64) if hasattr(value, "_data") else float(value)


def bernoulli(input, p=None, *, generator=None):
    """1 with probability ``p`` (default: the values of ``input``), else 0, in ``input``'s shape and dtype.

    Example:
        >>> import ember
        >>> ember.bernoulli(ember.tensor([0.0, 1.0, 1.0])).tolist()
        [0.0, 1.0, 1.0]
    """
    from ._operands import _tensor, cast
    probabilities = _tensor(input)
    uniform = rand(probabilities.shape, generator=generator, dtype=numpy.float64, device=probabilities.device)
    chance = cast(probabilities, numpy.float64) if p is None else p
    return cast(uniform < chance, probabilities.dtype)


def rand_like(input, *, generator=None, dtype=None, device=None, requires_grad: bool = False):
    return rand(input.shape, generator=generator, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, device=None, requires_grad: bool = False):
    return randn(input.shape, generator=generator, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


def standard_gamma(concentration, *, generator=None):
    """Gamma(concentration, 1) draws, differentiable in ``concentration`` (PyTorch's ``_standard_gamma``).

    The gradient is the implicit reparameterisation one: how a draw moves with the concentration
    when its CDF level is held fixed (``standard_gamma_grad``).

    Example:
        >>> import ember
        >>> alpha = ember.tensor([0.5, 2.0, 50.0], requires_grad=True)
        >>> z = ember._standard_gamma(alpha, generator=ember.Generator().manual_seed(0))
        >>> z.sum().backward()
        >>> bool((z > 0).all()), bool((alpha.grad > 0).all())
        (True, True)
    """
    from ._operands import _tensor
    from ..primitives.random import StandardGamma
    return bind(StandardGamma, (_tensor(concentration),), (generator,))
