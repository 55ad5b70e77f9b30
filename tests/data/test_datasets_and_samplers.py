"""Datasets, samplers and random_split."""
from __future__ import annotations

import pytest
import torch
import torch.utils.data as torch_data

import ember
from ember.data import (BatchSampler, ConcatDataset, RandomSampler, SequentialSampler, Subset,
                        SubsetRandomSampler, TensorDataset, random_split)


def test_tensor_dataset_items_and_length():
    data = TensorDataset(ember.arange(12).reshape(4, 3), ember.tensor([1, 0, 1, 0]))
    x, y = data[2]
    assert len(data) == 4 and x.tolist() == [6, 7, 8] and int(y) == 1


def test_tensor_dataset_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(ember.zeros(3), ember.zeros(4))


def test_subset_and_concat():
    data = TensorDataset(ember.arange(5))
    subset = Subset(data, [4, 2])
    assert [int(x) for (x,) in subset] == [4, 2]
    both = ConcatDataset([data, subset])
    assert len(both) == 7 and int(both[5][0]) == 4 and int(both[-1][0]) == 2
    assert len(data + subset) == 7


@pytest.mark.parametrize("lengths", [[3, 7], [0.25, 0.25, 0.5], [0.3, 0.3, 0.4], [0.33, 0.33, 0.34]])
def test_random_split_lengths_match_pytorch(lengths):
    ours = random_split(range(10), lengths, generator=ember.Generator().manual_seed(1))
    theirs = torch_data.random_split(range(10), lengths, generator=torch.Generator().manual_seed(1))
    assert [len(part) for part in ours] == [len(part) for part in theirs]
    assert sorted(i for part in ours for i in part.indices) == list(range(10))


def test_random_split_is_reproducible_and_checks_lengths():
    first = random_split(range(20), [5, 15], generator=ember.Generator().manual_seed(3))
    again = random_split(range(20), [5, 15], generator=ember.Generator().manual_seed(3))
    assert first[0].indices == again[0].indices
    with pytest.raises(ValueError, match="does not equal the length"):
        random_split(range(20), [5, 5])


def test_sequential_and_batch_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    batches = BatchSampler(SequentialSampler(range(7)), 3, drop_last=True)
    assert list(batches) == [[0, 1, 2], [3, 4, 5]] and len(batches) == 2
    assert len(BatchSampler(range(7), 3, drop_last=False)) == 3


def test_random_sampler_is_a_seeded_permutation():
    first = list(RandomSampler(range(50), generator=ember.Generator().manual_seed(0)))
    again = list(RandomSampler(range(50), generator=ember.Generator().manual_seed(0)))
    assert first == again and sorted(first) == list(range(50)) and first != list(range(50))


def test_random_sampler_follows_the_default_generator():
    ember.manual_seed(7)
    first = list(RandomSampler(range(30)))
    ember.manual_seed(7)
    assert list(RandomSampler(range(30))) == first


def test_random_sampler_with_replacement_and_num_samples():
    generator = ember.Generator().manual_seed(0)
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=20, generator=generator))
    assert len(drawn) == 20 and set(drawn) <= {0, 1, 2}
    more = list(RandomSampler(range(4), num_samples=10, generator=generator))
    assert len(more) == 10 and sorted(more[:4]) == [0, 1, 2, 3]


def test_random_sampler_draws_its_order_when_iter_is_called():
    generator = ember.Generator().manual_seed(0)
    sampler = RandomSampler(range(10), generator=generator)
    iterator = iter(sampler)
    state = generator.get_state()
    list(iterator)
    assert generator.get_state() == state


def test_subset_random_sampler():
    drawn = list(SubsetRandomSampler([3, 5, 8], generator=ember.Generator().manual_seed(0)))
    assert sorted(drawn) == [3, 5, 8]


def test_bad_batch_sampler_arguments():
    with pytest.raises(ValueError, match="batch_size"):
        BatchSampler(range(3), 0, drop_last=False)
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(range(3), num_samples=0)
