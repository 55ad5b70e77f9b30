"""``.keras`` files moved between real Keras 3 (torch backend) and Ember.

The backend must be chosen before anything imports ``keras``, so it is set
here, at collection time, before the test modules import it.
"""
import os

os.environ["KERAS_BACKEND"] = "torch"

import pytest  # noqa: E402

keras_reference = pytest.importorskip("keras")
pytest.importorskip("h5py")
if keras_reference.config.backend() != "torch":  # imported earlier with another backend
    pytest.skip("real Keras was imported before KERAS_BACKEND=torch could be set", allow_module_level=True)

from ember import keras as ember_keras  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_sessions():
    ember_keras.backend.clear_session()
    ember_keras.utils.set_random_seed(0)
    keras_reference.utils.set_random_seed(0)
    yield
