"""Reduction operations and the MPI operation each one becomes for a dtype.

Example:
    >>> from ember.distributed import ReduceOp
    >>> ReduceOp.SUM, ReduceOp.AVG.needs_division
    (<ReduceOp.SUM: 'sum'>, True)
"""
from __future__ import annotations

import enum

import numpy

from ..errors import DTypeError


class ReduceOp(enum.Enum):
    """How :func:`all_reduce` and :func:`reduce_scatter` combine the ranks' tensors."""

    SUM = "sum"
    AVG = "avg"          # a sum divided by the world size (floating dtypes only)
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"        # bitwise and, or, xor: integer and bool dtypes only
    BOR = "bor"
    BXOR = "bxor"

    @property
    def needs_division(self) -> bool:
        return self is ReduceOp.AVG


# MPI's name for each operation on numbers; AVG is a SUM followed by a division.
_NUMERIC = {"sum": "SUM", "avg": "SUM", "product": "PROD", "min": "MIN", "max": "MAX",
            "band": "BAND", "bor": "BOR", "bxor": "BXOR"}
# MPI has only logical operations for booleans; this is what PyTorch's results equal.
_LOGICAL = {"sum": "LOR", "max": "LOR", "bor": "LOR", "product": "LAND", "min": "LAND",
            "band": "LAND", "bxor": "LXOR"}


def to_mpi(MPI, op: ReduceOp, dtype: numpy.dtype, caller: str):
    """The ``MPI.Op`` that performs ``op`` on arrays of ``dtype``, or a clear error."""
    if not isinstance(op, ReduceOp):
        raise DTypeError(f"{caller}: op must be an ember.distributed.ReduceOp, got {op!r}")
    kind = dtype.kind
    if kind == "b":
        name = _LOGICAL.get(op.value)
    elif kind == "f" and op.value in ("band", "bor", "bxor"):
        name = None
    elif kind in "iu" and op is ReduceOp.AVG:
        name = None
    else:
        name = _NUMERIC[op.value]
    if name is None:
        raise DTypeError(f"{caller}: ReduceOp.{op.name} is not supported for {dtype.name} tensors"
                         + ("; use SUM and divide" if op is ReduceOp.AVG else ""))
    return getattr(MPI, name)
