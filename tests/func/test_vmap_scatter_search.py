"""vmap batching rules of ``scatter_reduce`` and ``searchsorted`` against ``torch.func.vmap``.

Also the check that every primitive a user can reach under vmap has a rule (the list of the
ones without, each with the reason, is in ``UNBATCHED``).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.func import grad as torch_grad
from torch.func import vmap as torch_vmap

import ember
from ember.func import grad as ember_grad
from ember.func import vmap as ember_vmap
from ember.primitives import PRIMITIVES

# primitives with no batching rule, and why none is needed
UNBATCHED = {
    "random": "draws are handled by vmap itself (randomness='error'/'different'/'same')",
}


def test_every_primitive_has_a_batching_rule_or_a_reason():
    import ember.primitives.batching  # noqa: F401  (registers the rules)
    missing = {name for name, prim in PRIMITIVES.items() if prim.batch is None}
    assert missing <= set(UNBATCHED), f"primitives without a vmap rule: {sorted(missing - set(UNBATCHED))}"


rng = np.random.default_rng(0)
X = rng.standard_normal((4, 3, 5))
SRC = rng.uniform(0.5, 2.0, (4, 3, 6))
INDEX = rng.integers(0, 5, (4, 3, 6))


def _both(function, *arrays, in_dims=0):
    ours = ember_vmap(function(ember), in_dims=in_dims)(*[ember.tensor(a) for a in arrays])
    theirs = torch_vmap(function(torch), in_dims=in_dims)(*[torch.tensor(a) for a in arrays])
    return ours.numpy(), theirs.numpy()


@pytest.mark.parametrize("reduce", ["amax", "amin", "prod", "sum", "mean"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("in_dims", [(0, 0, 0), (None, 0, 0), (0, None, None), (0, 0, None)])
def test_scatter_reduce_under_vmap(reduce, include_self, in_dims):
    def function(lib):
        return lambda x, src, index: lib.scatter_reduce(x, 1, index, src, reduce, include_self=include_self)
    arrays = [a[0] if d is None else a for a, d in zip((X, SRC, INDEX), in_dims)]
    ours, theirs = _both(function, *arrays, in_dims=in_dims)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reduce", ["amax", "amin", "mean"])  # prod: torch.func refuses (.item inside)
def test_per_example_gradients_of_scatter_reduce(reduce):
    def function(lib, grad):
        def loss(x, src, index):
            return (lib.scatter_reduce(x, 1, index, src, reduce) ** 2).sum()
        return grad(loss, argnums=(0, 1))

    ours = ember_vmap(function(ember, ember_grad))(ember.tensor(X), ember.tensor(SRC), ember.tensor(INDEX))
    theirs = torch_vmap(function(torch, torch_grad))(torch.tensor(X), torch.tensor(SRC), torch.tensor(INDEX))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-10, atol=1e-12)


SORTED_1D = np.sort(rng.standard_normal((4, 7)), -1)
SORTED_2D = np.sort(rng.standard_normal((4, 3, 7)), -1)
VALUES = rng.standard_normal((4, 3, 5))


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("boundaries, values, in_dims", [
    (SORTED_1D, VALUES, (0, 0)),            # per-example 1-D boundaries, 2-D values
    (SORTED_1D[0], VALUES, (None, 0)),      # shared boundaries
    (SORTED_1D, VALUES[0], (0, None)),      # shared values
    (SORTED_1D, VALUES[:, 0, 0], (0, 0)),   # a scalar value per example
    (SORTED_2D, VALUES, (0, 0)),            # per-example rows of boundaries
    (SORTED_2D[0], VALUES, (None, 0)),
    (SORTED_2D, VALUES[0], (0, None)),
])
def test_searchsorted_under_vmap(boundaries, values, in_dims, right):
    def function(lib):
        return lambda b, v: lib.searchsorted(b, v, right=right)
    ours, theirs = _both(function, boundaries, values, in_dims=in_dims)
    np.testing.assert_array_equal(ours, theirs)


def test_bucketize_under_vmap():
    def function(lib):
        return lambda v: lib.bucketize(v, lib.tensor([-1.0, 0.0, 1.0], dtype=lib.float64))
    ours, theirs = _both(function, VALUES)
    np.testing.assert_array_equal(ours, theirs)
