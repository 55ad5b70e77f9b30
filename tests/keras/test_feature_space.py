"""keras.utils.FeatureSpace (Keras's own needs tf.data, absent here): each feature type's encoding, crosses,
dict and concat outputs, adapt from dicts and datasets, and the errors Keras gives."""
import numpy as np
import pytest

import ember
from ember import keras

DATA = {"age": np.array([20.0, 40.0, 30.0, 50.0], "float32"), "city": np.array(["a", "b", "a", "c"]),
        "rooms": np.array([1, 2, 2, 3]), "zip": np.array(["x1", "x2", "x3", "x4"]),
        "size": np.array([10.0, 20.0, 30.0, 40.0], "float32")}


def _space(**kwargs):
    features = {"age": "float_normalized", "city": "string_categorical", "rooms": "integer_categorical",
                "zip": keras.utils.FeatureSpace.string_hashed(num_bins=8),
                "size": keras.utils.FeatureSpace.float_rescaled(scale=0.1)}
    return keras.utils.FeatureSpace(features, **kwargs)


def test_dict_output_encodes_each_feature_with_its_layer():
    space = _space(output_mode="dict")
    space.adapt(DATA)
    out = space(DATA)
    assert sorted(out) == ["age", "city", "rooms", "size", "zip"]
    np.testing.assert_allclose(np.asarray(out["age"])[:, 0], (DATA["age"] - 35.0) / np.std(DATA["age"]), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(out["size"])[:, 0], DATA["size"] * 0.1, rtol=1e-6)
    city = keras.layers.StringLookup(output_mode="one_hot")
    city.adapt(DATA["city"][:, None])
    np.testing.assert_array_equal(np.asarray(out["city"]), np.asarray(city(DATA["city"][:, None])))
    assert np.asarray(out["rooms"]).shape == (4, 4) and np.asarray(out["zip"]).shape == (4, 8)
    assert (np.asarray(out["zip"]).sum(-1) == 1).all()


def test_concat_output_orders_features_by_name_then_crosses():
    space = _space(crosses=[("city", "rooms")], crossing_dim=5)
    space.adapt(DATA)
    dict_space = _space(output_mode="dict", crosses=[("city", "rooms")], crossing_dim=5)
    dict_space.adapt(DATA)
    pieces = dict_space(DATA)
    expected = np.concatenate([np.asarray(pieces[key], "float32") for key in
                               ["age", "city", "rooms", "size", "zip", "city_X_rooms"]], -1)
    np.testing.assert_allclose(np.asarray(space(DATA)), expected, rtol=1e-6)
    crossing = keras.layers.HashedCrossing(5, output_mode="one_hot")
    lookups = dict_space.preprocessors
    np.testing.assert_array_equal(np.asarray(pieces["city_X_rooms"]), np.asarray(crossing(
        [lookups["city"](DATA["city"][:, None]), lookups["rooms"](DATA["rooms"][:, None])])))


def test_single_samples_and_datasets():
    space = _space()
    space.adapt(ember.data.Dataset.from_tensor_slices(DATA).batch(2))
    batch = space(DATA)
    one = space({key: value[1] for key, value in DATA.items()})
    assert tuple(one.shape) == (batch.shape[1],)
    np.testing.assert_allclose(np.asarray(one), np.asarray(batch)[1], rtol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match="adapt"):
        _space()(DATA)
    with pytest.raises(ValueError, match="Invalid feature type"):
        keras.utils.FeatureSpace({"a": "float_squared"})
    with pytest.raises(ValueError, match="unknown features"):
        keras.utils.FeatureSpace({"a": "float"}, crosses=[("a", "b")])
    space = keras.utils.FeatureSpace({"city": keras.utils.FeatureSpace.string_categorical(output_mode="int")})
    space.adapt(DATA)
    with pytest.raises(ValueError, match="output_mode='dict'"):
        space(DATA)
    assert keras.utils.FeatureSpace({"age": "float"})({"age": np.array([1.5])}).tolist() == [[1.5]]
