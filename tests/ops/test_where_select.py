"""``where`` against a zero on NumPy runs as a bit mask (no per-element branch); the result is
NumPy's ``where`` bit for bit: NaN, infinities and -0.0 where kept, +0.0 elsewhere, the array's dtype."""
import numpy
import pytest

from ember.primitives.elementwise import Where

SPECIAL = numpy.array([numpy.nan, -numpy.inf, numpy.inf, -0.0, 0.0, 1.5, -2.25, 3e38], numpy.float32)


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
@pytest.mark.parametrize("zero", [0, 0.0])
def test_matches_numpy_where_bit_for_bit(dtype, zero):
    rng = numpy.random.default_rng(0)
    values = numpy.concatenate([SPECIAL, rng.standard_normal(56)]).astype(dtype).reshape(8, 8)
    condition = rng.random((8, 8)) < 0.5
    for ours, theirs in [(Where.forward(numpy, condition, values, zero), numpy.where(condition, values, zero)),
                         (Where.forward(numpy, condition, zero, values), numpy.where(condition, zero, values))]:
        assert ours.dtype == theirs.dtype == dtype and ours.shape == theirs.shape
        bits = numpy.uint32 if dtype == numpy.float32 else numpy.uint64
        numpy.testing.assert_array_equal(ours.view(bits), theirs.view(bits))


def test_strided_and_empty_operands():
    values = numpy.arange(24, dtype=numpy.float32).reshape(4, 6).T  # not C-contiguous
    condition = (values % 3 == 0)
    numpy.testing.assert_array_equal(Where.forward(numpy, condition, values, 0), numpy.where(condition, values, 0))
    empty = numpy.zeros((0, 3), numpy.float32)
    assert Where.forward(numpy, empty > 0, empty, 0).shape == (0, 3)


def test_other_operands_take_numpy_where():
    condition = numpy.array([True, False])
    # an int array, a nonzero fill, a broadcast condition, a NumPy scalar fill: NumPy's own where
    for a, b in [(numpy.array([1, 2]), 0), (numpy.ones(2, numpy.float32), 1.0),
                 (numpy.ones((3, 2), numpy.float32), 0), (numpy.ones(2, numpy.float32), numpy.float64(0))]:
        ours, theirs = Where.forward(numpy, condition, a, b), numpy.where(condition, a, b)
        assert ours.dtype == theirs.dtype
        numpy.testing.assert_array_equal(ours, theirs)


def test_compiled_where_zero_is_exact_and_in_place_safe():
    from ember.graph import lowering
    rng = numpy.random.default_rng(1)
    values = numpy.concatenate([SPECIAL, rng.standard_normal(56)]).astype(numpy.float32).reshape(8, 8)
    condition = rng.random((8, 8)) < 0.5
    out = numpy.empty_like(values)
    assert lowering.where_zero(out, condition, values) is out
    numpy.testing.assert_array_equal(out.view(numpy.uint32),
                                     numpy.where(condition, values, numpy.float32(0)).view(numpy.uint32))
    finite = rng.standard_normal((8, 8)).astype(numpy.float32)
    expected = numpy.where(condition, finite, 0)
    numpy.testing.assert_array_equal(lowering.where_zero(finite, condition, finite), expected)  # out is a
