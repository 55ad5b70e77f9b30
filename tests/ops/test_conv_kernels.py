"""The flat-rows convolution layout against the general im2col one, on the same inputs.

Both lowerings are checked against PyTorch through the reference table; this
pins down that the flat-rows path (2-D, stride 1) is actually taken and agrees
with the windows path on the geometries where it applies, edge cases included.
"""
import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ember.primitives import conv_kernels


@st.composite
def stride_one_geometry(draw):
    groups = draw(st.sampled_from([1, 2]))
    channels, outputs = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2))
    spatial = tuple(max(1, d * (k - 1) + 1 - lo - hi) + draw(st.integers(0, 4))
                    for k, d, (lo, hi) in zip(kernel, dilation, pads))
    batch = draw(st.integers(0, 3))
    return (batch, channels) + spatial, (outputs, channels // groups) + kernel, pads, dilation, groups


def general_only(monkeypatch):
    monkeypatch.setattr(conv_kernels, "_flat_rows_fit", lambda *args: False)


@settings(max_examples=60, deadline=None)
@given(geometry=stride_one_geometry(), seed=st.integers(0, 2 ** 16))
def test_flat_rows_equal_windows_path(geometry, seed):
    x_shape, w_shape, pads, dilation, groups = geometry
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    out = tuple(n + lo + hi - d * (k - 1) for n, (lo, hi), d, k in zip(x_shape[2:], pads, dilation, w_shape[2:]))
    g = rng.standard_normal((x_shape[0], w_shape[0]) + out)
    stride = (1, 1)
    assert conv_kernels._flat_rows_fit(stride, w_shape[2:], x_shape[2:], pads, dilation, out)
    flat = (conv_kernels.conv_forward(numpy, x, w, stride, pads, dilation, groups, out),
            conv_kernels.conv_weight_grad_forward(numpy, x, g, stride, pads, dilation, groups, w_shape[2:]),
            conv_kernels.conv_transpose_forward(numpy, g, w, stride, pads, dilation, groups, x_shape[2:]))
    with pytest.MonkeyPatch.context() as patch:
        general_only(patch)
        general = (conv_kernels.conv_forward(numpy, x, w, stride, pads, dilation, groups, out),
                   conv_kernels.conv_weight_grad_forward(numpy, x, g, stride, pads, dilation, groups, w_shape[2:]),
                   conv_kernels.conv_transpose_forward(numpy, g, w, stride, pads, dilation, groups, x_shape[2:]))
    for ours, reference in zip(flat, general):
        assert ours.shape == reference.shape and ours.flags.c_contiguous
        numpy.testing.assert_allclose(ours, reference, rtol=1e-10, atol=1e-10)


def test_flat_rows_apply_only_to_exact_stride_one_2d_geometry():
    fit = conv_kernels._flat_rows_fit
    assert fit((1, 1), (5, 5), (28, 28), ((2, 2), (2, 2)), (1, 1), (28, 28))
    assert not fit((2, 2), (5, 5), (28, 28), ((2, 2), (2, 2)), (1, 1), (14, 14))   # strided
    assert not fit((1,), (5,), (28,), ((2, 2),), (1,), (28,))                      # 1-D
    assert not fit((1, 1), (3, 3), (8, 8), ((0, 0), (0, 0)), (1, 1), (5, 6))       # a cropped transpose


@pytest.mark.parametrize("x_shape, w_shape, stride, pads, groups", [
    ((5, 4, 9, 8), (6, 2, 3, 3), (1, 1), ((1, 1), (0, 2)), 2),   # flat rows
    ((5, 3, 9, 9), (4, 3, 3, 2), (2, 1), ((1, 0), (1, 1)), 1),   # windows (strided)
    ((5, 2, 11), (3, 2, 4), (2,), ((2, 1),), 1),                 # 1-D
])
def test_batch_chunks_give_the_whole_batch_result(monkeypatch, x_shape, w_shape, stride, pads, groups):
    rng = numpy.random.default_rng(1)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    dilation = (1,) * len(stride)
    out = tuple((n + lo + hi - (k - 1) - 1) // s + 1 for n, (lo, hi), k, s in zip(x_shape[2:], pads, w_shape[2:], stride))
    g = rng.standard_normal((x_shape[0], w_shape[0]) + out)

    def run():
        return (conv_kernels.conv_forward(numpy, x, w, stride, pads, dilation, groups, out),
                conv_kernels.conv_weight_grad_forward(numpy, x, g, stride, pads, dilation, groups, w_shape[2:]),
                conv_kernels.conv_transpose_forward(numpy, g, w, stride, pads, dilation, groups, x_shape[2:]))
    whole = run()
    monkeypatch.setattr(conv_kernels, "CHUNK_BYTES", 1)  # one sample per chunk
    monkeypatch.setattr(conv_kernels, "WHOLE_BATCH_BYTES", 0)
    assert len(conv_kernels._batch_chunks(x_shape[0], 8)) == x_shape[0]
    for chunked, reference in zip(run(), whole):
        numpy.testing.assert_allclose(chunked, reference, rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(geometry=stride_one_geometry(), seed=st.integers(0, 2 ** 16))
def test_folded_weight_gradient_equals_windows_path(geometry, seed):
    """The batch-folded weight gradient (forced for every size here) against the general lowering."""
    x_shape, w_shape, pads, dilation, groups = geometry
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal(x_shape)
    out = tuple(n + lo + hi - d * (k - 1) for n, (lo, hi), d, k in zip(x_shape[2:], pads, dilation, w_shape[2:]))
    g = rng.standard_normal((x_shape[0], w_shape[0]) + out)
    arguments = (numpy, x, g, (1, 1), pads, dilation, groups, w_shape[2:])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(conv_kernels, "FOLDED_ROWS", 1)
        folded = conv_kernels.conv_weight_grad_forward(*arguments)
    with pytest.MonkeyPatch.context() as patch:
        general_only(patch)
        general = conv_kernels.conv_weight_grad_forward(*arguments)
    assert folded.shape == general.shape == w_shape
    numpy.testing.assert_allclose(folded, general, rtol=1e-10, atol=1e-10)


def test_folded_weight_gradient_is_taken_from_64_patch_rows(monkeypatch):
    calls = []
    original = conv_kernels._folded_weight_grad
    monkeypatch.setattr(conv_kernels, "_folded_weight_grad", lambda *a: calls.append(a) or original(*a))
    x, g = numpy.ones((2, 6, 14, 14)), numpy.ones((2, 16, 10, 10))
    conv_kernels.conv_weight_grad_forward(numpy, x, g, (1, 1), ((0, 0), (0, 0)), (1, 1), 1, (5, 5))
    assert len(calls) == 1  # LeNet's second convolution: 150 rows
    conv_kernels.conv_weight_grad_forward(numpy, x[:, :1], g, (1, 1), ((0, 0), (0, 0)), (1, 1), 1, (5, 5))
    assert len(calls) == 1  # one input channel: 25 rows, per-sample products


@pytest.mark.parametrize("x_shape, w_shape, pads", [
    ((1, 1, 5, 5), (1, 1, 1, 1), ((0, 0), (0, 0))),    # one plane, 1x1: contiguous crops
    ((2, 3, 6, 7), (4, 3, 3, 3), ((1, 1), (0, 2))),
    ((2, 8, 9, 9), (4, 8, 3, 3), ((0, 0), (0, 0))),    # 72 patch rows: the folded weight gradient
])
def test_results_never_share_scratch_memory(x_shape, w_shape, pads):
    """Scratch buffers are reused by the next call: a result living in one would change under the caller."""
    rng = numpy.random.default_rng(0)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    out = tuple(n + lo + hi - k + 1 for n, (lo, hi), k in zip(x_shape[2:], pads, w_shape[2:]))
    g = rng.standard_normal((x_shape[0], w_shape[0]) + out)
    results = [conv_kernels.conv_forward(numpy, x, w, (1, 1), pads, (1, 1), 1, out),
               conv_kernels.conv_weight_grad_forward(numpy, x, g, (1, 1), pads, (1, 1), 1, w_shape[2:]),
               conv_kernels.conv_transpose_forward(numpy, g, w, (1, 1), pads, (1, 1), 1, x_shape[2:])]
    buffers = conv_kernels._scratch_buffers.buffers
    assert buffers, "the flat-rows kernels use scratch memory"
    for result in results:
        assert not any(numpy.shares_memory(result, buffer) for buffer in buffers.values())
    expected = [r.copy() for r in results]
    conv_kernels.conv_forward(numpy, x[:, :, ::-1].copy(), w, (1, 1), pads, (1, 1), 1, out)  # reuse
    for result, before in zip(results, expected):
        numpy.testing.assert_array_equal(result, before)


def test_scratch_is_bounded(monkeypatch):
    monkeypatch.setattr(conv_kernels, "SCRATCH_LIMIT", 1024)
    big = conv_kernels.scratch(numpy, "test-slot", (1024,), numpy.float64)  # 8 KB: a plain array
    assert "test-slot" not in conv_kernels._scratch_buffers.buffers and big.shape == (1024,)
    small = conv_kernels.scratch(numpy, "test-slot", (16,), numpy.float32)
    assert conv_kernels._scratch_buffers.buffers.pop("test-slot").nbytes == small.nbytes


def test_kernels_copy_into_standalone_numpy_code():
    """ember.export copies the kernels' source: the scratch buffers must not come with it."""
    from ember.export.source import Collector
    from ember.primitives import PRIMITIVES
    collector = Collector()
    for name in ("conv", "conv_transpose", "conv_weight_grad", "max_pool", "max_pool_grad"):
        collector.primitive(f"_p_{name}", PRIMITIVES[name])
    source = "".join(f"import {module}\n" for module in sorted(collector.imports))
    namespace = {}
    exec(compile(source + "\n".join(collector.blocks.values()), "standalone", "exec"), namespace)
    x, w = numpy.random.default_rng(0).standard_normal((2, 8, 9, 9)), numpy.ones((4, 8, 3, 3))
    geometry = ((1, 1), ((0, 0), (0, 0)), (1, 1), 1)
    numpy.testing.assert_allclose(namespace["_p_conv"].forward(numpy, x, w, *geometry),
                                  conv_kernels.conv_forward(numpy, x, w, *geometry, (7, 7)))
    g = numpy.ones((2, 4, 7, 7))
    numpy.testing.assert_allclose(namespace["_p_conv_weight_grad"].forward(numpy, x, g, *geometry, (3, 3)),
                                  conv_kernels.conv_weight_grad_forward(numpy, x, g, *geometry, (3, 3)))
