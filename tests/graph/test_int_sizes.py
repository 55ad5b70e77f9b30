"""Symbolic sizes through ``int()``: user code that normalises sizes traces with a ``None`` batch.

The composite ops below are a brand-new module, built here from source text: it
is registered nowhere in Ember, as a user's own helpers would be.
"""
import sys
import types
import warnings

import numpy
import pytest

import ember
from ember.graph.dims import Dim
from ember.graph.int_sizes import IntSizes, moved_shapes

COMPOSITES = '''
import ember

def rows(x):
    """Flatten all but the batch dimension, sizes written the way user code does."""
    return x.reshape(int(x.shape[0]), -1)

def rows_view(x):
    return x.view(x.size(0), -1)

def with_zero_columns(x, count):
    return ember.cat([x, ember.zeros(x.shape[0], count, dtype=x.dtype)], dim=1)

def twice_side_by_side(x):
    n = int(x.shape[0])
    wide = ember.broadcast_to(x.unsqueeze(1), (n, 2, x.shape[1]))
    return wide.expand(int(x.size(0)), -1, -1).reshape(n, -1)

def features(x):
    flat = rows(x) + rows_view(x)
    padded = ember.pad(with_zero_columns(flat, 3), (1, 2))
    tiled = twice_side_by_side(padded)
    halves = tiled.reshape(int(x.shape[0]), 2, -1).unflatten(0, (int(x.shape[0]), 1))
    return halves.sum(2).squeeze(1) * ember.ones(x.shape[0], 1, dtype=x.dtype)
'''


@pytest.fixture
def composites():
    module = types.ModuleType("brand_new_composites")
    exec(compile(COMPOSITES, "brand_new_composites.py", "exec"), module.__dict__)
    assert "brand_new_composites" not in sys.modules
    return module


def _batch(size, seed=0):
    return ember.tensor(numpy.random.default_rng(seed + size).standard_normal((size, 2, 3)))


def test_a_new_module_of_composites_traces_once_for_every_batch_size(composites):
    compiled = ember.function(composites.features,
                              input_signature=[ember.TensorSpec((None, 2, 3), ember.float64)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a specialization would warn
        for size in (1, 7, 128):
            x = _batch(size)
            ours = numpy.array(compiled(x))
            assert ours.shape == (size, 12)
            numpy.testing.assert_allclose(ours, numpy.array(composites.features(x)), rtol=1e-12)
    assert compiled.trace_count == 1
    listing = str(compiled.graph(_batch(5)))
    assert "f64[batch,12]" in listing and "shape=(batch, 2, 12)" in listing


def test_int_of_a_size_used_as_a_number_specializes_with_a_warning():
    def mean_rows(x):
        return x.sum(0, keepdim=True) / int(x.shape[0])
    compiled = ember.function(mean_rows, input_signature=[ember.TensorSpec((None, 3), ember.float64)])
    with pytest.warns(ember.graph.EmberRetraceWarning, match=r"int\(batch\).*differs"):
        compiled(_batch(4)[:, 0])
    for size in (1, 7, 128):
        x = _batch(size)[:, 0]
        numpy.testing.assert_allclose(numpy.array(compiled(x)), numpy.array(mean_rows(x)), rtol=1e-12)


def test_a_constant_equal_to_the_traced_batch_is_not_taken_for_it():
    """Traced at batch 3, ``3`` below is not ``batch``: the checking traces at other sizes find the graph."""
    def padded(x):
        return ember.zeros(int(x.shape[0]), 3, dtype=x.dtype) + x
    compiled = ember.function(padded, input_signature=[ember.TensorSpec((None, 3), ember.float64)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for size in (3, 1, 7, 128):
            x = _batch(size)[:, 0]
            numpy.testing.assert_allclose(numpy.array(compiled(x)), numpy.array(padded(x)))
    assert compiled.trace_count == 1


def test_int_sizes_recover_only_unambiguous_numbers():
    sizes = IntSizes()
    batch, length = Dim.symbol("batch", 4), Dim.symbol("length", 4)
    sizes.note(batch, 4, None)
    sizes.note(batch * 3, 12, None)
    assert sizes.recover(4) == batch and sizes.recover(12) == batch * 3 and sizes.recover(5) == 5
    sizes.note(length, 4, None)
    assert type(sizes.recover(4)) is int  # two sizes were traced at 4: neither is assumed
    moved = moved_shapes([(batch, 2), (length, batch)], 11)
    assert moved[0] == (batch, 2) and {int.__int__(moved[0][0]), int.__int__(moved[1][0])} == {15, 16}
