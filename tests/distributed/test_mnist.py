"""examples/mnist.py --distributed on 2 ranks reaches the accuracy of 1 rank."""
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get("EMBER_DATA")
pytestmark = pytest.mark.skipif(not DATA or not os.path.isdir(os.path.join(DATA, "mnist")),
                                reason="the MNIST files are not available: set $EMBER_DATA to the "
                                       "folder holding mnist/ (see shared/data/README.md)")


def accuracy(job) -> float:
    found = re.findall(r"test accuracy: ([0-9.]+)%", job.output)
    assert len(found) == 1, job.output  # printed by rank 0 only
    return float(found[0])


@pytest.mark.slow
def test_two_ranks_reach_the_accuracy_of_one(mpi, tmp_path):
    script = os.path.join(ROOT, "examples", "mnist.py")
    common = ["--limit", "6000", "--epochs", "2", "--quiet", "--no-download", "--data", DATA]
    one = mpi.run(script, *common, "--checkpoint", str(tmp_path / "one.safetensors"), nprocs=1)
    two = mpi.run(script, *common, "--distributed", "--checkpoint", str(tmp_path / "two.safetensors"))
    mpi.check(one), mpi.check(two)
    assert "2 ranks" in two.output
    assert accuracy(one) > 85 and accuracy(two) > 85
    assert abs(accuracy(two) - accuracy(one)) < 1.5, (accuracy(one), accuracy(two))
