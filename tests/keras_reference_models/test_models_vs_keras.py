"""Models built, frozen, cloned and trained in Ember and in real Keras 3 from the same weights."""
import numpy as np
import pytest

import ember as tf
from ember import keras

import keras as real_keras

RNG = np.random.default_rng(0)
X = RNG.normal(size=(96, 6)).astype("float32")
LABELS = RNG.integers(0, 3, size=96)


def _mlp(module):
    return module.Sequential([module.Input((6,)), module.layers.Dense(16, activation="relu", name="hidden"),
                              module.layers.Dropout(0.0), module.layers.Dense(3, name="logits")], name="mlp")


def _sync(source, target):
    target.set_weights([np.asarray(w) for w in source.get_weights()])


def test_sequential_symbolic_view_matches_keras():
    ours, theirs = _mlp(keras), _mlp(real_keras)
    assert ours.input_shape == theirs.input_shape and ours.output_shape == theirs.output_shape
    assert [tuple(t.shape) for t in ours.inputs] == [tuple(t.shape) for t in theirs.inputs]
    assert [tuple(t.shape) for t in ours.outputs] == [tuple(t.shape) for t in theirs.outputs]
    assert tuple(ours.input.shape) == (None, 6) and tuple(ours.output.shape) == (None, 3)  # Keras has no .input here
    # Keras's feature-extraction idiom: a functional model over a Sequential's symbolic tensors.
    features = keras.Model(ours.inputs, [layer.output for layer in ours.layers])
    assert [tuple(o.shape) for o in features(tf.ones(2, 6))] == [(2, 16), (2, 16), (2, 3)]
    assert ours.get_layer("hidden").name == theirs.get_layer("hidden").name
    assert ours.get_layer(index=2).name == theirs.get_layer(index=2).name
    assert ours.count_params() == theirs.count_params()


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "sgd"])
def test_fit_losses_match_keras_from_the_same_weights(optimizer):
    ours, theirs = _mlp(keras), _mlp(real_keras)
    _sync(theirs, ours)
    ours.compile(optimizer, keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    theirs.compile(optimizer, real_keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    a = ours.fit(X, LABELS, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    b = theirs.fit(X, LABELS, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(a["loss"], b["loss"], rtol=1e-4)
    np.testing.assert_allclose(a["accuracy"], b["accuracy"], rtol=1e-4)
    np.testing.assert_allclose(ours.predict(X, verbose=0), theirs.predict(X, verbose=0), rtol=1e-4, atol=1e-5)


def test_fit_on_a_pipeline_matches_keras_on_arrays():
    ours, theirs = _mlp(keras), _mlp(real_keras)
    _sync(theirs, ours)
    ours.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    theirs.compile("adam", real_keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    pipeline = tf.data.Dataset.from_tensor_slices((X, LABELS)).batch(16).prefetch(tf.data.AUTOTUNE)
    a = ours.fit(pipeline, epochs=2, verbose=0).history["loss"]
    b = theirs.fit(X, LABELS, batch_size=16, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(a, b, rtol=1e-4)


def _transfer(module, **call_options):
    base = module.Sequential([module.Input((6,)), module.layers.Dense(8, activation="tanh", name="base_dense"),
                              module.layers.BatchNormalization(name="base_norm")], name="base")
    inputs = module.Input((6,))
    outputs = module.layers.Dense(3, name="head")(base(inputs, **call_options))
    return module.Model(inputs, outputs), base


def test_freezing_for_fine_tuning_matches_keras():
    ours, our_base = _transfer(keras)
    theirs, their_base = _transfer(real_keras)
    _sync(theirs, ours)
    frozen = [np.asarray(w).copy() for w in our_base.get_weights()]
    for model, base, module in ((ours, our_base, keras), (theirs, their_base, real_keras)):
        base.trainable = False
        model.compile(module.optimizers.Adam(0.01), module.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert len(ours.trainable_weights) == len(theirs.trainable_weights) == 2
    assert len(ours.non_trainable_weights) == len(theirs.non_trainable_weights)
    a = ours.fit(X, LABELS, batch_size=32, epochs=3, shuffle=False, verbose=0).history["loss"]
    b = theirs.fit(X, LABELS, batch_size=32, epochs=3, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(a, b, rtol=1e-4)
    for before, after in zip(frozen, our_base.get_weights()):
        np.testing.assert_array_equal(before, np.asarray(after))  # nothing in the frozen base moved
    # Unfreeze and continue, as the fine-tuning recipe does (recompile after changing trainable).
    for model, base, module in ((ours, our_base, keras), (theirs, their_base, real_keras)):
        base.trainable = True
        model.compile(module.optimizers.Adam(1e-3), module.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert len(ours.trainable_weights) == len(theirs.trainable_weights)
    a = ours.fit(X, LABELS, batch_size=32, epochs=2, shuffle=False, verbose=0).history["loss"]
    b = theirs.fit(X, LABELS, batch_size=32, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(a, b, rtol=1e-4)


def test_base_called_with_training_false_stays_in_inference_mode_after_unfreezing():
    """The transfer-learning guide's `base(inputs, training=False)`: Ember keeps it, so BatchNormalization's
    moving statistics do not move during fine-tuning. Real Keras 3 lets fit's training=True override the
    recorded flag (keras-team/keras#20285), so this is one place where Ember follows the guide, not Keras 3."""
    model, base = _transfer(keras, training=False)
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    norm = base.get_layer("base_norm")
    before = [np.asarray(norm.moving_mean).copy(), np.asarray(norm.moving_variance).copy()]
    model.fit(X, LABELS, batch_size=32, epochs=1, verbose=0)
    np.testing.assert_array_equal(np.asarray(norm.moving_mean), before[0])
    np.testing.assert_array_equal(np.asarray(norm.moving_variance), before[1])
    assert not np.allclose(np.asarray(base.get_layer("base_dense").kernel.detach()), 0)


def test_clone_model_matches_keras_structure_with_fresh_weights():
    ours, _ = _transfer(keras)
    theirs, _ = _transfer(real_keras)
    our_clone, their_clone = keras.models.clone_model(ours), real_keras.models.clone_model(theirs)
    assert our_clone.count_params() == their_clone.count_params() == ours.count_params()
    assert [l.name for l in our_clone.layers] == [l.name for l in ours.layers]
    assert not np.allclose(np.asarray(our_clone.get_layer("head").get_weights()[0]),
                           np.asarray(ours.get_layer("head").get_weights()[0]))
    for module in (keras, real_keras):
        original = _mlp(module)
        renamed = module.models.clone_model(original, clone_function=lambda layer: layer.__class__.from_config(
            {**layer.get_config(), "name": layer.name + "_copy"}))
        assert [l.name for l in renamed.layers] == [l.name + "_copy" for l in original.layers]
        assert renamed.output_shape == (None, 3)


def test_save_and_load_after_fine_tuning(tmp_path):
    ours, base = _transfer(keras)
    base.trainable = False
    ours.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    ours.fit(X, LABELS, epochs=1, verbose=0)
    path = tmp_path / "tuned.keras"
    ours.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), ours.predict(X, verbose=0), rtol=1e-6)
    sequential = _mlp(keras)
    sequential.save(tmp_path / "mlp.keras")
    again = keras.models.load_model(tmp_path / "mlp.keras")
    assert again.input_shape == (None, 6) and again.output_shape == (None, 3) and len(again.inputs) == 1


def test_keras_variable_matches_keras_and_is_a_layer_weight():
    for module in (keras, real_keras):
        v = module.Variable("zeros", shape=(3,), name="bias")
        v.assign_add(np.ones(3, "float32"))
        assert v.name == "bias" and tuple(v.shape) == (3,) and np.asarray(v.numpy()).tolist() == [1.0, 1.0, 1.0]
        assert module.Variable(np.eye(2, dtype="float32"), trainable=False).trainable is False

    class Shift(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.shift = keras.Variable("ones", shape=(2,), name="shift")

        def call(self, x):
            return x + self.shift
    layer = Shift()
    assert [tuple(w.shape) for w in layer.trainable_weights] == [(2,)]
    assert layer(tf.zeros(1, 2)).tolist() == [[1.0, 1.0]]
