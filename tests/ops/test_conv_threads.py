"""Large convolutions run their batch chunks on several threads: same numbers as one thread.

``conv_kernels.each_chunk`` spreads the chunks of a convolution with at least
``LARGE_PRODUCT`` multiply-adds over ``ember.get_num_threads()`` threads. The
limits are lowered here so that small arrays take the threaded path, which must
give bit-identical results (chunk boundaries do not depend on the thread count).
"""
import threading
import time

import numpy
import pytest

import ember
from ember.primitives import conv_kernels


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of one or two samples, and every convolution counted as large."""
    monkeypatch.setattr(conv_kernels, "WHOLE_BATCH_BYTES", 0)
    monkeypatch.setattr(conv_kernels, "CHUNK_BYTES", 1)
    monkeypatch.setattr(conv_kernels, "THREADED_MACS", 1)
    before = ember.get_num_threads()
    yield
    ember.set_num_threads(before)


def _three_kernels(x, w, pads, groups, stride=1):
    out = tuple((n + lo + hi - k) // stride + 1 for n, (lo, hi), k in zip(x.shape[2:], pads, w.shape[2:]))
    geometry = ((stride, stride), pads, (1, 1), groups)
    g = numpy.random.default_rng(1).standard_normal((x.shape[0], w.shape[0]) + out).astype(x.dtype)
    return (conv_kernels.conv_forward(numpy, x, w, *geometry, out),
            conv_kernels.conv_weight_grad_forward(numpy, x, g, *geometry, w.shape[2:]),
            conv_kernels.conv_transpose_forward(numpy, g, w, *geometry, x.shape[2:]))


@pytest.mark.parametrize("channels, groups, pads, stride", [
    (1, 1, ((0, 0), (0, 0)), 1), (8, 1, ((1, 1), (0, 2)), 1), (8, 2, ((0, 0), (0, 0)), 1),
    (3, 1, ((1, 0), (1, 1)), 2)])  # stride 2: the windows lowering
def test_threaded_chunks_equal_one_thread(small_chunks, monkeypatch, channels, groups, pads, stride):
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((7, channels, 9, 8)).astype(numpy.float32)
    w = rng.standard_normal((6, channels // groups, 3, 3)).astype(numpy.float32)
    with monkeypatch.context() as unchunked:  # the whole batch in one pass
        unchunked.setattr(conv_kernels, "WHOLE_BATCH_BYTES", 1 << 40)
        whole = _three_kernels(x, w, pads, groups, stride)
    ember.set_num_threads(1)
    serial = _three_kernels(x, w, pads, groups, stride)
    for one, chunked in zip(whole, serial):
        numpy.testing.assert_allclose(chunked, one, rtol=1e-5, atol=1e-5)
    ember.set_num_threads(2)
    seen = set()
    original = conv_kernels._conv_batch

    def spy(*args):
        seen.add(threading.current_thread().name)
        time.sleep(0.005)  # long enough parts that the helper thread gets some
        return original(*args)
    conv_kernels._conv_batch = spy
    try:
        threaded = _three_kernels(x, w, pads, groups, stride)
    finally:
        conv_kernels._conv_batch = original
    assert any(name.startswith("ember-conv") for name in seen)  # a pool thread did some of the work
    for one, several in zip(serial, threaded):
        numpy.testing.assert_array_equal(one, several)


def test_worker_exception_reaches_the_caller(small_chunks, monkeypatch):
    ember.set_num_threads(2)

    def broken(*args):
        raise RuntimeError("chunk failed")
    monkeypatch.setattr(conv_kernels, "_conv_batch", broken)
    x, w = numpy.ones((4, 2, 5, 5), numpy.float32), numpy.ones((3, 2, 3, 3), numpy.float32)
    with pytest.raises(RuntimeError, match="chunk failed"):
        conv_kernels.conv_forward(numpy, x, w, (1, 1), ((0, 0), (0, 0)), (1, 1), 1, (3, 3))


def test_one_thread_runs_in_the_caller(small_chunks, monkeypatch):
    ember.set_num_threads(1)
    seen = []
    monkeypatch.setattr(conv_kernels, "_conv_batch",
                        lambda *args: seen.append(threading.current_thread()) or numpy.zeros((1, 3, 3, 3)))
    x, w = numpy.ones((4, 2, 5, 5)), numpy.ones((3, 2, 3, 3))
    conv_kernels.conv_forward(numpy, x, w, (1, 1), ((0, 0), (0, 0)), (1, 1), 1, (3, 3))
    assert len(seen) == 4 and set(seen) == {threading.current_thread()}


def test_one_pass_batch_splits_across_threads(monkeypatch):
    """Below the chunking size the batch is split in one part per thread: the forward and the input
    gradient are per sample (identical), the weight gradient sums the parts (rounding only)."""
    monkeypatch.setattr(conv_kernels, "THREADED_MACS", 1)
    before = ember.get_num_threads()
    rng = numpy.random.default_rng(2)
    x = rng.standard_normal((5, 4, 8, 8)).astype(numpy.float32)
    w = rng.standard_normal((3, 4, 3, 3)).astype(numpy.float32)
    try:
        ember.set_num_threads(1)
        assert conv_kernels._parts(5, 100, conv_kernels.thread_count(numpy, 10 ** 9)) == []
        serial = _three_kernels(x, w, ((1, 1), (1, 1)), 1)
        ember.set_num_threads(2)
        assert conv_kernels._parts(5, 100, conv_kernels.thread_count(numpy, 10 ** 9)) == [slice(0, 3), slice(3, 5)]
        threaded = _three_kernels(x, w, ((1, 1), (1, 1)), 1)
    finally:
        ember.set_num_threads(before)
    numpy.testing.assert_array_equal(threaded[0], serial[0])
    numpy.testing.assert_allclose(threaded[1], serial[1], rtol=1e-5, atol=1e-5)
    numpy.testing.assert_array_equal(threaded[2], serial[2])


def test_standalone_copy_runs_on_one_thread():
    """The exported copy of thread_count has no policy: one thread, whatever the size."""
    assert conv_kernels.thread_count(numpy, 10 ** 12, None) == 1
