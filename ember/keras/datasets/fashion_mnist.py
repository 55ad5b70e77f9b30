"""``keras.datasets.fashion_mnist``."""
from __future__ import annotations

from ember.data.datasets import FashionMNIST

from ._idx import load


def load_data(path=None):
    """``(x_train, y_train), (x_test, y_test)``: 60,000 and 10,000 clothing images, uint8."""
    return load(FashionMNIST, path)
