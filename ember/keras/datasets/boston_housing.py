"""``keras.datasets.boston_housing``: 506 houses, 13 features, median prices."""
from __future__ import annotations

import numpy

from ._files import load_npz, locate_file

URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113):
    """``(x_train, y_train), (x_test, y_test)``, shuffled with ``seed`` and split as Keras does.

    Example:
        >>> from ember import keras
        >>> (x_train, y_train), (x_test, y_test) = keras.datasets.boston_housing.load_data()  # doctest: +SKIP
        >>> x_train.shape, x_test.shape  # doctest: +SKIP
        ((404, 13), (102, 13))
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between 0 and 1 "
                         "(exclusive of 1).")
    arrays = load_npz(locate_file(path, "boston_housing", URL, SHA256))
    x, y = arrays["x"], arrays["y"]
    order = numpy.arange(len(x))
    numpy.random.RandomState(seed).shuffle(order)  # Keras's generator, so the split is the same
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (numpy.array(x[:cut]), numpy.array(y[:cut])), (numpy.array(x[cut:]), numpy.array(y[cut:]))
