"""PyTorch's module paths under torch.utils.data import, and samplers stay lazy on huge draws."""
import importlib
import itertools
import subprocess
import sys
import tracemalloc

import pytest

import ember


@pytest.mark.parametrize("module, names", [
    ("dataloader", ["DataLoader", "default_collate"]),
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
