"""Averaging gradients across ranks in buckets, while backward is still running.

The parameters are cut into buckets of at most ``bucket_cap_mb`` (one dtype
per bucket), first in reverse registration order (roughly the order in which
backward produces their gradients), then, from the second step on, in the
order the first backward actually produced them. Each bucket owns one flat
buffer. During
backward, :meth:`Reducer.ready` copies each parameter's gradient into its
slot as soon as it is known; a bucket whose slots are all filled starts a
non-blocking ``MPI_Iallreduce`` and backward goes on computing the earlier
layers while it travels. Buckets always start in index order, the same on
every rank, because MPI requires collectives to be issued in the same order.

When backward deposits the gradients, :meth:`Reducer.finalize` (called
once per parameter) starts any bucket still waiting (parameters that got no
gradient on this rank contribute their current ``.grad`` or zeros), waits
for all of them, divides by the world size and hands each parameter its
averaged slot.
"""
from __future__ import annotations

import numpy

from ..tensor import Tensor
from .errors import DistributedError


class Bucket:
    """A group of parameters reduced together through one flat buffer."""

    __slots__ = ("indices", "offsets", "buffer", "missing", "request")

    def __init__(self, indices: list[int], params: list, dtype: numpy.dtype):
        self.indices = indices
        self.offsets = {}
        offset = 0
        for index in indices:
            size = params[index]._data.size
            self.offsets[index] = (offset, offset + size)
            offset += size
        self.buffer = numpy.zeros(offset, dtype=dtype)
        self.missing = len(indices)
        self.request = None

    def slot(self, index: int, shape: tuple, transposed: bool = False) -> numpy.ndarray:
        """The part of the buffer that holds parameter ``index``, shaped like it.

        ``transposed`` lays it out in Fortran order: the layout ``Linear``'s
        weight gradients arrive in (they are transposes), so copying them in
        is a plain memory copy rather than a transposition (15x slower).
        """
        start, stop = self.offsets[index]
        flat = self.buffer[start:stop]
        return flat.reshape(shape[::-1]).T if transposed else flat.reshape(shape)


def plan_buckets(params: list, cap_bytes: int, order: list[int] | None = None) -> list[list[int]]:
    """Parameter indices grouped into buckets, in ``order`` (default: last parameter first).

    Example:
        >>> import ember
        >>> params = [ember.zeros(100), ember.zeros(100), ember.zeros(300)]
        >>> plan_buckets(params, cap_bytes=800)
        [[2], [1, 0]]
        >>> plan_buckets(params, cap_bytes=800, order=[0, 1, 2])
        [[0, 1], [2]]
    """
    buckets, current, size, dtype = [], [], 0, None
    for index in (reversed(range(len(params))) if order is None else order):
        array = params[index]._data
        if current and (size + array.nbytes > cap_bytes or array.dtype != dtype):
            buckets.append(current)
            current, size = [], 0
        current.append(index)
        size += array.nbytes
        dtype = array.dtype
    if current:
        buckets.append(current)
    return buckets


class Reducer:
    """The all-reduce of one backward pass: which buckets are ready, in flight, done."""

    def __init__(self, group, params: list, cap_bytes: int):
        self.group = group
        self.params = params
        self.cap_bytes = cap_bytes
        # What ready() passes on instead of each gradient: zeros that occupy no memory.
        self.markers = [Tensor._make(numpy.broadcast_to(numpy.zeros((), p._data.dtype), p._data.shape),
                                     None, False) for p in params]
        self.armed = False        # a synchronising forward ran; its backward is awaited
        self.round = 0            # counts those forwards, to spot a stale graph's gradients
        self.seen = {}            # parameter index -> the stand-in ready() passed on
        self.launched = 0         # buckets started so far this round, in index order
        self.finished = False     # all buckets waited for and averaged this round
        # Each parameter's slot (see _plan) is laid out like its first gradient (-1: no
        # gradient seen yet, 0: C order, 1: Fortran order); round 1 checks that ranks agree.
        self.layouts = numpy.full(len(params), -1, dtype=numpy.int8)
        self.layouts_agreed = False
        self.started_in_backward = 0  # buckets the last backward started before it ended
        self.ready_order = []         # the first round's order of ready(), to rebuild buckets
        self.rebuilt = False
        self._plan(None)

    def _plan(self, order: list[int] | None) -> None:
        """(Re)build the buckets, in ``order`` of parameter indices."""
        self.buckets = [Bucket(indices, self.params, self.params[indices[0]]._data.dtype)
                        for indices in plan_buckets(self.params, self.cap_bytes, order)]
        self.bucket_of = {index: bucket for bucket in self.buckets for index in bucket.indices}
        self.slots = [None] * len(self.params)
        for index, layout in enumerate(self.layouts.tolist()):
            if layout >= 0:
                self._decide(index, bool(layout))

    def _rebuild(self) -> None:
        """Re-cut the buckets in the order the first backward produced the gradients.

        The default order (reverse registration) is only a guess: a parameter
        used early in forward but registered last, or one never used, would
        hold its bucket back, and buckets start strictly in order. Rank 0's
        observed order is broadcast so every rank cuts the same buckets (as
        PyTorch does); parameters that got no gradient go last.
        """
        first = list(dict.fromkeys(self.ready_order))
        seen = set(first)
        rest = [index for index in reversed(range(len(self.params))) if index not in seen]
        order = numpy.array(first + rest, dtype=numpy.int64)
        self.group.wait([self.group.comm.Ibcast(order, root=0)],
                        "DistributedDataParallel's broadcast of the bucket order")
        self._plan(order.tolist())
        self.rebuilt = True

    # --- during forward and backward --------------------------------------------
    def prepare(self) -> int:
        """Start a round (a synchronising forward ran); returns its number."""
        if self.launched and not self.finished:
            # An earlier round's backward never deposited (e.g. autograd.grad was used):
            # its buckets are still in flight and their buffers are about to be reused.
            self.group.wait([b.request for b in self.buckets[:self.launched]],
                            "DistributedDataParallel's abandoned gradient all-reduce")
        if self.round == 1 and not self.rebuilt:
            self._rebuild()
        self.round += 1
        self.armed = True
        self.seen.clear()
        self.launched = 0
        self.finished = False
        for bucket in self.buckets:
            bucket.missing = len(bucket.indices)
            bucket.request = None
        return self.round

    def ready(self, index: int, round_: int, grad):
        """Parameter ``index``'s gradient from the forward is known: fill its slot.

        Returns the stand-in gradient to pass on to the parameter itself: a
        broadcast zero, costing nothing. What reaches the parameter is then
        exactly what backward adds from outside the wrapped forward (often
        nothing), which :meth:`finalize` adds to the average unchanged.
        """
        if round_ != self.round or not self.armed:
            raise DistributedError("DistributedDataParallel: backward went through the output "
                                   "of an earlier forward; call backward once per forward")
        if index in self.seen:
            raise DistributedError("DistributedDataParallel: a parameter received two gradients "
                                   "in one round; run one forward per backward (use no_sync() "
                                   "to accumulate over several)")
        marker = self.markers[index]
        self.seen[index] = marker
        if not self.rebuilt:
            self.ready_order.append(index)
        bucket = self.bucket_of[index]
        param = self.params[index]
        slot = self._slot(index, grad._data)
        if param.grad is None:  # a fresh gradient; else add what no_sync() accumulated
            numpy.copyto(slot, grad._data)
        else:
            numpy.add(param.grad._data, grad._data, out=slot)
        bucket.missing -= 1
        self._launch_ready()
        return marker

    def _slot(self, index: int, like: numpy.ndarray | None = None) -> numpy.ndarray:
        """Parameter ``index``'s slot; the first gradient ``like`` decides its layout."""
        slot = self.slots[index]
        if slot is not None:
            return slot
        param = self.params[index]
        if like is None:  # no gradient seen yet: C order, for now
            return self.bucket_of[index].slot(index, param._data.shape)
        transposed = like.ndim > 1 and like.flags.f_contiguous and not like.flags.c_contiguous
        return self._decide(index, transposed)

    def _decide(self, index: int, transposed: bool) -> numpy.ndarray:
        slot = self.bucket_of[index].slot(index, self.params[index]._data.shape, transposed)
        self.slots[index] = slot
        self.layouts[index] = int(transposed)
        return slot

    def _agree_on_layouts(self) -> None:
        """Check, once, that every rank laid each slot out the same way (else sums mix elements).

        A parameter no gradient reached here yet takes the other ranks' layout:
        its slot held zeros, which read the same in any layout.
        """
        table = numpy.empty((self.group.size, len(self.params)), dtype=numpy.int8)
        self.group.wait([self.group.comm.Iallgather(self.layouts, table)],
                        "DistributedDataParallel's check of gradient layouts")
        for index in range(len(self.params)):
            decided = set(table[:, index].tolist()) - {-1}
            if len(decided) > 1:
                raise DistributedError(
                    f"DistributedDataParallel: parameter {index}'s gradient is C-ordered on some "
                    "ranks and Fortran-ordered on others; every rank must run the same model code")
            if decided and self.layouts[index] == -1:
                self._decide(index, bool(decided.pop()))
        self.layouts_agreed = True

    def _launch_ready(self) -> None:
        """Start every bucket that is complete, in index order; poke the ones in flight."""
        MPI = self.group.MPI
        while self.launched < len(self.buckets) and self.buckets[self.launched].missing == 0:
            self._launch(self.buckets[self.launched])
        if self.launched:
            # MPI advances a non-blocking collective only inside MPI calls; test them now.
            MPI.Request.Testall([b.request for b in self.buckets[:self.launched]])

    def _launch(self, bucket: Bucket) -> None:
        bucket.request = self.group.comm.Iallreduce(self.group.MPI.IN_PLACE, bucket.buffer,
                                                    self.group.MPI.SUM)
        self.launched += 1

    # --- when backward deposits the gradients -------------------------------------
    def owns(self, index: int) -> bool:
        """True when parameter ``index``'s gradient being deposited is part of this round."""
        return index in self.seen

    def finalize(self, index: int, grad) -> numpy.ndarray:
        """The averaged gradient to deposit for parameter ``index``: a new array of its own.

        Clears ``.grad`` first: the slot already includes what ``.grad`` held
        (see :meth:`ready`), so it must replace ``.grad``, not be added to it.
        The copy is in C order, like the parameter: an optimizer mixing a
        Fortran-ordered gradient with a C-ordered weight runs 10x slower.
        (For a transposed slot this copy is the one transposition the engine
        makes anyway, when it copies such a gradient into ``.grad``.)
        """
        if not self.finished:
            self._finish_all()
        averaged = self._slot(index)
        if grad is self.seen.pop(index):
            averaged = averaged.copy(order="C")
        else:
            # Backward also reached this parameter outside the wrapped forward (e.g. a penalty
            # on the weights): ``grad`` is exactly that part (the forward's part was replaced
            # by a zero), identical on every rank, so it is added unreduced.
            averaged = averaged + grad._data
        self.params[index].grad = None
        return averaged

    def _finish_all(self) -> None:
        self.started_in_backward = self.launched
        for bucket in self.buckets[self.launched:]:
            self._fill_unused(bucket)
            self._launch(bucket)
        requests = [bucket.request for bucket in self.buckets]
        count = f"{len(requests)} bucket" + ("s" if len(requests) > 1 else "")
        self.group.wait(requests, f"DistributedDataParallel's gradient all-reduce ({count})")
        if not self.layouts_agreed:
            self._agree_on_layouts()
        for bucket in self.buckets:
            numpy.divide(bucket.buffer, self.group.size, out=bucket.buffer)
        self.finished = True
        self.armed = False
        self._write_unused()

    def _fill_unused(self, bucket: Bucket) -> None:
        """Slots of parameters with no gradient this round hold their ``.grad`` or zeros."""
        for index in bucket.indices:
            if index not in self.seen:
                grad = self.params[index].grad
                if grad is None:
                    self._slot(index).fill(0)
                else:
                    numpy.copyto(self._slot(index, grad._data), grad._data)

    def _write_unused(self) -> None:
        """Give parameters that had no gradient here the average of the other ranks' ones.

        Backward will not deposit anything for them on this rank, so their
        ``.grad`` is written directly (left as it is when every rank had none).
        """
        for index, param in enumerate(self.params):
            if index in self.seen:
                continue
            averaged = self._slot(index)
            if param.grad is not None:
                numpy.copyto(param.grad._data, averaged)
            elif averaged.any():
                param.grad = Tensor._make(averaged.copy(), None, False)
