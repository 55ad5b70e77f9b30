"""TensorFlow's ``tf.data`` on Ember: input pipelines built by chaining transformations.

``import ember as tf`` makes ``tf.data`` :mod:`ember.data` (PyTorch's
``torch.utils.data`` twin); its ``Dataset`` class carries the ``tf.data``
constructors as class methods (``from_tensor_slices``, ``from_tensors``,
``from_generator``, ``range``, ``zip``), which return a
:class:`DatasetPipeline`: a subclass of ``ember.data.IterableDataset``, so
PyTorch-style ``Dataset`` subclasses are unaffected. ``tf.data.AUTOTUNE``
(and ``tf.data.experimental.AUTOTUNE``) is accepted wherever TensorFlow takes it.

Example:
    >>> import numpy as np, ember as tf
    >>> x, y = np.arange(10, dtype="float32").reshape(5, 2), np.arange(5)
    >>> ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(5, seed=1).batch(2).prefetch(tf.data.AUTOTUNE)
    >>> [tuple(xb.shape) for xb, yb in ds]
    [(2, 2), (2, 2), (1, 2)]
    >>> sorted(int(v) for _, yb in ds for v in yb)
    [0, 1, 2, 3, 4]
"""
from .dataset import AUTOTUNE, INFINITE, UNKNOWN, DatasetPipeline
from .sources import (counter, from_generator, from_tensor_slices, from_tensors, random_dataset, range_dataset,
                      sample_from_datasets, text_line_dataset, zip_datasets)

__all__ = ["AUTOTUNE", "INFINITE", "UNKNOWN", "DatasetPipeline", "cardinality", "counter", "experimental",
           "from_generator", "from_tensor_slices", "from_tensors", "random_dataset", "range_dataset",
           "sample_from_datasets", "text_line_dataset", "zip_datasets"]


def cardinality(dataset):
    """``tf.data.experimental.cardinality``: the dataset's cardinality, a scalar int64 tensor.

    Example:
        >>> import ember as tf
        >>> tf.data.experimental.cardinality(tf.data.Dataset.range(42)).numpy()
        array(42)
        >>> ds = tf.data.Dataset.range(42).repeat().filter(lambda x: True)
        >>> bool(tf.data.experimental.cardinality(ds) == tf.data.experimental.UNKNOWN_CARDINALITY)
        True
    """
    return dataset.cardinality()


def _experimental():
    """``tf.data.experimental``: the constants, ``cardinality``, and the transformations for ``Dataset.apply``."""
    from types import SimpleNamespace
    return SimpleNamespace(
        AUTOTUNE=AUTOTUNE, INFINITE_CARDINALITY=INFINITE, UNKNOWN_CARDINALITY=UNKNOWN, cardinality=cardinality,
        sample_from_datasets=sample_from_datasets, Counter=counter, RandomDataset=random_dataset,
        scan=lambda initial_state, scan_func: lambda ds: ds.scan(initial_state, scan_func),
        group_by_window=lambda key_func, reduce_func, window_size=None, window_size_func=None: (
            lambda ds: ds.group_by_window(key_func, reduce_func, window_size, window_size_func)),
        bucket_by_sequence_length=lambda *args, **kwargs: lambda ds: ds.bucket_by_sequence_length(*args, **kwargs))


experimental = _experimental()
