"""keras.ops and keras.random against real Keras 3 on its torch backend (same inputs, same numbers)."""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras

keras = pytest.importorskip("keras")
if keras.config.backend() != "torch":
    pytest.skip("real Keras runs on another backend in this session", allow_module_level=True)

RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, 4)).astype("float32")
B = RNG.normal(size=(3, 4)).astype("float32")
M = RNG.normal(size=(4, 5)).astype("float32")
POS = RNG.uniform(0.1, 2.0, size=(3, 4)).astype("float32")
PROB = RNG.uniform(0.05, 0.95, size=(3, 4)).astype("float32")
IDS = np.array([2, 0, 3])
ONEHOT = np.eye(4, dtype="float32")[IDS]

# (name, positional arguments, keyword arguments)
CASES = [
    ("matmul", (A, M), {}), ("mean", (A,), {}), ("mean", (A,), {"axis": 1, "keepdims": True}),
    ("sum", (A,), {"axis": (0, 1)}), ("max", (A,), {"axis": 0}), ("min", (A,), {}), ("prod", (POS,), {"axis": -1}),
    ("std", (A,), {"axis": 1}), ("var", (A,), {}), ("relu", (A,), {}), ("relu6", (A * 5,), {}),
    ("softmax", (A,), {}), ("softmax", (A,), {"axis": 0}), ("log_softmax", (A,), {}), ("sigmoid", (A,), {}),
    ("hard_sigmoid", (A,), {}), ("silu", (A,), {}), ("gelu", (A,), {}), ("gelu", (A,), {"approximate": False}),
    ("leaky_relu", (A,), {}), ("elu", (A,), {}), ("selu", (A,), {}), ("softplus", (A,), {}),
    ("softsign", (A,), {}), ("log_sigmoid", (A,), {}), ("tanh", (A,), {}), ("erf", (A,), {}),
    ("abs", (A,), {}), ("exp", (A,), {}), ("log", (POS,), {}), ("sqrt", (POS,), {}), ("square", (A,), {}),
    ("maximum", (A, B), {}), ("minimum", (A, B), {}), ("clip", (A, -0.5, 0.5), {}), ("where", (A > 0, A, B), {}),
    ("transpose", (A,), {}), ("reshape", (A, (2, 6)), {}), ("reshape", (A, (-1,)), {}),
    ("expand_dims", (A, 1), {}), ("squeeze", (A[None],), {"axis": 0}), ("concatenate", ([A, B],), {"axis": 1}),
    ("stack", ([A, B],), {"axis": 1}), ("argmax", (A,), {"axis": 1}), ("argmax", (A,), {}), ("argmin", (A,), {"axis": 0}),
    ("one_hot", (IDS, 5), {}), ("cumsum", (A,), {"axis": 1}), ("logsumexp", (A,), {"axis": 1}),
    ("normalize", (A,), {}), ("take", (A, np.array([1, 0])), {"axis": 1}), ("take_along_axis", (A, np.argsort(A, 1), 1), {}),
    ("tile", (A, (2, 1)), {}), ("repeat", (A, 2), {"axis": 0}), ("flip", (A,), {"axis": 1}), ("roll", (A, 1), {"axis": 1}),
    ("sort", (A,), {}), ("argsort", (A,), {"axis": 0}), ("pad", (A, ((1, 0), (0, 2))), {}),
    ("einsum", ("ij,jk->ik", A, M), {}), ("dot", (A, M), {}), ("outer", (A[0], B[0]), {}), ("norm", (A,), {}),
    ("norm", (A,), {"axis": 1}), ("moveaxis", (A[None], 0, 2), {}), ("swapaxes", (A, 0, 1), {}),
    ("average", (A,), {"axis": 1, "weights": np.array([1.0, 2.0, 3.0, 4.0], "float32")}),
    ("binary_crossentropy", (PROB.round(), PROB), {}), ("binary_crossentropy", (PROB.round(), A), {"from_logits": True}),
    ("categorical_crossentropy", (ONEHOT, np.abs(A) + 0.1), {}), ("categorical_crossentropy", (ONEHOT, A), {"from_logits": True}),
    ("sparse_categorical_crossentropy", (IDS, A), {"from_logits": True}), ("count_nonzero", (A > 0,), {"axis": 1}),
    ("greater", (A, B), {}), ("equal", (A, A), {}), ("logical_and", (A > 0, B > 0), {}), ("power", (POS, 1.5), {}),
    ("floor_divide", (A, 0.3), {}), ("mod", (POS, 0.3), {}), ("round", (A * 10,), {}), ("sign", (A,), {}),
    ("arange", (0, 5), {}), ("arange", (0.0, 1.0, 0.25), {}), ("linspace", (0.0, 1.0, 5), {}), ("eye", (3,), {}),
    ("zeros", ((2, 3),), {}), ("full", ((2,), 3.0), {}), ("ones_like", (A,), {}), ("tril", (A,), {}),
    ("triu", (A,), {"k": 1}), ("isnan", (A,), {}), ("stop_gradient", (A,), {}), ("cast", (A, "int32"), {}),
]


def _ember_args(values):
    return [ember.tensor(v) if isinstance(v, np.ndarray) else
            [ember.tensor(x) for x in v] if isinstance(v, list) else v for v in values]


def _keras_args(values):
    return [keras.ops.convert_to_tensor(v) if isinstance(v, np.ndarray) else
            [keras.ops.convert_to_tensor(x) for x in v] if isinstance(v, list) else v for v in values]


@pytest.mark.parametrize("name, args, kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_op_matches_keras(name, args, kwargs):
    expected = keras.ops.convert_to_numpy(getattr(keras.ops, name)(*_keras_args(args), **kwargs))
    result = getattr(ember_keras.ops, name)(*_ember_args(args), **kwargs)
    got = np.asarray(result.detach())
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    if expected.dtype != np.float64:  # torch's float64 results for float32 inputs are Keras's default promotions
        assert got.dtype == expected.dtype, (got.dtype, expected.dtype)


@pytest.mark.parametrize("name", ["softmax", "gelu", "sigmoid", "normalize", "logsumexp", "elu", "leaky_relu"])
def test_gradients_match_keras(name):
    x = ember.tensor(A, requires_grad=True)
    getattr(ember_keras.ops, name)(x).sum().backward()
    xt = torch.tensor(A, requires_grad=True)
    getattr(keras.ops, name)(xt).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_shape_split_top_k_unstack_match_keras():
    assert ember_keras.ops.shape(ember.tensor(A)) == tuple(keras.ops.shape(keras.ops.convert_to_tensor(A)))
    for sections in (2, [1, 3]):
        ours = ember_keras.ops.split(ember.tensor(A), sections, axis=1)
        theirs = keras.ops.split(keras.ops.convert_to_tensor(A), sections, axis=1)
        assert [np.asarray(o).tolist() for o in ours] == [keras.ops.convert_to_numpy(t).tolist() for t in theirs]
    values, indices = ember_keras.ops.top_k(ember.tensor(A), 2)
    k_values, k_indices = keras.ops.top_k(keras.ops.convert_to_tensor(A), 2)
    np.testing.assert_allclose(values.numpy(), keras.ops.convert_to_numpy(k_values))
    assert indices.numpy().tolist() == keras.ops.convert_to_numpy(k_indices).tolist()
    assert indices.dtype.name == str(keras.ops.convert_to_numpy(k_indices).dtype)
    mean, variance = ember_keras.ops.moments(ember.tensor(A), axes=[0])
    k_mean, k_variance = keras.ops.moments(keras.ops.convert_to_tensor(A), axes=[0])
    np.testing.assert_allclose(variance.numpy(), keras.ops.convert_to_numpy(k_variance), rtol=1e-5)
    found = ember_keras.ops.where(ember.tensor(A > 0))
    assert [f.tolist() for f in found] == [keras.ops.convert_to_numpy(f).tolist()
                                           for f in keras.ops.where(keras.ops.convert_to_tensor(A > 0))]


def test_convert_to_tensor_dtypes_match_keras():
    for value in (1.5, [1, 2], np.zeros(2, "float64"), np.zeros(2, "int64"), [True]):
        ours = ember_keras.ops.convert_to_tensor(value)
        theirs = keras.ops.convert_to_numpy(keras.ops.convert_to_tensor(value))
        assert ours.dtype.name == str(theirs.dtype), value


def test_keras_random_distributions_and_seeds():
    ops, random = ember_keras.ops, ember_keras.random
    draws = random.normal((4000,), mean=1.0, stddev=2.0, seed=3)
    assert abs(float(ops.mean(draws)) - 1.0) < 0.1 and abs(float(ops.std(draws)) - 2.0) < 0.1
    assert draws.dtype == ember.float32 and random.normal((3,), seed=3).tolist() == random.normal((3,), seed=3).tolist()
    seed = random.SeedGenerator(7)
    assert random.uniform((3,), seed=seed).tolist() != random.uniform((3,), seed=seed).tolist()
    u = random.uniform((1000,), minval=2.0, maxval=3.0)
    assert 2.0 <= float(ops.min(u)) and float(ops.max(u)) < 3.0
    ints = random.randint((1000,), 0, 4)
    assert ints.dtype == ember.int32 and sorted(set(ints.tolist())) == [0, 1, 2, 3]
    dropped = random.dropout(ops.ones((1000,)), 0.25, seed=1)
    assert np.isin(np.unique(dropped.numpy()), np.float32([0.0, 1 / 0.75])).all() and 650 < int(ops.count_nonzero(dropped)) < 850
    shuffled = random.shuffle(ops.arange(10), seed=2)
    assert sorted(shuffled.tolist()) == list(range(10)) and shuffled.tolist() != list(range(10))
    assert float(ops.max(ops.abs(random.truncated_normal((500,))))) <= 2.0


IMAGES = RNG.normal(size=(2, 7, 6, 3)).astype("float32")
KERNEL = RNG.normal(size=(3, 2, 3, 4)).astype("float32")
DEPTH_KERNEL = RNG.normal(size=(3, 3, 3, 2)).astype("float32")
SIGNAL = RNG.normal(size=(2, 9, 3)).astype("float32")
KERNEL_1D = RNG.normal(size=(3, 3, 5)).astype("float32")
SQUARE = RNG.normal(size=(4, 4)).astype("float32")
SORTED = np.sort(RNG.normal(size=7)).astype("float32")
EXTRA_CASES = [
    ("cosh", (A,), {}), ("sinh", (A,), {}), ("cbrt", (A,), {}), ("deg2rad", (A,), {}), ("rad2deg", (A,), {}),
    ("exp2", (A,), {}), ("fabs", (A,), {}), ("erfc", (A,), {}), ("trunc", (A * 3,), {}), ("fmod", (A * 3, 0.7), {}),
    ("hypot", (A, B), {}), ("logaddexp", (A, B), {}), ("signbit", (A,), {}), ("sinc", (A,), {}),
    ("heaviside", (A, 0.5), {}), ("nan_to_num", (np.array([np.nan, np.inf, -np.inf, 1.0], "float32"),), {}),
    ("divide_no_nan", (A, np.where(B > 0, B, 0).astype("float32")), {}), ("isclose", (A, A + 1e-7), {}),
    ("celu", (A,), {}), ("glu", (A,), {}), ("hard_tanh", (A * 2,), {}), ("hard_shrink", (A,), {}),
    ("soft_shrink", (A,), {}), ("tanh_shrink", (A,), {}), ("threshold", (A, 0.1, -1.0), {}), ("squareplus", (A,), {}),
    ("sparse_plus", (A * 2,), {}), ("broadcast_to", (A[0], (3, 4)), {}), ("copy", (A,), {}), ("ravel", (A,), {}),
    ("fliplr", (A,), {}), ("flipud", (A,), {}), ("rot90", (A,), {}), ("rot90", (A,), {"k": 3}),
    ("diagonal", (SQUARE,), {}), ("diagonal", (SQUARE,), {"offset": 1}), ("diagonal", (SQUARE,), {"offset": -2}),
    ("diag", (SQUARE,), {}), ("diag", (SQUARE[0],), {"k": 1}), ("trace", (SQUARE,), {}), ("diff", (A,), {}),
    ("diff", (A,), {"n": 2, "axis": 0}), ("inner", (A, B), {}), ("vdot", (A[0], B[0]), {}), ("tensordot", (A, M), {"axes": 1}),
    ("kron", (A[:2, :2], B[:2, :2]), {}), ("cumprod", (A,), {"axis": 1}), ("logspace", (0.0, 2.0, 5), {}),
    ("append", (A, B), {"axis": 0}), ("append", (A, B), {}), ("dstack", ([A, B],), {}), ("ptp", (A,), {"axis": 1}),
    ("median", (A,), {"axis": 1}), ("quantile", (A, 0.3), {"axis": 0}), ("percentile", (A, 75.0), {}),
    ("searchsorted", (SORTED, A[0]), {}), ("digitize", (A[0], SORTED), {}), ("bincount", (IDS,), {}),
    ("segment_sum", (A, np.array([0, 0, 1])), {}), ("segment_max", (A, np.array([1, 0, 1])), {}),
    ("in_top_k", (IDS, A), {"k": 2}), ("layer_normalization", (A,), {}), ("rms_normalization", (A,), {}),
    ("batch_normalization", (A, A.mean(0), A.var(0), 1), {}), ("psnr", (PROB, np.clip(PROB + 0.1, 0, 1), 1.0), {}),
    ("conv", (IMAGES, KERNEL), {}), ("conv", (IMAGES, KERNEL), {"strides": 2, "padding": "same"}),
    ("conv", (IMAGES, KERNEL), {"dilation_rate": 2}), ("conv", (SIGNAL, KERNEL_1D), {"padding": "same"}),
    ("depthwise_conv", (IMAGES, DEPTH_KERNEL), {"padding": "same"}), ("max_pool", (IMAGES, 2), {}),
    ("max_pool", (IMAGES, 3), {"strides": 2, "padding": "same"}), ("average_pool", (IMAGES, 2), {"strides": 1}),
    ("average_pool", (IMAGES, 3), {"strides": 2, "padding": "same"}), ("max_pool", (SIGNAL, 2), {}),
]


@pytest.mark.parametrize("name, args, kwargs", EXTRA_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(EXTRA_CASES)])
def test_more_ops_match_keras(name, args, kwargs):
    test_op_matches_keras(name, args, kwargs)


@pytest.mark.parametrize("name, args", [("conv", (IMAGES, KERNEL)), ("max_pool", (IMAGES, 2)), ("median", (A,))])
def test_more_gradients_match_keras(name, args):
    ours = [ember.tensor(a, requires_grad=True) if isinstance(a, np.ndarray) else a for a in args]
    getattr(ember_keras.ops, name)(*ours).sum().backward()
    theirs = [torch.tensor(a, requires_grad=True) if isinstance(a, np.ndarray) else a for a in args]
    getattr(keras.ops, name)(*theirs).sum().backward()
    ours, theirs = [o for o in ours if isinstance(o, ember.Tensor)], [t for t in theirs if isinstance(t, torch.Tensor)]
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_functional_control_flow_matches_keras():
    ops = ember_keras.ops
    assert ops.while_loop(lambda i: i < 10, lambda i: i + 3, 0) == keras.ops.while_loop(lambda i: i < 10, lambda i: i + 3, 0)
    carry, ys = ops.scan(lambda c, x: (c + x, c * x), ember.tensor(0.0), ember.tensor([1.0, 2.0, 3.0]))
    k_carry, k_ys = keras.ops.scan(lambda c, x: (c + x, c * x), torch.tensor(0.0), torch.tensor([1.0, 2.0, 3.0]))
    assert float(carry) == float(k_carry) and ys.tolist() == k_ys.tolist()
    assert ops.switch(1, [lambda x: x + 1, lambda x: x * 10], ember.tensor(2.0)).item() == 20.0
    assert ops.vectorized_map(lambda row: row.sum(), ember.tensor(A)).tolist() == pytest.approx(A.sum(1).tolist())
    assert [t.tolist() for t in ops.meshgrid(ember.tensor([1, 2]), ember.tensor([3, 4, 5]))] == \
        [keras.ops.convert_to_numpy(t).tolist() for t in keras.ops.meshgrid(torch.tensor([1, 2]), torch.tensor([3, 4, 5]))]
    assert [t.tolist() for t in ops.array_split(ember.tensor(np.arange(7)), 3)] == \
        [keras.ops.convert_to_numpy(t).tolist() for t in keras.ops.array_split(torch.tensor(np.arange(7)), 3)]
