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
from .sources import (from_generator, from_tensor_slices, from_tensors, range_dataset, sample_from_datasets,
                      text_line_dataset, zip_datasets)

__all__ = ["AUTOTUNE", "INFINITE", "UNKNOWN", "DatasetPipeline", "from_generator", "from_tensor_slices",
           "from_tensors", "range_dataset", "sample_from_datasets", "text_line_dataset", "zip_datasets"]
