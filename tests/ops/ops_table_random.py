"""Reference table: the random-draw primitive (see ops_harness).

Draws have no PyTorch twin; their reference is NumPy's PCG64 stream, which
``ember.Generator`` documents as its bit generator: a seeded Ember generator
must reproduce it number for number, with the right shape and dtype.
"""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

import ember
from ops_harness import Case, Example


def _numpy_reference(method):
    def draw(shape, seed, dtype):
        numbers = getattr(np.random.Generator(np.random.PCG64(seed)), method)(shape, dtype=dtype)
        return torch.from_numpy(numbers)
    return draw


def _ember(function):
    def draw(shape, seed, dtype):
        return function(shape, generator=ember.Generator().manual_seed(seed), dtype=ember.as_dtype(dtype))
    return draw


_DRAWS = st.builds(lambda shape, seed, dtype: Example((shape, seed, dtype)),
                   st.tuples(st.integers(0, 3), st.integers(1, 3)), st.integers(0, 2 ** 32 - 1),
                   st.sampled_from(["float32", "float64"]))

# the harness dtype is irrelevant here (no tensor operands); the draw's dtype is in the example
CASES = [
    Case("rand", _ember(ember.rand), _numpy_reference("random"), ("random",), _DRAWS,
         dtypes=("float64",), grad=False),
    Case("randn", _ember(ember.randn), _numpy_reference("standard_normal"), ("random",), _DRAWS,
         dtypes=("float64",), grad=False),
]
