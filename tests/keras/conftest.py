"""Shared fixtures: every test starts with fresh Keras names and a fixed seed."""
import numpy as np
import pytest

from ember import keras


@pytest.fixture(autouse=True)
def fresh_session():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    yield


@pytest.fixture
def regression_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")).astype("float32")
    return x, y


@pytest.fixture
def classification_data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(160, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64") + (x[:, 2] > 1).astype("int64")
    return x, y


def to_torch(value):
    import torch
    return torch.tensor(np.asarray(value))


def numpy_of(tensor):
    return np.asarray(tensor.detach())
