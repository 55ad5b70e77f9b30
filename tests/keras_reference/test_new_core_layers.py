"""RMSNormalization, EinsumDense, GroupQueryAttention, adaptive pooling, SpectralNormalization,
ReversibleEmbedding, SpatialDropout3D, ConvLSTM1D/3D and TorchModuleWrapper against real Keras 3."""
import numpy as np
import pytest

import ember
from ember import keras as ember_keras

import keras
import torch

from .harness import as_numpy, both, compare_layer, random

L = ember_keras.layers


@pytest.mark.parametrize("kwargs,shape", [
    ({}, (3, 4, 6)), ({"axis": 2}, (3, 4, 6)), ({"axis": [1, 2]}, (2, 3, 4)), ({"epsilon": 1e-3}, (5, 8)),
])
def test_rms_normalization(kwargs, shape):
    scale_shape = tuple(shape[a] for a in sorted(kwargs.get("axis", [-1]) if isinstance(kwargs.get("axis", -1), list)
                                              else [kwargs.get("axis", -1)]))
    compare_layer(*both("RMSNormalization", **kwargs), random(*shape), weights_from=[random(*scale_shape)])


@pytest.mark.parametrize("equation,output_shape,bias_axes,shape", [
    ("ab,bc->ac", 4, "c", (3, 5)), ("abc,cd->abd", (None, 6), "d", (2, 3, 5)),
    ("abc,cde->abde", (None, 2, 4), "de", (2, 3, 5)), ("abc,cde->abde", (None, 2, 4), "e", (2, 3, 5)),
    ("...b,bc->...c", 4, "c", (2, 3, 5)), ("abc,cd->abd", (3, 6), None, (2, 3, 5)),
    ("ab...,bc->ac...", 4, "c", (2, 5, 3)), ("bqm,muh->bquh", (None, 2, 3), "uh", (2, 4, 6)),
])
def test_einsum_dense(equation, output_shape, bias_axes, shape):
    make = both("EinsumDense", equation, output_shape=output_shape, bias_axes=bias_axes, activation="tanh")
    keras_layer, _, _, _ = compare_layer(*make, random(*shape))
    weights = [random(*w.shape) for w in keras_layer.get_weights()]
    compare_layer(*make, random(*shape), weights_from=weights)


def test_einsum_dense_initializer_fans_match_keras():
    # glorot_uniform over the kernel's input/output letters: limit sqrt(6 / (fan_in + fan_out))
    ember_layer = L.EinsumDense("abc,cde->abde", output_shape=(None, 4, 8), bias_axes="de")
    ember_layer(ember.ones(1, 2, 16))
    keras_layer = keras.layers.EinsumDense("abc,cde->abde", output_shape=(None, 4, 8), bias_axes="de")
    keras_layer(torch.ones(1, 2, 16))
    limit = np.sqrt(6.0 / (16 + 32))
    for kernel in (ember_layer.kernel.numpy(), as_numpy(keras_layer.kernel)):
        assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit
        assert abs(kernel.std() - limit / np.sqrt(3)) < 0.1 * limit


def test_einsum_dense_bad_equation():
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        L.EinsumDense("ab->b", 3)(ember.ones(2, 3))
    with pytest.raises(ValueError, match="Bias dimension 'z'"):
        L.EinsumDense("ab,bc->ac", 3, bias_axes="z")(ember.ones(2, 3))


@pytest.mark.parametrize("kwargs,call_kwargs", [
    ({"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2}, {}),
    ({"head_dim": 3, "num_query_heads": 2, "num_key_value_heads": 1, "use_bias": False}, {"use_causal_mask": True}),
    ({"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 4, "sliding_window": 2}, {}),
    ({"head_dim": 4, "num_query_heads": 2, "num_key_value_heads": 1, "use_gate": True}, {}),
])
def test_grouped_query_attention(kwargs, call_kwargs):
    query, value = random(2, 5, 6), random(2, 4, 6)
    if "sliding_window" in kwargs or call_kwargs.get("use_causal_mask"):
        value = random(2, 5, 6)
    make_keras, make_ember = both("GroupQueryAttention", **kwargs)
    keras_layer, ember_layer, _, _ = compare_layer(make_keras, make_ember, query,
                                                   call_kwargs={"value": value, **call_kwargs}, check_shape=False)
    assert ember_layer.compute_output_shape((None, 5, 6), (None, 4, 6)) == (None, 5, 6)
    assert [w.path for w in keras_layer.weights][0].endswith("query/kernel")


def test_grouped_query_attention_scores_and_masks():
    query, value = random(2, 5, 6), random(2, 3, 6)
    mask = np.array([[[1, 1, 0]] * 5, [[1, 0, 1]] * 5], dtype=bool)
    make_keras, make_ember = both("GroupQueryAttention", head_dim=4, num_query_heads=4, num_key_value_heads=2)
    compare_layer(make_keras, make_ember, query, call_kwargs={"value": value, "attention_mask": mask,
                                                                "return_attention_scores": True},
                  check_shape=False)


@pytest.mark.parametrize("kind", ["Average", "Max"])
@pytest.mark.parametrize("rank,output_size,shape", [
    (1, 3, (2, 7, 3)), (1, 4, (2, 4, 2)), (2, (2, 3), (2, 7, 5, 3)), (2, 4, (1, 9, 9, 2)),
    (3, (2, 1, 3), (1, 5, 4, 7, 2)),
])
def test_adaptive_pooling(kind, rank, output_size, shape):
    compare_layer(*both(f"Adaptive{kind}Pooling{rank}D", output_size), random(*shape))


def test_adaptive_pooling_channels_first():
    compare_layer(*both("AdaptiveAveragePooling2D", (2, 3), data_format="channels_first"), random(2, 3, 7, 5))


def test_spectral_normalization_inference_and_training():
    x = random(4, 3)
    kernel, bias = random(3, 5), random(5)
    # Inference: the wrapped layer as it is; weights Dense's kernel, bias, then vector_u.
    keras_layer, ember_layer, _, _ = compare_layer(
        lambda: keras.layers.SpectralNormalization(keras.layers.Dense(5), power_iterations=2),
        lambda: L.SpectralNormalization(L.Dense(5), power_iterations=2), x,
        weights_from=[kernel, random(1, 5), bias])
    # Training: the same power iteration from the same vector_u, the kernel divided in place.
    keras_out = keras_layer(torch.tensor(x), training=True)
    ember_out = ember_layer(ember.tensor(x), training=True)
    np.testing.assert_allclose(as_numpy(ember_out), as_numpy(keras_out), rtol=1e-5, atol=1e-5)
    for keras_weight, ember_weight in zip(keras_layer.get_weights(), ember_layer.get_weights()):
        np.testing.assert_allclose(ember_weight, keras_weight, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="no attribute 'kernel' nor 'embeddings'"):
        L.SpectralNormalization(L.ReLU())(ember.ones(2, 3))


@pytest.mark.parametrize("kwargs", [{}, {"tie_weights": False}, {"logit_soft_cap": 2.0},
                                    {"tie_weights": False, "mask_zero": True}])
def test_reversible_embedding(kwargs):
    ids = np.array([[1, 4, 0], [2, 2, 9]])
    make_keras, make_ember = both("ReversibleEmbedding", 10, 6, **kwargs)
    keras_layer, ember_layer, _, _ = compare_layer(make_keras, make_ember, ids)
    vectors = random(2, 3, 6)
    keras_logits = keras_layer(torch.tensor(vectors), reverse=True)
    ember_logits = ember_layer(ember.tensor(vectors), reverse=True)
    np.testing.assert_allclose(as_numpy(ember_logits), as_numpy(keras_logits), rtol=1e-5, atol=1e-5)
    assert tuple(ember_layer.compute_output_shape((None, 3, 6), reverse=True)) == (None, 3, 10)


def test_spatial_dropout_3d():
    compare_layer(*both("SpatialDropout3D", 0.5, seed=1), random(2, 3, 3, 3, 4))
    dropped = L.SpatialDropout3D(0.5, seed=1)(ember.ones(32, 2, 3, 2, 8), training=True).numpy()
    assert np.all(dropped == dropped[:, :1, :1, :1]) and 0.35 < (dropped == 0).mean() < 0.65


@pytest.mark.parametrize("name,shape,kwargs", [
    ("ConvLSTM1D", (2, 3, 7, 2), {}), ("ConvLSTM1D", (2, 3, 7, 2), {"padding": "same", "return_sequences": True}),
    ("ConvLSTM3D", (1, 2, 4, 4, 3, 1), {"padding": "same"}), ("ConvLSTM3D", (1, 2, 4, 5, 4, 2), {"strides": 2}),
])
def test_conv_lstm_1d_3d(name, shape, kwargs):
    compare_layer(*both(name, 2, 3, **kwargs), random(*shape), atol=2e-5)


def test_aliases_are_keras_classes():
    assert L.Convolution1DTranspose is L.Conv1DTranspose and L.Convolution3DTranspose is L.Conv3DTranspose
    assert L.SeparableConvolution1D is L.SeparableConv1D and L.GroupQueryAttention is L.GroupedQueryAttention
    assert L.InputSpec is ember_keras.InputSpec and L.InputSpec(ndim=3).ndim == 3


def test_torch_module_wrapper_trains_an_ember_module():
    module = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.Linear(8, 1))
    model = ember_keras.Sequential([ember_keras.Input((4,)), L.TorchModuleWrapper(module)])
    keras_model = keras.Sequential([keras.Input((4,)), keras.layers.TorchModuleWrapper(
        torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1)))])
    assert model.count_params() == keras_model.count_params() == 49
    assert set(keras_model.layers[0].get_config()) <= set(model.layers[0].get_config())
    x, y = random(64, 4), random(64, 1)
    model.compile("sgd", "mse")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before


def test_torch_module_wrapper_config_needs_unsafe_mode():
    layer = L.TorchModuleWrapper(ember.nn.Linear(3, 2))
    config = layer.get_config()
    with pytest.raises(ValueError, match="safe_mode=False"):
        L.TorchModuleWrapper.from_config(config)
    rebuilt = L.TorchModuleWrapper.from_config(config, safe_mode=False)
    x = ember.ones(2, 3)
    np.testing.assert_allclose(rebuilt(x).detach().numpy(), layer(x).detach().numpy())
