"""Checking that every rank makes the same collective call, before making it.

Each rank packs what it is about to do (operation, reduction, dtype, root,
shape) into a few integers; one small all-gather shows every rank everyone's
call. Equal rows: go ahead. Different rows: every rank raises the same
:class:`CollectiveMismatchError`, naming each rank's call, so the job stops
with a clear message instead of hanging or mixing unrelated buffers. The
cost is one small extra collective (see ``docs/distributed.md``).
"""
from __future__ import annotations

import numpy

from .errors import CollectiveMismatchError

_KINDS = ("all_reduce", "broadcast", "all_gather", "reduce_scatter", "gather", "scatter",
          "ddp_parameters")
_DTYPES = tuple(numpy.dtype(name) for name in ("bool", "uint8", "int8", "int16", "int32",
                                                 "int64", "float16", "float32", "float64"))
_REDUCTIONS = ("", "sum", "avg", "product", "min", "max", "band", "bor", "bxor")
_MAX_DIMS = 10
_WIDTH = 6 + _MAX_DIMS  # kind, reduction, dtype, root, ndim, shape hash, dims


def signature(kind: str, shape: tuple, dtype: numpy.dtype, reduction: str = "",
              root: int = -1) -> numpy.ndarray:
    """The integers that describe one rank's call.

    Example:
        >>> row = signature("all_reduce", (3, 4), numpy.dtype("float32"), "sum")
        >>> describe(row)
        'all_reduce(sum) of float32 (3, 4)'
    """
    row = numpy.full(_WIDTH, -1, dtype=numpy.int64)
    row[0] = _KINDS.index(kind)
    row[1] = _REDUCTIONS.index(reduction)
    row[2] = _DTYPES.index(dtype) if dtype in _DTYPES else len(_DTYPES)
    row[3] = root
    row[4] = len(shape)
    row[5] = hash(tuple(shape))  # int tuples hash the same in every process
    dims = shape[:_MAX_DIMS]
    row[6:6 + len(dims)] = dims
    return row


def describe(row: numpy.ndarray) -> str:
    """A signature as readable text, e.g. ``all_reduce(sum) of float32 (3, 4)``."""
    kind = _KINDS[row[0]]
    arguments = [_REDUCTIONS[row[1]]] if row[1] else []
    if row[3] >= 0:
        arguments.append(f"root={row[3]}")
    dtype = _DTYPES[row[2]].name if row[2] < len(_DTYPES) else "another dtype"
    ndim = int(row[4])
    shape = (str(tuple(int(d) for d in row[6:6 + ndim])) if ndim <= _MAX_DIMS
             else f"a {ndim}-d shape")
    return f"{kind}({', '.join(arguments)}) of {dtype} {shape}"


def check(group, row: numpy.ndarray) -> None:
    """All-gather every rank's signature; raise on every rank if they differ."""
    table = numpy.empty((group.size, _WIDTH), dtype=numpy.int64)
    group.wait([group.comm.Iallgather(row, table)],
               f"{describe(row)} (while checking that every rank makes the same call)")
    if (table == row).all():
        return
    lines = "\n".join(f"  rank {rank}: {describe(other)}" for rank, other in enumerate(table))
    raise CollectiveMismatchError(
        f"ranks called a collective with different arguments (seen from rank {group.rank}):\n"
        f"{lines}\nevery rank must make the same calls in the same order, with tensors "
        "of the same shape and dtype")
