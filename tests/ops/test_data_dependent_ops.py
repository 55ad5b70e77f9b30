"""Ops whose result's shape depends on the values (``unique``, ``bincount``, ``nonzero`` ...),
``multinomial``'s distribution and argument rules, ``Tensor.__format__``, Tensor methods and
the errors the new ops give on bad input, each checked against PyTorch 2.13."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from ember.errors import DTypeError, EmberIndexError, EmberValueError, ShapeError

FAST = settings(max_examples=40, deadline=None, database=None)


def same(mine, reference):
    mine = mine.numpy() if isinstance(mine, ember.Tensor) else np.asarray(mine)
    reference = reference.numpy() if isinstance(reference, torch.Tensor) else np.asarray(reference)
    assert mine.shape == reference.shape and mine.dtype == reference.dtype, (mine, reference)
    np.testing.assert_allclose(mine, reference, equal_nan=True)


small_int_arrays = hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
                              elements=st.integers(-3, 3))


@FAST
@given(small_int_arrays, st.booleans(), st.booleans())
def test_unique_matches_torch(array, inverse, counts):
    mine = ember.unique(ember.tensor(array), return_inverse=inverse, return_counts=counts)
    reference = torch.unique(torch.tensor(array), return_inverse=inverse, return_counts=counts)
    for m, r in zip(mine if isinstance(mine, tuple) else [mine], reference if isinstance(reference, tuple)
                    else [reference]):
        same(m, r)


@FAST
@given(hnp.arrays(np.int64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=4),
                  elements=st.integers(0, 1)), st.integers(0, 1))
def test_unique_along_a_dimension(array, dim):
    mine = ember.unique(ember.tensor(array), dim=dim, return_inverse=True, return_counts=True)
    reference = torch.unique(torch.tensor(array), dim=dim, return_inverse=True, return_counts=True)
    for m, r in zip(mine, reference):
        same(m, r)


@FAST
@given(small_int_arrays.filter(lambda a: a.ndim == 1), st.booleans(), st.booleans())
def test_unique_consecutive_matches_torch(array, inverse, counts):
    mine = ember.unique_consecutive(ember.tensor(array), return_inverse=inverse, return_counts=counts)
    reference = torch.unique_consecutive(torch.tensor(array), return_inverse=inverse, return_counts=counts)
    for m, r in zip(mine if isinstance(mine, tuple) else [mine], reference if isinstance(reference, tuple)
                    else [reference]):
        same(m, r)


@FAST
@given(hnp.arrays(np.int64, st.integers(0, 6), elements=st.integers(0, 5)), st.integers(0, 8), st.booleans())
def test_bincount_matches_torch(array, minlength, weighted):
    weights = np.linspace(0.5, 2.0, array.size).astype(np.float32) if weighted else None
    mine = ember.bincount(ember.tensor(array), None if weights is None else ember.tensor(weights), minlength)
    reference = torch.bincount(torch.tensor(array), None if weights is None else torch.tensor(weights), minlength)
    same(mine, reference)


@FAST
@given(hnp.arrays(np.float32, st.integers(0, 8), elements=st.floats(-3, 3, width=32)), st.integers(1, 6),
       st.sampled_from([(0, 0), (-1, 1), (-2.5, 0.5)]))
def test_histc_matches_torch(array, bins, bounds):
    same(ember.histc(ember.tensor(array), bins, *bounds), torch.histc(torch.tensor(array), bins, *bounds))


@FAST
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
                  elements=st.sampled_from([0.0, 1.5, -2.0])))
def test_nonzero_and_argwhere_match_torch(array):
    same(ember.nonzero(ember.tensor(array)), torch.nonzero(torch.tensor(array)))
    same(ember.argwhere(ember.tensor(array)), torch.argwhere(torch.tensor(array)))
    if array.ndim:
        for m, r in zip(ember.nonzero(ember.tensor(array), as_tuple=True),
                        torch.nonzero(torch.tensor(array), as_tuple=True)):
            same(m, r)


@pytest.mark.parametrize("row, col, offset", [(3, 3, 0), (4, 2, 1), (2, 5, -1), (0, 3, 0), (3, 3, 5)])
def test_triangle_indices_match_torch(row, col, offset):
    same(ember.tril_indices(row, col, offset), torch.tril_indices(row, col, offset))
    same(ember.triu_indices(row, col, offset), torch.triu_indices(row, col, offset))


# --- multinomial ------------------------------------------------------------------------------------
def test_multinomial_with_replacement_follows_the_weights():
    weights = ember.tensor([1.0, 0.0, 3.0, 6.0])
    draws = ember.multinomial(weights, 20000, replacement=True, generator=ember.Generator().manual_seed(1))
    assert draws.shape == (20000,) and draws.dtype == ember.int64
    frequencies = np.bincount(draws.numpy(), minlength=4) / 20000
    np.testing.assert_allclose(frequencies, [0.1, 0.0, 0.3, 0.6], atol=0.015)


def test_multinomial_without_replacement_matches_sequential_draws():
    """First picks follow the weights; the second pick follows the weights left (as PyTorch draws)."""
    weights = ember.tensor([[1.0, 2.0, 7.0]])
    draws = ember.multinomial(weights.expand(20000, 3), 2, generator=ember.Generator().manual_seed(2)).numpy()
    assert all(len(set(row)) == 2 for row in draws[:100])
    first = np.bincount(draws[:, 0], minlength=3) / 20000
    np.testing.assert_allclose(first, [0.1, 0.2, 0.7], atol=0.015)
    after_two = draws[draws[:, 0] == 2][:, 1]
    np.testing.assert_allclose(np.bincount(after_two, minlength=3)[:2] / after_two.size, [1 / 3, 2 / 3], atol=0.03)


def test_multinomial_distribution_agrees_with_torch():
    weights = [0.5, 1.5, 2.0, 0.0, 1.0]
    mine = ember.multinomial(ember.tensor(weights), 30000, True, generator=ember.Generator().manual_seed(3))
    reference = torch.multinomial(torch.tensor(weights), 30000, True, generator=torch.Generator().manual_seed(3))
    np.testing.assert_allclose(np.bincount(mine.numpy(), minlength=5) / 30000,
                               np.bincount(reference.numpy(), minlength=5) / 30000, atol=0.015)


def test_multinomial_without_replacement_draws_zero_weights_last():
    draws = ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 3, generator=ember.Generator().manual_seed(4))
    assert draws.tolist()[0] == 1 and sorted(draws.tolist()) == [0, 1, 2]


def test_multinomial_is_reproducible_with_a_generator_and_the_global_seed():
    weights = ember.rand(3, 6) + 0.1
    first = ember.multinomial(weights, 4, generator=ember.Generator().manual_seed(7))
    second = ember.multinomial(weights, 4, generator=ember.Generator().manual_seed(7))
    assert first.tolist() == second.tolist() and first.shape == (3, 4)
    ember.manual_seed(5)
    third = ember.multinomial(weights, 4)
    ember.manual_seed(5)
    assert third.tolist() == ember.multinomial(weights, 4).tolist()
    assert weights.multinomial(1).shape == (3, 1)


@pytest.mark.parametrize("weights, samples, replacement, error, words", [
    ([1.0, -0.5], 1, True, EmberValueError, "negative"),
    ([0.0, 0.0], 1, True, EmberValueError, "sums to zero"),
    ([1.0, float("nan")], 1, True, EmberValueError, "inf or nan"),
    ([1.0, 2.0], 3, False, EmberValueError, "without replacement"),
    ([[[1.0]]], 1, True, ShapeError, "1-D or 2-D"),
    ([1, 2], 1, True, DTypeError, "floating"),
    ([1.0, 2.0], 0, True, EmberValueError, "positive"),
])
def test_multinomial_refuses_bad_arguments_like_torch(weights, samples, replacement, error, words):
    with pytest.raises(error, match=words):
        ember.multinomial(ember.tensor(weights), samples, replacement)
    with pytest.raises((RuntimeError, ValueError)):
        torch.multinomial(torch.tensor(weights), samples, replacement)


# --- errors naming the op and the shapes ----------------------------------------------------------------
@pytest.mark.parametrize("call, error, words", [
    (lambda: ember.topk(ember.ones(2, 3), 4), ShapeError, r"topk: k=4 .* size 3 \(input shape \(2, 3\)\)"),
    (lambda: ember.kthvalue(ember.ones(3), 0), ShapeError, "kthvalue: k=0"),
    (lambda: ember.sort(ember.ones(2), dim=3), EmberIndexError, "argsort: dimension 3"),
    (lambda: ember.median(ember.ones(0)), EmberIndexError, "median"),
    (lambda: ember.quantile(ember.ones(3), 1.5), EmberValueError, r"quantile: q values must be in the range"),
    (lambda: ember.quantile(ember.ones(3), 0.5, interpolation="cubic"), EmberValueError, "interpolation"),
    (lambda: ember.linalg.inv(ember.ones(2, 3)), ShapeError, r"linalg.inv: expected square matrices .* \(2, 3\)"),
    (lambda: ember.linalg.det(ember.ones(3)), ShapeError, r"linalg.det: .* \(3,\)"),
    (lambda: ember.linalg.solve(ember.eye(2), ember.ones(3)), ShapeError, "linalg.solve"),
    (lambda: ember.linalg.cholesky(-ember.eye(2)), ember.linalg.LinAlgError,
     r"linalg.cholesky: the input of shape \(2, 2\) is not positive-definite"),
    (lambda: ember.linalg.inv(ember.zeros(2, 2)), ember.linalg.LinAlgError, r"linalg.inv: .* is singular"),
    (lambda: ember.linalg.solve(ember.zeros(2, 2), ember.ones(2)), RuntimeError, "linalg.solve"),
    (lambda: ember.index_select(ember.ones(3), 0, ember.tensor([3])), EmberIndexError,
     r"index_select: index 3 is out of range for dimension 0 of size 3"),
    (lambda: ember.index_add(ember.ones(3), 0, ember.tensor([0]), ember.ones(2)), ShapeError,
     r"index_add: source of shape \(2,\)"),
    (lambda: ember.scatter(ember.ones(3), 0, ember.tensor([5]), ember.ones(1)), EmberIndexError, "scatter"),
    (lambda: ember.scatter_reduce(ember.ones(3), 0, ember.tensor([0]), ember.ones(1), "median"),
     EmberValueError, "scatter_reduce: reduce must be one of"),
    (lambda: ember.masked_scatter(ember.ones(3), ember.tensor([True, True, False]), ember.ones(1)), ShapeError,
     "masked_scatter: the mask .* selects 2 positions"),
    (lambda: ember.masked_select(ember.ones(3), ember.ones(3)), DTypeError, "masked_select: mask must be a bool"),
    (lambda: ember.bincount(ember.tensor([-1, 2])), EmberValueError, "bincount: expected a 1-D tensor of non-negative"),
    (lambda: ember.searchsorted(ember.ones(2, 3), ember.ones(3, 1)), ShapeError, "searchsorted: boundaries of shape"),
    (lambda: ember.diff(ember.tensor(1.0)), ShapeError, "diff"),
    (lambda: ember.rot90(ember.ones(2, 2), 1, (0, 0)), ShapeError, "rot90"),
    (lambda: ember.meshgrid(ember.ones(2, 2), indexing="ij"), ShapeError, "meshgrid"),
    (lambda: ember.tensordot(ember.ones(2, 3), ember.ones(4, 5), 1), ShapeError, "tensordot"),
    (lambda: ember.cdist(ember.ones(2, 3), ember.ones(2, 4)), ShapeError, r"cdist: x1 \(2, 3\) and x2 \(2, 4\)"),
    (lambda: ember.addmm(ember.ones(2, 2), ember.ones(2), ember.ones(2, 2)), ShapeError, "addmm: mat1 must be 2-D"),
    (lambda: ember.linalg.svd(ember.ones(2, 3, requires_grad=True)), EmberValueError, "full_matrices"),
])
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error, match=words):
        call()


# --- Tensor.__format__, methods and conversions ----------------------------------------------------------
@pytest.mark.parametrize("spec", ["+.2f", ".3e", "", "10.4f", "g"])
def test_format_of_a_0d_tensor_matches_torch(spec):
    for value in (3.14159, -2.5):
        assert format(ember.tensor(value), spec) == format(torch.tensor(value), spec)
    assert format(ember.tensor(7), "d") == format(torch.tensor(7), "d")
    assert "{:+.2f}".format(ember.tensor(0.5)) == "+0.50"


def test_format_of_larger_tensors_is_their_str_and_refuses_number_specs():
    t = ember.tensor([1.0, 2.0])
    assert format(t, "") == str(t) and f"{t}" == str(t)
    with pytest.raises(TypeError):
        format(t, ".2f")
    with pytest.raises(TypeError):
        format(torch.tensor([1.0, 2.0]), ".2f")


def test_item_tolist_numpy_edge_cases():
    assert ember.tensor(2.5).item() == 2.5 and isinstance(ember.tensor(3).item(), int)
    assert ember.tensor([[1]]).item() == 1
    assert ember.tensor(True).item() is True
    assert ember.tensor(1.5).tolist() == 1.5 and ember.zeros(0, 2).tolist() == []
    assert ember.zeros(2, 0).tolist() == [[], []]
    with pytest.raises(ValueError):
        ember.ones(2).item()
    assert ember.tensor(4.0).numpy().shape == ()


def test_new_factories_and_like_dtypes():
    x = ember.ones(2, dtype=ember.float64)
    assert x.new_zeros(3).dtype == ember.float64 and x.new_ones((2, 2)).shape == (2, 2)
    assert x.new_full((2,), 7).tolist() == [7.0, 7.0] and x.new_empty(1).dtype == ember.float64
    assert x.new_tensor([1, 2]).dtype == ember.float64
    assert x.new_zeros(2, dtype=ember.int32).dtype == ember.int32
    assert ember.zeros_like(x, dtype=ember.int64).dtype == ember.int64
    assert ember.ones_like(x, dtype=ember.float32).dtype == ember.float32
    assert ember.full_like(x, 2, dtype=ember.int32).tolist() == [2, 2]


def test_tensor_methods_and_in_place_forms():
    x = ember.tensor([[3.0, 1.0, 2.0]])
    assert x.topk(2).indices.tolist() == [[0, 2]] and x.sort().values.tolist() == [[1.0, 2.0, 3.0]]
    assert x.argsort(descending=True).tolist() == [[0, 2, 1]]
    assert x.cumprod(1).tolist() == [[3.0, 3.0, 6.0]] and x.roll(1, 1).tolist() == [[2.0, 3.0, 1.0]]
    y = ember.zeros(3)
    y.scatter_(0, ember.tensor([2]), ember.tensor([5.0]))
    y.index_add_(0, ember.tensor([0, 0]), ember.ones(2))
    y.index_fill_(0, ember.tensor([1]), -1.0)
    assert y.tolist() == [2.0, -1.0, 5.0]
    z = ember.zeros(3)
    z.scatter_add_(0, ember.tensor([1, 1]), ember.ones(2))
    assert z.tolist() == [0.0, 2.0, 0.0]
    w = ember.tensor([0.5, -1.5])
    w.clamp_min_(0.0)
    assert w.tolist() == [0.5, 0.0]
    assert ember.tensor([1.0]).polygamma(1).item() == pytest.approx(1.6449, abs=1e-4)


def test_in_place_scatter_records_gradients():
    base = ember.ones(3, requires_grad=True)
    source = ember.tensor([2.0, 5.0], requires_grad=True)
    y = base * 1
    y.scatter_(0, ember.tensor([0, 2]), source)
    (y * ember.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert base.grad.tolist() == [0.0, 2.0, 0.0] and source.grad.tolist() == [1.0, 3.0]


def test_vander_gradient_by_finite_differences():
    """PyTorch 2.13 cannot differentiate vander (the reference table compares values only)."""
    values = np.array([0.5, -1.2, 2.0])
    x = ember.tensor(values, requires_grad=True)
    ember.vander(x, N=4).sum().backward()
    step = 1e-6
    numeric = [(np.vander(values + step * e, 4).sum() - np.vander(values - step * e, 4).sum()) / (2 * step)
               for e in np.eye(3)]
    np.testing.assert_allclose(x.grad.numpy(), numeric, rtol=1e-6)


def test_sort_and_topk_run_inside_a_compiled_function():
    @ember.function
    def largest_two(x):
        return ember.topk(x, 2).values.sum() + ember.sort(x).values[0]

    x = ember.tensor([1.0, 5.0, 3.0])
    assert float(largest_two(x)) == pytest.approx(9.0)
