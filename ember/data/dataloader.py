"""The DataLoader: batches from a dataset, in order or shuffled, optionally prefetched."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy

from ..ops.random import Generator
from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .prefetch import Prefetcher
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler


def get_worker_info() -> None:
    """PyTorch's ``get_worker_info``: always ``None``, as Ember loads in this process (see DataLoader).

    An ``IterableDataset`` that shards itself by worker reads ``None`` as "the
    only reader", so it yields every sample exactly once, as it should here.

    Example:
        >>> from ember.utils.data import get_worker_info
        >>> get_worker_info() is None
        True
    """
    return None


class DataLoader:
    """Iterate over a dataset in batches (PyTorch's ``torch.utils.data.DataLoader``).

    The arguments are PyTorch's. ``shuffle=True`` draws a new order each
    epoch from ``generator`` (or from Ember's default generator). There are
    no worker processes: ``num_workers > 0`` (or ``prefetch=N``) runs one
    background *thread* that keeps ``N`` batches ready (``N`` defaults to
    ``prefetch_factor * num_workers``); results and their order are the same
    as without it. Datasets with ``_get_batch`` (``TensorDataset``, MNIST)
    are batched by one NumPy index per batch when ``collate_fn`` is the default.
    ``pin_memory``, ``timeout``, ``worker_init_fn`` and ``persistent_workers``
    are accepted so PyTorch code runs, and have nothing to do here.

    Example:
        >>> import ember
        >>> data = ember.data.TensorDataset(ember.arange(10), ember.arange(10) % 2)
        >>> loader = ember.data.DataLoader(data, batch_size=4, shuffle=True,
        ...                                generator=ember.Generator().manual_seed(0))
        >>> len(loader), [len(x) for x, y in loader]
        (3, [4, 4, 2])
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | None = None, batch_sampler: Sampler | None = None,
                 num_workers: int = 0, collate_fn: Callable | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn: Callable | None = None,
                 generator: Generator | None = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, prefetch: int = 0):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative")
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.num_workers = num_workers
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)
        self.sampler, self.batch_sampler = self._samplers(shuffle, sampler, batch_sampler)
        if self.batch_sampler is not None:
            self.batch_size, self.drop_last = None, False
        self.collate_fn = collate_fn or (default_collate if self._batching else default_convert)
        self.prefetch = prefetch or (num_workers * (prefetch_factor or 2))

    @property
    def _batching(self) -> bool:
        return self.batch_size is not None or self.batch_sampler is not None

    def _samplers(self, shuffle, sampler, batch_sampler):
        if self._iterable:
            if shuffle or sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: shuffle, sampler and batch_sampler "
                                 "must be left unspecified (the dataset decides its own order)")
            return None, None
        if batch_sampler is not None:
            if self.batch_size != 1 or shuffle or sampler is not None or self.drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            return None, batch_sampler
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if sampler is None:
            sampler = (RandomSampler(self.dataset, generator=self.generator) if shuffle
                       else SequentialSampler(self.dataset))
        if self.batch_size is None:
            return sampler, None
        return sampler, BatchSampler(sampler, self.batch_size, self.drop_last)

    def __len__(self) -> int:
        if not self._iterable:
            return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)
        length = len(self.dataset)  # a TypeError for streams without a length, as in PyTorch
        if self.batch_size is None:
            return length
        return length // self.batch_size if self.drop_last else -(-length // self.batch_size)

    def __iter__(self) -> Iterator:
        batches = self._batches()
        return Prefetcher(batches, self.prefetch) if self.prefetch else batches

    def _batches(self) -> Iterator:
        if self._iterable:
            return self._stream_batches(iter(self.dataset))
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[index]) for index in self.sampler)
        return self._indexed_batches(iter(self.batch_sampler))  # the order is drawn here, eagerly

    def _indexed_batches(self, batches: Iterator[list[int]]) -> Iterator:
        get_batch = getattr(self.dataset, "_get_batch", None) if self.collate_fn is default_collate else None
        for indices in batches:
            batch = get_batch(numpy.asarray(indices, dtype=numpy.int64)) if get_batch else NotImplemented
            if batch is NotImplemented:
                batch = self.collate_fn(_fetch(self.dataset, indices))
            yield batch

    def _stream_batches(self, samples: Iterator) -> Iterator:
        if self.batch_size is None:
            yield from (self.collate_fn(sample) for sample in samples)
            return
        batch = []
        for sample in samples:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)


def _fetch(dataset, indices: list[int]) -> list[Any]:
    getitems = getattr(dataset, "__getitems__", None)  # PyTorch's batched-fetch protocol
    return getitems(indices) if getitems is not None else [dataset[index] for index in indices]
