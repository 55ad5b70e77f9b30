"""Keras initializers: ``initializer(shape, dtype)`` returns a new tensor.

Keras computes fans from its own weight layouts (a Dense kernel is
``(in, out)``, a Conv2D kernel ``(kh, kw, in, out)``), which differ from
PyTorch's, so the fan rule lives here; the draws themselves are
``ember.nn.init``'s (``uniform_``, ``normal_``, ``trunc_normal_``,
``orthogonal_``), from Ember's seeded generator (``ember.manual_seed`` /
``keras.utils.set_random_seed``) unless an initializer has its own ``seed``.

Example:
    >>> from ember.keras import initializers
    >>> initializers.compute_fans((3, 3, 16, 32))
    (144, 288)
    >>> w = initializers.get("glorot_uniform")((784, 128))
    >>> w.shape, bool(abs(w).max() <= (6 / (784 + 128)) ** 0.5)
    ((784, 128), True)
"""
from __future__ import annotations

import math

import numpy

import ember
from ember.nn import init
from ember.ops.random import Generator


def compute_fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a Keras-layout weight; the last two axes are (in, out)."""
    shape = tuple(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: subclasses implement ``__call__(shape, dtype=None)`` and ``get_config``."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        return cls(**config)

    def _wrap(self, array: numpy.ndarray, dtype) -> ember.Tensor:
        return ember.tensor(array, dtype=ember.as_dtype(dtype or "float32"))

    @staticmethod
    def _empty(shape, dtype) -> ember.Tensor:
        return ember.empty(tuple(shape), dtype=ember.as_dtype(dtype or "float32"))


class _Seeded(Initializer):
    """An initializer drawing random numbers: its own generator when seeded, else Ember's."""

    def __init__(self, seed: int | None = None):
        self.seed = seed
        self._generator = None if seed is None else Generator().manual_seed(seed)

    @property
    def generator(self) -> Generator:
        return self._generator or ember.default_generator

    def get_config(self) -> dict:
        return {"seed": self.seed}


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return self._wrap(numpy.zeros(shape), dtype)


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return self._wrap(numpy.ones(shape), dtype)


class Constant(Initializer):
    def __init__(self, value: float = 0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return self._wrap(numpy.full(shape, self.value), dtype)

    def get_config(self) -> dict:
        return {"value": self.value}


class RandomUniform(_Seeded):
    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return init.uniform_(self._empty(shape, dtype), self.minval, self.maxval, self.generator)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class RandomNormal(_Seeded):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return init.normal_(self._empty(shape, dtype), self.mean, self.stddev, self.generator)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


def _truncated_normal(tensor, mean: float, stddev: float, generator) -> ember.Tensor:
    """Normal draws redrawn until within two standard deviations (Keras's truncation)."""
    return init.trunc_normal_(tensor, mean, stddev, mean - 2 * stddev, mean + 2 * stddev, generator)


class TruncatedNormal(RandomNormal):
    def __call__(self, shape, dtype=None):
        return _truncated_normal(self._empty(shape, dtype), self.mean, self.stddev, self.generator)


class VarianceScaling(_Seeded):
    """Draws with variance ``scale / n``, n the fan_in, fan_out or their average."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None):
        super().__init__(seed)
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid mode {mode!r}: use 'fan_in', 'fan_out' or 'fan_avg'")
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"Invalid distribution {distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return init.uniform_(self._empty(shape, dtype), -limit, limit, self.generator)
        if self.distribution == "untruncated_normal":
            return init.normal_(self._empty(shape, dtype), 0.0, math.sqrt(variance), self.generator)
        # 0.8796… is the stddev of a unit normal truncated at ±2: undo the shrinkage.
        stddev = math.sqrt(variance) / 0.87962566103423978
        return _truncated_normal(self._empty(shape, dtype), 0.0, stddev, self.generator)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config()}


def _preset(name: str, scale: float, mode: str, distribution: str) -> type:
    """A VarianceScaling subclass with fixed arguments (GlorotUniform …)."""
    def __init__(self, seed: int | None = None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}
    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                           "__doc__": f"VarianceScaling({scale}, {mode!r}, {distribution!r})."})


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal")


class Orthogonal(_Seeded):
    """A (scaled) random orthogonal matrix over the last axis, as Keras's."""

    def __init__(self, gain: float = 1.0, seed: int | None = None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        # Keras flattens all but the last axis; nn.init flattens all but the first.
        matrix = self._empty((math.prod(shape[:-1]), shape[-1]), dtype)
        return init.orthogonal_(matrix, self.gain, self.generator).reshape(tuple(shape))

    def get_config(self) -> dict:
        return {"gain": self.gain, **super().get_config()}


class Identity(Initializer):
    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        return self._wrap(self.gain * numpy.eye(*shape), dtype)

    def get_config(self) -> dict:
        return {"gain": self.gain}


_CLASSES = {cls.__name__: cls for cls in (
    Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal, VarianceScaling,
    GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, Orthogonal, Identity)}
_ALIASES = {"zeros": Zeros, "ones": Ones, "constant": Constant, "uniform": RandomUniform,
            "random_uniform": RandomUniform, "normal": RandomNormal, "random_normal": RandomNormal,
            "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
            "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
            "he_uniform": HeUniform, "he_normal": HeNormal, "lecun_uniform": LecunUniform,
            "lecun_normal": LecunNormal, "orthogonal": Orthogonal, "identity": Identity}


def get(identifier):
    """An initializer from a name, a config dict, a class, an instance or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        cls = _ALIASES.get(identifier) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(f"Unknown initializer: {identifier!r}. Known: {sorted(_ALIASES)}")
        return cls()
    if isinstance(identifier, dict):
        return _CLASSES[identifier["class_name"]].from_config(identifier.get("config", {}))
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer: {identifier!r}")


def serialize(initializer) -> dict | None:
    if initializer is None:
        return None
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}
