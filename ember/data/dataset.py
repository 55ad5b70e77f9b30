"""Datasets: the map-style and iterable protocols, and the containers built on them.

A map-style dataset may also offer ``_get_batch(indices)``, returning a
whole collated batch (or ``NotImplemented`` when it can't); the DataLoader
uses it with the default collate function, so in-memory datasets are
batched by one NumPy fancy-index instead of a Python loop per sample.
"""
from __future__ import annotations

import bisect
import math
from typing import Any, Iterator, Sequence

import numpy

from ..ops import random as _random
from ..tensor import Tensor


class Dataset:
    """A map-style dataset: ``dataset[index]`` and ``len(dataset)`` (PyTorch's ``Dataset``).

    Example:
        >>> import ember
        >>> class Squares(ember.data.Dataset):
        ...     def __len__(self): return 4
        ...     def __getitem__(self, index): return index * index
        >>> [Squares()[i] for i in range(4)]
        [0, 1, 4, 9]
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])

    # TensorFlow's tf.data constructors (``import ember as tf; tf.data.Dataset.range(5)``): they
    # return a tf.data-style pipeline (ember/data/pipeline), itself an IterableDataset; PyTorch-style
    # subclasses only inherit these class methods.
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        from .pipeline import from_tensor_slices
        return from_tensor_slices(tensors)

    @staticmethod
    def from_tensors(tensors, name=None):
        from .pipeline import from_tensors
        return from_tensors(tensors)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None,
                       name=None):
        from .pipeline import from_generator
        return from_generator(generator, output_types, output_shapes, args, output_signature)

    @staticmethod
    def range(*args, output_type="int64", name=None):
        from .pipeline import range_dataset
        return range_dataset(*args, output_type=output_type)

    @staticmethod
    def counter(start=0, step=1, dtype="int64", name=None):
        from .pipeline import counter
        return counter(start, step, dtype)

    @staticmethod
    def random(seed=None, rerandomize_each_iteration=None, name=None):
        from .pipeline import random_dataset
        return random_dataset(seed, rerandomize_each_iteration)

    @staticmethod
    def zip(*datasets, name=None):
        from .pipeline import zip_datasets
        return zip_datasets(*datasets)

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None):
        from .pipeline import sample_from_datasets
        return sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset)


class IterableDataset(Dataset):
    """A dataset that is a stream: implement ``__iter__`` (PyTorch's ``IterableDataset``).

    Example:
        >>> import ember
        >>> class Count(ember.data.IterableDataset):
        ...     def __iter__(self): return iter(range(5))
        >>> [batch.tolist() for batch in ember.data.DataLoader(Count(), batch_size=2)]
        [[0, 1], [2, 3], [4]]
    """

    def __iter__(self) -> Iterator:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class TensorDataset(Dataset):
    """Samples are the i-th rows of tensors sharing their first dimension.

    Example:
        >>> import ember
        >>> data = ember.data.TensorDataset(ember.arange(6).reshape(3, 2), ember.tensor([7, 8, 9]))
        >>> data[1]
        (tensor([2, 3]), tensor(8))
    """

    def __init__(self, *tensors: Tensor):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        sizes = {t.shape[0] for t in tensors}
        if len(sizes) != 1:
            raise ValueError(f"Size mismatch between tensors: first dimensions {[t.shape[0] for t in tensors]}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def _get_batch(self, indices: numpy.ndarray):
        return tuple(Tensor._make(tensor._data[indices], None, False) for tensor in self.tensors)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``.

    Example:
        >>> import ember
        >>> data = ember.data.TensorDataset(ember.arange(5))
        >>> [int(x) for (x,) in ember.data.Subset(data, [4, 0])]
        [4, 0]
    """

    def __init__(self, dataset: Dataset, indices: Sequence[int]):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)

    def _get_batch(self, indices: numpy.ndarray):
        get_batch = getattr(self.dataset, "_get_batch", None)
        if get_batch is None:
            return NotImplemented
        return get_batch(numpy.asarray(self.indices)[indices])


class ConcatDataset(Dataset):
    """Several datasets one after another.

    Example:
        >>> import ember
        >>> a, b = ember.data.TensorDataset(ember.arange(2)), ember.data.TensorDataset(ember.arange(3))
        >>> both = ember.data.ConcatDataset([a, b])
        >>> len(both), int(both[3][0])
        (5, 1)
    """

    def __init__(self, datasets: Sequence[Dataset]):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        if any(isinstance(d, IterableDataset) for d in self.datasets):
            raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(numpy.cumsum([len(d) for d in self.datasets]).tolist())

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int):
        if index < 0:
            if -index > len(self):
                raise IndexError("absolute value of index should not exceed dataset length")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset):
    """Several iterable datasets, streamed one after another.

    Example:
        >>> import ember
        >>> class Count(ember.data.IterableDataset):
        ...     def __init__(self, n): self.n = n
        ...     def __iter__(self): return iter(range(self.n))
        >>> list(ember.data.ChainDataset([Count(2), Count(3)]))
        [0, 1, 0, 1, 2]
    """

    def __init__(self, datasets):
        self.datasets = datasets

    def __iter__(self) -> Iterator:
        for dataset in self.datasets:
            if not isinstance(dataset, IterableDataset):
                raise TypeError(f"ChainDataset only supports IterableDataset, got {type(dataset).__name__}")
            yield from dataset

    def __len__(self) -> int:
        return sum(len(dataset) for dataset in self.datasets)


class StackDataset(Dataset):
    """Samples made of the i-th sample of each dataset: a tuple (``*datasets``) or a dict (``**datasets``).

    Example:
        >>> import ember
        >>> ember.data.StackDataset(image=[10, 11], label=[0, 1])[1]
        {'image': 11, 'label': 1}
        >>> ember.data.StackDataset([10, 11], [0, 1])[0]
        (10, 0)
    """

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("StackDataset takes datasets either as positional arguments (tuple samples) "
                             "or as keyword arguments (dict samples), not both")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        self.datasets = args or kwargs
        lengths = {len(dataset) for dataset in (args or kwargs.values())}
        if len(lengths) != 1:
            raise ValueError(f"Size mismatch between datasets: lengths {sorted(lengths)}")
        self._length = lengths.pop()

    def __getitem__(self, index: int):
        if isinstance(self.datasets, dict):
            return {key: dataset[index] for key, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __len__(self) -> int:
        return self._length


def random_split(dataset: Dataset, lengths: Sequence[int | float], generator=None) -> list[Subset]:
    """Split into non-overlapping random subsets of the given lengths (or fractions summing to 1).

    Fractions round down, and the leftover samples go one each to the first
    subsets, as PyTorch does.

    Example:
        >>> import ember
        >>> parts = ember.data.random_split(range(10), [0.7, 0.3], generator=ember.Generator().manual_seed(0))
        >>> [len(part) for part in parts]
        [7, 3]
        >>> sorted(parts[0].indices + parts[1].indices) == list(range(10))
        True
    """
    total = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _lengths_from_fractions(lengths, total)
    if sum(lengths) != total:
        raise ValueError(f"Sum of input lengths ({sum(lengths)}) does not equal the length of the "
                         f"input dataset ({total})")
    order = (generator or _random.default_generator).numpy.permutation(total).tolist()
    bounds = numpy.cumsum([0, *lengths]).tolist()
    return [Subset(dataset, order[start:end]) for start, end in zip(bounds, bounds[1:])]


def _lengths_from_fractions(fractions: Sequence[float], total: int) -> list[int]:
    for number, fraction in enumerate(fractions):
        if not 0 <= fraction <= 1:
            raise ValueError(f"Fraction at index {number} is not between 0 and 1")
    lengths = [int(math.floor(total * fraction)) for fraction in fractions]
    for number in range(total - sum(lengths)):
        lengths[number % len(lengths)] += 1
    return lengths
