"""``keras.datasets.mnist``."""
from __future__ import annotations

from ember.data.datasets import MNIST

from ._idx import load


def load_data(path=None):
    """``(x_train, y_train), (x_test, y_test)``: 60,000 and 10,000 digits, uint8.

    Example:
        >>> from ember import keras
        >>> (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()  # doctest: +SKIP
        >>> x_train.shape, y_test[:3]  # doctest: +SKIP
        ((60000, 28, 28), array([7, 2, 1], dtype=uint8))
    """
    return load(MNIST, path)
