"""Giving each rank its own share of a dataset (PyTorch's ``DistributedSampler``)."""
from __future__ import annotations

import math
from typing import Iterator

from ..data.sampler import Sampler
from ..ops.random import Generator, randperm


class DistributedSampler(Sampler):
    """Yields the indices of rank ``rank``'s shard of ``dataset``.

    Every rank draws the same permutation (from ``seed + epoch``), pads it by
    repeating its start so it divides evenly (or, with ``drop_last``, cuts the
    tail), and takes every ``num_replicas``-th index from position ``rank``.
    So the shards are disjoint, equally long (every rank runs the same number
    of steps, which the collectives need) and reshuffled by :meth:`set_epoch`.

    Args:
        dataset: anything with ``len()``.
        num_replicas, rank: default to the process group's world size and rank.
        shuffle: draw a new permutation each epoch; otherwise ``0, 1, 2 ...``.
        seed: must be the same on every rank.
        drop_last: drop the tail instead of padding.

    Example:
        >>> data = list(range(10))
        >>> [list(DistributedSampler(data, num_replicas=3, rank=r, shuffle=False)) for r in range(3)]
        [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]
        >>> list(DistributedSampler(data, num_replicas=3, rank=0, shuffle=False, drop_last=True))
        [0, 3, 6]
        >>> sampler = DistributedSampler(data, num_replicas=2, rank=0, seed=1)
        >>> sampler.set_epoch(1)
        >>> len(sampler), sorted(sampler) == sorted(set(sampler))
        (5, True)
    """

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False):
        if num_replicas is None or rank is None:
            from .process_group import current
            group = current("DistributedSampler (without num_replicas and rank)")
            num_replicas = group.size if num_replicas is None else num_replicas
            rank = group.rank if rank is None else rank
        if not 0 <= rank < num_replicas:
            raise ValueError(f"DistributedSampler: invalid rank {rank}, rank should be in the "
                             f"interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last
        self.epoch = 0
        size = len(dataset)
        if drop_last:
            self.num_samples = size // num_replicas
        else:
            self.num_samples = math.ceil(size / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Choose the epoch's permutation; call it before each epoch, with the same value on every rank."""
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        return iter(self._indices()[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def _indices(self) -> list[int]:
        size = len(self.dataset)
        if self.shuffle:
            generator = Generator().manual_seed(self.seed + self.epoch)
            indices = randperm(size, generator=generator).tolist()
        else:
            indices = list(range(size))
        if self.drop_last:
            return indices[:self.total_size]
        padding = self.total_size - size
        # Repeat the whole list as often as needed: a tiny dataset may need it more than once.
        repeats = math.ceil(padding / size) if size else 0
        return indices + (indices * repeats)[:padding]
