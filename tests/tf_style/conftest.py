"""TensorFlow-2-style tests. Keras (the reference for keras.ops/utils) must run on its torch backend."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import pytest  # noqa: E402

import ember  # noqa: E402


@pytest.fixture(autouse=True)
def seeded():
    ember.random.set_seed(0)
    yield
