"""The keras.ops names of ember/keras/ops/more_ops.py against real Keras 3 on its torch backend."""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras

keras = pytest.importorskip("keras")
if keras.config.backend() != "torch":
    pytest.skip("real Keras runs on another backend in this session", allow_module_level=True)

RNG = np.random.default_rng(5)
A = RNG.normal(size=(3, 4)).astype("float32")
B = RNG.normal(size=(3, 4)).astype("float32")
UNIT = RNG.uniform(-0.9, 0.9, size=(3, 4)).astype("float32")
BIG = RNG.uniform(1.1, 3.0, size=(3, 4)).astype("float32")
WITH_NAN = np.where(RNG.uniform(size=(3, 4)) > 0.7, np.nan, A).astype("float32")
SPD = (lambda m: m @ m.T + 4 * np.eye(4))(RNG.normal(size=(4, 4))).astype("float32")
SQUARE = RNG.normal(size=(4, 4)).astype("float32")
RHS = RNG.normal(size=(4, 2)).astype("float32")
TALL = RNG.normal(size=(6, 3)).astype("float32")
VEC3 = RNG.normal(size=(5, 3)).astype("float32")
IMAGES = RNG.normal(size=(2, 4, 6, 8)).astype("float32")
QUERY = RNG.normal(size=(2, 5, 3, 4)).astype("float32")
KEY = RNG.normal(size=(2, 6, 3, 4)).astype("float32")
VALUE = RNG.normal(size=(2, 6, 3, 4)).astype("float32")
MASK = RNG.uniform(size=(2, 3, 5, 6)) > 0.3

CASES = [
    ("arccos", (UNIT,), {}), ("arcsin", (UNIT,), {}), ("arctan", (A,), {}), ("arctan2", (A, B), {}),
    ("arccosh", (BIG,), {}), ("arcsinh", (A,), {}), ("arctanh", (UNIT,), {}), ("erfinv", (UNIT,), {}),
    ("i0", (A,), {}), ("logaddexp2", (A, B), {}), ("ldexp", (A, np.array([1, 2, -1, 0])), {}),
    ("fmax", (WITH_NAN, B), {}), ("fmin", (WITH_NAN, B), {}),
    ("isneginf", (np.array([-np.inf, np.inf, 1.0, np.nan], "float32"),), {}),
    ("isposinf", (np.array([-np.inf, np.inf, 1.0, np.nan], "float32"),), {}),
    ("real", (A,), {}), ("conj", (A,), {}), ("conjugate", (A,), {}),
    ("isin", (np.array([1, 2, 3, 4]), np.array([2, 4, 9])), {}),
    ("isin", (np.array([1, 2, 3, 4]), np.array([2, 4, 9])), {"invert": True}),
    ("nansum", (WITH_NAN,), {}), ("nansum", (WITH_NAN,), {"axis": 1}), ("nanprod", (WITH_NAN,), {"axis": 0}),
    ("nanmean", (WITH_NAN,), {"axis": 1}), ("nanvar", (WITH_NAN,), {"axis": 1}), ("nanstd", (WITH_NAN,), {}),
    ("nanmax", (WITH_NAN,), {"axis": 1}), ("nanmin", (WITH_NAN,), {}), ("nanargmax", (WITH_NAN,), {"axis": 1}),
    ("nanargmin", (WITH_NAN,), {"axis": 0}), ("nancumsum", (WITH_NAN,), {"axis": 1}),
    ("nancumprod", (WITH_NAN,), {"axis": 0}), ("nanmedian", (WITH_NAN,), {"axis": 1}),
    ("nanquantile", (WITH_NAN, 0.3), {"axis": 0}), ("nanpercentile", (WITH_NAN, 75.0), {"axis": 1}),
    ("cholesky", (SPD,), {}), ("det", (SQUARE,), {}), ("inv", (SPD,), {}), ("solve", (SPD, RHS), {}),
    ("solve_triangular", (SPD, RHS), {}), ("solve_triangular", (SPD, RHS), {"lower": True}),
    ("svd", (TALL,), {"compute_uv": False}), ("eigh", (SPD,), {}), ("slogdet", (SQUARE,), {}),
    ("logdet", (SPD,), {}), ("pinv", (TALL,), {}), ("lstsq", (TALL, TALL[:, :2]), {}),
    ("cross", (VEC3, VEC3[::-1]), {}), ("cdist", (A, B), {}), ("diagflat", (A[0],), {}),
    ("diagflat", (A[0],), {"k": 1}), ("hamming", (7,), {}), ("hanning", (6,), {}), ("blackman", (8,), {}),
    ("bartlett", (7,), {}), ("kaiser", (9, 3.0), {}), ("unravel_index", (np.array([5, 11, 0]), (3, 4)), {}),
    ("scatter", (np.array([[0, 1], [2, 3], [0, 1]]), np.array([1.0, 2.0, 3.0], "float32"), (3, 4)), {}),
    ("scatter", (np.array([[1], [0]]), A[:2], (3, 4)), {}),
    ("scatter_update", (A, np.array([[0, 1], [2, 3]]), np.array([9.0, 8.0], "float32")), {}),
    ("slice_update", (A, (1, 2), B[:2, :2]), {}), ("dsplit", (IMAGES, 2), {}),
    ("depth_to_space", (IMAGES, 2), {}), ("space_to_depth", (IMAGES, 2), {}),
    ("saturate_cast", (A * 300, "int8"), {}), ("saturate_cast", (A * 300, "uint8"), {}),
    ("sparse_sigmoid", (A * 2,), {}),
    ("dot_product_attention", (QUERY, KEY, VALUE), {}),
    ("dot_product_attention", (QUERY, KEY, VALUE), {"mask": MASK}),
    ("dot_product_attention", (QUERY, KEY[:, :5], VALUE[:, :5]), {"is_causal": True, "scale": 0.3}),
    ("dot_product_attention", (QUERY, KEY, VALUE), {"bias": MASK.astype("float32")}),
    ("angle", (A,), {}), ("isreal", (A,), {}), ("fft", ((A, B),), {}), ("fft2", ((A, B),), {}),
    ("ifft2", ((A, B),), {}), ("rfft", (A,), {}), ("rfft", (A,), {"fft_length": 6}),
    ("irfft", ((A, B),), {}), ("irfft", ((A, B),), {"fft_length": 4}),
    ("trapezoid", (A,), {}), ("trapezoid", (A,), {"dx": 0.5, "axis": 0}), ("trapezoid", (A, BIG), {}),
    ("vander", (A[0],), {}), ("vander", (A[0],), {"N": 3, "increasing": True}),
    ("geomspace", (1.0, 1000.0, 4), {}), ("geomspace", (2.0, 50.0, 5), {"endpoint": False}),
    ("corrcoef", (A,), {}), ("segment_min", (A, np.array([0, 0, 2])), {}),
    ("segment_prod", (A, np.array([1, 0, 1])), {}),
]


def _to(library_tensor, values):
    return [library_tensor(v) if isinstance(v, np.ndarray) else
            tuple(_to(library_tensor, v)) if isinstance(v, tuple) else v for v in values]


def _flat(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


@pytest.mark.parametrize("name, args, kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_more_ops_match_keras(name, args, kwargs):
    expected = [keras.ops.convert_to_numpy(e) for e in _flat(getattr(keras.ops, name)(
        *_to(keras.ops.convert_to_tensor, args), **kwargs))]
    actual = [np.asarray(a.detach()) for a in _flat(getattr(ember_keras.ops, name)(
        *_to(ember.tensor, args), **kwargs))]
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected):
        if name == "eigh" and got.ndim == 2:  # eigenvectors are defined up to sign
            got, want = np.abs(got), np.abs(want)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-5)
        if want.dtype != np.float64:
            assert got.dtype == want.dtype, (got.dtype, want.dtype)


@pytest.mark.parametrize("name, args", [("nanmean", (WITH_NAN,)), ("arctan2", (A, B)),
                                        ("dot_product_attention", (QUERY, KEY, VALUE)), ("fmax", (A, B))])
def test_more_gradients_match_keras(name, args):
    ours = [ember.tensor(a, requires_grad=True) for a in args]
    getattr(ember_keras.ops, name)(*ours).sum().backward()
    theirs = [torch.tensor(a, requires_grad=True) for a in args]
    getattr(keras.ops, name)(*theirs).sum().backward()
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-4, atol=1e-5)


def _sparsemax_reference(row):
    """The paper's algorithm on one NumPy row."""
    ordered = np.sort(row)[::-1]
    cumulative = np.cumsum(ordered)
    ranks = np.arange(1, len(row) + 1)
    k = ranks[1 + ranks * ordered > cumulative].max()
    return np.maximum(row - (cumulative[k - 1] - 1) / k, 0)


@pytest.mark.parametrize("axis", [-1, 0])
def test_sparsemax_is_the_papers_projection(axis):
    # Keras 3.15's torch sparsemax differs (its rows need not sum to 1): the reference is the paper.
    result = ember_keras.ops.sparsemax(ember.tensor(A), axis=axis).numpy()
    expected = np.apply_along_axis(_sparsemax_reference, axis, A)
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(result.sum(axis), 1.0, rtol=1e-5)


def test_imag_of_a_real_tensor_is_zero():
    # NumPy's answer; Keras on torch raises for a real tensor
    assert ember_keras.ops.imag(ember.tensor(A)).numpy().tolist() == np.zeros_like(A).tolist()


def test_linalg_namespace_names_the_same_functions():
    assert ember_keras.ops.linalg.solve is ember_keras.ops.solve
    assert {"cholesky", "det", "eigh", "inv", "lstsq", "norm", "pinv", "qr", "solve", "solve_triangular",
            "svd"} <= set(dir(ember_keras.ops.linalg)) & set(dir(keras.ops.linalg))


def test_complex_views_and_polar_round_trip():
    ops = ember_keras.ops
    pairs = np.stack([A, B], -1)
    as_complex = ops.view_as_complex(ember.tensor(pairs))
    np.testing.assert_allclose(ops.view_as_real(as_complex).numpy(), pairs)
    np.testing.assert_allclose(ops.real(as_complex).numpy(), A)
    np.testing.assert_allclose(ops.imag(as_complex).numpy(), B)
    expected = keras.ops.convert_to_numpy(keras.ops.polar(keras.ops.convert_to_tensor(BIG), keras.ops.convert_to_tensor(A)))
    np.testing.assert_allclose(ops.polar(ember.tensor(BIG), ember.tensor(A)).numpy(), expected, rtol=1e-5, atol=1e-6)


PICTURES = RNG.normal(size=(2, 7, 6, 3)).astype("float32")
DEPTHWISE = RNG.normal(size=(3, 3, 3, 2)).astype("float32")
POINTWISE = RNG.normal(size=(1, 1, 6, 4)).astype("float32")
IMAGE_CASES = [
    ("resize", (PICTURES, (4, 9)), {}), ("resize", (PICTURES, (14, 3)), {"interpolation": "nearest"}),
    ("resize", (PICTURES[0], (5, 5)), {}),
    ("resize", (np.moveaxis(PICTURES, -1, 1), (4, 4)), {"data_format": "channels_first"}),
    ("extract_patches", (PICTURES, 2), {}), ("extract_patches", (PICTURES, (3, 2)), {"strides": (2, 1)}),
    ("extract_patches", (PICTURES, 3), {"strides": 2, "padding": "same"}),
    ("extract_patches", (PICTURES, 2), {"strides": 1, "dilation_rate": 2}),
    ("rgb_to_grayscale", (PICTURES,), {}),
    ("pad_images", (PICTURES,), {"top_padding": 1, "left_padding": 2, "bottom_padding": 0, "right_padding": 3}),
    ("pad_images", (PICTURES,), {"top_padding": 1, "left_padding": 1, "target_height": 10, "target_width": 8}),
    ("crop_images", (PICTURES,), {"top_cropping": 1, "left_cropping": 2, "bottom_cropping": 2, "right_cropping": 1}),
    ("crop_images", (PICTURES,), {"top_cropping": 1, "left_cropping": 0, "target_height": 4, "target_width": 5}),
]


@pytest.mark.parametrize("name, args, kwargs", IMAGE_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(IMAGE_CASES)])
def test_image_ops_match_keras(name, args, kwargs):
    expected = keras.ops.convert_to_numpy(getattr(keras.ops.image, name)(*_to(keras.ops.convert_to_tensor, args),
                                                                          **kwargs))
    actual = np.asarray(getattr(ember_keras.ops.image, name)(*_to(ember.tensor, args), **kwargs).detach())
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kwargs", [{}, {"strides": 2, "padding": "same"}])
def test_separable_conv_matches_keras(kwargs):
    args = (PICTURES, DEPTHWISE, POINTWISE)
    expected = keras.ops.convert_to_numpy(keras.ops.separable_conv(*_to(keras.ops.convert_to_tensor, args), **kwargs))
    actual = ember_keras.ops.separable_conv(*_to(ember.tensor, args), **kwargs).numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)


TRANSPOSE_KERNEL = RNG.normal(size=(3, 3, 4, 3)).astype("float32")  # (kh, kw, out, in)
SIGNAL_IN = RNG.normal(size=(2, 5, 3)).astype("float32")
KERNEL_1D_T = RNG.normal(size=(4, 2, 3)).astype("float32")


@pytest.mark.parametrize("args, kwargs", [
    ((PICTURES, TRANSPOSE_KERNEL), {}), ((PICTURES, TRANSPOSE_KERNEL), {"strides": 2}),
    ((PICTURES, TRANSPOSE_KERNEL), {"strides": 2, "padding": "same"}),
    ((PICTURES, TRANSPOSE_KERNEL), {"strides": 2, "padding": "same", "output_padding": 1}),
    ((PICTURES, TRANSPOSE_KERNEL), {"strides": (2, 3), "padding": "valid", "output_padding": (1, 0)}),
    ((PICTURES, TRANSPOSE_KERNEL), {"dilation_rate": 2, "padding": "same"}),
    ((SIGNAL_IN, KERNEL_1D_T), {"strides": 3, "padding": "same"}),
], ids=range(7))
def test_conv_transpose_matches_keras(args, kwargs):
    expected = keras.ops.convert_to_numpy(keras.ops.conv_transpose(*_to(keras.ops.convert_to_tensor, args), **kwargs))
    actual = ember_keras.ops.conv_transpose(*_to(ember.tensor, args), **kwargs).numpy()
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)
