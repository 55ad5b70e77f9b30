"""keras.mixed_precision: float32 stays float32; mixed_float16 computes in float16 with float32 variables."""
import numpy as np
import pytest

import ember
from ember import keras


@pytest.fixture(autouse=True)
def restore_policy():
    yield
    keras.mixed_precision.set_global_policy("float32")


def small_model(last_dtype=None):
    return keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.BatchNormalization(), keras.layers.Dense(3),
                             keras.layers.Softmax(dtype=last_dtype)])


def test_policy_names_and_dtypes():
    policy = keras.mixed_precision.Policy("mixed_float16")
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == ("mixed_float16", "float16", "float32")
    plain = keras.mixed_precision.DTypePolicy("float32")
    assert plain.compute_dtype == plain.variable_dtype == "float32"
    assert keras.mixed_precision.global_policy().name == "float32"
    with pytest.raises(ValueError, match="mixed precision policy"):
        keras.mixed_precision.Policy("mixed_float8")


def test_float32_policy_changes_nothing():
    keras.mixed_precision.set_global_policy("float32")
    model = small_model()
    out = model(np.ones((4, 6), "float32"))
    assert out.dtype == ember.float32
    assert all(w.dtype == ember.float32 for w in model.weights)
    assert model.layers[0].compute_dtype == "float32"


def test_mixed_float16_computes_in_float16_with_float32_variables():
    keras.mixed_precision.set_global_policy("mixed_float16")
    assert keras.mixed_precision.global_policy().name == "mixed_float16"
    dense = keras.layers.Dense(4)
    x = np.random.default_rng(0).normal(size=(3, 5)).astype("float32")
    hidden = dense(ember.tensor(x))
    assert hidden.dtype == ember.float16
    assert dense.kernel.dtype == ember.float32 and dense.bias.dtype == ember.float32
    assert (dense.compute_dtype, dense.variable_dtype, dense.dtype_policy.name) == \
        ("float16", "float32", "mixed_float16")
    # the float16 result is the float32 computation rounded (to float16's precision)
    expected = x @ dense.kernel.detach().numpy() + dense.bias.detach().numpy()
    np.testing.assert_allclose(hidden.detach().numpy().astype("float32"), expected, rtol=1e-2, atol=1e-2)


def test_unsafe_layers_stay_float32_and_gradients_reach_float32_variables():
    keras.mixed_precision.set_global_policy("mixed_float16")
    model = small_model()
    dense, norm, _, softmax = model.layers
    assert norm.compute_dtype == "float16" and softmax.compute_dtype == "float16"  # as Keras reports them
    x = ember.tensor(np.random.default_rng(1).normal(size=(4, 6)).astype("float32"))
    seen = {}
    original_call = type(norm).call

    def spy(self, inputs, *args, **kwargs):
        seen["inside"] = inputs.dtype
        return original_call(self, inputs, *args, **kwargs)
    type(norm).call = spy
    try:
        out = model(x, training=True)
    finally:
        type(norm).call = original_call
    assert seen["inside"] == ember.float32  # BatchNormalization's statistics are taken in float32
    assert out.dtype == ember.float16  # and it returns float16, as in Keras
    out.float().sum().backward()
    assert dense.kernel.grad is not None and dense.kernel.grad.dtype == ember.float32
    assert all(w.dtype == ember.float32 for w in model.weights)


def test_mixed_float16_model_trains_with_fit():
    keras.mixed_precision.set_global_policy("mixed_float16")
    model = small_model(last_dtype="float32")  # Keras's advice: a float32 last layer
    assert model(np.ones((2, 6), "float32")).dtype == ember.float32
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(2)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    before = [w.copy() for w in model.get_weights()] if model.built else None
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert before is None or any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_explicit_dtype_overrides_the_global_policy_and_config_keeps_the_policy():
    keras.mixed_precision.set_global_policy("mixed_float16")
    assert keras.layers.Dense(2, dtype="float32").compute_dtype == "float32"
    layer = keras.layers.Dense(2)
    assert layer.get_config()["dtype"] == "mixed_float16"
    keras.mixed_precision.set_global_policy("float32")
    assert keras.layers.Dense.from_config(layer.get_config()).compute_dtype == "float16"


def test_loss_scale_optimizer_is_reachable_from_mixed_precision():
    assert keras.mixed_precision.LossScaleOptimizer is keras.optimizers.LossScaleOptimizer
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        keras.mixed_precision.Nothing
