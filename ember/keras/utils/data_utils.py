"""Keras's data helpers: ``pack/unpack_x_y_sample_weight`` and ``split_dataset``.

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> keras.utils.unpack_x_y_sample_weight(keras.utils.pack_x_y_sample_weight("x", "y"))
    ('x', 'y', None)
    >>> left, right = keras.utils.split_dataset(np.arange(10), left_size=0.8)
    >>> [int(v) for v in left.as_numpy_iterator()], [int(v) for v in right.as_numpy_iterator()]
    ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])
"""
from __future__ import annotations

import random

import numpy


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """``x`` alone (a tuple/list ``x`` wrapped as ``(x,)``), ``(x, y)`` or ``(x, y, sample_weight)``."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data) -> tuple:
    """``(x, y, sample_weight)`` from a batch ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) == 1:
        return (data[0], None, None)
    if len(data) == 2:
        return (data[0], data[1], None)
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
                     f"found: {data}")


def _elements(dataset) -> list:
    """The dataset as a list of samples (rows of an array, tuples of rows, or iterated items)."""
    if isinstance(dataset, numpy.ndarray) or hasattr(dataset, "detach"):
        return list(numpy.asarray(dataset.detach() if hasattr(dataset, "detach") else dataset))
    if isinstance(dataset, (tuple, list)) and dataset and all(
            isinstance(item, numpy.ndarray) or hasattr(item, "detach") for item in dataset):
        arrays = [numpy.asarray(item.detach() if hasattr(item, "detach") else item) for item in dataset]
        if len({len(array) for array in arrays}) != 1:
            raise ValueError(f"split_dataset: the arrays must have the same length; received lengths "
                             f"{[len(array) for array in arrays]}")
        return list(zip(*arrays))
    if hasattr(dataset, "__iter__"):
        return [tuple(item) if isinstance(item, list) else item for item in dataset]
    raise TypeError(f"The `dataset` argument must be a NumPy array, a tuple of arrays, a list or a dataset; "
                    f"received {type(dataset).__name__}")


def _split_sizes(left_size, right_size, total: int) -> tuple[int, int]:
    """Keras's rules: a float is a fraction (rounded), an int a count; the other side takes the rest."""
    for value, side in ((left_size, "left"), (right_size, "right")):
        if value is None:
            continue
        if type(value) not in (int, float):
            raise TypeError(f"Invalid `{side}_size` type; expected int or float, received {type(value).__name__}")
        if (type(value) is int and not 0 < value < total) or (type(value) is float and not 0 < value < 1):
            raise ValueError(f"`{side}_size` should be an int in (0, {total}) or a float in (0, 1); received "
                             f"{side}_size={value}")
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError(f"The sum of `left_size` and `right_size` is greater than 1: {left_size + right_size}")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than {total}; received "
                         f"left_size + right_size = {left + right}")
    if left == 0 or right == 0:
        raise ValueError(f"With `dataset` of length={total}, left_size={left} and right_size={right}: one "
                         "split would be empty")
    return int(left), int(right)


def _as_dataset(samples: list):
    from ember.data.pipeline import from_tensor_slices
    if isinstance(samples[0], tuple):
        return from_tensor_slices(tuple(numpy.stack(column) for column in zip(*samples)))
    if isinstance(samples[0], dict):
        return from_tensor_slices({key: numpy.stack([sample[key] for sample in samples]) for key in samples[0]})
    return from_tensor_slices(numpy.stack([numpy.asarray(sample) for sample in samples]))


def split_dataset(dataset, left_size=None, right_size=None, shuffle: bool = False, seed: int | None = None):
    """Two datasets (``tf.data``-style pipelines) holding the first ``left_size`` and last ``right_size`` samples."""
    if left_size is None and right_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. Received: "
                         "left_size=None and right_size=None")
    samples = _elements(dataset)
    if shuffle:
        random.Random(random.randint(0, int(1e6)) if seed is None else seed).shuffle(samples)
    left, right = _split_sizes(left_size, right_size, len(samples))
    return _as_dataset(samples[:left]), _as_dataset(samples[-right:])
