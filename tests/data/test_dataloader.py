"""The DataLoader: batching, shuffling, collate rules (against PyTorch's), prefetching."""
from __future__ import annotations

import collections
import threading
import time

import numpy as np
import pytest
import torch
import torch.utils.data as torch_data

import ember
from ember.data import DataLoader, IterableDataset, TensorDataset, default_collate


def _numpy(value):
    """A collated batch from either library as nested lists/NumPy, with each tensor's dtype name."""
    if isinstance(value, (torch.Tensor, ember.Tensor)):
        array = value.numpy()
        return ("tensor", array.dtype.name, array.tolist())
    if isinstance(value, dict):
        return {key: _numpy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_numpy(item) for item in value])
    return value


Point = collections.namedtuple("Point", "x y")

SAMPLES = {
    "tensors": lambda lib: [(lib.tensor([1.0, 2.0]), 3), (lib.tensor([4.0, 5.0]), 6)],
    "numpy": lambda lib: [np.arange(4, dtype=np.float32).reshape(2, 2), np.ones((2, 2), np.float32)],
    "numpy scalars": lambda lib: [np.float32(1.5), np.float32(2.5)],
    "floats": lambda lib: [0.5, 1.5, 2.5],
    "ints and bools": lambda lib: [(1, True), (2, False)],
    "dicts": lambda lib: [{"image": lib.zeros(2), "label": 1, "name": "a"},
                          {"image": lib.ones(2), "label": 0, "name": "b"}],
    "namedtuples": lambda lib: [Point(1, 2.0), Point(3, 4.0)],
    "nested lists": lambda lib: [[1, [2.0, 3.0]], [4, [5.0, 6.0]]],
    # strings inside tuples and lists come back as a tuple; at the top and in dicts a list
    "strings in tuples": lambda lib: [("x", 1.0, b"p"), ("y", 2.0, b"q")],
    "strings in nested lists": lambda lib: [["x", ["p", 1]], ["y", ["q", 2]]],
    "strings in namedtuples": lambda lib: [Point("a", 1), Point("b", 2)],
    "strings": lambda lib: ["a", "b"],
}


@pytest.mark.parametrize("kind", SAMPLES)
def test_default_collate_matches_pytorch(kind):
    ours = default_collate(SAMPLES[kind](ember))
    theirs = torch_data.default_collate(SAMPLES[kind](torch))
    assert _numpy(ours) == _numpy(theirs)


def test_default_collate_refuses_unknown_objects():
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])


def _dataset(n=10):
    return TensorDataset(ember.arange(n * 2).reshape(n, 2).float(), ember.arange(n))


def test_batches_in_order_with_drop_last():
    loader = DataLoader(_dataset(), batch_size=4, drop_last=True)
    labels = [y.tolist() for _, y in loader]
    assert labels == [[0, 1, 2, 3], [4, 5, 6, 7]] and len(loader) == 2
    assert len(DataLoader(_dataset(), batch_size=4)) == 3


def test_shuffle_is_reproducible_with_a_seeded_generator_and_changes_each_epoch():
    def epochs(seed):
        loader = DataLoader(_dataset(), batch_size=3, shuffle=True, generator=ember.Generator().manual_seed(seed))
        return [[int(i) for _, y in loader for i in y] for _ in range(2)]
    first = epochs(0)
    assert first == epochs(0)
    assert first[0] != first[1] and sorted(first[0]) == list(range(10))


def test_generator_state_after_an_epoch_resumes_the_data_order():
    generator = ember.Generator().manual_seed(0)
    loader = DataLoader(_dataset(), batch_size=3, shuffle=True, generator=generator)
    list(loader)
    state = generator.get_state()
    expected = [y.tolist() for _, y in loader]
    generator.set_state(state)
    assert [y.tolist() for _, y in loader] == expected


def test_fast_batch_path_equals_the_per_sample_path():
    data = _dataset(9)
    fast = [(x.tolist(), y.tolist()) for x, y in DataLoader(data, batch_size=4)]
    # any collate_fn other than the default one takes the per-sample path
    per_sample = DataLoader(data, batch_size=4, collate_fn=lambda batch: default_collate(batch))
    assert fast == [(x.tolist(), y.tolist()) for x, y in per_sample]


def test_samplers_and_batch_samplers_are_used():
    data = _dataset()
    loader = DataLoader(data, batch_size=2, sampler=[9, 8, 7])
    assert [y.tolist() for _, y in loader] == [[9, 8], [7]]
    loader = DataLoader(data, batch_sampler=[[1, 5], [2]])
    assert [y.tolist() for _, y in loader] == [[1, 5], [2]] and len(loader) == 2


def test_batch_size_none_yields_converted_samples():
    data = [np.array([1, 2]), np.array([3, 4])]
    items = list(DataLoader(data, batch_size=None))
    assert isinstance(items[0], ember.Tensor) and items[1].tolist() == [3, 4]


def test_plain_python_sequences_are_datasets():
    assert [b.tolist() for b in DataLoader([1.0, 2.0, 3.0], batch_size=2)] == [[1.0, 2.0], [3.0]]


@pytest.mark.parametrize("arguments, message", [
    (dict(batch_sampler=[[0]], batch_size=2), "mutually exclusive"),
    (dict(sampler=[0], shuffle=True), "mutually exclusive"),
    (dict(num_workers=-1), "non-negative"),
])
def test_conflicting_arguments_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(_dataset(), **arguments)


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_iterable_dataset_batches_and_length():
    loader = DataLoader(Stream(7), batch_size=3, drop_last=True)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5]] and len(loader) == 2
    with pytest.raises(ValueError, match="IterableDataset"):
        DataLoader(Stream(3), shuffle=True)


@pytest.mark.parametrize("options", [dict(prefetch=3), dict(num_workers=2)])
def test_prefetching_gives_the_same_batches(options):
    def run(**extra):
        loader = DataLoader(_dataset(50), batch_size=7, shuffle=True,
                            generator=ember.Generator().manual_seed(4), **extra)
        return [y.tolist() for _, y in loader]
    assert run(**options) == run()


def test_prefetch_reraises_dataset_errors():
    class Broken(ember.data.Dataset):
        def __len__(self):
            return 10

        def __getitem__(self, index):
            if index == 6:
                raise KeyError("sample 6 is broken")
            return index

    with pytest.raises(KeyError, match="sample 6"):
        list(DataLoader(Broken(), batch_size=2, prefetch=2))


def test_abandoned_prefetch_iterators_stop_their_thread():
    before = threading.active_count()
    for _ in range(3):
        for _batch in DataLoader(_dataset(100), batch_size=2, prefetch=1):
            break
    deadline = time.time() + 5
    while threading.active_count() > before and time.time() < deadline:
        time.sleep(0.05)
    assert threading.active_count() == before


def test_importable_under_pytorchs_path():
    from ember.utils.data import DataLoader as Ported
    import ember.utils.data
    assert Ported is DataLoader and ember.utils.data is ember.data
