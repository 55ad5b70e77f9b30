"""Memory planning: an elementwise result may not be written over the buffer it reads through a
permuted view of the same shape (element i of the view is not element i of the buffer)."""
import numpy as np

import ember
import ember.nn.functional as F

WEIGHT = ember.tensor(np.random.default_rng(1).normal(size=(4, 4, 3, 3)).astype("float32"))
BIAS = ember.arange(4.0).reshape(1, 4, 1, 1)


def _channels_last_block(t):
    # A Keras Conv2D + LeakyReLU + MaxPooling2D on channels-last data, as ember.keras lowers it:
    # with 4 channels on a 4x4 map the permuted view has the buffer's own shape.
    h = F.conv2d(t, WEIGHT, padding=1) + BIAS  # written into a planned (2, 4, 4, 4) buffer
    q = F.leaky_relu(h.permute(0, 2, 3, 1), 0.2)  # read through a permuted view of that buffer
    return F.max_pool2d(q.permute(0, 3, 1, 2), 2, stride=1)


def test_compiled_equals_eager_when_a_permuted_view_has_the_buffer_shape():
    function = _channels_last_block
    x = ember.tensor(np.random.default_rng(0).normal(size=(2, 4, 4, 4)).astype("float32"))
    np.testing.assert_allclose(np.asarray(ember.function(function)(x)), np.asarray(function(x)), rtol=1e-6,
                               atol=1e-6)


def test_keras_conv_leaky_relu_pooling_predict_equals_call():
    # The program that found it: keras.io's distillation student (4 filters on a 4x4 map)
    from ember import keras
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, strides=2, padding="same"),
                              keras.layers.LeakyReLU(negative_slope=0.2),
                              keras.layers.MaxPooling2D(2, strides=1, padding="same")])
    x = np.random.default_rng(0).random((2, 8, 8, 1)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), np.asarray(model(x)), rtol=1e-6, atol=1e-6)
