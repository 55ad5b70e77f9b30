"""Data-parallel training over MPI: process groups, collectives, DDP and sampling.

Launch a script with ``mpiexec -n 2 python train.py`` (or ``python -m
ember.distributed.launch -n 2 train.py``, which finds the right ``mpiexec``
and sets what it needs); each process calls :func:`init_process_group`,
wraps its model in :class:`DistributedDataParallel` and reads its shard of
the data through :class:`DistributedSampler`. Run plainly with ``python``,
the same script is a world of one. See ``docs/distributed.md``.

Example:
    >>> import ember.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> dist.get_rank(), dist.get_world_size()
    (0, 1)
    >>> dist.destroy_process_group()
"""
from .collectives import (all_gather, all_reduce, broadcast, gather, irecv, isend, recv,
                          reduce_scatter, scatter, send)
from .ddp import DistributedDataParallel
from .errors import CollectiveMismatchError, CompiledStepError, DistributedError
from .process_group import (barrier, destroy_process_group, get_rank, get_world_size,
                            init_process_group, is_available, is_initialized)
from .reduce_op import ReduceOp
from .sampler import DistributedSampler
from .work import Work


def __getattr__(name: str):
    # The Keras strategy is loaded on first use: it imports ember.keras, which plain
    # ember.distributed users need not pay for.
    if name == "MirroredStrategy":
        from .strategy import MirroredStrategy
        return MirroredStrategy
    raise AttributeError(f"module 'ember.distributed' has no attribute '{name}'")


__all__ = ["init_process_group", "destroy_process_group", "is_available", "is_initialized",
           "get_rank", "get_world_size", "barrier", "ReduceOp", "Work", "all_reduce",
           "broadcast", "all_gather", "reduce_scatter", "gather", "scatter", "send", "recv",
           "isend", "irecv", "DistributedDataParallel", "DistributedSampler", "MirroredStrategy",
           "DistributedError", "CollectiveMismatchError", "CompiledStepError"]
