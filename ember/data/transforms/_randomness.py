"""Where random transforms draw from: their own generator, else Ember's default one.

Reading ``default_generator`` at call time (not at construction) means
``ember.manual_seed`` reseeds every transform that has no generator of its own.
"""
from __future__ import annotations

import numpy

from ...ops import random as _random


def numpy_generator(generator) -> numpy.random.Generator:
    return (generator or _random.default_generator).numpy


def uniform(generator, low: float, high: float) -> float:
    return float(numpy_generator(generator).uniform(low, high))
