"""Samplers: the order in which a DataLoader visits a map-style dataset.

``__iter__`` draws its random order immediately (not lazily on the first
``next``), so the generator's state right after ``iter(loader)`` already
accounts for this epoch: what a checkpoint needs to reproduce data order.
"""
from __future__ import annotations

from typing import Iterator, Sequence, Sized

import numpy

from ..ops import random as _random
from ..ops.random import Generator


_CHUNK = 4096  # indices drawn at a time with replacement


class Sampler:
    """Base class: an iterable of dataset indices (PyTorch's ``Sampler``)."""

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} has no len()")


class SequentialSampler(Sampler):
    """Indices ``0 .. len(data_source) - 1`` in order.

    Example:
        >>> import ember
        >>> list(ember.data.SequentialSampler(range(3)))
        [0, 1, 2]
    """

    def __init__(self, data_source: Sized):
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation (or ``num_samples`` draws with ``replacement``).

    Without a ``generator`` each epoch's seed is drawn from Ember's default
    generator, so ``ember.manual_seed`` makes shuffling reproducible.

    Example:
        >>> import ember
        >>> sampler = ember.data.RandomSampler(range(5), generator=ember.Generator().manual_seed(0))
        >>> sorted(sampler)
        [0, 1, 2, 3, 4]
    """

    def __init__(self, data_source: Sized, replacement: bool = False, num_samples: int | None = None,
                 generator: Generator | None = None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        # The epoch's seed is drawn now (see the module docstring); the indices themselves are
        # drawn lazily, a chunk at a time, so num_samples=10**10 costs no memory up front.
        random = numpy.random.Generator(numpy.random.PCG64(self._epoch_seed()))
        return self._indices(random, len(self.data_source), self.num_samples)

    def _indices(self, random: numpy.random.Generator, size: int, count: int) -> Iterator[int]:
        while count > 0:
            if self.replacement:
                chunk = random.integers(0, size, min(count, _CHUNK))
            else:
                chunk = random.permutation(size)[:count]
            count -= len(chunk)
            yield from chunk.tolist()

    def _epoch_seed(self) -> int:
        source = self.generator if self.generator is not None else _random.default_generator
        return int(source.numpy.integers(2 ** 63))

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order.

    Example:
        >>> import ember
        >>> sorted(ember.data.SubsetRandomSampler([5, 7, 9]))
        [5, 7, 9]
    """

    def __init__(self, indices: Sequence[int], generator: Generator | None = None):
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        order = RandomSampler(self.indices, generator=self.generator)
        return iter([self.indices[i] for i in order])

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler):
    """Group another sampler's indices into lists of ``batch_size``.

    Example:
        >>> import ember
        >>> list(ember.data.BatchSampler(ember.data.SequentialSampler(range(5)), 2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Sampler | Sequence[int], batch_size: int, drop_last: bool):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        return self._batches(iter(self.sampler))  # iter() now: the order is drawn before the first batch

    def _batches(self, indices: Iterator[int]) -> Iterator[list[int]]:
        batch = []
        for index in indices:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return -(-len(self.sampler) // self.batch_size)
