"""Ranks that finish at different times succeed, and waiting does not spin a core.

A rank that leaves mid-training (sys.exit(0), SystemExit, exceptions, kills) is in the probe
table tests/robustness/test_distributed_exits.py.
"""
import re


def test_ranks_finishing_at_different_times_succeed(mpi):
    output = mpi.check(mpi.run("exit_worker.py", "uneven_finish", timeout=90))
    assert "rank 0 done" in output and "rank 1 done" in output
    assert "aborting" not in output


def test_waiting_for_another_rank_does_not_burn_a_core(mpi):
    output = mpi.check(mpi.run("exit_worker.py", "wait_cpu", timeout=90))
    wall, cpu = map(float, re.search(r"rank 0 waited ([\d.]+) s using ([\d.]+) s of CPU", output).groups())
    assert wall > 2.0, output
    assert cpu < 0.25 * wall, f"rank 0 used {cpu:.2f} s of CPU while waiting {wall:.2f} s"
