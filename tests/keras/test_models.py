"""Sequential, functional and subclassed models: building, summary counts, configs, weights."""
import numpy as np
import pytest

from ember import keras, nn

from .conftest import numpy_of

layers = keras.layers


def mnist_convnet():
    """Keras's "simple MNIST convnet" example."""
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


def summary_text(model) -> str:
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


def test_mnist_convnet_summary_matches_keras_counts():
    model = mnist_convnet()
    # by hand: conv 3*3*1*32+32 = 320; conv 3*3*32*64+64 = 18,496; dense 1600*10+10 = 16,010
    assert [layer.count_params() for layer in model.layers] == [320, 0, 18_496, 0, 0, 0, 16_010]
    assert model.count_params() == 34_826
    text = summary_text(model)
    for expected in ("(None, 26, 26, 32)", "(None, 13, 13, 32)", "(None, 11, 11, 64)", "(None, 5, 5, 64)",
                     "(None, 1600)", "18,496", "16,010", "Total params: 34,826 (136.04 KB)",
                     "Trainable params: 34,826", "Non-trainable params: 0 (0.00 B)",
                     "conv2d (Conv2D)", "max_pooling2d_1 (MaxPooling2D)"):
        assert expected in text, expected


def test_lstm_text_model_summary_counts():
    model = keras.Sequential([keras.Input(shape=(None,), dtype="int32"), layers.Embedding(20_000, 128),
                              layers.LSTM(64), layers.Dense(1, activation="sigmoid")])
    # by hand: 20,000*128 = 2,560,000; 4*64*(128+64+1) = 49,408; 64+1 = 65
    assert [layer.count_params() for layer in model.layers] == [2_560_000, 49_408, 65]
    text = summary_text(model)
    assert "Total params: 2,609,473" in text and "(None, None, 128)" in text and "(None, 64)" in text


def test_mlp_summary_counts_and_batchnorm_non_trainable():
    model = keras.Sequential([layers.Dense(128, input_shape=(784,)), layers.BatchNormalization(),
                              layers.Dense(10)])
    assert model.built
    assert [layer.count_params() for layer in model.layers] == [100_480, 512, 1_290]
    text = summary_text(model)
    assert "Total params: 102,282" in text and "Trainable params: 102,026" in text
    assert "Non-trainable params: 256 (1.00 KB)" in text


def test_unbuilt_sequential_summary_raises_and_builds_on_call():
    model = keras.Sequential([layers.Dense(4), layers.Dense(2)])
    with pytest.raises(ValueError, match="not yet been built"):
        model.summary()
    model(np.ones((3, 5), "float32"))
    assert model.built and model.count_params() == 5 * 4 + 4 + 4 * 2 + 2
    assert model.output_shape == (None, 2)


def test_sequential_add_pop_and_unique_names():
    model = keras.Sequential()
    model.add(keras.Input(shape=(3,)))
    model.add(layers.Dense(4, name="hidden"))
    model.add(layers.Dense(1))
    assert model.built and [layer.name for layer in model.layers] == ["hidden", "dense"]
    assert model.pop().name == "dense" and model.output_shape == (None, 4)
    with pytest.raises(ValueError, match="unique"):
        model.add(layers.Dense(2, name="hidden"))
    with pytest.raises(TypeError):
        model.add("not a layer")


def test_functional_model_with_two_inputs_two_outputs_and_a_shared_layer():
    left, right = keras.Input(shape=(4,), name="left"), keras.Input(shape=(4,), name="right")
    shared = layers.Dense(3, name="shared")
    merged = layers.Concatenate(name="merge")([shared(left), shared(right)])
    score = layers.Dense(1, name="score")(merged)
    kind = layers.Dense(2, activation="softmax", name="kind")(merged)
    model = keras.Model(inputs=[left, right], outputs=[score, kind])
    assert model.output_names == ["score", "kind"]
    # Keras's order (deepest first: both inputs, then the shared layer), as real Keras 3 lists them
    assert [layer.name for layer in model.layers] == ["left", "right", "shared", "merge", "score", "kind"]
    a, b = np.ones((2, 4), "float32"), np.zeros((2, 4), "float32")
    out_score, out_kind = model([a, b])
    assert out_score.shape == (2, 1) and out_kind.shape == (2, 2)
    by_name = model({"left": a, "right": b})
    np.testing.assert_allclose(numpy_of(by_name[0]), numpy_of(out_score))
    # the shared layer's weights are counted once
    assert model.count_params() == (4 * 3 + 3) + (6 + 1) + (6 * 2 + 2)
    assert "Connected to" in summary_text(model) and "shared[1][0]" in summary_text(model)
    with pytest.raises(ValueError, match="expects 2 input"):
        model(a)


def test_functional_model_is_callable_on_symbolic_inputs_and_nests():
    inner_in = keras.Input(shape=(3,))
    inner = keras.Model(inner_in, layers.Dense(2)(inner_in), name="inner")
    outer_in = keras.Input(shape=(3,))
    outer = keras.Model(outer_in, layers.Dense(1)(inner(outer_in)))
    assert outer.output_shape == (None, 1)
    assert outer(np.ones((5, 3), "float32")).shape == (5, 1)
    assert outer.count_params() == 3 * 2 + 2 + 2 + 1


def test_functional_errors():
    a, b = keras.Input(shape=(2,)), keras.Input(shape=(2,))
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match="disconnected"):
        keras.Model(a, out)
    with pytest.raises(ValueError, match="unique"):
        keras.Model(a, layers.Dense(1, name="x")(layers.Dense(2, name="x")(a)))


def test_subclassed_model_with_list_of_layers():
    class Residual(keras.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [layers.Dense(4, activation="relu") for _ in range(2)]
            self.head = layers.Dense(1)

        def call(self, inputs, training=False):
            x = inputs
            for block in self.blocks:
                x = x + block(x)
            return self.head(x)

    model = Residual()
    assert model.name == "residual"
    assert model(np.ones((2, 4), "float32")).shape == (2, 1)
    assert len(model.trainable_weights) == 6
    assert [name for name, _ in model.named_parameters()][:2] == ["blocks.0.kernel", "blocks.0.bias"]
    text = summary_text(model)
    assert "dense (Dense)" in text and "dense_1 (Dense)" in text and "head (Dense)" not in text
    assert [layer.name for layer in model.layers] == ["dense", "dense_1", "dense_2"]
    assert "(None, 4)" in text and "Total params: 45" in text


def test_weights_get_set_and_freeze():
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2), layers.BatchNormalization()])
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(3, 2), (2,), (2,), (2,), (2,), (2,)]
    replaced = [np.full_like(w, index) for index, w in enumerate(weights)]
    model.set_weights(replaced)
    np.testing.assert_array_equal(model.get_weights()[0], 0)
    np.testing.assert_array_equal(numpy_of(model.layers[1].moving_variance), 5)
    with pytest.raises(ValueError, match="expects 6 weight"):
        model.set_weights(replaced[:2])
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 4
    model.trainable = False
    assert model.trainable_weights == []


def test_model_is_an_nn_module_with_state_dict():
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2, name="first")])
    assert isinstance(model, nn.Module)
    assert list(model.state_dict()) == ["first.kernel", "first.bias"]
    # a plain ember.nn module can sit inside a Keras model
    inputs = keras.Input(shape=(3,))
    wrapped = layers.Lambda(lambda t: t * 2)(inputs)
    assert keras.Model(inputs, wrapped)(np.ones((1, 3), "float32")).shape == (1, 3)


def test_get_config_from_config_round_trip():
    model = mnist_convnet()
    clone = keras.Sequential.from_config(model.get_config())
    assert clone.count_params() == 34_826
    assert [type(layer).__name__ for layer in clone.layers] == [type(layer).__name__ for layer in model.layers]
    assert clone.layers[0].get_config()["kernel_size"] == [3, 3]

    inputs = keras.Input(shape=(5,), name="x")
    hidden = layers.Dense(4, activation="relu", kernel_regularizer="l2")(inputs)
    outputs = [layers.Dense(1, name="a")(hidden), layers.Dense(2, name="b")(hidden)]
    functional = keras.Model(inputs, outputs, name="two_heads")
    rebuilt = keras.Model.from_config(functional.get_config())
    assert rebuilt.name == "two_heads" and rebuilt.output_names == ["a", "b"]
    assert rebuilt.count_params() == functional.count_params()
    rebuilt.set_weights(functional.get_weights())
    x = np.random.default_rng(0).normal(size=(3, 5)).astype("float32")
    for got, expected in zip(rebuilt(x), functional(x)):
        np.testing.assert_allclose(numpy_of(got), numpy_of(expected), rtol=1e-6)
    json_text = functional.to_json()
    assert keras.models.model_from_json(json_text).count_params() == functional.count_params()


def test_layer_configs_recreate_layers():
    for layer in (layers.Dense(3, activation="relu", use_bias=False), layers.Conv2D(4, 3, strides=2, padding="same"),
                  layers.LSTM(5, return_sequences=True), layers.GRU(3, reset_after=False),
                  layers.BatchNormalization(momentum=0.9), layers.Embedding(10, 4), layers.Dropout(0.3),
                  layers.MultiHeadAttention(2, 4), layers.Reshape((2, 2)), layers.Concatenate(axis=1)):
        config = layer.get_config()
        clone = type(layer).from_config(config)
        assert clone.get_config() == {**config, "name": clone.name} or clone.get_config() == config


def test_regularization_losses_enter_the_model_losses():
    model = keras.Sequential([keras.Input(shape=(2,)),
                              layers.Dense(1, kernel_initializer="ones", kernel_regularizer=keras.regularizers.L2(0.1),
                                           activity_regularizer=keras.regularizers.L1(0.5))])
    model(np.ones((1, 2), "float32"))
    values = sorted(float(loss) for loss in model.losses)
    assert values == pytest.approx([0.2, 1.0])  # 0.1 * (1 + 1); 0.5 * |1 + 1|
