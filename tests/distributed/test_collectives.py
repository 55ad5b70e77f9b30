"""Collectives under ``mpiexec -n 2`` (and 3), against NumPy's reductions."""
import pytest


@pytest.mark.parametrize("nprocs", [2, pytest.param(3, marks=pytest.mark.slow)])
def test_every_collective_matches_numpy(mpi, nprocs):
    output = mpi.check(mpi.run("collectives_worker.py", nprocs=nprocs))
    assert output.count("collectives ok") == nprocs


def test_mismatched_calls_raise_clearly_on_every_rank(mpi):
    output = mpi.check(mpi.run("mismatch_worker.py"))
    assert output.count("mismatch ok") == 2
    assert "rank 0: all_reduce(sum) of float32 (3,)" in output
    assert "rank 1: all_reduce(sum) of float32 (4,)" in output
    assert "rank 1: broadcast(root=0) of float32 (2,)" in output
    assert "rank 0: all_reduce(sum) of float64 (2,)" in output
    assert "the message is longer than" in output
    assert "rank 0 sent 8 bytes, but the receiving tensor (float32 (3,)) holds 12" in output
