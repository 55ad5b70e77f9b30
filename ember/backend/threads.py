"""BLAS thread policy: one thread for small and medium matrix products, more only for large ones.

On a 2-core machine with another CPU-bound process beside it, OpenBLAS's
default (one thread per core, spinning while it waits) made Ember's MNIST run
7x slower, while a single BLAS thread ran it at its idle speed: threads that
wait for a core another process holds cost far more than they gain. Measured
there (README, "Recorded runs"), one thread was faster for every product a
training step makes (and even for 1024 x 1024 x 1024), so Ember runs products below
:data:`LARGE_PRODUCT` multiply-adds on one thread and gives the larger ones
``get_num_threads()`` threads (where a second core can pay off on an idle
machine).

Re-measured on 2026-12-05 for issue 13's W2 step (2-core EPYC, OpenBLAS 0.3.31,
one product at a time interleaved at 1 and 2 threads): with the other core idle, 2
threads took 0.52-0.57x the time from about 4M multiply-adds up (128x256x128: 86 ->
57 us; W2's 128x784x256 products 0.54x); with other processes on the machine
(load 1-10, as on the shared development VM), the same products took 1.4-10x (median)
and up to 56x (single rounds) at 2 threads, and the whole W2 step with 2 threads from
2**21 multiply-adds took 13.8x its time under the policy below. So the
threshold stays: a second thread pays only on an idle machine, and costs far more
than it gains when the core is taken.

The limits go through the optional ``threadpoolctl`` package; without it
(or when the user fixed the count with ``OPENBLAS_NUM_THREADS``,
``OMP_NUM_THREADS`` or ``MKL_NUM_THREADS``, which are respected) the BLAS
library's own setting stays. The policy is applied on the first matrix
product, not at import, so ``import ember`` stays fast.
"""
from __future__ import annotations

import os

# Products with at least this many multiply-adds (about 512 x 512 x 512) may use several threads.
LARGE_PRODUCT = 2 ** 27

_USER_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class _Policy:
    """The BLAS libraries found by threadpoolctl, and the thread count for large products."""

    def __init__(self):
        self.applied = False
        self.libraries = []     # threadpoolctl library controllers of the BLAS libraries
        self.threads = None     # the count for large products (None: not known yet)
        self.managed = False    # whether Ember sets the counts (threadpoolctl present, no user variable)

    def apply(self) -> None:
        """Find the BLAS libraries and set them to one thread (once)."""
        self.applied = True
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            return
        controller = ThreadpoolController()
        self.libraries = [lib for lib in controller.lib_controllers if lib.user_api == "blas"]
        if self.threads is None:
            self.threads = max([lib.num_threads for lib in self.libraries] or [1])
        self.managed = bool(self.libraries) and not any(os.environ.get(v) for v in _USER_VARIABLES)
        if self.managed:
            self._set(1)

    def _set(self, count: int) -> None:
        for lib in self.libraries:
            lib.set_num_threads(count)

    def adopt_new_libraries(self) -> None:
        """Bring BLAS libraries loaded after the policy was applied under it (SciPy's
        OpenBLAS, which numba's matmuls call): left at their default of one spinning thread
        per core, they ran ember.function(numba=True)'s W2 step 7x slower on a loaded machine."""
        if not self.applied:
            return  # apply() will find them
        from threadpoolctl import ThreadpoolController
        known = {lib.filepath for lib in self.libraries}
        found = [lib for lib in ThreadpoolController().lib_controllers
                 if lib.user_api == "blas" and lib.filepath not in known]
        self.libraries += found
        if self.managed:
            for lib in found:
                lib.set_num_threads(1)


_policy = _Policy()


def ensure_policy() -> None:
    """Apply the policy if no product ran yet (cheap after the first call)."""
    if not _policy.applied:
        _policy.apply()


def adopt_new_libraries() -> None:
    """Put BLAS libraries loaded since the policy was applied under it (see ``_Policy``)."""
    if _policy.libraries or _policy.managed:  # threadpoolctl is present
        _policy.adopt_new_libraries()


class _LargeProduct:
    """Context for one large product: ``get_num_threads()`` threads inside, one after."""

    def __enter__(self):
        if _policy.managed and _policy.threads > 1:
            _policy._set(_policy.threads)

    def __exit__(self, *exc):
        if _policy.managed and _policy.threads > 1:
            _policy._set(1)
        return False


large_product = _LargeProduct()


def set_num_threads(count: int) -> None:
    """Threads for large matrix products (PyTorch's ``torch.set_num_threads``); 1 keeps every product on one.

    Example:
        >>> import ember
        >>> before = ember.get_num_threads()
        >>> ember.set_num_threads(1)
        >>> ember.get_num_threads()
        1
        >>> ember.set_num_threads(before)
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"set_num_threads expects a positive integer, got {count!r}")
    ensure_policy()
    _policy.threads = count
    if not _policy.managed and _policy.libraries:  # no policy (a user variable): set the libraries directly
        _policy._set(count)


def get_num_threads() -> int:
    """The thread count large matrix products use (1 when threadpoolctl is not installed and unknown).

    Example:
        >>> import ember
        >>> ember.get_num_threads() >= 1
        True
    """
    ensure_policy()
    return _policy.threads or 1
