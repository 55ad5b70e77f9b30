"""The ``tf.*`` names of ``import ember as tf``, checked against NumPy/PyTorch, and PyTorch's spellings intact."""
import numpy as np
import pytest
import torch

import ember as tf

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 4)).astype("float32")


@pytest.mark.parametrize("name, reference", [
    ("reduce_sum", np.sum), ("reduce_mean", np.mean), ("reduce_max", np.max), ("reduce_min", np.min),
    ("reduce_prod", np.prod), ("reduce_std", np.std), ("reduce_variance", np.var),
])
@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), ([0, 1], False), (-1, True)])
def test_reductions_match_numpy(name, reference, axis, keepdims):
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    result = getattr(tf, name)(tf.constant(X), axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(result.numpy(), reference(X, axis=np_axis, keepdims=keepdims), rtol=1e-5, atol=1e-6)


def test_integer_and_bool_reductions_keep_tensorflows_dtypes():
    ints = tf.constant([[1, 2], [3, 4]])
    assert ints.dtype == tf.int32 and tf.reduce_sum(ints).dtype == tf.int32
    assert tf.reduce_mean(tf.constant([1, 2])).item() == 1  # truncated, as TensorFlow
    flags = tf.constant([[True, False], [True, True]])
    assert tf.reduce_any(flags, axis=1).tolist() == [True, True] and tf.reduce_all(flags, axis=1).tolist() == [False, True]
    assert tf.reduce_logsumexp(tf.constant([0.0, 0.0])).item() == pytest.approx(np.log(2))


def test_creation_and_shape_queries():
    assert tf.constant(1.5).dtype == tf.float32 and tf.constant(np.float64(1.5)).dtype == tf.float64
    assert tf.constant(7, shape=[2, 2]).tolist() == [[7, 7], [7, 7]]
    assert tf.constant([1, 2, 3, 4], shape=(2, 2)).tolist() == [[1, 2], [3, 4]]
    t = tf.convert_to_tensor([[1.0, 2.0]])
    assert tf.convert_to_tensor(t) is t and tf.shape(t).tolist() == [1, 2] and tf.size(t).item() == 2
    assert tf.rank(t).item() == 2 and tf.shape(t).dtype == tf.int32
    with pytest.raises(tf.DTypeError):
        tf.convert_to_tensor(t, dtype=tf.int32)
    assert tf.range(3).tolist() == [0, 1, 2] and tf.range(3).dtype == tf.int32
    assert tf.range(2, 10, 3).tolist() == [2, 5, 8] and tf.range(0.0, 1.0, 0.25).dtype == tf.float32
    assert tf.fill([2], 3.0).tolist() == [3.0, 3.0] and tf.zeros_like(t).tolist() == [[0.0, 0.0]]
    assert tf.ones_like(t, dtype=tf.int32).dtype == tf.int32


def test_shape_functions():
    x = tf.constant(X)
    assert tf.expand_dims(x, 0).shape == (1, 3, 4) and tf.expand_dims(x, -1).shape == (3, 4, 1)
    assert tf.squeeze(tf.zeros((1, 3, 1)), axis=[0]).shape == (3, 1) and tf.squeeze(tf.zeros((1, 3, 1))).shape == (3,)
    assert tf.reshape(x, [2, -1]).shape == (2, 6) and tf.transpose(x).shape == (4, 3)
    cube = tf.zeros((2, 3, 4))
    assert tf.transpose(cube, perm=[2, 0, 1]).shape == (4, 2, 3) and tf.transpose(cube, [1, 0, 2]).shape == (3, 2, 4)
    assert tf.concat([x, x], axis=1).shape == (3, 8) and tf.concat([x, x], 0).shape == (6, 4)
    assert tf.stack([x, x], axis=-1).shape == (3, 4, 2) and tf.stack([x, x]).shape == (2, 3, 4)


def test_gather_both_spellings():
    x = torch.tensor(X)
    np.testing.assert_array_equal(tf.gather(tf.constant(X), [2, 0]).numpy(), X[[2, 0]])
    np.testing.assert_array_equal(tf.gather(tf.constant(X), tf.constant([[1], [3]]), axis=1).numpy(), X[:, [[1], [3]]])
    index = np.array([[0, 1], [3, 2], [1, 1]])
    np.testing.assert_array_equal(tf.gather(tf.constant(X), 1, tf.tensor(index)).numpy(),
                                  torch.gather(x, 1, torch.tensor(index)).numpy())


def test_gather_gradient_accumulates_repeated_rows():
    params = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(tf.gather(params, [0, 0, 1]))
    assert tape.gradient(total, params).tolist() == [[2.0, 2.0], [1.0, 1.0]]


def test_matmul_transposes_and_argmax():
    a, b = RNG.normal(size=(2, 3)).astype("float32"), RNG.normal(size=(4, 3)).astype("float32")
    np.testing.assert_allclose(tf.matmul(tf.constant(a), tf.constant(b), transpose_b=True).numpy(), a @ b.T, rtol=1e-5)
    np.testing.assert_allclose(tf.matmul(tf.constant(b), tf.constant(b), transpose_a=True).numpy(), b.T @ b, rtol=1e-5)
    assert tf.argmax(tf.constant(X), axis=1).tolist() == X.argmax(1).tolist()
    assert tf.argmin(tf.constant(X), axis=0, output_type=tf.int32).dtype == tf.int32
    assert tf.argmax(tf.constant(X)).item() == X.argmax()  # no axis: flattened, as in PyTorch


def test_pytorch_spellings_unchanged():
    x = tf.tensor(X)
    assert tf.transpose(x, 0, 1).shape == (4, 3) and tf.argmax(x, 1).tolist() == X.argmax(1).tolist()
    assert tf.squeeze(tf.zeros(1, 2), 0).shape == (2,) and tf.cat([x, x], dim=1).shape == (3, 8)
    assert tf.arange(3).dtype == tf.int64


def test_one_hot():
    assert tf.one_hot([0, 2, -1], 3).tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 0]]
    assert tf.one_hot([0, 1], 2).dtype == tf.float32
    assert tf.one_hot([1], 3, on_value=2.0, off_value=-1.0).tolist() == [[-1.0, 2.0, -1.0]]
    assert tf.one_hot(tf.constant([[0, 1]]), 2, axis=0).shape == (2, 1, 2)
    np.testing.assert_array_equal(tf.one_hot(tf.constant([[0, 1]]), 2, axis=0).numpy(),
                                  np.moveaxis(np.eye(2)[[[0, 1]]], -1, 0))


def test_cast_where_clip_and_math():
    x = tf.constant([-2.0, 0.5, 3.0])
    assert tf.cast(x, tf.int32).tolist() == [-2, 0, 3] and tf.cast(x, "float64").dtype == tf.float64
    assert tf.where(x > 0, x, tf.zeros_like(x)).tolist() == [0.0, 0.5, 3.0]
    assert tf.clip_by_value(x, -1.0, 1.0).tolist() == [-1.0, 0.5, 1.0]
    assert tf.clip_by_norm(tf.constant([3.0, 4.0]), 1.0).tolist() == pytest.approx([0.6, 0.8])
    clipped, norm = tf.clip_by_global_norm([tf.constant([3.0]), None, tf.constant([4.0])], 10.0)
    assert norm.item() == 5.0 and clipped[1] is None and clipped[0].tolist() == [3.0]
    assert tf.math.equal(x, 0.5).tolist() == [False, True, False] and tf.math.squared_difference(x, 1.0).tolist() == [9.0, 0.25, 4.0]
    assert tf.math.divide_no_nan(tf.constant([1.0, 2.0]), tf.constant([0.0, 4.0])).tolist() == [0.0, 0.5]
    values, indices = tf.math.top_k(tf.constant([[1.0, 3.0, 3.0, 2.0]]), k=3)
    assert values.tolist() == [[3.0, 3.0, 2.0]] and indices.tolist() == [[1, 2, 3]]
    assert tf.add_n([x, x, x]).tolist() == [-6.0, 1.5, 9.0] and tf.math.reduce_sum(x).item() == 1.5
    assert tf.math.confusion_matrix([0, 1, 1], [0, 0, 1]).tolist() == [[1, 0], [1, 1]]
    assert tf.boolean_mask(x, x > 0).tolist() == [0.5, 3.0] and tf.stop_gradient(x).requires_grad is False


def test_tf_nn_losses_match_torch():
    logits = RNG.normal(size=(5, 4)).astype("float32")
    labels = RNG.integers(0, 4, size=5)
    soft = np.eye(4, dtype="float32")[labels] * 0.9 + 0.025
    lt = torch.tensor(logits)
    np.testing.assert_allclose(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits).numpy(),
        torch.nn.functional.cross_entropy(lt, torch.tensor(labels), reduction="none").numpy(), rtol=1e-5)
    np.testing.assert_allclose(
        tf.nn.softmax_cross_entropy_with_logits(labels=soft, logits=logits).numpy(),
        torch.nn.functional.cross_entropy(lt, torch.tensor(soft), reduction="none").numpy(), rtol=1e-5)
    binary = (RNG.random((5, 4)) > 0.5).astype("float32")
    np.testing.assert_allclose(
        tf.nn.sigmoid_cross_entropy_with_logits(labels=binary, logits=logits * 30).numpy(),
        torch.nn.functional.binary_cross_entropy_with_logits(lt * 30, torch.tensor(binary), reduction="none").numpy(),
        rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(tf.nn.softmax(logits).numpy(), torch.softmax(lt, -1).numpy(), rtol=1e-5)
    np.testing.assert_allclose(tf.nn.log_softmax(logits, axis=0).numpy(), torch.log_softmax(lt, 0).numpy(), rtol=1e-5)
    with pytest.raises(tf.ShapeError, match="labels"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels[:3], logits=logits)
    assert isinstance(tf.nn.Module, type)  # PyTorch's nn is intact beside tf.nn's functions


def test_tf_nn_activations_and_dropout():
    x = tf.constant([-2.0, -0.5, 0.0, 1.0, 7.0])
    assert tf.nn.relu(x).tolist() == [0.0, 0.0, 0.0, 1.0, 7.0] and tf.nn.relu6(x).tolist()[-1] == 6.0
    np.testing.assert_allclose(tf.nn.elu(x).numpy(), torch.nn.functional.elu(torch.tensor(x.numpy())).numpy(), rtol=1e-6)
    np.testing.assert_allclose(tf.nn.selu(x).numpy(), torch.selu(torch.tensor(x.numpy())).numpy(), rtol=1e-6)
    np.testing.assert_allclose(tf.nn.leaky_relu(x).numpy(), torch.nn.functional.leaky_relu(torch.tensor(x.numpy()), 0.2).numpy())
    kept = tf.nn.dropout(tf.ones(1000), rate=0.5)
    assert set(np.unique(kept.numpy()).tolist()) <= {0.0, 2.0} and 300 < int((kept > 0).sum()) < 700


def test_random_functions():
    tf.random.set_seed(3)
    a = tf.random.normal([1000], mean=2.0, stddev=0.5)
    assert abs(float(tf.reduce_mean(a)) - 2.0) < 0.1 and abs(float(tf.math.reduce_std(a)) - 0.5) < 0.1
    u = tf.random.uniform([1000], minval=-1.0, maxval=1.0)
    assert -1.0 <= float(tf.reduce_min(u)) and float(tf.reduce_max(u)) < 1.0
    assert tf.random.uniform([3], maxval=5, dtype=tf.int32).dtype == tf.int32
    assert tf.random.normal([2], seed=7).tolist() == tf.random.normal([2], seed=7).tolist()
    t = tf.random.truncated_normal([500])
    assert float(tf.reduce_max(tf.abs(t))) <= 2.0
    assert sorted(tf.random.shuffle(tf.range(5)).tolist()) == [0, 1, 2, 3, 4]
    assert tf.random.categorical(tf.constant([[0.0, 100.0]]), 4).tolist() == [[1, 1, 1, 1]]
    with pytest.raises(tf.EmberValueError, match="maxval"):
        tf.random.uniform([2], dtype=tf.int32)



def test_random_gamma_as_tensorflow():
    # TF 2 docs: shape, then the broadcast shape of alpha and beta (beta a rate); samples from each
    # Gamma(alpha, beta). Moments checked against the distribution's (torch's Gamma gives them).
    samples = tf.random.gamma([10, 2], [0.5, 1.5])
    assert tuple(samples.shape) == (10, 2, 2) and samples.dtype == tf.float32
    assert tuple(tf.random.gamma([7, 5, 2], [[1.0], [3.0], [4.0]], beta=[[3.0, 4.0]]).shape) == (7, 5, 2, 3, 2)
    assert tf.random.gamma([3], 2.0, dtype=tf.float64).dtype == tf.float64
    alpha, beta = np.array([0.2, 2.0, 9.0]), np.array([1.0, 0.5, 3.0])
    draws = np.asarray(tf.random.gamma([40000], alpha, beta=beta, seed=1), dtype="float64")
    reference = torch.distributions.Gamma(torch.tensor(alpha), torch.tensor(beta))
    np.testing.assert_allclose(draws.mean(0), reference.mean.numpy(), rtol=0.03)
    np.testing.assert_allclose(draws.var(0), reference.variance.numpy(), rtol=0.06)
    assert float(draws.min()) > 0.0  # tiny alphas stay above zero
    assert tf.random.gamma([4], 1.0, seed=5).tolist() == tf.random.gamma([4], 1.0, seed=5).tolist()
    # The MixUp example's Beta(a, b) = G_a / (G_a + G_b): mean a / (a + b)
    g1, g2 = tf.random.gamma([20000], alpha=0.2), tf.random.gamma([20000], alpha=0.6)
    assert abs(float(tf.reduce_mean(g1 / (g1 + g2))) - 0.25) < 0.01
    # draws divided by the rate as a tensor op: d(sum of draws)/d(beta) = -(sum of draws) / beta
    rate = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(tf.random.gamma([5], 3.0, beta=rate, seed=2))
    np.testing.assert_allclose(float(tape.gradient(total, rate)), -float(total) / 2.0, rtol=1e-6)
    with pytest.raises(tf.EmberValueError, match="floating"):
        tf.random.gamma([2], 1.0, dtype=tf.int32)

def test_sequence_helpers_and_eagerness():
    assert [t.tolist() for t in tf.unstack(tf.constant([[1, 2], [3, 4]]), axis=1)] == [[1, 3], [2, 4]]
    assert tf.sequence_mask([2, 0], 3, dtype=tf.float32).tolist() == [[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    assert tf.executing_eagerly() and tf.newaxis is None
    traced = tf.function(lambda x: x + (1.0 if tf.executing_eagerly() else 2.0))
    assert traced(tf.zeros(1)).tolist() == [2.0]


def test_norm_and_cumsum_both_spellings():
    x = tf.constant([[3.0, 4.0], [6.0, 8.0]])
    assert tf.norm(x, axis=1).tolist() == [5.0, 10.0] and tf.norm(x, ord=1, axis=0, keepdims=True).tolist() == [[9.0, 12.0]]
    assert tf.norm(tf.tensor([3.0, 4.0])).item() == 5.0 and tf.norm(x, 2, 1).tolist() == [5.0, 10.0]
    assert tf.cumsum(tf.constant([1, 2, 3])).tolist() == [1, 3, 6] and tf.cumsum(x, 1).tolist() == [[3.0, 7.0], [6.0, 14.0]]
    assert tf.cumsum(tf.constant([1.0, 2.0, 3.0]), exclusive=True).tolist() == [0.0, 1.0, 3.0]
    assert tf.math.cumsum(tf.constant([1.0, 2.0, 3.0]), reverse=True).tolist() == [6.0, 5.0, 3.0]
    assert tf.cumsum(tf.constant([1.0, 2.0, 3.0]), axis=0, exclusive=True, reverse=True).tolist() == [5.0, 3.0, 0.0]
