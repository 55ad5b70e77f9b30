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
from ops_harness import Case, Example, Operand, binary, positive, shapes


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

def _ember_gamma(alpha, seed):
    return ember._standard_gamma(alpha, generator=ember.Generator().manual_seed(seed))


def _torch_gamma(alpha, seed):
    """NumPy's draws from the same seed, with PyTorch's implicit-reparameterisation gradient."""
    source = np.random.Generator(np.random.PCG64(seed))
    host = alpha.detach().numpy()
    draws = np.asarray(source.standard_gamma(host.astype(np.float64))).astype(host.dtype)
    draws = np.maximum(draws, np.finfo(host.dtype).tiny)
    z = torch.from_numpy(np.asarray(draws))
    return z + (alpha - alpha.detach()) * torch._standard_gamma_grad(alpha.detach(), z)


def _torch_gamma_grad(alpha, z):
    return torch._standard_gamma_grad(*torch.broadcast_tensors(alpha, z))


_GAMMAS = st.builds(lambda shape, seed: Example((Operand(shape, positive), seed)),
                    shapes(), st.integers(0, 2 ** 32 - 1))
# PyTorch's dz/dalpha is a rational approximation off by up to 5e-4 relative (Ember's is exact
# to ~1e-10 against mpmath: tests/distributions/test_gamma_rsample.py)
_GAMMA_TOLERANCE = {"float32": (1e-3, 1e-6), "float64": (1e-3, 1e-9)}

# the harness dtype is irrelevant here (no tensor operands); the draw's dtype is in the example
CASES = [
    Case("rand", _ember(ember.rand), _numpy_reference("random"), ("random",), _DRAWS,
         dtypes=("float64",), grad=False),
    Case("randn", _ember(ember.randn), _numpy_reference("standard_normal"), ("random",), _DRAWS,
         dtypes=("float64",), grad=False),
]
CASES += [
    # the draw is NumPy's; no finite differences: a redrawn sample at alpha + h is not the same CDF level
    Case("standard_gamma", _ember_gamma, _torch_gamma, ("standard_gamma", "standard_gamma_grad"), _GAMMAS,
         tolerance=_GAMMA_TOLERANCE, finite_differences=False),
    Case("standard_gamma_grad", ember._standard_gamma_grad, _torch_gamma_grad, ("standard_gamma_grad",),
         binary(positive, positive), grad=False, tolerance=_GAMMA_TOLERANCE),
]
