"""Helpers for graph tests: run a function eagerly and compiled, and compare."""
import numpy
import pytest

import ember


def as_numpy(value):
    """Tensors (nested in tuples/lists/dicts) as NumPy arrays, for comparison."""
    if isinstance(value, ember.Tensor):
        return numpy.array(value.detach())
    if isinstance(value, (list, tuple)):
        return [as_numpy(v) for v in value]
    if isinstance(value, dict):
        return {k: as_numpy(v) for k, v in value.items()}
    return value


def assert_close(ours, theirs, rtol=1e-6, atol=1e-9):
    if isinstance(theirs, dict):
        assert set(ours) == set(theirs)
        for key in theirs:
            assert_close(ours[key], theirs[key], rtol, atol)
    elif isinstance(theirs, list):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_close(a, b, rtol, atol)
    elif isinstance(theirs, numpy.ndarray):
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, (ours.shape, theirs.shape,
                                                                             ours.dtype, theirs.dtype)
        numpy.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)
    else:
        assert ours == theirs


def check_compiled(fn, *args, rtol=1e-6, atol=1e-9, calls=2, **options):
    """``fn`` compiled gives eager's results, on the first call and on later ones."""
    compiled = ember.function(fn, **options)
    expected = as_numpy(fn(*args))
    for _ in range(calls):
        assert_close(as_numpy(compiled(*args)), expected, rtol, atol)
    return compiled


@pytest.fixture
def rng():
    return numpy.random.default_rng(0)


@pytest.fixture(scope="session", autouse=True)
def kernel_cache(tmp_path_factory):
    """numba kernels compiled by these tests go to one temporary cache (not the user's), shared by all."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EMBER_KERNEL_CACHE", str(tmp_path_factory.mktemp("kernels")))
        yield
