"""Keras models (``keras.models``): Model, Sequential, and saving/loading whole models."""
from .model import Model
from .sequential import Sequential


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Load a model saved with ``model.save('name.keras')``."""
    from ..saving import load_model as _load
    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def model_from_json(json_string: str, custom_objects=None):
    from ..saving import model_from_json as _from_json
    return _from_json(json_string, custom_objects)


def clone_model(model, custom_objects=None):
    """A new model with the same architecture (fresh weights)."""
    from ..saving import deserialize_layer, serialize_layer
    return deserialize_layer(serialize_layer(model), custom_objects)
