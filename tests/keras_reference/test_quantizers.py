"""keras.quantizers against real Keras 3 (torch backend): the same inputs give the same numbers."""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras

import keras

from .harness import random


def _numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


@pytest.mark.parametrize("axis", [-1, 0, (0, 1)])
@pytest.mark.parametrize("to_numpy", [False, True])
def test_abs_max_quantize_matches_keras(axis, to_numpy):
    x = random(4, 6, 3) * 3
    expected = keras.quantizers.abs_max_quantize(x, axis=axis, to_numpy=to_numpy)
    actual = ember_keras.quantizers.abs_max_quantize(x, axis=axis, to_numpy=to_numpy)
    np.testing.assert_array_equal(_numpy(actual[0]), _numpy(expected[0]))
    assert _numpy(actual[0]).dtype == np.int8
    np.testing.assert_allclose(_numpy(actual[1]), _numpy(expected[1]), rtol=1e-7)


def test_abs_max_quantizer_class_matches_keras():
    x = random(5, 4)
    for kwargs, call in (({}, {}), ({"axis": 0, "value_range": (-7, 7)}, {}), ({}, {"axis": 0})):
        theirs, mine = keras.quantizers.AbsMaxQuantizer(**kwargs), ember_keras.quantizers.AbsMaxQuantizer(**kwargs)
        assert mine.get_config() == theirs.get_config()
        for a, b in zip(mine(x, **call), theirs(x, **call)):
            np.testing.assert_allclose(_numpy(a), _numpy(b), rtol=1e-7)
    for module in (keras, ember_keras):
        with pytest.raises(ValueError, match=r"within the interval \[-128, 127\]"):
            module.quantizers.AbsMaxQuantizer(value_range=(-200, 200))
    assert ember_keras.Quantizer is ember_keras.quantizers.Quantizer
    assert ember_keras.quantizers.Quantizer()(x) is x


def test_serialize_deserialize_get_match_keras():
    quantizer = ember_keras.quantizers.AbsMaxQuantizer(axis=-1, value_range=(-100, 100))
    config = ember_keras.quantizers.serialize(quantizer)
    assert config == keras.quantizers.serialize(keras.quantizers.AbsMaxQuantizer(axis=-1, value_range=(-100, 100)))
    for source in (config, keras.quantizers.serialize(keras.quantizers.AbsMaxQuantizer(axis=0))):
        rebuilt = ember_keras.quantizers.deserialize(source)
        assert isinstance(rebuilt, ember_keras.quantizers.AbsMaxQuantizer)
        assert rebuilt.get_config() == keras.quantizers.deserialize(source).get_config()
        assert ember_keras.quantizers.get(source).get_config() == rebuilt.get_config()
    assert isinstance(ember_keras.quantizers.get("abs_max_quantizer"), ember_keras.quantizers.AbsMaxQuantizer)
    assert ember_keras.quantizers.get(quantizer) is quantizer and ember_keras.quantizers.get(None) is None
    for module in (keras, ember_keras):
        with pytest.raises(ValueError, match="Could not interpret quantizer identifier"):
            module.quantizers.get("no_such_quantizer")


CASES = [  # (min, max, num_bits, narrow_range, axis)
    (-0.25, 0.6, 4, False, None),
    (-1.0, 1.0, 8, False, None),
    (-1.0, 0.5, 8, True, None),
    (0.1, 2.0, 3, False, None),  # a range that excludes 0 (the nudge moves it)
    ([-0.5, -1.0, -0.2], [0.5, 0.3, 1.5], 4, False, 1),
    ([-0.5, -1.0, -0.2], [0.5, 0.3, 1.5], 5, True, -1),
    # (Keras's per-channel bounds broadcast against the last axis only: axis=0 fails there)
]


@pytest.mark.parametrize("low, high, num_bits, narrow_range, axis", CASES)
def test_fake_quant_with_min_max_vars_matches_keras_values_and_gradients(low, high, num_bits, narrow_range, axis):
    x = random(4, 3) * 1.5
    cotangent = random(4, 3)
    low, high = np.asarray(low, dtype="float32"), np.asarray(high, dtype="float32")
    results = []
    for module, make, grads_of in (
            (keras, lambda v: torch.tensor(v, requires_grad=True), lambda t: t.grad.numpy()),
            (ember_keras, lambda v: ember.tensor(v, requires_grad=True), lambda t: t.grad.numpy())):
        tensors = [make(v) for v in (x, low, high)]
        out = module.quantizers.fake_quant_with_min_max_vars(*tensors, num_bits=num_bits,
                                                               narrow_range=narrow_range, axis=axis)
        (out * make(cotangent)).sum().backward()
        results.append([_numpy(out)] + [grads_of(t) for t in tensors])
    (out_k, *grads_k), (out_e, *grads_e) = results
    np.testing.assert_allclose(out_e, out_k, rtol=1e-6, atol=1e-7)
    for mine, theirs in zip(grads_e, grads_k):
        assert mine.shape == theirs.shape
        np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("quantized_dtype", ["float8_e4m3fn", "float8_e5m2"])
def test_quantize_and_dequantize_matches_keras(quantized_dtype):
    rng = np.random.default_rng(3)
    # every magnitude from subnormals to past the format's largest value, exact ties included
    x = np.concatenate([rng.normal(size=200) * 10.0 ** rng.integers(-6, 6, size=200),
                        [0.0, -0.0, 1.0625, 1.1875, 2 ** -9 * 1.5, 2 ** -17 * 3, 1e6, -1e6]]).astype("float32")
    for scale in (np.float32(1.0), np.float32(0.37), np.float32(8.0)):
        expected = keras.quantizers.quantize_and_dequantize(x, scale, quantized_dtype, "float32")
        actual = ember_keras.quantizers.quantize_and_dequantize(x, scale, quantized_dtype, "float32")
        np.testing.assert_array_equal(_numpy(actual), _numpy(expected))
    # The gradient passes straight through the rounding, zero where the clip cut the value. Torch's
    # cast backward also rounds the gradient itself to float8 on its way (0.37 -> 0.375 here), which
    # Ember's arithmetic emulation does not: Keras's gradient is Ember's times 0.375 / 0.37.
    xt, xe = torch.tensor(x[:50], requires_grad=True), ember.tensor(x[:50], requires_grad=True)
    keras.quantizers.quantize_and_dequantize(xt, np.float32(0.37), quantized_dtype, "float32").sum().backward()
    ember_keras.quantizers.quantize_and_dequantize(xe, np.float32(0.37), quantized_dtype, "float32").sum().backward()
    dtype_max = {"float8_e4m3fn": 448.0, "float8_e5m2": 57344.0}[quantized_dtype]
    inside = np.abs(x[:50] / np.float32(0.37)) <= dtype_max
    np.testing.assert_allclose(xe.grad.numpy(), inside.astype("float32"), rtol=1e-6)
    np.testing.assert_allclose(xt.grad.numpy(), xe.grad.numpy() * (0.375 / 0.37), rtol=1e-6)
    with pytest.raises(ValueError, match="quantized_dtype must be one of"):
        ember_keras.quantizers.quantize_and_dequantize(x, 1.0, "int8", "float32")


def test_float8_scale_and_amax_history_match_keras():
    for amax in (3.0, 0.0, np.inf, 1e-3):
        for margin in (0, 2):
            args = (np.float32(amax), np.float32(2.0), 448.0)
            np.testing.assert_allclose(_numpy(ember_keras.quantizers.compute_float8_scale(*args, margin=margin)),
                                       _numpy(keras.quantizers.compute_float8_scale(*args, margin=margin)),
                                       rtol=1e-7)
    x, history = random(3, 4), np.arange(5, dtype="float32")
    np.testing.assert_array_equal(_numpy(ember_keras.quantizers.compute_float8_amax_history(x, history)),
                                  _numpy(keras.quantizers.compute_float8_amax_history(x, history)))
