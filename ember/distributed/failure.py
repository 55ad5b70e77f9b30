"""Turning one rank's failure into the whole job's failure, never a hang.

Under ``mpiexec`` a rank that dies from an uncaught exception normally leaves
the other ranks waiting in their next collective forever: Python exits
cleanly through ``MPI_Finalize`` and the launcher keeps waiting for the rest.
:func:`install` (called by ``init_process_group`` for worlds larger than one)
makes such exits call ``MPI_Abort`` instead, which makes the launcher kill
every rank and exit non-zero:

* an uncaught exception (``KeyboardInterrupt`` included) prints its traceback,
  then aborts;
* ``sys.exit(n)`` with a non-zero ``n`` aborts after the exit hooks have run;
* a rank that ends cleanly (its script returns, ``sys.exit(0)``, ``raise
  SystemExit(n)``) tells the others it has left and waits until they leave
  too (:class:`Departures`); a rank still waiting in a collective when another
  has left aborts the job after a short grace, since that collective can
  never complete;
* a collective that waits longer than the group's timeout prints what it
  was waiting for, then aborts (:class:`Watchdog`).

A rank killed by a signal, or leaving through ``os._exit``, needs nothing:
the launcher sees it end without ``MPI_Finalize`` and kills the others.
"""
from __future__ import annotations

import atexit
import sys
import threading
import time

_installed = None  # the _Handlers in effect, or None


class _Handlers:
    """The hooks installed for one process group, and what they replaced."""

    def __init__(self, abort, leave):
        self.abort = abort          # abort(message) prints it, naming the rank, and ends every rank
        self.leave = leave          # leave() announces a clean exit and waits for the other ranks
        self.previous_excepthook = sys.excepthook
        self.previous_exit = sys.exit
        self.exit_status = None

    def excepthook(self, exc_type, exc, traceback) -> None:
        self.previous_excepthook(exc_type, exc, traceback)
        self.abort(f"uncaught {exc_type.__name__}; aborting all ranks")

    def exit(self, status=None):
        # Remember the status: atexit handlers cannot see how the interpreter is exiting.
        self.exit_status = status
        self.previous_exit(status)

    def at_exit(self) -> None:
        status = self.exit_status
        if status is None or status == 0:
            self.leave()  # also reached by ``raise SystemExit(n)``, which no hook can see
            return
        self.abort(f"sys.exit({status!r}) called; aborting all ranks")


def install(abort, leave=lambda: None) -> None:
    """Make an uncaught exception or a failing ``sys.exit`` on this rank end the whole job.

    ``abort(message)`` must print ``message`` with this rank's number and end
    every rank (``MPI_Abort``); ``leave()`` runs at a clean exit.
    """
    global _installed
    if _installed is not None:
        return
    handlers = _Handlers(abort, leave)
    sys.excepthook = handlers.excepthook
    sys.exit = handlers.exit
    atexit.register(handlers.at_exit)
    _installed = handlers


def uninstall() -> None:
    """Restore the hooks :func:`install` replaced (``destroy_process_group`` calls this)."""
    global _installed
    handlers = _installed
    if handlers is None:
        return
    if sys.excepthook == handlers.excepthook:
        sys.excepthook = handlers.previous_excepthook
    if sys.exit == handlers.exit:
        sys.exit = handlers.previous_exit
    atexit.unregister(handlers.at_exit)
    _installed = None


class Departures:
    """Notices, on a communicator of their own, that a rank has left the job.

    A leaving rank sends every other rank a one-number message, then waits,
    without spinning, for the same notice from each of them: so a job whose
    ranks finish at different times still ends cleanly. Meanwhile a rank
    waiting in a collective calls :meth:`poll` and learns that a rank has left.
    """

    _TAG = 7

    def __init__(self, comm, rank: int, size: int):
        self.comm, self.rank, self.size = comm, rank, size
        self.left: dict[int, float] = {}  # rank -> monotonic time its notice arrived
        self.sends = []

    def poll(self):
        """Receive pending notices; return ``(rank, since)`` of the first rank known to have left."""
        from mpi4py import MPI
        status = MPI.Status()
        while self.comm.Iprobe(source=MPI.ANY_SOURCE, tag=self._TAG, status=status):
            notice = bytearray(8)
            self.comm.Recv(notice, source=status.Get_source(), tag=self._TAG)
            self.left.setdefault(status.Get_source(), time.monotonic())
        if not self.left:
            return None
        return min(self.left.items(), key=lambda item: item[1])

    def leave(self) -> None:
        """Announce this rank's exit, and return once every other rank has announced its own."""
        from mpi4py import MPI
        if not self.sends:
            notice = bytearray(8)
            self.sends = [self.comm.Isend(notice, dest=rank, tag=self._TAG)
                          for rank in range(self.size) if rank != self.rank]
        pause = 1e-3
        while not (MPI.Request.Testall(self.sends) and self._all_left()):
            time.sleep(pause)
            pause = min(2 * pause, 0.05)

    def _all_left(self) -> bool:
        self.poll()
        return len(self.left) == self.size - 1

    def free(self) -> None:
        self.comm.Free()


class Watchdog:
    """A daemon thread that aborts the job when a wait outlives its deadline.

    The waiting thread stays inside MPI's own blocking wait, which progresses
    communication at full speed; arming and disarming only store two
    attributes, so a collective pays nothing for its timeout.

    Example:
        >>> fired = []
        >>> dog = Watchdog(fired.append, tick=0.01)
        >>> dog.arm(0.05, "all_reduce of a (3,) float32 tensor")
        >>> time.sleep(0.3)
        >>> fired[0].startswith("all_reduce of a (3,) float32 tensor did not complete within 0.05 s")
        True
        >>> dog.stop()
    """

    def __init__(self, abort, tick: float = 0.2):
        self.abort = abort
        self.tick = tick
        self.deadline = None
        self.what = ""
        self.seconds = 0.0
        self.stopped = False
        self.thread = threading.Thread(target=self._watch, name="ember-distributed-watchdog",
                                       daemon=True)
        self.thread.start()

    def arm(self, seconds: float, what: str) -> None:
        """Start counting ``seconds`` for the wait described by ``what``."""
        self.what, self.seconds = what, seconds
        self.deadline = time.monotonic() + seconds

    def disarm(self) -> None:
        self.deadline = None

    def stop(self) -> None:
        self.stopped = True

    def _watch(self) -> None:
        while not self.stopped:
            deadline = self.deadline
            if deadline is not None and time.monotonic() >= deadline and self.deadline is deadline:
                self.abort(f"{self.what} did not complete within {self.seconds:g} s (the process "
                           "group's timeout): another rank has probably failed, exited, or called "
                           "a different collective; aborting all ranks")
                return
            time.sleep(self.tick)
