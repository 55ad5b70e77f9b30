"""A rank that leaves cleanly (sys.exit(0), SystemExit) ends the whole job promptly; waits don't spin."""
import re

import pytest


@pytest.mark.parametrize("mode", ["exit0", "systemexit3"])
def test_a_rank_leaving_mid_training_ends_the_job(mpi, mode):
    job = mpi.run("exit_worker.py", mode, timeout=90)
    assert job.returncode != 0, job.output
    assert job.seconds < 25, f"took {job.seconds:.1f} s (the group's timeout is 60 s):\n{job.output}"
    assert "rank 0 done" not in job.output
    assert re.search(r"rank 0 of 2: rank 1 left the job .*aborting all ranks", job.output), job.output


def test_ranks_finishing_at_different_times_succeed(mpi):
    output = mpi.check(mpi.run("exit_worker.py", "uneven_finish", timeout=90))
    assert "rank 0 done" in output and "rank 1 done" in output
    assert "aborting" not in output


def test_waiting_for_another_rank_does_not_burn_a_core(mpi):
    output = mpi.check(mpi.run("exit_worker.py", "wait_cpu", timeout=90))
    wall, cpu = map(float, re.search(r"rank 0 waited ([\d.]+) s using ([\d.]+) s of CPU", output).groups())
    assert wall > 2.0, output
    assert cpu < 0.25 * wall, f"rank 0 used {cpu:.2f} s of CPU while waiting {wall:.2f} s"
