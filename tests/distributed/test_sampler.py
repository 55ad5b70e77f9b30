"""DistributedSampler against PyTorch's, and its shuffling contract (no MPI needed)."""
import pytest
import torch.utils.data

from ember.distributed import DistributedSampler


@pytest.mark.parametrize("size", [0, 1, 5, 10, 11])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_unshuffled_shards_match_pytorch(size, replicas, drop_last):
    data = list(range(size))
    for rank in range(replicas):
        ours = DistributedSampler(data, replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = torch.utils.data.DistributedSampler(data, replicas, rank, shuffle=False,
                                                     drop_last=drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_shuffled_shards_cover_the_data_and_change_with_the_epoch():
    data = list(range(20))
    samplers = [DistributedSampler(data, 4, rank, seed=3) for rank in range(4)]
    first = [list(s) for s in samplers]
    assert sorted(sum(first, [])) == data                       # disjoint, and nothing missing
    assert first == [list(s) for s in samplers]                 # the same until set_epoch
    for sampler in samplers:
        sampler.set_epoch(1)
    second = [list(s) for s in samplers]
    assert sorted(sum(second, [])) == data and second != first  # reshuffled


def test_rank_out_of_range_is_refused():
    with pytest.raises(ValueError, match="invalid rank 2"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
