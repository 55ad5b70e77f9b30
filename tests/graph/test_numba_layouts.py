"""The numba path on hand-picked functions that exercise each operand layout, reductions,
matmuls in regions, in-place state updates and non-contiguous inputs, against eager."""
import importlib.util

import numpy
import pytest

import ember

from .conftest import as_numpy, assert_close

pytestmark = pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                reason="numba is an optional extra and is not installed")


def broadcasts(x, row, column, scalar):
    """Full, trailing (a row), leading (a column) and single-element operands in one group."""
    return ((x * row + column) / (scalar + 2.0)).relu() - ember.maximum(x, column) * 0.5


def middle_axis(x, middle):
    """A broadcast along a middle axis: no loop layout fits, the ufunc kernel takes it."""
    return (x + middle) * 2.0 - 1.0


def reductions(x):
    return x.sum(0) * 2.0 + x.amax(1).sum() - x.amin() + x.mean(1, keepdim=True).sum()


def matmuls(x, w1, w2, b):
    return ((x @ w1).relu() @ w2 + b).tanh().sum(1)


CASES = {
    "broadcasts": (broadcasts, [(6, 5), (1, 5), (6, 1), ()]),
    "middle axis": (middle_axis, [(3, 4, 5), (3, 1, 5)]),
    "reductions": (reductions, [(7, 4)]),
    "matmuls": (matmuls, [(8, 5), (5, 6), (6, 3), (3,)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_numba_path_equals_eager(name):
    function, shapes = CASES[name]
    rng = numpy.random.default_rng(1)
    compiled = ember.function(function, numba=True)
    for _ in range(2):
        args = [ember.tensor(rng.standard_normal(shape)) for shape in shapes]
        assert_close(as_numpy(compiled(*args)), as_numpy(function(*args)), rtol=1e-10, atol=1e-12)
    code = compiled.code(*args)
    assert "_kernel" in code or "_region" in code, code


def test_in_place_state_updates_and_non_contiguous_inputs():
    state = ember.zeros(4, 3, dtype=ember.float64)
    eager_state = ember.zeros(4, 3, dtype=ember.float64)

    def make(target):
        def update(x):
            target.mul_(0.9).add_(x * 0.1)
            return (target * target).sum()
        return update
    compiled, eager = ember.function(make(state), numba=True), make(eager_state)
    rng = numpy.random.default_rng(2)
    for _ in range(4):
        x = ember.tensor(numpy.asfortranarray(rng.standard_normal((4, 3))))  # not C-contiguous
        assert float(compiled(x)) == pytest.approx(float(eager(x)), rel=1e-12)
        x_t = ember.tensor(rng.standard_normal((3, 4))).T                       # a transposed view
        assert float(compiled(x_t)) == pytest.approx(float(eager(x_t)), rel=1e-12)
    numpy.testing.assert_allclose(numpy.array(state), numpy.array(eager_state), rtol=1e-12)
