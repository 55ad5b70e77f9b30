"""Whole models in Ember and in real Keras 3 (torch backend), trained from the same weights.

The backend must be chosen before anything imports ``keras``.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import pytest  # noqa: E402

keras_reference = pytest.importorskip("keras")
if keras_reference.config.backend() != "torch":
    pytest.skip("real Keras runs on another backend in this session", allow_module_level=True)

from ember import keras as ember_keras  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_sessions():
    ember_keras.backend.clear_session()
    ember_keras.utils.set_random_seed(0)
    keras_reference.utils.set_random_seed(0)
    yield
