"""Collectives on Ember tensors: PyTorch's ``torch.distributed`` calls, over MPI.

Every call starts non-blocking MPI requests. With ``async_op=True`` it returns
a :class:`~ember.distributed.work.Work` to ``wait()`` on; otherwise it waits
itself and returns ``None``. Results are written in place into the given
tensors, contiguous or not (a non-contiguous tensor is staged through a
contiguous copy, since MPI reads and writes flat memory). The values are
not recorded by autograd: a collective writes ``._data`` directly and bumps
the tensor's version counter, like any in-place write.

With verification on (the default, see ``init_process_group``), a collective
first checks that all ranks agree on operation, dtype, shape and root.

Example (a world of one, so every reduction returns its input):
    >>> import ember, ember.distributed as dist
    >>> dist.init_process_group()
    >>> x = ember.tensor([[1.0, 2.0], [3.0, 4.0]]).t()    # not contiguous
    >>> dist.all_reduce(x, op=dist.ReduceOp.MAX)
    >>> x
    tensor([[1., 3.],
            [2., 4.]])
    >>> parts = [ember.zeros(2, 2)]
    >>> dist.all_gather(parts, x)
    >>> parts[0]
    tensor([[1., 3.],
            [2., 4.]])
    >>> dist.destroy_process_group()
"""
from __future__ import annotations

import contextlib

import numpy

from .. import backend
from . import verify
from .errors import CollectiveMismatchError, DistributedError
from .process_group import current
from .reduce_op import ReduceOp, to_mpi
from .work import Work

__all__ = ["all_reduce", "broadcast", "all_gather", "reduce_scatter", "gather", "scatter",
           "send", "recv", "isend", "irecv"]


# --- buffers --------------------------------------------------------------------
def _array(tensor, caller: str) -> numpy.ndarray:
    array = getattr(tensor, "_data", None)
    if not isinstance(array, numpy.ndarray):
        raise DistributedError(f"{caller}: expected an ember.Tensor on the NumPy backend, "
                               f"got {type(tensor).__name__}")
    return array


def _readable(tensor, caller: str) -> numpy.ndarray:
    """The tensor's values as contiguous memory MPI can send from."""
    array = _array(tensor, caller)
    return array if array.flags.c_contiguous else array.copy(order="C")


def _writable(tensor, caller: str) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(the tensor's array, contiguous memory MPI can write into: the array itself if it can)."""
    array = _array(tensor, caller)
    if not backend.is_writeable(array):
        raise DistributedError(f"{caller}: the output tensor's memory is read-only (an expanded "
                               "or broadcast view); clone() it first")
    return array, (array if array.flags.c_contiguous else array.copy(order="C"))


def _store(tensor, array: numpy.ndarray, values: numpy.ndarray) -> None:
    """Make ``values`` the tensor's content and count it as an in-place write."""
    if values is not array:
        numpy.copyto(array, values, casting="unsafe")
    tensor._shared_version().value += 1


def _check_list(tensors, count: int, like: numpy.ndarray, caller: str, name: str) -> list:
    if tensors is None or len(tensors) != count:
        found = "None" if tensors is None else f"{len(tensors)} tensors"
        raise DistributedError(f"{caller}: {name} must hold one tensor per rank ({count}), "
                               f"got {found}")
    arrays = [_array(t, caller) for t in tensors]
    for index, array in enumerate(arrays):
        if array.shape != like.shape or array.dtype != like.dtype:
            raise CollectiveMismatchError(
                f"{caller}: {name}[{index}] is {array.dtype} {array.shape}, but the tensor is "
                f"{like.dtype} {like.shape}; they must match")
    return arrays


def _run(group, requests: list, finish, what: str, async_op: bool):
    work = Work(group, requests, finish, what)
    if async_op:
        return work
    work.wait()
    return None


def _verify(group, kind: str, array: numpy.ndarray, reduction: str = "", root: int = -1):
    if group.verify:
        verify.check(group, verify.signature(kind, array.shape, array.dtype, reduction, root))


def _check_rank(group, rank: int, caller: str, name: str) -> int:
    if not 0 <= rank < group.size:
        raise DistributedError(f"{caller}: {name}={rank} is not a rank of this world of "
                               f"{group.size}")
    return rank


def _what(kind: str, array: numpy.ndarray) -> str:
    return f"{kind} of a {tuple(array.shape)} {array.dtype} tensor"


# --- reductions -----------------------------------------------------------------
def all_reduce(tensor, op: ReduceOp = ReduceOp.SUM, *, async_op: bool = False):
    """Combine ``tensor`` across all ranks with ``op``; every rank gets the result in place."""
    group = current("all_reduce")
    array, buffer = _writable(tensor, "all_reduce")
    mpi_op = to_mpi(group.MPI, op, array.dtype, "all_reduce")
    _verify(group, "all_reduce", array, op.value)
    request = group.comm.Iallreduce(group.MPI.IN_PLACE, buffer, mpi_op)

    def finish():
        if op.needs_division:
            numpy.divide(buffer, group.size, out=buffer)
        _store(tensor, array, buffer)
    return _run(group, [request], finish, _what("all_reduce", array), async_op)


def reduce_scatter(output, input_list, op: ReduceOp = ReduceOp.SUM, *, async_op: bool = False):
    """Reduce ``input_list`` (one tensor per rank) across ranks; rank ``r`` gets element ``r``."""
    group = current("reduce_scatter")
    array, buffer = _writable(output, "reduce_scatter")
    inputs = _check_list(input_list, group.size, array, "reduce_scatter", "input_list")
    mpi_op = to_mpi(group.MPI, op, array.dtype, "reduce_scatter")
    _verify(group, "reduce_scatter", array, op.value)
    send = numpy.stack(inputs)
    request = group.comm.Ireduce_scatter_block(send, buffer, mpi_op)

    def finish():
        if op.needs_division:
            numpy.divide(buffer, group.size, out=buffer)
        _store(output, array, buffer)
    return _run(group, [request], finish, _what("reduce_scatter", array), async_op)


# --- copies -----------------------------------------------------------------------
def broadcast(tensor, src: int, *, async_op: bool = False):
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every other rank."""
    group = current("broadcast")
    _check_rank(group, src, "broadcast", "src")
    array, buffer = _writable(tensor, "broadcast")
    _verify(group, "broadcast", array, root=src)
    request = group.comm.Ibcast(buffer, root=src)

    def finish():
        if group.rank != src:
            _store(tensor, array, buffer)
    return _run(group, [request], finish, _what("broadcast", array), async_op)


def all_gather(tensor_list, tensor, *, async_op: bool = False):
    """Fill ``tensor_list[r]`` with rank ``r``'s ``tensor``, on every rank."""
    group = current("all_gather")
    send = _readable(tensor, "all_gather")
    outputs = _check_list(tensor_list, group.size, send, "all_gather", "tensor_list")
    _verify(group, "all_gather", send)
    gathered = numpy.empty((group.size,) + send.shape, dtype=send.dtype)
    request = group.comm.Iallgather(send, gathered)

    def finish():
        for target, array, values in zip(tensor_list, outputs, gathered):
            _store(target, array, values)
    return _run(group, [request], finish, _what("all_gather", send), async_op)


def gather(tensor, gather_list=None, dst: int = 0, *, async_op: bool = False):
    """Collect every rank's ``tensor`` into ``gather_list`` on rank ``dst`` (only there)."""
    group = current("gather")
    _check_rank(group, dst, "gather", "dst")
    send = _readable(tensor, "gather")
    outputs, gathered = _root_buffers(group, dst, gather_list, send, "gather", "gather_list")
    _verify(group, "gather", send, root=dst)
    request = group.comm.Igather(send, gathered, root=dst)

    def finish():
        if gathered is not None:
            for target, array, values in zip(gather_list, outputs, gathered):
                _store(target, array, values)
    return _run(group, [request], finish, _what("gather", send), async_op)


def scatter(tensor, scatter_list=None, src: int = 0, *, async_op: bool = False):
    """Give rank ``r`` the tensor ``scatter_list[r]`` held by rank ``src``, into ``tensor``."""
    group = current("scatter")
    _check_rank(group, src, "scatter", "src")
    array, buffer = _writable(tensor, "scatter")
    inputs, _ = _root_buffers(group, src, scatter_list, array, "scatter", "scatter_list")
    _verify(group, "scatter", array, root=src)
    send = numpy.stack(inputs) if group.rank == src else None
    request = group.comm.Iscatter(send, buffer, root=src)

    def finish():
        _store(tensor, array, buffer)
    return _run(group, [request], finish, _what("scatter", array), async_op)


def _root_buffers(group, root: int, tensors, like: numpy.ndarray, caller: str, name: str):
    """The root's list as arrays and a gather buffer; nothing on the other ranks."""
    if group.rank != root:
        if tensors is not None:
            raise DistributedError(f"{caller}: {name} must be None on ranks other than the "
                                   f"root ({root})")
        return [], None
    arrays = _check_list(tensors, group.size, like, caller, name)
    return arrays, numpy.empty((group.size,) + like.shape, dtype=like.dtype)


# --- point to point ---------------------------------------------------------------
def isend(tensor, dst: int, tag: int = 0) -> Work:
    """Start sending ``tensor`` to rank ``dst``; the matching call there is :func:`irecv`."""
    group = current("isend")
    _check_rank(group, dst, "isend", "dst")
    send = _readable(tensor, "isend")
    request = group.comm.Isend(send, dest=dst, tag=tag)  # the request keeps ``send`` alive
    return Work(group, [request], None, _what(f"send to rank {dst}", send))


def irecv(tensor, src: int | None = None, tag: int = 0) -> "ReceiveWork":
    """Start receiving into ``tensor`` from rank ``src`` (any rank when ``None``).

    The message's size is checked against the tensor's: one of another size
    raises :class:`CollectiveMismatchError` (a message of the same size but
    another shape cannot be told apart). ``wait()`` then sets ``.source``.
    """
    group = current("irecv")
    source = group.MPI.ANY_SOURCE if src is None else _check_rank(group, src, "irecv", "src")
    array, buffer = _writable(tensor, "irecv")
    status = group.MPI.Status()
    request = group.comm.Irecv(buffer, source=source, tag=tag)
    expected = f"the receiving tensor ({array.dtype} {tuple(array.shape)}) holds {buffer.nbytes}"

    def finish():
        received = status.Get_count(group.MPI.BYTE)
        if received != buffer.nbytes:
            raise CollectiveMismatchError(f"recv: rank {status.Get_source()} sent {received} "
                                          f"bytes, but {expected}")
        work.source = status.Get_source()
        _store(tensor, array, buffer)
    what = _what("receive" + ("" if src is None else f" from rank {src}"), array)
    work = ReceiveWork(group, [request], finish, what, [status])
    work.expected = expected
    return work


class ReceiveWork(Work):
    """A receive in flight; ``source`` is the sender's rank once it completes."""

    __slots__ = ("source", "expected")

    def wait(self, timeout=None) -> bool:
        with self._explained():
            return super().wait(timeout)

    def is_completed(self) -> bool:
        with self._explained():
            return super().is_completed()

    @contextlib.contextmanager
    def _explained(self):
        MPI = self.group.MPI
        try:
            yield
        except MPI.Exception as error:
            code = error.Get_error_class()
            if code == MPI.ERR_IN_STATUS:  # Waitall reports the real error in the status
                code = MPI.Get_error_class(self.statuses[0].Get_error())
            if code != MPI.ERR_TRUNCATE:
                raise
            raise CollectiveMismatchError(f"recv: the message is longer than {self.expected} "
                                          "bytes") from None


def send(tensor, dst: int, tag: int = 0) -> None:
    """Send ``tensor`` to rank ``dst`` and wait until its buffer may be reused."""
    isend(tensor, dst, tag).wait()


def recv(tensor, src: int | None = None, tag: int = 0) -> int:
    """Receive into ``tensor`` from rank ``src`` (any rank when ``None``); returns the sender.

    Example:
        >>> import ember, ember.distributed as dist
        >>> dist.init_process_group()
        >>> work = dist.isend(ember.tensor([7.0, 8.0]), dst=0)   # to itself, in a world of one
        >>> box = ember.zeros(2)
        >>> dist.recv(box, src=0), box
        (0, tensor([7., 8.]))
        >>> work.wait()
        True
        >>> dist.destroy_process_group()
    """
    work = irecv(tensor, src, tag)
    work.wait()
    return work.source
