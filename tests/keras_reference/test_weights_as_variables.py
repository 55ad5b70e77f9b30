"""Layer weights are keras.Variables (as in Keras 3), and functional models list them as Keras does.

- ``layer.kernel`` supports Keras 3's Variable API (``assign``/``assign_add``/``assign_sub``,
  ``value``, ``numpy()``, ``trainable``, ``name``, ``path``) with the same results as real
  Keras, changes the layer in place, and stays the tensor the optimizer updates.
- A multi-branch functional model lists layers and ``get_weights()`` in Keras's order, so
  ``set_weights(keras_model.get_weights())`` copies between the two libraries.
"""
import pickle

import numpy as np

from ember import keras as ember_keras

import keras

from .harness import RNG, as_numpy


def _dense(library, units=3):
    layer = library.layers.Dense(units, name="dense")
    layer(np.ones((1, 2), "float32"))
    return layer


def test_weight_variable_api_matches_keras():
    layers = {"keras": _dense(keras), "ember": _dense(ember_keras)}
    layers["ember"].set_weights(layers["keras"].get_weights())
    kernel = RNG.normal(size=(2, 3)).astype("float32")
    x = RNG.normal(size=(4, 2)).astype("float32")
    outputs = {}
    for library, layer in layers.items():
        assert layer.kernel.path == "dense/kernel" and layer.kernel.name == "kernel"
        assert layer.kernel.trainable and layer.bias.trainable
        layer.kernel.assign(kernel)
        layer.kernel.assign_add(np.ones((2, 3), "float32"))
        layer.bias.assign_sub(np.full((3,), 0.5, "float32"))
        outputs[library] = as_numpy(layer(x))
        np.testing.assert_allclose(np.asarray(layer.kernel.numpy()), kernel + 1.0)
        assert tuple(layer.kernel.value.shape) == (2, 3)
    assert isinstance(layers["ember"].kernel, ember_keras.Variable)
    np.testing.assert_allclose(outputs["ember"], outputs["keras"], rtol=1e-6, atol=1e-6)


def test_non_trainable_weights_and_freezing_match_keras():
    for library in (keras, ember_keras):
        norm = library.layers.BatchNormalization(name="norm")
        norm(np.ones((2, 3), "float32"))
        assert [(w.path, w.trainable) for w in norm.weights] == [
            ("norm/gamma", True), ("norm/beta", True), ("norm/moving_mean", False), ("norm/moving_variance", False)]
        norm.moving_mean.assign(np.full((3,), 2.0, "float32"))
        np.testing.assert_allclose(np.asarray(norm.moving_mean.numpy()), 2.0)
        dense = _dense(library)
        dense.trainable = False
        assert not dense.kernel.trainable and dense.trainable_weights == []
        dense.trainable = True
        assert dense.kernel.trainable and len(dense.trainable_weights) == 2


def test_an_assigned_weight_is_still_the_one_fit_trains():
    model = ember_keras.Sequential([ember_keras.Input((2,)), ember_keras.layers.Dense(1, name="out")])
    kernel = model.layers[0].kernel
    kernel.assign(np.zeros((2, 1), "float32"))
    model.compile(ember_keras.optimizers.SGD(0.1), "mse")
    model.fit(np.ones((4, 2), "float32"), np.ones((4, 1), "float32"), epochs=2, verbose=0)
    assert model.layers[0].kernel is kernel and float(np.abs(kernel.numpy()).sum()) > 0
    restored = pickle.loads(pickle.dumps(kernel))  # pickling keeps the Keras type and path
    assert isinstance(restored, ember_keras.Variable) and restored.path == "out/kernel"


def _multi_branch(library):
    first, second = library.Input((4,), name="first"), library.Input((6,), name="second")
    x = library.layers.Dense(5, name="x1")(first)
    y = library.layers.Dense(7, name="y1")(second)
    y = library.layers.Dense(3, name="y2")(y)
    x = library.layers.Dense(2, name="x2")(x)
    merged = library.layers.Concatenate(name="merge")([x, y])
    side = library.layers.Dense(8, name="side")(second)
    both = library.layers.Concatenate(name="merge_side")([merged, side])
    shared = library.layers.Dense(4, name="shared")
    out = library.layers.Add(name="add")([shared(library.layers.Dense(4, name="pre")(both)),
                                          shared(library.layers.Dense(4, name="skip")(first))])
    return library.Model([first, second], library.layers.Dense(1, name="out")(out))


def test_multi_branch_functional_model_orders_layers_and_weights_as_keras():
    models = {"keras": _multi_branch(keras), "ember": _multi_branch(ember_keras)}
    assert [layer.name for layer in models["ember"].layers] == [layer.name for layer in models["keras"].layers]
    keras_weights = models["keras"].get_weights()
    assert [w.shape for w in models["ember"].get_weights()] == [w.shape for w in keras_weights]
    models["ember"].set_weights(keras_weights)
    inputs = [RNG.normal(size=(3, 4)).astype("float32"), RNG.normal(size=(3, 6)).astype("float32")]
    np.testing.assert_allclose(as_numpy(models["ember"](inputs)), as_numpy(models["keras"](inputs)),
                               rtol=1e-5, atol=1e-5)


def test_functional_config_round_trip_keeps_keras_order():
    model = _multi_branch(ember_keras)
    clone = ember_keras.Model.from_config(model.get_config())
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]


def test_a_layer_built_directly_keeps_its_weights_at_the_first_call():
    # layer.build(shape), then set_weights, then a call: Keras keeps the weights set (built=True)
    x = RNG.normal(size=(2, 3)).astype("float32")
    weights = [RNG.normal(size=(3, 2)).astype("float32"), RNG.normal(size=(2,)).astype("float32")]
    outputs = {}
    for name, library in (("keras", keras), ("ember", ember_keras)):
        layer = library.layers.Dense(2)
        layer.build((None, 3))
        assert layer.built
        layer.set_weights(weights)
        outputs[name] = as_numpy(layer(x))
    np.testing.assert_allclose(outputs["ember"], outputs["keras"], rtol=1e-6, atol=1e-6)


def test_a_sub_layer_built_in_its_parents_build_is_built_once():
    class Block(ember_keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.dense = ember_keras.layers.Dense(4)

        def build(self, input_shape):
            self.dense.build(input_shape)

        def call(self, inputs):
            return self.dense(inputs)

    block = Block()
    block.build((None, 3))
    kernel = block.dense.kernel
    block(np.ones((2, 3), "float32"))
    assert block.dense.kernel is kernel and len(block.weights) == 2
