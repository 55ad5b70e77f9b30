"""Turning what ``fit``/``evaluate``/``predict`` accept into batches of tensors.

Accepted: NumPy arrays or Ember tensors (and lists or dicts of them for
several inputs or outputs), an ``ember.data.DataLoader``, a ``tf.data``-style
pipeline (``ember.data.Dataset.from_tensor_slices(...).batch(32)``, whose
cardinality gives the steps), a ``keras.utils.PyDataset``, or any iterable of
``x``, ``(x, y)`` or ``(x, y, sample_weight)`` batches. Arrays are sliced in
NumPy and each batch becomes Ember tensors (floats as float32, Keras's
``floatx``); ``shuffle`` reorders the samples every epoch with Ember's seeded
generator; ``class_weight`` becomes per-sample weights.

Example:
    >>> import numpy as np
    >>> handler = DataHandler(np.zeros((10, 3)), np.arange(10), batch_size=4)
    >>> handler.steps, [tuple(x.shape) for x, y in handler.epoch()]
    (3, [(4, 3), (4, 3), (2, 3)])
    >>> (x, y), (x_val, y_val) = split_arrays((np.arange(10), np.arange(10)), 0.2)
    >>> y_val.tolist()
    [8, 9]
"""
from __future__ import annotations

import math

import numpy

import ember

from .utils import tree


def _numpy(value):
    if isinstance(value, ember.Tensor):
        return numpy.asarray(value.detach())
    return numpy.asarray(value)


def is_array_data(x) -> bool:
    """True for arrays/tensors and (nested) lists or dicts of them; False for loaders and iterators."""
    if isinstance(x, (numpy.ndarray, ember.Tensor)):
        return True
    if isinstance(x, dict):
        return all(is_array_data(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return len(x) > 0 and all(is_array_data(v) for v in x)
    return False


def to_tensors(structure):
    """Batches of NumPy values as Ember tensors (floats as float32)."""
    def convert(value):
        if value is None or isinstance(value, ember.Tensor):
            return value
        array = numpy.asarray(value)
        if array.dtype.kind in "USO":
            return array  # strings (a text pipeline's batches) stay NumPy, for preprocessing layers
        if array.dtype.kind == "f" and array.dtype != numpy.float32:
            array = array.astype(numpy.float32)
        elif array.dtype.kind == "b":
            array = array.astype(numpy.float32)
        return ember.from_numpy(numpy.ascontiguousarray(array))
    return tree.map_structure(convert, structure)


def unpack(data):
    """``(x, y, sample_weight)`` from a batch: ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sw)``.

    A list counts as a tuple, as in Keras (loaders collate ``(x, y)`` pairs into lists).
    """
    if isinstance(data, list):
        data = tuple(data)
    if isinstance(data, tuple) and not hasattr(data, "_fields"):
        if len(data) == 1:
            return data[0], None, None
        if len(data) == 2:
            return data[0], data[1], None
        if len(data) == 3:
            return data
        raise ValueError(f"Data is expected to be x, (x,), (x, y) or (x, y, sample_weight); got a "
                         f"tuple of {len(data)} elements")
    return data, None, None


def pack(x, y=None, sample_weight=None) -> tuple:
    """A batch as Keras hands it to ``train_step``: ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``."""
    if sample_weight is not None:
        return x, y, sample_weight
    return (x,) if y is None else (x, y)


def split_arrays(arrays, validation_split: float):
    """Keras's ``validation_split``: the last fraction of the samples, taken before any shuffling."""
    count = _cardinality(arrays)
    split_at = int(math.floor(count * (1.0 - validation_split)))
    if split_at == 0 or split_at == count:
        raise ValueError(f"validation_split={validation_split} leaves no training or no validation "
                         f"samples out of {count}")

    def part(sl):
        return tree.map_structure(lambda v: None if v is None else _numpy(v)[sl], arrays)
    return part(slice(0, split_at)), part(slice(split_at, None))


def _cardinality(arrays) -> int:
    sizes = {}
    for name, group in zip(("x", "y", "sample_weight"), arrays if isinstance(arrays, tuple) else (arrays,)):
        leaves = [v for v in tree.flatten(group) if v is not None]
        if leaves:
            sizes[name] = [int(_numpy(v).shape[0]) for v in leaves]
    counts = {size for group in sizes.values() for size in group}
    if len(counts) > 1:
        details = "\n".join(f"'{name}' sizes: {', '.join(map(str, group))}" for name, group in sizes.items())
        raise ValueError(f"Data cardinality is ambiguous. Make sure all arrays contain the same number "
                         f"of samples.\n{details}")
    if not counts:
        raise ValueError("No data provided: x is None or empty")
    return counts.pop()


def class_weights_to_sample_weights(y, class_weight: dict) -> numpy.ndarray:
    """One weight per sample: ``class_weight[label]`` (labels are ids, or the argmax of one-hot rows)."""
    labels = _numpy(y)
    if labels.ndim > 1 and labels.shape[-1] > 1:
        labels = labels.argmax(-1)
    labels = labels.reshape(labels.shape[0], -1)[:, 0].astype(numpy.int64)
    lookup = numpy.array([class_weight.get(index, 1.0) for index in range(int(labels.max()) + 1)])
    return lookup[labels]


class DataHandler:
    """Epochs of ``(x, y, sample_weight)`` tensor batches from arrays or from an iterable of batches."""

    def __init__(self, x, y=None, sample_weight=None, batch_size: int | None = 32, shuffle: bool = False,
                 class_weight: dict | None = None, steps_per_epoch: int | None = None):
        self.batch_size = batch_size or 32
        self.shuffle = shuffle
        self.steps_per_epoch = steps_per_epoch
        self._iterator = None
        self.device = None  # the training loop's device when it is not the host (keras placement)
        if is_array_data(x):
            self.arrays = (x, y, sample_weight)
            self.count = _cardinality(self.arrays)
            if class_weight is not None and y is not None:
                weights = class_weights_to_sample_weights(y, class_weight)
                self.arrays = (x, y, weights if sample_weight is None else weights * _numpy(sample_weight))
            self.source = None
        else:
            if y is not None:
                raise ValueError("When x is a DataLoader or an iterable of batches, y must be None: the "
                                 "batches carry the labels")
            self.arrays, self.source, self.class_weight = None, x, class_weight
            if steps_per_epoch is None and _cardinality_of(x) == -1:
                raise ValueError("When passing an infinitely repeating dataset, you must specify the "
                                 "`steps_per_epoch` (or `steps`) argument.")

    @property
    def steps(self) -> int | None:
        if self.steps_per_epoch is not None:
            return self.steps_per_epoch
        if self.arrays is not None:
            return math.ceil(self.count / self.batch_size)
        count = _cardinality_of(self.source)
        return count if count >= 0 else None

    def epoch(self):
        """The batches of one epoch, as tensors."""
        batches = self._array_batches() if self.arrays is not None else self._source_batches()
        for index, batch in enumerate(batches):
            if self.steps_per_epoch is not None and index >= self.steps_per_epoch:
                return
            yield batch if self.device is None else _to_device(batch, self.device)

    def _array_batches(self):
        order = numpy.arange(self.count)
        if self.shuffle:
            order = ember.default_generator.numpy.permutation(self.count)
        arrays = tree.map_structure(lambda v: None if v is None else _numpy(v), self.arrays)
        epochs = 1 if self.steps_per_epoch is None else math.ceil(
            self.steps_per_epoch * self.batch_size / self.count)
        for _ in range(epochs):  # steps_per_epoch may ask for more batches than one pass has
            for start in range(0, self.count, self.batch_size):
                rows = order[start:start + self.batch_size]
                yield pack(*to_tensors(tree.map_structure(lambda v: None if v is None else v[rows], arrays)))

    def _source_iterator(self):
        """One pass over the source; a PyDataset's batches in a random order when shuffling (as Keras)."""
        if self.shuffle and hasattr(self.source, "epoch_batches"):
            rng = numpy.random.default_rng(int(ember.default_generator.numpy.integers(2 ** 63)))
            return self.source.epoch_batches(shuffle=True, rng=rng)
        return iter(self.source)

    def _source_batches(self):
        # With steps_per_epoch, an epoch continues where the last one stopped (as Keras does).
        if self.steps_per_epoch is None or self._iterator is None:
            self._iterator = self._source_iterator()
        for _ in range(self.steps_per_epoch or 1 << 62):
            try:
                batch = next(self._iterator)
            except StopIteration:
                self._iterator = None
                if self.steps_per_epoch is None:
                    return
                self._iterator = self._source_iterator()
                batch = next(self._iterator)
            x, y, sample_weight = unpack(batch)
            if self.class_weight is not None and y is not None and sample_weight is None:
                sample_weight = class_weights_to_sample_weights(y, self.class_weight)
            yield pack(*to_tensors((x, y, sample_weight)))


def _to_device(batch, device):
    """A batch's tensors on the training device (strings and None stay as they are)."""
    return tree.map_structure(lambda value: value.to(device) if isinstance(value, ember.Tensor) else value, batch)


def _cardinality_of(source) -> int:
    """The number of batches ``source`` yields: -1 infinite, -2 unknown (tf.data's convention)."""
    if hasattr(source, "cardinality"):  # a tf.data-style pipeline, whose len() may be unknown
        return int(source.cardinality())
    try:
        return len(source)
    except TypeError:
        return -2
