"""``keras.utils.PyDataset`` (and its Keras 2 name ``Sequence``): batches by index, for ``fit``.

A subclass implements ``__len__`` (the number of batches) and
``__getitem__(index)`` (one batch: ``x``, ``(x, y)`` or ``(x, y, sample_weight)``),
and may override ``on_epoch_begin``/``on_epoch_end``. Iterating gives one
epoch of batches; ``fit(..., shuffle=True)`` visits the batches in a random
order, as Keras does. ``workers > 1`` loads batches ahead in threads (order kept).

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> class Squares(keras.utils.PyDataset):
    ...     def __len__(self):
    ...         return 3
    ...     def __getitem__(self, index):
    ...         x = np.full((2, 1), index, dtype="float32")
    ...         return x, x ** 2
    >>> [float(y[0, 0]) for _, y in Squares()]
    [0.0, 1.0, 4.0]
"""
from __future__ import annotations

import concurrent.futures
import collections

import numpy


class PyDataset:
    """Base class for datasets of batches addressed by index (Keras's ``PyDataset``)."""

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10):
        self._workers = int(workers)
        self._use_multiprocessing = use_multiprocessing  # accepted; batches load in threads
        self._max_queue_size = int(max_queue_size)

    @property
    def workers(self) -> int:
        return getattr(self, "_workers", 1)

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    @property
    def num_batches(self) -> int | None:
        """The number of batches per epoch (None when ``__len__`` is not implemented)."""
        try:
            return len(self)
        except NotImplementedError:
            return None

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch."""

    def __iter__(self):
        return self.epoch_batches(shuffle=False)

    def epoch_batches(self, shuffle: bool = False, rng=None):
        """One epoch of batches (in a random order with ``shuffle``), then ``on_epoch_end``."""
        self.on_epoch_begin()
        count = self.num_batches
        if count is None:
            raise TypeError(f"{type(self).__name__} has no __len__: pass steps_per_epoch, or implement it")
        order = numpy.arange(count)
        if shuffle:
            order = (rng or numpy.random.default_rng()).permutation(count)
        if self.workers > 1:
            yield from _threaded(self, order, self.workers, self.max_queue_size)
        else:
            for index in order:
                yield self[int(index)]
        self.on_epoch_end()


Sequence = PyDataset


def _threaded(dataset: PyDataset, order, workers: int, depth: int):
    with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="ember-pydataset") as pool:
        pending: collections.deque = collections.deque()
        for index in order:
            pending.append(pool.submit(dataset.__getitem__, int(index)))
            if len(pending) >= max(depth, workers):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
