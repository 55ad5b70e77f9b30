"""``keras.utils.timeseries_dataset_from_array``: sliding windows over a series, as a tf.data-style pipeline.

The windows, their order and the batches follow Keras's definition exactly:
window ``i`` starts at ``start_index + starts[i]`` and takes every
``sampling_rate``-th step for ``sequence_length`` steps; its target is
``targets[start_index + starts[i]]``; ``starts`` are
``range(0, num_windows, sequence_stride)``, shuffled with
``numpy.random.RandomState(seed)`` when ``shuffle`` (then shuffled again
locally through a buffer of ``8 * batch_size`` windows, as Keras's tf.data
path does: that second shuffle uses Ember's generator, so it is not
TensorFlow's order).

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> ds = keras.utils.timeseries_dataset_from_array(np.arange(10), np.arange(10) * 10, sequence_length=3,
    ...                                                batch_size=4)
    >>> [(x.tolist(), y.tolist()) for x, y in ds][-1]
    ([[4, 5, 6], [5, 6, 7], [6, 7, 8], [7, 8, 9]], [40, 50, 60, 70])
"""
from __future__ import annotations

import numpy

from ...data.pipeline import structure
from ...data.pipeline.dataset import DatasetPipeline


def timeseries_dataset_from_array(data, targets, sequence_length: int, sequence_stride: int = 1,
                                  sampling_rate: int = 1, batch_size: int | None = 128, shuffle: bool = False,
                                  seed=None, start_index=None, end_index=None) -> DatasetPipeline:
    """A dataset of ``(windows, targets)`` batches (or windows only when ``targets`` is None)."""
    _check(data, start_index, end_index, sampling_rate, sequence_stride)
    start_index = 0 if start_index is None else start_index
    end_index = len(data) if end_index is None else end_index
    count = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    index_dtype = "int32" if count < 2147483647 else "int64"
    starts = numpy.arange(0, count, sequence_stride, dtype=index_dtype)
    if shuffle:
        if seed is None:
            seed = numpy.random.randint(1e6)
        numpy.random.RandomState(seed).shuffle(starts)
    series = numpy.asarray(data)[start_index:end_index]
    labels = None if targets is None else numpy.asarray(targets)[start_index:end_index]
    offsets = numpy.arange(0, sequence_length * sampling_rate, sampling_rate)

    def window_batch(rows):
        chosen = starts[rows]
        x = series[chosen[:, None] + offsets]
        return _leaves(x if labels is None else (x, labels[chosen]))

    if batch_size is not None and not shuffle:  # whole batches gathered at once
        batches = range(0, len(starts), batch_size)
        return DatasetPipeline(lambda: (window_batch(numpy.arange(b, min(b + batch_size, len(starts))))
                                        for b in batches), len(batches))

    def window(row):
        x = series[starts[row] + offsets]
        return _leaves(x if labels is None else (x, labels[starts[row]]))
    single = DatasetPipeline(lambda: (window(row) for row in range(len(starts))), len(starts))
    if shuffle:
        single = single.shuffle(8 * batch_size if batch_size is not None else 1024, seed=seed)
    return single if batch_size is None else single.batch(batch_size)


def _leaves(value):
    return structure.map_leaves(structure.to_leaf, value)


def _check(data, start_index, end_index, sampling_rate, sequence_stride) -> None:
    """Keras's argument checks, with its messages."""
    if start_index and (start_index < 0 or start_index >= len(data)):
        raise ValueError(f"`start_index` must be 0 or greater and strictly lower than the length of the "
                         f"data. Received: start_index={start_index}, for data of length {len(data)}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: start_index="
                             f"{start_index}, and end_index={end_index}")
        if end_index >= len(data):
            raise ValueError(f"`end_index` must be lower than the length of the data. Received: "
                             f"end_index={end_index}, for data of length {len(data)}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    if sampling_rate <= 0 or sampling_rate >= len(data):
        raise ValueError(f"`sampling_rate` must be higher than 0 and lower than the length of the data. "
                         f"Received: sampling_rate={sampling_rate}, for data of length {len(data)}")
    if sequence_stride <= 0 or sequence_stride >= len(data):
        raise ValueError(f"`sequence_stride` must be higher than 0 and lower than the length of the data. "
                         f"Received: sequence_stride={sequence_stride}, for data of length {len(data)}")
