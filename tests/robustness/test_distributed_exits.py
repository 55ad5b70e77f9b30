"""Probe table: every way a rank can stop mid-training ends the whole job, non-zero, within 25 s.

The group's timeout is 3 s in failure_worker.py (only the ``hang`` row relies
on it) and 60 s in exit_worker.py, so those rows cannot pass by timing out.
Each row: worker, mode, and lines the output must hold (tracebacks, and the
message of the rank that aborted the job).
"""
import pytest

EXITS = [
    ("failure_worker.py", "raise", ["RuntimeError: rank 1 failed on purpose",
                                    "rank 1 of 2: uncaught RuntimeError; aborting all ranks"]),
    ("failure_worker.py", "exit", ["rank 1 of 2: sys.exit(3) called; aborting all ranks"]),
    ("failure_worker.py", "kill", []),
    ("failure_worker.py", "hang", ["rank 0 of 2: DistributedDataParallel's gradient all-reduce (1 bucket) "
                                   "did not complete within 3 s"]),
    ("exit_worker.py", "exit0", ["rank 0 of 2: rank 1 left the job"]),
    ("exit_worker.py", "systemexit3", ["rank 0 of 2: rank 1 left the job"]),
]


@pytest.mark.parametrize("worker, mode, expected", EXITS, ids=[f"{w}:{m}" for w, m, _ in EXITS])
def test_a_rank_that_stops_ends_the_job(mpi, worker, mode, expected):
    job = mpi.run(worker, mode, timeout=90)
    assert job.returncode != 0, job.output
    assert job.seconds < 25, f"took {job.seconds:.1f} s:\n{job.output}"
    assert "finished without failing" not in job.output and "rank 0 done" not in job.output
    for line in expected:
        assert line in job.output, job.output
