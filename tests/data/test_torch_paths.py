"""PyTorch's module paths under torch.utils.data import, and samplers stay lazy on huge draws."""
import importlib
import itertools
import subprocess
import sys
import tracemalloc

import pytest

import ember


@pytest.mark.parametrize("module, names", [
    ("dataloader", ["DataLoader", "default_collate", "get_worker_info"]),
    ("dataset", ["Dataset", "TensorDataset", "Subset", "random_split"]),
    ("sampler", ["Sampler", "RandomSampler", "BatchSampler"]),
    ("distributed", ["DistributedSampler"]),
    ("_utils.collate", ["default_collate", "default_convert"]),  # older programs import from here
])
def test_torch_submodule_paths_import(module, names):
    loaded = importlib.import_module(f"ember.utils.data.{module}")
    for name in names:
        assert getattr(loaded, name) is getattr(ember.data, name)


def test_the_submodule_path_works_in_a_fresh_interpreter():
    code = ("from ember.utils.data.dataloader import DataLoader\n"
            "from ember.utils.data.sampler import RandomSampler\n"
            "from ember.utils.data.distributed import DistributedSampler\n"
            "import ember\n"
            "assert DataLoader is ember.data.DataLoader and RandomSampler is ember.data.RandomSampler\n"
            "import sys\n"
            "assert 'mpi4py.MPI' not in sys.modules  # importing the sampler starts no MPI\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_distributed_sampler_is_reachable_from_the_package():
    assert ember.utils.data.DistributedSampler is ember.distributed.DistributedSampler


@pytest.mark.parametrize("count", [10 ** 7, 10 ** 10])  # drawn up front, the first takes 80 MB
def test_random_sampler_with_replacement_draws_lazily(count):
    sampler = ember.data.RandomSampler(range(10), replacement=True, num_samples=count,
                                       generator=ember.Generator().manual_seed(0))
    tracemalloc.start()
    first = list(itertools.islice(iter(sampler), 1000))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 10 * 2 ** 20, f"{peak / 2 ** 20:.0f} MiB for 1000 indices"
    assert len(first) == 1000 and set(first) <= set(range(10)) and len(set(first)) == 10
    assert len(sampler) == count


def test_random_sampler_without_replacement_over_many_epochs_is_lazy():
    sampler = ember.data.RandomSampler(range(5), num_samples=10 ** 7,
                                       generator=ember.Generator().manual_seed(0))
    first = list(itertools.islice(iter(sampler), 10))
    assert sorted(first[:5]) == [0, 1, 2, 3, 4] and sorted(first[5:]) == [0, 1, 2, 3, 4]


def test_random_sampler_draws_the_epoch_when_iterated():
    """The generator's state after iter() already accounts for the epoch (what checkpoints need)."""
    generator = ember.Generator().manual_seed(3)
    sampler = ember.data.RandomSampler(range(100), replacement=True, num_samples=300,
                                       generator=generator)
    iterator = iter(sampler)
    state = generator.get_state()
    order = list(iterator)
    generator.set_state(state)
    assert list(iter(sampler)) != order  # the next epoch differs ...
    generator.manual_seed(3)
    assert list(iter(sampler)) == order  # ... and the same seed repeats this one
    assert len(order) == 300


# --- the rest of torch.utils.data's public names ------------------------------------
def test_weighted_random_sampler_follows_the_weights():
    weights = [0.1, 0.0, 0.6, 0.3]
    draws = list(ember.data.WeightedRandomSampler(weights, 20000, generator=ember.Generator().manual_seed(0)))
    frequencies = [draws.count(i) / len(draws) for i in range(4)]
    assert frequencies[1] == 0
    for observed, expected in zip(frequencies, weights):
        assert abs(observed - expected) < 0.02
    import torch
    theirs = list(torch.utils.data.WeightedRandomSampler(weights, 20000))
    assert abs(theirs.count(2) / 20000 - frequencies[2]) < 0.03  # the same distribution as PyTorch's


def test_weighted_random_sampler_without_replacement_draws_distinct_indices():
    sampler = ember.data.WeightedRandomSampler([1.0, 2.0, 3.0, 4.0], 4, replacement=False)
    assert sorted(sampler) == [0, 1, 2, 3] and len(sampler) == 4


def test_weighted_random_sampler_is_lazy_with_replacement():
    sampler = ember.data.WeightedRandomSampler([1.0, 1.0], 10 ** 10)
    tracemalloc.start()
    first = list(itertools.islice(iter(sampler), 1000))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert set(first) == {0, 1} and peak < 10 * 2 ** 20


@pytest.mark.parametrize("arguments, message", [
    (dict(weights=[[1.0, 2.0]], num_samples=2), "weights should be a 1d sequence"),
    (dict(weights=[1.0, 2.0], num_samples=0), "num_samples should be a positive integer"),
    (dict(weights=[1.0, 2.0], num_samples=2, replacement=1), "replacement should be a boolean"),
    (dict(weights=[1.0, -2.0], num_samples=2), "non-negative"),
    (dict(weights=[1.0, 2.0], num_samples=3, replacement=False), "without replacement"),
])
def test_weighted_random_sampler_rejects_what_pytorch_rejects(arguments, message):
    import torch
    with pytest.raises(ValueError, match=message):
        ember.data.WeightedRandomSampler(**arguments)
    with pytest.raises((ValueError, RuntimeError)):
        list(torch.utils.data.WeightedRandomSampler(**arguments))


def test_stack_and_chain_datasets_match_pytorch():
    import torch.utils.data as reference
    for ours, theirs in ((ember.data.StackDataset([1, 2], [3, 4]), reference.StackDataset([1, 2], [3, 4])),
                         (ember.data.StackDataset(a=[1, 2], b=[3, 4]), reference.StackDataset(a=[1, 2], b=[3, 4]))):
        assert len(ours) == len(theirs) and [ours[i] for i in range(2)] == [theirs[i] for i in range(2)]
    with pytest.raises(ValueError, match="Size mismatch"):
        ember.data.StackDataset([1, 2], [1])

    class Count(ember.data.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n
    chained = ember.data.ChainDataset([Count(2), Count(3)])
    assert list(chained) == [0, 1, 0, 1, 2] and len(chained) == 5
    loader = ember.data.DataLoader(chained, batch_size=2)
    assert [batch.tolist() for batch in loader] == [[0, 1], [0, 1], [2]]
