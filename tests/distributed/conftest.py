"""The ``mpi`` fixture: runs a worker script under ``mpiexec``, with a deadline.

Tests using it skip (saying why) when mpi4py or an ``mpiexec`` is missing;
CI installs both with ``pip install -e '.[distributed]'``. Each worker in
``workers/`` is a plain script that asserts what it checks and prints one
line per rank when all is well.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass

import pytest

WORKERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "workers")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _missing() -> str | None:
    """Why MPI jobs cannot be launched here, or None if they can."""
    from ember.distributed import is_available, launch
    if not is_available():
        return "mpi4py is not installed (pip install -e '.[distributed]')"
    try:
        launch.find_mpiexec()
    except Exception as error:  # noqa: BLE001 - any failure means: cannot launch
        return str(error)
    return None


@dataclass
class Job:
    returncode: int
    output: str     # stdout and stderr of every rank, merged
    seconds: float


def run(worker: str, *args: str, nprocs: int = 2, timeout: float = 90.0,
        env: dict | None = None) -> Job:
    """Run ``workers/<worker> args...`` (or the script at that path) on ``nprocs`` ranks.

    Each rank gets one BLAS thread, as on a machine with as many cores as ranks.
    """
    from ember.distributed import launch
    script = os.path.join(WORKERS, worker)  # an absolute ``worker`` replaces the folder
    cmd, environment = launch.command(nprocs, [script, *args], cores=nprocs)
    environment["PYTHONPATH"] = ROOT + os.pathsep + environment.get("PYTHONPATH", "")
    environment.update(env or {})
    start = time.monotonic()
    # A session of its own, so a hung job can be ended whole: mpiexec and every rank.
    process = subprocess.Popen(cmd, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"{worker} did not finish within {timeout} s:\n{output}")
    return Job(process.returncode, output, time.monotonic() - start)


def check(job: Job) -> str:
    """The job's output, after asserting that it succeeded."""
    assert job.returncode == 0, f"exit status {job.returncode}:\n{job.output}"
    return job.output


class Launcher:
    run = staticmethod(run)
    check = staticmethod(check)


@pytest.fixture(scope="session")
def mpi() -> Launcher:
    missing = _missing()
    if missing is not None:
        pytest.skip(f"cannot launch MPI jobs: {missing}")
    return Launcher()
