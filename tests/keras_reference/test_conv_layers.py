"""Conv3D, transposed, depthwise and separable convolutions against real Keras 3."""
import pytest

from .harness import both, compare_layer, random

TOLERANCE = {"atol": 2e-5, "rtol": 1e-5}  # sums of many products: float32 rounding differs by order


@pytest.mark.parametrize("name,args,kwargs,shape", [
    ("Conv3D", (3, 2), {}, (2, 4, 5, 4, 2)),
    ("Conv3D", (2, (2, 3, 1)), {"padding": "same", "strides": 2}, (1, 5, 4, 3, 2)),
    ("Conv1DTranspose", (3, 3), {}, (2, 5, 2)),
    ("Conv1DTranspose", (3, 3), {"strides": 2, "padding": "same"}, (2, 5, 2)),
    ("Conv1DTranspose", (2, 2), {"strides": 3}, (2, 4, 2)),
    ("Conv1DTranspose", (2, 4), {"strides": 2, "padding": "same", "dilation_rate": 1}, (2, 4, 2)),
    ("Conv2DTranspose", (4, 3), {}, (2, 4, 5, 3)),
    ("Conv2DTranspose", (4, 3), {"strides": 2, "padding": "same"}, (2, 4, 5, 3)),
    ("Conv2DTranspose", (2, (2, 3)), {"strides": (2, 1), "padding": "same"}, (2, 4, 5, 3)),
    ("Conv2DTranspose", (2, 3), {"strides": 2, "output_padding": 1}, (2, 4, 4, 3)),
    ("Conv2DTranspose", (2, 3), {"dilation_rate": 2, "activation": "relu"}, (2, 4, 4, 3)),
    ("DepthwiseConv2D", (3,), {}, (2, 6, 5, 3)),
    ("DepthwiseConv2D", (3,), {"depth_multiplier": 2, "padding": "same", "strides": 2}, (2, 6, 5, 3)),
    ("DepthwiseConv2D", ((2, 3),), {"dilation_rate": 2}, (2, 7, 7, 2)),
    ("DepthwiseConv1D", (3,), {"depth_multiplier": 3}, (2, 6, 2)),
    ("SeparableConv2D", (4, 3), {}, (2, 6, 5, 3)),
    ("SeparableConv2D", (4, 3), {"depth_multiplier": 2, "padding": "same", "strides": 2}, (2, 6, 5, 3)),
    ("SeparableConv1D", (4, 3), {"padding": "same", "activation": "tanh"}, (2, 6, 3)),
])
def test_convolutions_match_keras(name, args, kwargs, shape):
    compare_layer(*both(name, *args, **kwargs), random(*shape), **TOLERANCE)


def test_transposed_convolution_bias_covers_zero_extended_border():
    # stride 3 > kernel 2 with 'valid': Keras extends the output with zeros, then adds the bias
    keras_layer, ember_layer, _, _ = compare_layer(*both("Conv1DTranspose", 2, 2, strides=3), random(2, 4, 2),
                                                   weights_from=[random(2, 2, 2), random(2)], **TOLERANCE)
    assert ember_layer.compute_output_shape((None, 4, 2)) == (None, 12, 2)


@pytest.mark.parametrize("kwargs,shape", [
    ({}, (2, 3, 5, 5, 2)), ({"padding": "same", "return_sequences": True}, (2, 3, 5, 4, 2)),
    ({"strides": 2, "return_state": True}, (2, 3, 6, 6, 1)),
    ({"padding": "same", "go_backwards": True, "dilation_rate": 2}, (1, 2, 6, 6, 2)),
])
def test_conv_lstm_2d(kwargs, shape):
    compare_layer(*both("ConvLSTM2D", 3, 3, **kwargs), random(*shape), **TOLERANCE)


def test_conv_lstm_2d_with_mask():
    mask = [[True, True, False], [True, False, False]]
    compare_layer(*both("ConvLSTM2D", 2, 3, padding="same", return_sequences=True), random(2, 3, 4, 4, 2),
                  call_kwargs={"mask": __import__("numpy").array(mask)}, **TOLERANCE)
