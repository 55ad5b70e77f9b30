"""The handle an asynchronous collective returns (PyTorch's ``Work``).

A collective starts non-blocking MPI requests and returns a :class:`Work`.
Completing it (``wait()``, or an ``is_completed()`` that finds it done) runs
the collective's ``finish`` step once: copying results into non-contiguous
outputs, dividing an average, bumping version counters.
"""
from __future__ import annotations


class Work:
    """A collective in flight.

    Example:
        >>> import ember, ember.distributed as dist
        >>> dist.init_process_group()
        >>> x = ember.tensor([1.0, 2.0])
        >>> work = dist.all_reduce(x, async_op=True)
        >>> work.wait()
        True
        >>> work.is_completed(), x
        (True, tensor([1., 2.]))
        >>> dist.destroy_process_group()
    """

    __slots__ = ("group", "requests", "finish", "what", "done", "statuses")

    def __init__(self, group, requests: list, finish, what: str, statuses: list | None = None):
        self.group = group
        self.requests = requests
        self.finish = finish        # called once, after the requests complete (or None)
        self.what = what            # what the timeout message says was waiting
        self.done = False
        self.statuses = statuses    # MPI.Status objects to fill, for receives

    def is_completed(self) -> bool:
        """True once the collective has finished (tests without blocking, and progresses MPI)."""
        if not self.done and self.group.MPI.Request.Testall(self.requests, self.statuses):
            self._finish()
        return self.done

    def wait(self, timeout=None) -> bool:
        """Block until the collective finishes; the job aborts after the group's timeout.

        ``timeout`` is accepted for PyTorch compatibility and must be ``None``:
        the group's timeout (``init_process_group(timeout=...)``) applies.
        """
        if timeout is not None:
            raise ValueError("Work.wait: per-call timeouts are not supported; set "
                             "init_process_group(timeout=...)")
        if not self.done:
            self.group.wait(self.requests, self.what, self.statuses)
            self._finish()
        return True

    def _finish(self) -> None:
        self.done = True
        if self.finish is not None:
            self.finish()
        self.finish = None  # drop the buffers it holds
