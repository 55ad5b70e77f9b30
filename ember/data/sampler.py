"""Samplers: the order in which a DataLoader visits a map-style dataset.

``__iter__`` draws its random order immediately (not lazily on the first
``next``), so the generator's state right after ``iter(loader)`` already
accounts for this epoch: what a checkpoint needs to reproduce data order.
"""
from __future__ import annotations

from typing import Iterator, Sequence, Sized

import numpy

from ..errors import EmberValueError
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


class WeightedRandomSampler(Sampler):
    """Indices ``0 .. len(weights) - 1`` drawn with probabilities proportional to ``weights``.

    With ``replacement`` the draws are made lazily, a chunk at a time (a huge
    ``num_samples`` costs no memory up front); without it, ``num_samples``
    distinct indices, at most the number of non-zero weights. As in
    :class:`RandomSampler`, the epoch's seed is drawn when iterated.

    Example:
        >>> import ember
        >>> sampler = ember.data.WeightedRandomSampler([0.0, 1.0, 0.0], num_samples=4)
        >>> list(sampler)
        [1, 1, 1, 1]
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Generator | None = None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        weights = numpy.asarray(weights._data if hasattr(weights, "_data") else weights, dtype=numpy.float64)
        if weights.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights.shape)}")
        _check_distribution(weights, num_samples, replacement)
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        source = self.generator if self.generator is not None else _random.default_generator
        random = numpy.random.Generator(numpy.random.PCG64(int(source.numpy.integers(2 ** 63))))
        return self._indices(random)

    def _indices(self, random: numpy.random.Generator) -> Iterator[int]:
        probabilities = self.weights / self.weights.sum()
        if not self.replacement:
            yield from random.choice(len(probabilities), self.num_samples, replace=False,
                                     p=probabilities).tolist()
            return
        count = self.num_samples
        while count > 0:
            chunk = random.choice(len(probabilities), min(count, _CHUNK), p=probabilities)
            count -= len(chunk)
            yield from chunk.tolist()

    def __len__(self) -> int:
        return self.num_samples


def _check_distribution(weights: numpy.ndarray, num_samples: int, replacement: bool) -> None:
    """PyTorch's multinomial checks, raised when the sampler is made rather than on the first batch."""
    if not numpy.isfinite(weights).all() or (weights < 0).any():
        raise EmberValueError("WeightedRandomSampler: weights must be finite and non-negative, got "
                              f"{weights[~numpy.isfinite(weights) | (weights < 0)][:3].tolist()}")
    if weights.sum() <= 0:
        raise EmberValueError("WeightedRandomSampler: the weights sum to zero; at least one must be positive")
    if not replacement and num_samples > numpy.count_nonzero(weights):
        raise EmberValueError(f"WeightedRandomSampler: cannot draw {num_samples} distinct indices "
                              f"without replacement from {numpy.count_nonzero(weights)} non-zero weights")


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
