"""Keras 3's top-level names and utilities (config, tree, serialization, InputSpec, Function …) against real Keras."""
import collections
import os

import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras

import keras

from .harness import as_numpy, random

Point = collections.namedtuple("Point", "x y")
# (Keras's optree keeps a dict nested inside a tuple in insertion order but sorts other dicts: a quirk
# left out here.)
STRUCTURES = [1, None, [1, 2], (1, [2, None]), {"b": 1, "a": [2, 3]}, {"k": [1, {"y": 2, "z": 3}]}, Point(4, [5]),
              [], {}]


def test_config_values_match_keras():
    for name in ("floatx", "epsilon", "image_data_format", "max_epochs", "max_steps_per_epoch",
                 "is_interactive_logging_enabled"):
        assert getattr(ember_keras.config, name)() == getattr(keras.config, name)(), name
    assert ember_keras.config.dtype_policy().name == keras.config.dtype_policy().name
    assert ember_keras.config.backend() == "ember"


def test_set_floatx_changes_new_layers_and_restores():
    try:
        ember_keras.config.set_floatx("float64")
        layer = ember_keras.layers.Dense(2)
        layer(np.ones((1, 3)))
        assert ember_keras.config.floatx() == "float64" and layer.kernel.dtype == ember.float64
    finally:
        ember_keras.config.set_floatx("float32")
    assert ember_keras.config.dtype_policy().name == "float32"
    with pytest.raises(ValueError, match="floatx"):
        ember_keras.config.set_floatx("int8")
    ember_keras.config.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="channels_last only"):  # Ember's layers could not honour it
        ember_keras.config.set_image_data_format("channels_first")
    assert ember_keras.config.image_data_format() == "channels_last"


def test_disabled_interactive_logging_sends_progress_to_logging(caplog, capsys):
    model = ember_keras.Sequential([ember_keras.Input((2,)), ember_keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    ember_keras.utils.disable_interactive_logging()
    try:
        with caplog.at_level("INFO", logger="keras"):
            model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=2)
    finally:
        ember_keras.utils.enable_interactive_logging()
    assert "loss" in caplog.text and "loss" not in capsys.readouterr().out


@pytest.mark.parametrize("index", range(len(STRUCTURES)))
def test_tree_functions_match_keras(index):
    value = STRUCTURES[index]
    assert ember_keras.tree.flatten(value) == keras.tree.flatten(value)
    assert ember_keras.tree.flatten_with_path(value) == keras.tree.flatten_with_path(value)
    assert ember_keras.tree.is_nested(value) == keras.tree.is_nested(value)
    double = lambda leaf: None if leaf is None else 2 * leaf  # noqa: E731
    assert ember_keras.tree.map_structure(double, value) == keras.tree.map_structure(double, value)
    leaves = list(range(len(keras.tree.flatten(value))))
    assert ember_keras.tree.pack_sequence_as(value, leaves) == keras.tree.pack_sequence_as(value, leaves)
    assert ember_keras.tree.lists_to_tuples(value) == keras.tree.lists_to_tuples(value)
    bottom_up = lambda node: 0 if isinstance(node, int) else None  # noqa: E731
    assert ember_keras.tree.traverse(bottom_up, value, top_down=False) == \
        keras.tree.traverse(bottom_up, value, top_down=False)


def test_tree_structure_checks_match_keras():
    add = lambda a, b: a + b  # noqa: E731
    assert ember_keras.tree.map_structure(add, (1, [2]), (10, [20])) == keras.tree.map_structure(add, (1, [2]), (10, [20]))
    assert ember_keras.tree.map_structure_up_to((None, None), len, ([1, 2], [3])) == \
        keras.tree.map_structure_up_to((None, None), len, ([1, 2], [3]))
    shapes = {"a": (1, 2), "b": [(3, None)]}
    assert ember_keras.tree.map_shape_structure(len, shapes) == keras.tree.map_shape_structure(len, shapes)
    for first, second in [([1, 2], (1, 2)), ([1, 2], [1, 2, 3]), ({"a": 1}, {"b": 1})]:
        with pytest.raises(ValueError):
            keras.tree.assert_same_structure(first, second)
        with pytest.raises(ValueError):
            ember_keras.tree.assert_same_structure(first, second)
    ember_keras.tree.assert_same_structure({"a": [1]}, {"a": [5]})


def test_name_scope_prefixes_variable_paths_as_keras():
    with keras.name_scope("encoder"), keras.name_scope("block"):
        expected = keras.Variable(1.0, name="scale")
    with ember_keras.name_scope("encoder"), ember_keras.name_scope("block"):
        actual = ember_keras.Variable(1.0, name="scale")
    assert actual.path == expected.path == "encoder/block/scale"


@pytest.mark.parametrize("make", [
    lambda k: k.layers.Dense(3, activation="relu", kernel_regularizer=k.regularizers.L2(0.1)),
    lambda k: k.losses.MeanSquaredError(), lambda k: k.regularizers.L1L2(0.1, 0.2),
    lambda k: k.initializers.GlorotUniform(seed=3), lambda k: k.metrics.AUC(), lambda k: k.layers.Dropout(0.5),
], ids=["dense", "mse", "l1l2", "glorot", "auc", "dropout"])
def test_serialize_keras_object_matches_keras(make):
    expected = keras.utils.serialize_keras_object(make(keras))
    actual = ember_keras.utils.serialize_keras_object(make(ember_keras))
    assert {key: actual[key] for key in ("module", "class_name", "registered_name")} == \
        {key: expected[key] for key in ("module", "class_name", "registered_name")}
    if make(keras).__module__.startswith(("keras.src.metrics", "keras.src.losses")):  # Ember's configs here
        assert set(expected["config"]) <= set(actual["config"])
    restored = ember_keras.utils.deserialize_keras_object(actual)
    assert type(restored) is type(make(ember_keras))
    # a config written by real Keras deserializes in Ember too
    assert type(ember_keras.utils.deserialize_keras_object(expected)) is type(make(ember_keras))


def test_serialize_plain_values_and_functions_match_keras():
    for value in (None, 3, "relu", [1, (2, 3)], {"a": 1.5}):
        assert ember_keras.utils.serialize_keras_object(value) == keras.utils.serialize_keras_object(value)
    array = np.arange(4.0).reshape(2, 2)
    assert ember_keras.utils.serialize_keras_object(array) == keras.utils.serialize_keras_object(array)
    np.testing.assert_array_equal(ember_keras.utils.deserialize_keras_object(
        keras.utils.serialize_keras_object(array)), array)
    function = {"module": "builtins", "class_name": "function", "config": "relu", "registered_name": "function"}
    assert ember_keras.utils.deserialize_keras_object(function) is ember_keras.activations.relu


def test_registration_matches_keras():
    for module in (keras, ember_keras):
        @module.utils.register_keras_serializable(package="refpkg")
        class Scale(module.layers.Layer):
            def call(self, x):
                return 2 * x

        @module.utils.register_keras_serializable()
        def triple(x):
            return 3 * x
        assert module.utils.get_registered_name(Scale) == "refpkg>Scale"
        assert module.utils.get_registered_object("refpkg>Scale") is Scale
        assert module.utils.get_registered_object("Scale") is None
        assert module.utils.get_custom_objects()["Custom>triple"] is triple
        config = module.utils.serialize_keras_object(Scale(name="s"))
        assert (config["module"], config["registered_name"]) == (Scale.__module__, "refpkg>Scale")
        assert type(module.utils.deserialize_keras_object(config)) is Scale
        assert module.utils.serialize_keras_object(triple)["config"] == "Custom>triple"
        with module.utils.custom_object_scope({"Scoped": Scale}):
            assert module.utils.get_registered_object("Scoped") is Scale
        assert module.utils.get_registered_object("Scoped") is None
        del module.utils.get_custom_objects()["refpkg>Scale"], module.utils.get_custom_objects()["Custom>triple"]


@pytest.mark.parametrize("dtype", ["float32", "int", float, int, bool, np.int16, np.float64, None, "bfloat16",
                                   torch.float16, "uint8"])
def test_standardize_dtype_matches_keras(dtype):
    assert ember_keras.utils.standardize_dtype(dtype) == keras.utils.standardize_dtype(dtype)


def test_standardize_dtype_rejects_what_keras_rejects():
    for module in (keras, ember_keras):
        with pytest.raises(ValueError, match="Invalid dtype"):
            module.utils.standardize_dtype("float")


def test_pack_unpack_match_keras():
    for args in [(1,), ((1, 2),), (1, 2), (1, 2, 3), ([1],)]:
        assert ember_keras.utils.pack_x_y_sample_weight(*args) == keras.utils.pack_x_y_sample_weight(*args)
    for data in [5, (5,), [5, 6], (5, 6, 7)]:
        assert ember_keras.utils.unpack_x_y_sample_weight(data) == keras.utils.unpack_x_y_sample_weight(data)


def test_config_container_matches_keras():
    made = []
    for module in (keras, ember_keras):
        config = module.utils.Config(learning_rate=0.1, seed=3)
        config.momentum = 0.9
        config["extra"] = [1]
        made.append((dict(config.items()), list(config), config.to_json(), config.get("nothing", 7), len(config),
                     "seed" in config, config.pop("extra")))
        config.freeze()
        with pytest.raises(ValueError, match="frozen"):
            config.seed = 4
        config.unfreeze()
        config.seed = 4
        assert config.seed == 4 and not config.frozen
    assert made[0] == made[1]


def test_is_keras_tensor_and_source_inputs_match_keras():
    found = []
    for module in (keras, ember_keras):
        a, b = module.Input((3,), name="a"), module.Input((2,), name="b")
        merged = module.layers.Concatenate()([module.layers.Dense(2)(a), b])
        out = module.layers.Dense(1)(merged)
        found.append(([t.name for t in module.utils.get_source_inputs(out)], module.utils.is_keras_tensor(out),
                       module.utils.is_keras_tensor(np.ones(2))))
    assert found[0] == found[1]


def test_input_spec_errors_like_keras():
    for module in (keras, ember_keras):
        class Pair(module.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.input_spec = module.InputSpec(min_ndim=2, axes={-1: 2})

            def call(self, x):
                return x[:, :1] * x[:, 1:]
        assert tuple(Pair()(np.ones((3, 2), "float32")).shape) == (3, 1)
        with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 2"):
            Pair()(np.ones((3, 4), "float32"))
        with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
            Pair()(np.ones((2,), "float32"))
        with pytest.raises(ValueError, match="incompatible"):
            Pair()(module.KerasTensor((None, 5)))
    spec = ember_keras.InputSpec(ndim=3, axes={-1: 4})
    assert spec.get_config() == keras.InputSpec(ndim=3, axes={-1: 4}).get_config()


def test_function_matches_keras():
    outputs = []
    weights = [random(3, 2), random(2)]
    for module in (keras, ember_keras):
        x = module.Input((3,))
        dense = module.layers.Dense(2, activation="tanh")
        function = module.Function(x, {"y": dense(x), "x": x})
        dense.set_weights(weights)
        outputs.append(function(np.arange(6, dtype="float32").reshape(2, 3)))
        assert function(module.KerasTensor((None, 3)))["y"].shape == (None, 2)
    np.testing.assert_allclose(as_numpy(outputs[1]["y"]), as_numpy(outputs[0]["y"]), rtol=1e-6, atol=1e-6)


def test_dtype_policies_match_keras():
    for name in ("float32", "mixed_float16", "mixed_bfloat16", "float64"):
        expected, actual = keras.dtype_policies.get(name), ember_keras.dtype_policies.get(name)
        assert (actual.name, actual.compute_dtype, actual.variable_dtype) == \
            (expected.name, expected.compute_dtype, expected.variable_dtype)
        assert ember_keras.dtype_policies.serialize(actual) == keras.dtype_policies.serialize(expected)
    assert ember_keras.FloatDTypePolicy is ember_keras.DTypePolicy


def test_image_utils_match_keras(tmp_path):
    pixels = (random(5, 7, 3, low=0, high=255)).astype("float32")
    for module, name in ((keras, "k.png"), (ember_keras, "e.png")):
        module.utils.save_img(str(tmp_path / name), pixels)
    np.testing.assert_array_equal(np.asarray(ember_keras.utils.load_img(tmp_path / "e.png")),
                                  np.asarray(keras.utils.load_img(tmp_path / "k.png")))
    for kwargs in ({}, {"color_mode": "grayscale"}, {"target_size": (3, 4)}, {"color_mode": "rgba"},
                   {"target_size": (4, 4), "keep_aspect_ratio": True, "interpolation": "bilinear"}):
        np.testing.assert_array_equal(
            ember_keras.utils.img_to_array(ember_keras.utils.load_img(tmp_path / "k.png", **kwargs)),
            keras.utils.img_to_array(keras.utils.load_img(tmp_path / "k.png", **kwargs)), err_msg=str(kwargs))
    for scale in (True, False):
        np.testing.assert_array_equal(np.asarray(ember_keras.utils.array_to_img(pixels, scale=scale)),
                                      np.asarray(keras.utils.array_to_img(pixels, scale=scale)))


@pytest.mark.parametrize("size", [(4, 4), (6, 3), (2, 9)])
def test_smart_resize_matches_keras(size):
    images = random(2, 8, 6, 3)
    expected = keras.preprocessing.image.smart_resize(images, size)
    actual = ember_keras.preprocessing.image.smart_resize(images, size)
    assert isinstance(actual, np.ndarray)
    np.testing.assert_allclose(actual, as_numpy(expected), rtol=1e-5, atol=1e-5)


def test_preprocessing_namespace_matches_keras():
    for name in ("image_dataset_from_directory", "text_dataset_from_directory", "timeseries_dataset_from_array"):
        assert hasattr(ember_keras.preprocessing, name)
    for name in dir(keras.preprocessing.image):
        if not name.startswith("_"):
            assert hasattr(ember_keras.preprocessing.image, name), name
    sequences = [[1, 2, 3], [4]]
    np.testing.assert_array_equal(ember_keras.preprocessing.sequence.pad_sequences(sequences, maxlen=2),
                                  keras.preprocessing.sequence.pad_sequences(sequences, maxlen=2))


def test_version_and_base_classes():
    assert ember_keras.version().split(".")[0] == keras.version().split(".")[0] == "3"
    assert ember_keras.Loss is ember_keras.losses.Loss and ember_keras.Metric is ember_keras.metrics.Metric
    assert ember_keras.Optimizer is ember_keras.optimizers.Optimizer
    assert ember_keras.Initializer is ember_keras.initializers.Initializer
    assert ember_keras.Regularizer is ember_keras.regularizers.Regularizer
    assert os.path.basename(ember_keras.__file__) == "__init__.py"


def test_legacy_namespaces_match_keras():
    for make in (lambda k: k.regularizers.L2(0.5), lambda k: k.activations.relu, lambda k: None):
        assert ember_keras.legacy.saving.serialize_keras_object(make(ember_keras)) == \
            keras.legacy.saving.serialize_keras_object(make(keras))
    config = keras.legacy.saving.serialize_keras_object(keras.regularizers.L1L2(0.1, 0.2))
    assert ember_keras.legacy.saving.deserialize_keras_object(config).get_config() == {"l1": 0.1, "l2": 0.2}
    for name in dir(keras.optimizers.legacy):
        if name.startswith("_"):
            continue
        for module in (keras, ember_keras):
            with pytest.raises(ImportError, match="not supported in Keras 3"):
                getattr(module.optimizers.legacy, name)()
