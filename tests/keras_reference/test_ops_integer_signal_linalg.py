"""The keras.ops names added in session 5 (bitwise ops, gcd/lcm/nextafter, view, histogram, unique,
correlate, vectorize, linear algebra, STFTs, adaptive pooling, fold/unfold, CTC, custom_gradient,
jvp, associative_scan, rearrange) against real Keras 3 on its torch backend: same inputs, outputs
to 1e-5 in float32, gradients where the op is differentiable, and the error cases."""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras
from ember.errors import DTypeError, GradError

import keras

RNG = np.random.default_rng(12)
INTS = RNG.integers(-300, 300, size=(3, 4)).astype("int32")
INTS_B = RNG.integers(-300, 300, size=(3, 4)).astype("int32")
SHIFTS = RNG.integers(0, 9, size=(3, 4)).astype("int32")
DIVISORS = RNG.choice([-12, -6, 0, 3, 4, 8, 9, 15], size=(3, 4)).astype("int32")
A = RNG.normal(size=(3, 4)).astype("float32")
B = RNG.normal(size=(3, 4)).astype("float32")
SIGNAL = RNG.normal(size=(2, 40)).astype("float32")
LOWER = np.tril(RNG.normal(size=(4, 4))).astype("float32") + 3 * np.eye(4, dtype="float32")
SQUARE = RNG.normal(size=(2, 4, 4)).astype("float32")
IMAGES = RNG.normal(size=(2, 7, 5, 3)).astype("float32")
VOLUME = RNG.normal(size=(1, 5, 4, 6, 2)).astype("float32")
PATCHES = RNG.normal(size=(2, 3 * 4, 12)).astype("float32")
CHANNELS_FIRST = RNG.normal(size=(2, 3, 5, 6)).astype("float32")

CASES = [
    ("bitwise_and", (INTS, INTS_B), {}), ("bitwise_or", (INTS, INTS_B), {}), ("bitwise_xor", (INTS, INTS_B), {}),
    ("bitwise_and", (INTS, 7), {}), ("bitwise_invert", (INTS,), {}), ("bitwise_not", (INTS,), {}),
    ("bitwise_and", (INTS > 0, INTS_B > 0), {}), ("bitwise_not", (INTS > 0,), {}),
    ("bitwise_left_shift", (INTS, SHIFTS), {}), ("bitwise_right_shift", (INTS, SHIFTS), {}),
    ("left_shift", (INTS, 3), {}), ("right_shift", (INTS, 2), {}),
    ("gcd", (DIVISORS, DIVISORS.T.reshape(3, 4)), {}), ("lcm", (DIVISORS, DIVISORS.T.reshape(3, 4)), {}),
    ("nextafter", (A, B), {}), ("nextafter", (A, np.float32(np.inf)), {}),
    ("view", (A, "int32"), {}), ("view", (INTS, "int16"), {}), ("view", (A, "float32"), {}),
    ("histogram", (A.ravel(),), {}), ("histogram", (A.ravel(),), {"bins": 4, "range": (-1.0, 1.0)}),
    ("unique", (DIVISORS,), {}),
    ("unique", (DIVISORS.ravel(),), {"return_index": True, "return_inverse": True, "return_counts": True}),
    ("unique", (DIVISORS,), {"size": 12, "fill_value": -1, "return_counts": True}),
    ("unique", (np.array([[1, 2], [1, 2], [0, 5]], "int32"),), {"axis": 0, "return_inverse": True}),
    ("correlate", (A[0], B[1, :3]), {}), ("correlate", (A[0], B[1, :3]), {"mode": "same"}),
    ("correlate", (A[0], B[1, :3]), {"mode": "full"}), ("correlate", (INTS[0], INTS_B[0]), {"mode": "full"}),
    ("cholesky_inverse", (LOWER,), {}), ("cholesky_inverse", (LOWER.T.copy(),), {"upper": True}),
    ("lu_factor", (SQUARE,), {}), ("matrix_rank", (SQUARE,), {}),
    ("matrix_rank", (np.array([[1, 2], [2, 4.0]], "float32"),), {}), ("matrix_rank", (SQUARE,), {"tol": 0.5}),
    ("extract_sequences", (SIGNAL, 8, 3), {}),
    ("stft", (SIGNAL, 8, 4, 8), {}), ("stft", (SIGNAL, 6, 3, 8), {"window": "hamming", "center": False}),
    ("stft", (SIGNAL, 8, 2, 16), {"window": None}),
    ("adaptive_average_pool", (IMAGES, 3), {}), ("adaptive_max_pool", (IMAGES, (2, 4)), {}),
    ("adaptive_average_pool", (IMAGES[:, 0], 4), {}), ("adaptive_max_pool", (VOLUME, 2), {}),
    ("adaptive_average_pool", (CHANNELS_FIRST, (2, 3)), {"data_format": "channels_first"}),
    ("unfold", (CHANNELS_FIRST, 2), {}), ("unfold", (CHANNELS_FIRST, (2, 3)), {"stride": 2, "padding": 1}),
    ("fold", (PATCHES, (4, 5), 2), {}),
    ("rearrange", (VOLUME, "b d h w c -> b c (d h w)"), {}),
    ("rearrange", (IMAGES[:, :6], "b (h2 h) w c -> b h2 h (w c)"), {"h2": 2}),
]


def _to(library_tensor, values):
    return [library_tensor(v) if isinstance(v, np.ndarray) else
            tuple(_to(library_tensor, v)) if isinstance(v, tuple) and v and isinstance(v[0], np.ndarray) else v
            for v in values]


def _flat(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _keras_numpy(value):
    return keras.ops.convert_to_numpy(value)


@pytest.mark.parametrize("name, args, kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_ops_match_keras(name, args, kwargs):
    expected = [_keras_numpy(e) for e in _flat(getattr(keras.ops, name)(*_to(torch.tensor, args), **kwargs))]
    actual = [np.asarray(a.detach()) for a in _flat(getattr(ember_keras.ops, name)(*_to(ember.tensor, args), **kwargs))]
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected):
        assert got.shape == want.shape, (got.shape, want.shape)
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def _istft_input(sequence_length, stride, fft_length, window, center):
    real, imag = keras.ops.stft(torch.tensor(SIGNAL), sequence_length, stride, fft_length, window, center)
    return keras.ops.convert_to_numpy(real), keras.ops.convert_to_numpy(imag)


@pytest.mark.parametrize("sequence_length, stride, fft_length, window, center, length", [
    (8, 4, 8, "hann", True, None), (8, 4, 8, "hann", True, 36), (6, 3, 8, "hamming", False, None),
    (8, 2, 16, "hann", True, None), (8, 4, 8, None, True, None)])
def test_istft_matches_keras(sequence_length, stride, fft_length, window, center, length):
    real, imag = _istft_input(sequence_length, stride, fft_length, window, center)
    expected = keras.ops.istft((torch.tensor(real), torch.tensor(imag)), sequence_length, stride, fft_length,
                               length=length, window=window, center=center)
    actual = ember_keras.ops.istft((ember.tensor(real), ember.tensor(imag)), sequence_length, stride, fft_length,
                                   length=length, window=window, center=center)
    assert tuple(actual.shape) == tuple(expected.shape)
    np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)


GRADIENT_CASES = [
    ("cholesky_inverse", (LOWER,), {}), ("correlate", (A[0], B[1, :3]), {"mode": "same"}), ("lu_factor", (SQUARE,), {}),
    ("stft", (SIGNAL, 8, 4, 8), {}), ("extract_sequences", (SIGNAL, 8, 3), {}),
    ("adaptive_average_pool", (IMAGES, 3), {}), ("adaptive_max_pool", (IMAGES, (2, 4)), {}),
    ("unfold", (CHANNELS_FIRST, 2), {}), ("fold", (PATCHES, (4, 5), 2), {}),
    ("rearrange", (IMAGES[:, :6], "b (h2 h) w c -> b h2 h (w c)"), {"h2": 2}),
]


@pytest.mark.parametrize("name, args, kwargs", GRADIENT_CASES, ids=[c[0] for c in GRADIENT_CASES])
def test_gradients_match_keras(name, args, kwargs):
    ours = [ember.tensor(a, requires_grad=True) if isinstance(a, np.ndarray) else a for a in args]
    theirs = [torch.tensor(a, requires_grad=True) if isinstance(a, np.ndarray) else a for a in args]
    for outputs, leaves, library in ((getattr(ember_keras.ops, name)(*ours, **kwargs), ours, "ember"),
                                     (getattr(keras.ops, name)(*theirs, **kwargs), theirs, "torch")):
        total = sum((out * (1.0 + 0.1 * index)).sum() for index, out in enumerate(_flat(outputs)))
        total.backward()
    for mine, reference in zip(ours, theirs):
        if isinstance(mine, ember.Tensor):
            np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_istft_gradient_matches_keras():
    real, imag = _istft_input(6, 3, 8, "hann", True)
    ours = [ember.tensor(real, requires_grad=True), ember.tensor(imag, requires_grad=True)]
    theirs = [torch.tensor(real, requires_grad=True), torch.tensor(imag, requires_grad=True)]
    (ember_keras.ops.istft(tuple(ours), 6, 3, 8) ** 2).sum().backward()
    (keras.ops.istft(tuple(theirs), 6, 3, 8) ** 2).sum().backward()
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_eig_matches_keras_as_complex():
    rotation = np.array([[0.0, -2.0, 0.5], [2.0, 0.0, 0.1], [0.0, 0.3, 1.0]], "float32")
    values, vectors = ember_keras.ops.eig(ember.tensor(rotation))
    expected_values, expected_vectors = keras.ops.eig(torch.tensor(rotation))
    assert values.dtype == ember.complex64 and vectors.dtype == ember.complex64
    order, expected_order = np.argsort(values.numpy().imag), np.argsort(expected_values.numpy().imag)
    np.testing.assert_allclose(values.numpy()[order], expected_values.numpy()[expected_order], atol=1e-5)
    # eigenvectors are defined up to a unit complex factor: compare |v|
    np.testing.assert_allclose(np.abs(vectors.numpy()[:, order]), np.abs(expected_vectors.numpy()[:, expected_order]),
                               atol=1e-5)
    with pytest.raises(GradError, match="eig"):
        ember_keras.ops.eig(ember.tensor(rotation, requires_grad=True))


def test_ctc_loss_and_gradient_match_keras():
    logits = RNG.normal(size=(3, 10, 5)).astype("float32")
    target = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [4, 4, 1, 2]], "int32")
    target_length, output_length = np.array([3, 2, 4], "int32"), np.array([10, 8, 9], "int32")
    ours = ember.tensor(logits, requires_grad=True)
    theirs = torch.tensor(logits, requires_grad=True)
    mine = ember_keras.ops.ctc_loss(ember.tensor(target), ours, ember.tensor(target_length), ember.tensor(output_length))
    reference = keras.ops.ctc_loss(torch.tensor(target), theirs, torch.tensor(target_length),
                                   torch.tensor(output_length))
    np.testing.assert_allclose(mine.detach().numpy(), reference.detach().numpy(), rtol=1e-5, atol=1e-5)
    mine.sum().backward()
    reference.sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("merge_repeated, mask_index", [(True, 0), (False, 0), (True, None), (True, 2)])
def test_ctc_greedy_decode_matches_keras(merge_repeated, mask_index):
    probabilities = RNG.uniform(size=(3, 8, 4)).astype("float32")
    probabilities[:, 2] = probabilities[:, 1]  # a repeated best label
    lengths = np.array([8, 5, 7], "int32")
    expected = keras.ops.ctc_decode(torch.tensor(probabilities), torch.tensor(lengths), merge_repeated=merge_repeated,
                                    mask_index=mask_index)
    actual = ember_keras.ops.ctc_decode(ember.tensor(probabilities), ember.tensor(lengths),
                                        merge_repeated=merge_repeated, mask_index=mask_index)
    np.testing.assert_array_equal(actual[0].numpy(), expected[0].numpy())
    assert actual[0].dtype == ember.int32
    np.testing.assert_allclose(actual[1].numpy(), expected[1].numpy(), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="strategy must be 'greedy' or 'beam_search'"):
        ember_keras.ops.ctc_decode(ember.tensor(probabilities), ember.tensor(lengths), strategy="best")


@pytest.mark.parametrize("beam_width, top_paths, mask_index", [(100, 1, 0), (4, 3, 0), (2, 2, None), (10, 5, 2)])
def test_ctc_beam_search_decode_matches_keras(beam_width, top_paths, mask_index):
    logits = (RNG.normal(size=(3, 7, 5)) * 2).astype("float32")
    lengths = np.array([7, 4, 6], "int32")
    options = {"strategy": "beam_search", "beam_width": beam_width, "top_paths": top_paths, "mask_index": mask_index}
    expected = keras.ops.ctc_decode(torch.tensor(logits), torch.tensor(lengths), **options)
    actual = ember_keras.ops.ctc_decode(ember.tensor(logits), ember.tensor(lengths), **options)
    np.testing.assert_array_equal(actual[0].numpy(), expected[0].numpy())
    assert actual[0].dtype == ember.int32 and actual[1].dtype == ember.float32
    np.testing.assert_allclose(actual[1].numpy(), expected[1].numpy(), rtol=1e-5, atol=1e-5)


def _log1pexp(ops):
    @ops.custom_gradient
    def log1pexp(x):
        e = ops.exp(x)

        def grad(*args, upstream=None):
            return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))
        return ops.log(1 + e), grad
    return log1pexp


def test_custom_gradient_matches_keras():
    values = np.array([-3.0, 0.5, 50.0], "float32")
    ours, theirs = ember.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    mine, reference = _log1pexp(ember_keras.ops)(ours), _log1pexp(keras.ops)(theirs)
    np.testing.assert_allclose(mine.detach().numpy(), reference.detach().numpy(), rtol=1e-6)
    mine.sum().backward()
    reference.sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)
    assert np.isfinite(ours.grad.numpy()).all()  # the custom rule, not autodiff of log(1 + e) (nan at 50)


def _sine_product(ops):
    def function(x, y):
        return x * ops.sin(y), x.sum()
    return function


def test_jvp_matches_keras():
    primals, tangents = (A, B), (B, np.ones_like(A))
    keras_function, ember_function = _sine_product(keras.ops), _sine_product(ember_keras.ops)
    expected = keras.ops.jvp(lambda x, y: keras_function(x, y)[0], tuple(map(torch.tensor, primals)),
                             tuple(map(torch.tensor, tangents)))
    actual = ember_keras.ops.jvp(lambda x, y: ember_function(x, y)[0], tuple(map(ember.tensor, primals)),
                                 tuple(map(ember.tensor, tangents)))
    for got, want in zip(actual, expected):
        np.testing.assert_allclose(got.numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-6)
    with_aux = ember_keras.ops.jvp(ember_function, tuple(map(ember.tensor, primals)),
                                   tuple(map(ember.tensor, tangents)), has_aux=True)
    assert len(with_aux) == 3 and abs(with_aux[2].item() - A.sum()) < 1e-4


def test_vectorize_matches_keras():
    def dot(a, b):
        return (a * b).sum()
    expected = keras.ops.vectorize(dot, signature="(n),(n)->()")(torch.tensor(A), torch.tensor(B[0]))
    actual = ember_keras.ops.vectorize(dot, signature="(n),(n)->()")(ember.tensor(A), ember.tensor(B[0]))
    np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=1e-5)
    elementwise = ember_keras.ops.vectorize(lambda a, b: a * 2 + b)(ember.tensor(A), ember.tensor(B[0]))
    np.testing.assert_allclose(elementwise.numpy(), keras.ops.vectorize(lambda a, b: a * 2 + b)(
        torch.tensor(A), torch.tensor(B[0])).numpy(), rtol=1e-6)


@pytest.mark.parametrize("reverse", [False, True])
def test_associative_scan_matches_keras(reverse):
    expected = keras.ops.associative_scan(lambda a, b: a * b, torch.tensor(A), reverse=reverse, axis=1)
    actual = ember_keras.ops.associative_scan(lambda a, b: a * b, ember.tensor(A), reverse=reverse, axis=1)
    np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)
    pairs = ember_keras.ops.associative_scan(lambda a, b: [a[0] + b[0], a[1] * b[1]], [ember.tensor(A), ember.tensor(B)])
    reference = keras.ops.associative_scan(lambda a, b: [a[0] + b[0], a[1] * b[1]], [torch.tensor(A), torch.tensor(B)])
    for got, want in zip(pairs, reference):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, args", [
    ("bitwise_and", (A, B)), ("bitwise_or", (A, B)), ("bitwise_invert", (A,)), ("left_shift", (A, 1)),
    ("gcd", (A, B)), ("lcm", (A, B))])
def test_integer_ops_refuse_floats_naming_op_and_dtype(name, args):
    with pytest.raises(RuntimeError, match="Float"):
        getattr(keras.ops, name)(*_to(torch.tensor, args))
    op = name.replace("invert", "not").replace("left_shift", "bitwise_left_shift")
    with pytest.raises(DTypeError, match=rf"{op}: expected an integer.*float32"):
        getattr(ember_keras.ops, name)(*_to(ember.tensor, args))


def test_rearrange_rejects_mismatched_patterns():
    with pytest.raises(ValueError, match="same axes"):
        ember_keras.ops.rearrange(ember.tensor(A), "a b -> a c")


def test_histogram_needs_one_dimension_as_keras():
    with pytest.raises(ValueError, match="1-dimensional"):
        keras.ops.histogram(torch.tensor(A))
    with pytest.raises(ValueError, match="1-dimensional"):
        ember_keras.ops.histogram(ember.tensor(A))


@pytest.mark.parametrize("reverse", [False, True])
def test_associative_scan_keeps_the_order_of_a_non_commutative_function(reverse):
    matrices = RNG.normal(size=(5, 2, 2)).astype("float32")
    expected = keras.ops.associative_scan(keras.ops.matmul, torch.tensor(matrices), reverse=reverse)
    actual = ember_keras.ops.associative_scan(ember_keras.ops.matmul, ember.tensor(matrices), reverse=reverse)
    np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name, args", [("unique", (INTS,)), ("histogram", (A.ravel(),))])
def test_data_dependent_ops_run_eagerly_and_refuse_tracing(name, args):
    function = getattr(ember_keras.ops, name)
    assert len(_flat(function(*map(ember.tensor, args)))) >= 1
    traced = ember.function(lambda x: function(x))
    with pytest.raises(Exception, match="cannot trace|does not know while tracing"):
        traced(ember.tensor(args[0]))


@pytest.mark.parametrize("namespace", ["numpy", "nn", "linalg"])
def test_sub_namespaces_hold_keras_names(namespace):
    names = [name for name in dir(getattr(keras.ops, namespace)) if not name.startswith("_")]
    missing = [name for name in names if not hasattr(getattr(ember_keras.ops, namespace), name)]
    assert not missing, f"keras.ops.{namespace} names Ember lacks: {missing}"
    assert ember_keras.ops.nn.ctc_loss is ember_keras.ops.ctc_loss


def test_correlate_takes_one_dimensional_signals():
    with pytest.raises(ValueError, match=r"correlate: expected two 1-D signals, got shapes \(3, 4\) and \(3,\)"):
        ember_keras.ops.correlate(ember.tensor(A), ember.tensor(B[0, :3]))
