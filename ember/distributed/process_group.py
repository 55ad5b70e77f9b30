"""The default process group: every process of an MPI job, talking over MPI.

``init_process_group`` joins the job ``mpiexec`` started (or, launched plainly
with ``python``, forms a world of one), installs the handlers that turn one
rank's failure into the whole job's (:mod:`.failure`), and holds the settings
every collective reads: the timeout and whether to verify calls across ranks.

Example:
    >>> import ember.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> dist.is_initialized(), dist.get_rank(), dist.get_world_size()
    (True, 0, 1)
    >>> dist.barrier()
    >>> dist.destroy_process_group()
    >>> dist.is_initialized()
    False
"""
from __future__ import annotations

import contextlib
import datetime
import os
import sys
import time

from . import _mpi, failure
from .errors import DistributedError

DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)  # PyTorch's default for its CPU backends
# A wait first spins this long (a collective usually completes within it), then sleeps between
# tests with a pause doubling up to the cap: MPI's own Waitall would keep a core busy.
_SPIN_SECONDS, _FIRST_PAUSE, _MAX_PAUSE = 1e-3, 5e-5, 2e-3
# A rank that left may still be finishing its part of the collective being waited for;
# after this long the wait cannot complete, and the job is aborted.
DEPARTURE_GRACE = 3.0


class ProcessGroup:
    """What every collective needs: the communicator, this rank, and the group's settings."""

    def __init__(self, MPI, comm, timeout: float, verify: bool):
        self.MPI = MPI
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.timeout = timeout
        self.verify = verify
        self.watchdog = failure.Watchdog(self.abort)
        self.departures = failure.Departures(comm.Dup(), self.rank, self.size)

    def describe(self) -> str:
        return f"rank {self.rank} of {self.size}"

    def abort(self, message: str) -> None:
        """Print ``message`` and end every rank of the job (``MPI_Abort``)."""
        sys.stdout.flush()
        sys.stderr.write(f"ember.distributed: {self.describe()}: {message}\n")
        sys.stderr.flush()
        # The launcher forwards our output through pipes and kills everything on Abort; a
        # short pause lets the traceback reach the user's terminal on a busy machine.
        time.sleep(0.5)
        self.MPI.COMM_WORLD.Abort(1)

    def wait(self, requests, what: str, statuses=None) -> None:
        """Block until every MPI request completes, aborting the job after the timeout.

        Polls with growing pauses instead of MPI's Waitall, which spins a core
        for as long as another rank keeps this one waiting; and aborts the job
        when a rank that left (its script ended) can never take part.
        """
        test, start, pause = self.MPI.Request.Testall, time.monotonic(), _FIRST_PAUSE
        with self.guard(what):
            while not test(requests, statuses):
                if time.monotonic() - start < _SPIN_SECONDS:
                    continue
                self._check_departures(what)
                time.sleep(pause)
                pause = min(2 * pause, _MAX_PAUSE)

    def _check_departures(self, what: str) -> None:
        departed = self.departures.poll()
        if departed is None:
            return
        rank, since = departed
        if time.monotonic() - since >= DEPARTURE_GRACE:
            self.abort(f"rank {rank} left the job (its script ended or raised SystemExit) while "
                       f"this rank waits for {what}, which can then never complete; aborting all ranks")

    def leave(self) -> None:
        """Tell the other ranks this one is done, and wait until they all are (see ``failure``)."""
        self.departures.leave()

    @contextlib.contextmanager
    def guard(self, what: str):
        """Abort the job if the block (a blocking MPI call) outlives the timeout."""
        self.watchdog.arm(self.timeout, what)
        try:
            yield
        finally:
            self.watchdog.disarm()


_group: ProcessGroup | None = None


def init_process_group(backend: str = "mpi", *, timeout: datetime.timedelta | float | None = None,
                       verify: bool | None = None) -> None:
    """Join the MPI job this process belongs to (a world of one outside ``mpiexec``).

    Args:
        backend: only ``"mpi"``: ranks and world size come from ``MPI.COMM_WORLD``.
        timeout: how long a collective may wait before the job is aborted with a
            message saying which call was waiting (a ``timedelta`` or seconds;
            default 30 minutes, like PyTorch).
        verify: before each collective, exchange every rank's operation, dtype and
            shape (one small all-gather) and raise :class:`CollectiveMismatchError`
            on all ranks if they differ. Default on, or the ``EMBER_DIST_VERIFY``
            environment variable (``0`` turns it off); it must agree on all ranks.

    In a world larger than one it also installs :mod:`.failure`'s handlers,
    so an uncaught exception on any rank aborts the whole job.
    """
    global _group
    if _group is not None:
        raise DistributedError("init_process_group: the default process group is already "
                               "initialized; call destroy_process_group() first")
    if backend != "mpi":
        raise DistributedError(f"init_process_group: unknown backend {backend!r}; Ember "
                               "supports 'mpi' (mpi4py)")
    MPI = _mpi.load()
    _mpi.check_launcher(MPI.COMM_WORLD.Get_size())
    # A private duplicate keeps Ember's messages apart from the user's own MPI calls.
    comm = MPI.COMM_WORLD.Dup()
    _group = ProcessGroup(MPI, comm, _seconds(timeout), _verify_default(verify))
    if _group.size > 1:
        failure.install(_group.abort, _group.leave)


def _seconds(timeout) -> float:
    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    seconds = timeout.total_seconds() if isinstance(timeout, datetime.timedelta) else float(timeout)
    if not seconds > 0:
        raise DistributedError(f"init_process_group: timeout must be positive, got {timeout!r}")
    return seconds


def _verify_default(verify: bool | None) -> bool:
    if verify is not None:
        return bool(verify)
    return os.environ.get("EMBER_DIST_VERIFY", "1").strip().lower() not in ("0", "false", "no", "off")


def destroy_process_group() -> None:
    """Leave the process group and restore the failure hooks (MPI stays initialised).

    In a world larger than one every rank must call it: each waits (sleeping)
    until all have, and a rank still waiting in a collective meanwhile aborts
    the job, as when a rank exits early.
    """
    global _group
    group = current("destroy_process_group")
    if group.size > 1:
        group.leave()
    group.watchdog.stop()
    failure.uninstall()
    group.departures.free()
    group.comm.Free()
    _group = None


def current(caller: str) -> ProcessGroup:
    """The default group, or a clear error naming ``caller`` when there is none."""
    if _group is None:
        raise DistributedError(f"{caller}: the default process group is not initialized; "
                               "call ember.distributed.init_process_group() first")
    return _group


def is_available() -> bool:
    """True when the MPI backend (mpi4py) is installed."""
    return _mpi.is_available()


def is_initialized() -> bool:
    return _group is not None


def get_rank() -> int:
    """This process's rank, from 0 to ``get_world_size() - 1``."""
    return current("get_rank").rank


def get_world_size() -> int:
    """The number of processes in the job."""
    return current("get_world_size").size


def barrier() -> None:
    """Wait until every rank has reached this call (subject to the group's timeout)."""
    group = current("barrier")
    group.wait([group.comm.Ibarrier()], "barrier")
