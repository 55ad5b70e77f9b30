"""``keras.legacy``: Keras 2 compatibility, as Keras 3 keeps it (``keras.legacy.saving``).

Example:
    >>> from ember import keras
    >>> keras.legacy.saving.serialize_keras_object(keras.regularizers.L2(0.5))
    {'class_name': 'L2', 'config': {'l2': 0.5}}
"""
from ..utils import legacy as saving

__all__ = ["saving"]
