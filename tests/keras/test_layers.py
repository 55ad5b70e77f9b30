"""Keras layers against ember.nn and PyTorch on the same weights (forward, and gradients for Dense/Conv)."""
import numpy as np
import pytest
import torch

import ember
from ember import keras, nn

from .conftest import numpy_of

layers = keras.layers
rng = np.random.default_rng(42)


def _random(*shape):
    return rng.normal(size=shape).astype("float32")


def test_dense_matches_nn_linear_forward_and_gradients():
    x = _random(5, 4)
    dense = layers.Dense(3, activation="tanh")
    out = dense(x)
    linear = nn.Linear(4, 3)
    linear.load_state_dict({"weight": numpy_of(dense.kernel).T, "bias": numpy_of(dense.bias)})
    expected = ember.tanh(linear(ember.tensor(x)))
    np.testing.assert_allclose(numpy_of(out), numpy_of(expected), rtol=1e-6)

    out.sum().backward()
    reference = torch.nn.Linear(4, 3)
    with torch.no_grad():
        reference.weight.copy_(torch.tensor(numpy_of(dense.kernel).T))
        reference.bias.copy_(torch.tensor(numpy_of(dense.bias)))
    torch.tanh(reference(torch.tensor(x))).sum().backward()
    np.testing.assert_allclose(numpy_of(dense.kernel.grad), reference.weight.grad.numpy().T, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(numpy_of(dense.bias.grad), reference.bias.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_dense_defaults_and_nd_inputs():
    dense = layers.Dense(2)
    assert dense(np.ones((2, 3, 4), "float32")).shape == (2, 3, 2)
    limit = np.sqrt(6 / (4 + 2))
    assert np.all(np.abs(numpy_of(dense.kernel)) <= limit)
    assert np.all(numpy_of(dense.bias) == 0)
    assert [w.shape for w in dense.weights] == [(4, 2), (2,)]
    with pytest.raises(ValueError, match="units"):
        layers.Dense(0)


@pytest.mark.parametrize("padding,strides", [("valid", 1), ("same", 1), ("same", 2), ("valid", 2)])
def test_conv2d_matches_torch_channels_last(padding, strides):
    x = _random(2, 9, 8, 3)
    conv = layers.Conv2D(4, (3, 2), strides=strides, padding=padding)
    out = numpy_of(conv(x))
    kernel, bias = numpy_of(conv.kernel), numpy_of(conv.bias)
    assert kernel.shape == (3, 2, 3, 4)
    image = torch.tensor(x).permute(0, 3, 1, 2)
    if padding == "same":  # TensorFlow's padding: the odd pixel goes at the end
        pads = []
        for size, k in ((8, 2), (9, 3)):  # width first, as F.pad wants
            total = max((-(-size // strides) - 1) * strides + k - size, 0)
            pads += [total // 2, total - total // 2]
        image = torch.nn.functional.pad(image, pads)
    expected = torch.nn.functional.conv2d(image, torch.tensor(kernel).permute(3, 2, 0, 1), torch.tensor(bias),
                                          stride=strides).permute(0, 2, 3, 1).numpy()
    assert out.shape == expected.shape
    assert conv.compute_output_shape((None, 9, 8, 3)) == (None,) + expected.shape[1:]
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_conv2d_output_shape_rule_and_gradient():
    conv = layers.Conv2D(6, 5, strides=2, padding="same", activation="relu")
    assert conv.compute_output_shape((None, 28, 28, 1)) == (None, 14, 14, 6)
    x = ember.tensor(_random(1, 7, 7, 2), requires_grad=True)
    conv(x).sum().backward()
    assert x.grad.shape == (1, 7, 7, 2) and conv.kernel.grad.shape == (5, 5, 2, 6)


def test_conv1d_matches_torch():
    x = _random(2, 10, 3)
    conv = layers.Conv1D(5, 3, dilation_rate=2)
    out = numpy_of(conv(x))
    expected = torch.nn.functional.conv1d(torch.tensor(x).permute(0, 2, 1),
                                          torch.tensor(numpy_of(conv.kernel)).permute(2, 1, 0),
                                          torch.tensor(numpy_of(conv.bias)), dilation=2).permute(0, 2, 1)
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-5, atol=1e-5)
    assert conv.compute_output_shape((None, 10, 3)) == (None, 6, 5)


def test_pooling_matches_torch_and_tensorflow_same_padding():
    x = _random(2, 5, 5, 3)
    image = torch.tensor(x).permute(0, 3, 1, 2)
    out = numpy_of(layers.MaxPooling2D()(x))
    np.testing.assert_allclose(out, torch.nn.functional.max_pool2d(image, 2).permute(0, 2, 3, 1).numpy())
    out = numpy_of(layers.AveragePooling2D(2, strides=1)(x))
    np.testing.assert_allclose(out, torch.nn.functional.avg_pool2d(image, 2, 1).permute(0, 2, 3, 1).numpy(),
                               rtol=1e-6)
    # 'same' with stride 2 on 5 pixels: windows [0:2], [2:4], [4:5] per axis (padding at the end only)
    same_max = numpy_of(layers.MaxPooling2D(2, padding="same")(x))
    same_avg = numpy_of(layers.AveragePooling2D(2, padding="same")(x))
    assert same_max.shape == (2, 3, 3, 3)
    np.testing.assert_allclose(same_max[:, 2, 2], x[:, 4, 4])
    np.testing.assert_allclose(same_avg[:, 2, 1], x[:, 4, 2:4].mean(1), rtol=1e-6)
    np.testing.assert_allclose(numpy_of(layers.GlobalAveragePooling2D()(x)), x.mean((1, 2)), rtol=1e-6)
    np.testing.assert_allclose(numpy_of(layers.GlobalMaxPooling1D()(x[:, 0])), x[:, 0].max(1))


def test_batch_normalization_training_inference_and_moving_statistics():
    x = _random(6, 4) * 3 + 1
    bn = layers.BatchNormalization()
    out = numpy_of(bn(x, training=True))
    expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(numpy_of(bn.moving_mean), 0.01 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(numpy_of(bn.moving_variance), 0.99 + 0.01 * x.var(0), rtol=1e-5)  # biased
    inference = numpy_of(bn(x))  # training defaults to False outside fit
    np.testing.assert_allclose(inference, (x - numpy_of(bn.moving_mean)) /
                               np.sqrt(numpy_of(bn.moving_variance) + 1e-3), rtol=1e-5)
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2
    images = _random(2, 3, 3, 5)
    assert bn.__class__()(images, training=True).shape == (2, 3, 3, 5)


def test_batch_normalization_on_another_axis_and_frozen():
    x = _random(4, 3, 2)
    bn = layers.BatchNormalization(axis=1)
    out = numpy_of(bn(x, training=True))
    mean, var = x.mean((0, 2), keepdims=True), x.var((0, 2), keepdims=True)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    bn.trainable = False  # frozen: inference mode even when training
    before = numpy_of(bn.moving_mean).copy()
    bn(x, training=True)
    np.testing.assert_array_equal(numpy_of(bn.moving_mean), before)


def test_layer_normalization_matches_torch():
    x = _random(3, 4, 6)
    ln = layers.LayerNormalization()
    out = numpy_of(ln(x))
    expected = torch.nn.functional.layer_norm(torch.tensor(x), (6,), eps=1e-3).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    assert layers.LayerNormalization(axis=[-2, -1])(x).shape == x.shape


def test_embedding_lookup_and_initializer():
    embedding = layers.Embedding(50, 8)
    ids = np.array([[1, 2, 3], [4, 5, 49]])
    out = numpy_of(embedding(ids))
    np.testing.assert_array_equal(out, numpy_of(embedding.embeddings)[ids])
    assert np.abs(numpy_of(embedding.embeddings)).max() <= 0.05
    assert embedding.compute_output_shape((None, 3)) == (None, 3, 8)


def _torch_rnn(kind, keras_layer, units, features):
    cell = keras_layer.cell
    kernel, recurrent = numpy_of(cell.kernel), numpy_of(cell.recurrent_kernel)
    bias = numpy_of(cell.bias)
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](features, units, batch_first=True)
    if kind == "gru":  # Keras orders the gates z, r, h; PyTorch r, z, n
        order = lambda w: np.concatenate([w[..., units:2 * units], w[..., :units], w[..., 2 * units:]], -1)  # noqa: E731
        kernel, recurrent, bias = order(kernel), order(recurrent), order(bias)
        input_bias, recurrent_bias = bias[0], bias[1]
    else:
        input_bias, recurrent_bias = bias, np.zeros_like(bias)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.tensor(kernel.T))
        module.weight_hh_l0.copy_(torch.tensor(recurrent.T))
        module.bias_ih_l0.copy_(torch.tensor(input_bias))
        module.bias_hh_l0.copy_(torch.tensor(recurrent_bias))
    return module


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_recurrent_layers_match_torch(kind):
    x = _random(2, 6, 3)
    keras_class = {"rnn": layers.SimpleRNN, "lstm": layers.LSTM, "gru": layers.GRU}[kind]
    layer = keras_class(5, return_sequences=True, return_state=True)
    outputs = layer(x)
    module = _torch_rnn(kind, layer, 5, 3)
    expected, state = module(torch.tensor(x))
    np.testing.assert_allclose(numpy_of(outputs[0]), expected.detach().numpy(), rtol=1e-4, atol=1e-5)
    final = state[0] if kind == "lstm" else state
    np.testing.assert_allclose(numpy_of(outputs[1]), final[0].detach().numpy(), rtol=1e-4, atol=1e-5)
    if kind == "lstm":
        np.testing.assert_allclose(numpy_of(outputs[2]), state[1][0].detach().numpy(), rtol=1e-4, atol=1e-5)


def test_recurrent_parameter_counts_and_forget_bias():
    lstm = layers.LSTM(64)
    lstm.build((None, 10, 128))
    assert lstm.count_params() == 4 * 64 * (128 + 64 + 1) == 49_408
    np.testing.assert_array_equal(numpy_of(lstm.cell.bias)[64:128], 1.0)  # unit_forget_bias
    gru = layers.GRU(32)
    gru.build((None, 5, 16))
    assert gru.count_params() == 3 * 32 * (16 + 32 + 2)  # reset_after: two bias rows
    rnn = layers.SimpleRNN(8)
    rnn.build((None, 5, 4))
    assert rnn.count_params() == 8 * (4 + 8 + 1)
    assert layers.LSTM(4, return_sequences=True).compute_output_shape((None, 7, 3)) == (None, 7, 4)


def test_multi_head_attention_matches_torch():
    x = _random(2, 5, 8)
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    out, scores = mha(x, x, return_attention_scores=True)
    reference = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    packed = lambda name: numpy_of(getattr(mha, name)).reshape(8, 8)  # noqa: E731
    with torch.no_grad():
        reference.in_proj_weight.copy_(torch.tensor(np.concatenate(
            [packed("query_kernel").T, packed("key_kernel").T, packed("value_kernel").T])))
        reference.in_proj_bias.copy_(torch.tensor(np.concatenate(
            [numpy_of(getattr(mha, f"{n}_bias")).reshape(-1) for n in ("query", "key", "value")])))
        reference.out_proj.weight.copy_(torch.tensor(numpy_of(mha.attention_output_kernel).reshape(8, 8).T))
        reference.out_proj.bias.copy_(torch.tensor(numpy_of(mha.attention_output_bias)))
    expected, weights = reference(torch.tensor(x), torch.tensor(x), torch.tensor(x), average_attn_weights=False)
    np.testing.assert_allclose(numpy_of(out), expected.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(numpy_of(scores), weights.detach().numpy(), rtol=1e-4, atol=1e-5)
    assert mha.count_params() == 4 * (8 * 8 + 8)


def test_multi_head_attention_causal_mask():
    x = _random(1, 4, 6)
    mha = layers.MultiHeadAttention(num_heads=3, key_dim=2)
    _, scores = mha(x, x, use_causal_mask=True, return_attention_scores=True)
    assert np.allclose(np.triu(numpy_of(scores)[0, 0], 1), 0)
    _, scores = mha(x, x, attention_mask=np.tril(np.ones((1, 4, 4))), return_attention_scores=True)
    np.testing.assert_allclose(numpy_of(scores).sum(-1), 1.0, rtol=1e-5)


def test_core_layers():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    assert layers.Flatten()(x).shape == (2, 12)
    assert layers.Reshape((4, -1))(x).shape == (2, 4, 3)
    assert layers.Reshape((4, -1)).compute_output_shape((None, 3, 4)) == (None, 4, 3)
    np.testing.assert_array_equal(numpy_of(layers.Activation("relu")(x - 10)), np.maximum(x - 10, 0))
    np.testing.assert_array_equal(numpy_of(layers.Lambda(lambda t: t * 2)(x)), x * 2)
    np.testing.assert_array_equal(numpy_of(layers.Dropout(0.5)(x)), x)  # inference by default
    dropped = numpy_of(layers.Dropout(0.5, seed=1)(np.ones((100, 100), "float32"), training=True))
    assert set(np.unique(dropped)) == {0.0, 2.0} and 0.4 < (dropped == 0).mean() < 0.6



def test_lambda_output_shape_on_a_list_of_inputs_matches_keras():
    # output_shape leaves out the batch size, taken from the first input (the siamese example's
    # Lambda(euclidean_distance, output_shape=(1,)) on [tower_1, tower_2])
    real_keras = pytest.importorskip("keras")
    for module in (keras, real_keras):
        distance = module.layers.Lambda(lambda pair: pair[0] - pair[1], output_shape=(1,))
        assert tuple(distance.compute_output_shape([(None, 10), (None, 10)])) == (None, 1)
        assert tuple(module.layers.Lambda(lambda t: t, output_shape=(3, 2)).compute_output_shape((5, 6))) == (5, 3, 2)
        a, b = module.Input((10,)), module.Input((10,))
        assert tuple(module.layers.Lambda(lambda p: p[0][:, :1], output_shape=(1,))([a, b]).shape) == (None, 1)

def test_merge_layers():
    a, b = _random(2, 3), _random(2, 3)
    np.testing.assert_allclose(numpy_of(layers.Add()([a, b])), a + b)
    np.testing.assert_allclose(numpy_of(layers.Subtract()([a, b])), a - b)
    np.testing.assert_allclose(numpy_of(layers.Multiply()([a, b])), a * b)
    np.testing.assert_allclose(numpy_of(layers.Average()([a, b])), (a + b) / 2)
    np.testing.assert_allclose(numpy_of(layers.Maximum()([a, b])), np.maximum(a, b))
    np.testing.assert_allclose(numpy_of(layers.Concatenate(axis=0)([a, b])), np.concatenate([a, b]))
    assert layers.Concatenate().compute_output_shape([(None, 3), (None, 5)]) == (None, 8)
    with pytest.raises(ValueError, match="list of at least 2"):
        layers.Add()(a)


def test_custom_layer_builds_on_first_call_and_tracks_weights():
    class Scale(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)

        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale",
                                         regularizer=keras.regularizers.L2(0.5))
            self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count")

        def call(self, inputs):
            return inputs * self.scale

    layer = Scale()
    assert not layer.built
    out = layer(np.ones((2, 3), "float32"))
    assert layer.built and out.shape == (2, 3)
    assert [w.shape for w in layer.trainable_weights] == [(3,)] and len(layer.non_trainable_weights) == 1
    assert float(layer.losses[0]) == pytest.approx(0.5 * 3)
    assert isinstance(layer, nn.Module) and [name for name, _ in layer.named_parameters()] == ["scale"]
    assert layer.compute_output_shape((None, 3)) == (None, 3)  # by running call on a stand-in batch


def test_layer_training_flag_propagates_into_nested_calls():
    seen = []

    class Probe(layers.Layer):
        def call(self, inputs, training=None):
            seen.append(training)
            return inputs

    class Outer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.probe = Probe()

        def call(self, inputs):
            return self.probe(inputs)  # does not pass training on

    outer = Outer()
    outer(np.ones((1, 2)), training=True)
    outer(np.ones((1, 2)))
    assert seen == [True, False]


def test_gru_reset_before_matches_keras_formula():
    x = _random(2, 4, 3)
    gru = layers.GRU(5, reset_after=False, return_sequences=True)
    out = numpy_of(gru(x))
    kernel, recurrent, bias = (numpy_of(w) for w in gru.weights)
    sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    h, expected = np.zeros((2, 5)), []
    for t in range(4):  # Keras's GRUCell with reset_after=False: the reset gate scales h first
        x_z, x_r, x_h = np.split(x[:, t] @ kernel + bias, 3, -1)
        z, r = sigmoid(x_z + h @ recurrent[:, :5]), sigmoid(x_r + h @ recurrent[:, 5:10])
        h = z * h + (1 - z) * np.tanh(x_h + (r * h) @ recurrent[:, 10:])
        expected.append(h)
    np.testing.assert_allclose(out, np.stack(expected, 1), rtol=1e-5, atol=1e-6)
