"""One failing rank ends the whole job, non-zero, within 30 seconds."""
import pytest


@pytest.mark.parametrize("mode", ["raise", "exit", "kill", "hang"])
def test_a_failing_rank_ends_the_job(mpi, mode):
    job = mpi.run("failure_worker.py", mode, timeout=60)
    assert job.returncode != 0, job.output
    assert job.seconds < 30, f"took {job.seconds:.1f} s:\n{job.output}"
    assert "finished without failing" not in job.output
    if mode == "raise":
        assert "RuntimeError: rank 1 failed on purpose" in job.output  # the traceback
        assert "rank 1 of 2: uncaught RuntimeError; aborting all ranks" in job.output
    if mode == "exit":
        assert "rank 1 of 2: sys.exit(3) called; aborting all ranks" in job.output
    if mode == "hang":
        assert ("rank 0 of 2: DistributedDataParallel's gradient all-reduce (1 bucket) did not "
                "complete within 3 s") in job.output
