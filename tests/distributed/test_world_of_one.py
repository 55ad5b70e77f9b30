"""The API's checks and errors, in this process (a world of one, no mpiexec)."""
import pytest

import ember
import ember.distributed as dist

pytest.importorskip("mpi4py", reason="mpi4py is not installed (pip install -e '.[distributed]')")


@pytest.fixture
def world():
    dist.init_process_group("mpi", timeout=5)
    yield
    dist.destroy_process_group()


def test_calls_before_init_say_what_to_do():
    with pytest.raises(dist.DistributedError, match="call ember.distributed.init_process_group"):
        dist.all_reduce(ember.ones(2))


def test_init_twice_and_bad_arguments_are_refused(world):
    with pytest.raises(dist.DistributedError, match="already initialized"):
        dist.init_process_group()
    with pytest.raises(dist.DistributedError, match="unknown backend 'nccl'"):
        dist.destroy_process_group()
        dist.init_process_group("nccl")
    dist.init_process_group()  # the fixture's teardown destroys it


def test_reductions_refuse_what_mpi_cannot_do(world):
    with pytest.raises(ember.DTypeError, match="AVG is not supported for int64"):
        dist.all_reduce(ember.tensor([1, 2]), op=dist.ReduceOp.AVG)
    with pytest.raises(ember.DTypeError, match="BAND is not supported for float32"):
        dist.all_reduce(ember.ones(2), op=dist.ReduceOp.BAND)


def test_argument_checks(world):
    with pytest.raises(dist.DistributedError, match="one tensor per rank \\(1\\), got 2 tensors"):
        dist.all_gather([ember.zeros(2), ember.zeros(2)], ember.ones(2))
    with pytest.raises(dist.CollectiveMismatchError, match="tensor_list\\[0\\] is float32 \\(3,\\)"):
        dist.all_gather([ember.zeros(3)], ember.ones(2))
    with pytest.raises(dist.DistributedError, match="read-only"):
        dist.all_reduce(ember.ones(3).expand(2, 3))
    with pytest.raises(dist.DistributedError, match="src=1 is not a rank"):
        dist.broadcast(ember.ones(2), src=1)


def test_a_collective_bumps_the_version_counter(world):
    x = ember.ones(3, requires_grad=True)
    y = (x * x).sum()          # saves x for backward
    dist.all_reduce(x)         # an in-place write to a saved tensor ...
    with pytest.raises(ember.GradError, match="modified by an in-place operation"):
        y.backward()           # ... is caught, as for any in-place op


def test_ddp_in_a_world_of_one_is_the_module(world):
    model = dist.DistributedDataParallel(ember.nn.Linear(3, 2))
    model(ember.ones(4, 3)).sum().backward()
    assert model.module.weight.grad.tolist() == [[4.0] * 3] * 2
    assert model._reducer is None  # nothing allocated for averaging
