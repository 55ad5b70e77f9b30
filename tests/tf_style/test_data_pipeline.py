"""tf.data-style pipelines (``tf.data.Dataset``), and PyTorch's Dataset/DataLoader beside them."""
import threading
import time

import numpy as np
import pytest

import ember as tf
from ember import keras


def values(ds):
    return [int(x) for x in ds]


def test_from_tensor_slices_tuples_and_dicts():
    x, y = np.arange(12, dtype="float32").reshape(6, 2), np.arange(6)
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    assert len(ds) == 6 and ds.cardinality() == 6
    first_x, first_y = next(iter(ds))
    assert first_x.tolist() == [0.0, 1.0] and int(first_y) == 0 and first_x.dtype == tf.float32
    spec = ds.element_spec
    assert spec[0].shape == (2,) and spec[0].dtype == tf.float32
    named = tf.data.Dataset.from_tensor_slices({"a": x, "b": y}).batch(4)
    batch = next(iter(named))
    assert sorted(batch) == ["a", "b"] and batch["a"].shape == (4, 2)
    assert tf.data.Dataset.from_tensor_slices([1.0, 2.0]).element_spec.dtype == tf.float32
    with pytest.raises(ValueError, match="same first dimension"):
        tf.data.Dataset.from_tensor_slices((x, y[:3]))


def test_map_filter_batch_unbatch_take_skip_repeat():
    ds = tf.data.Dataset.range(10)
    assert values(ds.map(lambda v: v * 2).filter(lambda v: v % 3 == 0)) == [0, 6, 12, 18]
    batches = [b.tolist() for b in ds.batch(4)]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] and len(ds.batch(4)) == 3
    assert len(ds.batch(4, drop_remainder=True)) == 2 and ds.batch(4, drop_remainder=True).element_spec.shape == (4,)
    assert values(ds.batch(3).unbatch()) == list(range(10))
    assert values(ds.skip(7)) == [7, 8, 9] and values(ds.take(2)) == [0, 1]
    assert values(ds.take(3).repeat(2)) == [0, 1, 2, 0, 1, 2] and ds.take(3).repeat(2).cardinality() == 6
    assert ds.repeat().cardinality() == tf.data.experimental.INFINITE_CARDINALITY
    assert values(ds.repeat().take(12))[-2:] == [0, 1]
    pairs = tf.data.Dataset.zip((ds, ds.map(lambda v: -v)))
    assert [(int(a), int(b)) for a, b in pairs.take(2)] == [(0, 0), (1, -1)]
    assert [int(i) for i, _ in ds.enumerate(start=5).take(2)] == [5, 6]
    assert values(ds.take(2).concatenate(ds.skip(8))) == [0, 1, 8, 9]
    assert values(ds.shard(3, 1)) == [1, 4, 7] and ds.reduce(0, lambda s, v: s + int(v)) == 45


def test_map_spreads_tuples_and_runs_in_parallel_in_order():
    ds = tf.data.Dataset.from_tensor_slices((np.arange(20), np.arange(20) * 10))
    seen = set()

    def add(a, b):
        seen.add(threading.get_ident())
        time.sleep(0.001)
        return a + b
    assert values(ds.map(add, num_parallel_calls=tf.data.AUTOTUNE)) == [11 * i for i in range(20)]


def test_shuffle_has_buffer_semantics():
    ds = tf.data.Dataset.range(100)
    small = values(ds.shuffle(1))
    assert small == list(range(100))  # a buffer of one cannot reorder
    # with a buffer of 10, element i can come out no earlier than position i - 9
    order = values(ds.shuffle(10, seed=0))
    assert sorted(order) == list(range(100)) and order != list(range(100))
    assert all(position >= value - 9 for position, value in enumerate(order))
    full = ds.shuffle(100, seed=1)
    first, second = values(full), values(full)
    assert first != second and sorted(first) == sorted(second)  # reshuffled each pass
    fixed = ds.shuffle(100, seed=1, reshuffle_each_iteration=False)
    assert values(fixed) == values(fixed)
    tf.random.set_seed(5)
    a = values(ds.shuffle(100))
    tf.random.set_seed(5)
    assert values(ds.shuffle(100)) == a  # the global seed decides


def test_prefetch_runs_ahead_in_a_background_thread():
    produced = []

    def slow():
        for i in range(5):
            produced.append(i)
            yield i
    ds = tf.data.Dataset.from_generator(slow, output_signature=tf.TensorSpec(shape=(), dtype=tf.int64))
    iterator = iter(ds.prefetch(3))
    assert int(next(iterator)) == 0
    deadline = time.time() + 2
    while len(produced) < 4 and time.time() < deadline:
        time.sleep(0.01)
    assert len(produced) >= 4  # elements made before they were asked for
    assert [int(v) for v in iterator] == [1, 2, 3, 4]


def test_from_generator_is_called_anew_each_pass_and_casts():
    calls = []

    def gen():
        calls.append(1)
        yield from ([1.0, 2.0], [3.0, 4.0])
    ds = tf.data.Dataset.from_generator(gen, output_signature=tf.TensorSpec(shape=(2,), dtype=tf.float64))
    assert [x.dtype for x in ds] == [tf.float64, tf.float64] and len(calls) == 1
    list(ds)
    assert len(calls) == 2
    with pytest.raises(TypeError, match="callable"):
        tf.data.Dataset.from_generator(gen())


def test_cache_replays_only_a_complete_pass():
    calls = []

    def gen():
        calls.append(1)
        yield from range(3)
    ds = tf.data.Dataset.from_generator(gen).cache()
    next(iter(ds))  # a partial pass caches nothing
    assert values(ds) == [0, 1, 2] and values(ds) == [0, 1, 2] and len(calls) == 2


def test_as_numpy_iterator_padded_batch_and_strings():
    ds = tf.data.Dataset.from_tensor_slices({"x": np.ones((3, 2), "float32")})
    assert all(isinstance(e["x"], np.ndarray) for e in ds.as_numpy_iterator())
    ragged = tf.data.Dataset.from_generator(lambda: iter([[1], [1, 2, 3], [4, 5]]))
    assert next(iter(ragged.padded_batch(3))).tolist() == [[1, 0, 0], [1, 2, 3], [4, 5, 0]]
    words = tf.data.Dataset.from_tensor_slices(["a b", "c"]).batch(2)
    assert list(next(iter(words))) == ["a b", "c"]


def test_pipeline_is_a_pytorch_iterable_dataset_and_subclassing_still_works():
    ds = tf.data.Dataset.range(5)
    assert isinstance(ds, tf.data.Dataset) and isinstance(ds, tf.data.IterableDataset)
    assert [b.tolist() for b in tf.data.DataLoader(ds, batch_size=2)] == [[0, 1], [2, 3], [4]]

    class Squares(tf.data.Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, index):
            return index * index
    assert [Squares()[i] for i in range(3)] == [0, 1, 4]
    assert tf.utils.data.Dataset is tf.data.Dataset


def test_fit_evaluate_predict_on_a_pipeline():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-1.0], [2.0]], dtype="float32")
    train = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(64).batch(16).prefetch(tf.data.AUTOTUNE)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    history = model.fit(train, epochs=5, verbose=0, validation_data=train.take(1))
    assert history.history["loss"][-1] < history.history["loss"][0] and "val_loss" in history.history
    # The same data as arrays, batched the same way without shuffling, gives the same evaluation.
    ordered = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    assert model.evaluate(ordered, verbose=0) == pytest.approx(model.evaluate(x, y, batch_size=16, verbose=0), rel=1e-6)
    assert model.predict(ordered.map(lambda a, b: a), verbose=0).shape == (64, 1)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit(train.repeat(), epochs=1, verbose=0)
    model.fit(train.repeat(), epochs=2, steps_per_epoch=3, verbose=0)


@pytest.mark.parametrize("steps", [
    lambda ds: ds.batch(4), lambda ds: ds.shuffle(10, seed=1).batch(4, drop_remainder=True),
    lambda ds: ds.skip(3).take(20).batch(6), lambda ds: ds.repeat(3).shuffle(50, seed=2).batch(7),
    lambda ds: ds.shard(3, 2).repeat(2).batch(5), lambda ds: ds.take(5).repeat().take(12).batch(5),
])
def test_in_memory_fast_path_equals_the_element_path(steps):
    x = np.arange(60, dtype="float32").reshape(30, 2)
    y = np.arange(30)
    fast = tf.data.Dataset.from_tensor_slices((x, y))
    slow = tf.data.Dataset.from_generator(lambda: iter(zip(x, y)))
    assert fast._rows is not None and slow._rows is None
    got = [(a.tolist(), b.tolist()) for a, b in steps(fast)]
    expected = [(a.tolist(), b.tolist()) for a, b in steps(slow)]
    assert got == expected and len(got) == steps(fast).cardinality()


def test_window_interleave_sampling_and_text_lines(tmp_path):
    ds = tf.data.Dataset.range(7)
    windows = [[int(v) for v in w] for w in ds.window(3, shift=2)]
    assert windows == [[0, 1, 2], [2, 3, 4], [4, 5, 6], [6]]
    assert [[int(v) for v in w] for w in ds.window(2, shift=3, stride=2, drop_remainder=True)] == [[0, 2], [3, 5]]
    series = ds.window(4, shift=1, drop_remainder=True).flat_map(lambda w: w.batch(4))
    assert [b.tolist() for b in series][-1] == [3, 4, 5, 6]
    mixed = tf.data.Dataset.range(3).interleave(lambda v: tf.data.Dataset.from_tensors(v).repeat(3),
                                                cycle_length=2, block_length=2)
    assert values(mixed) == [0, 0, 1, 1, 0, 1, 2, 2, 2]
    a, b = tf.data.Dataset.range(50), tf.data.Dataset.range(100, 150)
    sampled = values(tf.data.Dataset.sample_from_datasets([a, b], weights=[0.5, 0.5], seed=0))
    assert sorted(sampled) == list(range(50)) + list(range(100, 150)) and sampled[:50] != list(range(50))
    assert values(tf.data.experimental.sample_from_datasets([a, b], [1.0, 0.0], seed=1)) == list(range(50))
    (tmp_path / "lines.txt").write_text("first line\nsecond\n")
    assert [str(line) for line in tf.data.TextLineDataset(str(tmp_path / "lines.txt"))] == ["first line", "second"]
