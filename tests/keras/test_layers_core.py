"""Small Keras core-layer behaviours checked against what Keras itself computes."""
import numpy as np

import ember
from ember import keras


def test_flatten_channels_first_uses_channels_last_order():
    # Keras moves the channel axis last before flattening channels-first data
    data = np.arange(6.0, dtype="float32").reshape(1, 2, 3)
    flat = keras.layers.Flatten(data_format="channels_first")(ember.tensor(data))
    assert flat.numpy().tolist() == [[0.0, 3.0, 1.0, 4.0, 2.0, 5.0]]


def test_flatten_default_keeps_memory_order():
    data = np.arange(6.0, dtype="float32").reshape(1, 2, 3)
    assert keras.layers.Flatten()(ember.tensor(data)).numpy().tolist() == [[0, 1, 2, 3, 4, 5]]
