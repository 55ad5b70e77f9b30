"""DistributedDataParallel on 2 ranks equals one process on the combined batch."""
import os

import numpy
import pytest


@pytest.mark.parametrize("mode", ["plain", "buckets", "accumulate"])
def test_ddp_matches_single_process_training(mpi, tmp_path, mode):
    output = mpi.check(mpi.run("ddp_worker.py", str(tmp_path), mode))
    assert output.count(f"ddp {mode} done") == 2
    ranks = [numpy.load(os.path.join(tmp_path, f"rank{r}.npz")) for r in range(2)]
    reference = numpy.load(os.path.join(tmp_path, "reference.npz"))
    assert sorted(ranks[0].files) == sorted(reference.files)
    for name in reference.files:
        assert numpy.array_equal(ranks[0][name], ranks[1][name]), name  # identical on both ranks
        numpy.testing.assert_allclose(ranks[0][name], reference[name], rtol=1e-6, atol=1e-6,
                                      err_msg=name)
