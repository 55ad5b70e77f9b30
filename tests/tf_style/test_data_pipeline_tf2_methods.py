"""tf.data methods added after the first pipeline: scan, group_by_window, bucket_by_sequence_length, rebatch,
counter, random, reduce, cardinality as a tensor. Expected values are those of TensorFlow's documentation."""
import numpy as np
import pytest

import ember as tf
from ember import keras

ELEMENTS = [[0], [1, 2, 3, 4], [5, 6, 7], [7, 8, 9, 10, 11], [13, 14, 15, 16, 19, 20], [21, 22]]


def listed(ds):
    return [np.asarray(e).tolist() for e in ds.as_numpy_iterator()]


def test_cardinality_is_an_int64_scalar_tensor_with_tf_constants():
    ds = tf.data.Dataset.range(42)
    count = tf.data.experimental.cardinality(ds)
    assert isinstance(count, tf.Tensor) and count.dtype == tf.int64 and count.shape == () and int(count) == 42
    assert isinstance(ds.cardinality(), tf.Tensor) and ds.cardinality().numpy() == 42
    ds = ds.repeat()
    assert bool(tf.data.experimental.cardinality(ds) == tf.data.experimental.INFINITE_CARDINALITY)
    ds = ds.filter(lambda x: True)
    assert bool(tf.data.experimental.cardinality(ds) == tf.data.experimental.UNKNOWN_CARDINALITY)
    assert tf.data.INFINITE_CARDINALITY == -1 and tf.data.UNKNOWN_CARDINALITY == -2
    # callers that need the number: zip, concatenate, len(), Keras' steps per epoch
    assert int(tf.data.Dataset.zip((tf.data.Dataset.range(3), tf.data.Dataset.range(5))).cardinality()) == 3
    assert int(tf.data.Dataset.range(3).concatenate(tf.data.Dataset.range(4)).cardinality()) == 7
    assert len(tf.data.Dataset.range(7).batch(3)) == 3


def test_fit_gets_its_steps_from_a_tensor_cardinality():
    x, y = np.random.default_rng(0).normal(size=(12, 3)).astype("float32"), np.arange(12) % 2
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(ds, epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit(ds.repeat(), epochs=1, verbose=0)


def test_scan():
    ds = tf.data.Dataset.range(10).scan(initial_state=tf.constant(0, dtype=tf.int64),
                                        scan_func=lambda state, i: (state + i, state + i))
    assert listed(ds) == [0, 1, 3, 6, 10, 15, 21, 28, 36, 45] and int(ds.cardinality()) == 10
    assert listed(ds) == [0, 1, 3, 6, 10, 15, 21, 28, 36, 45]  # the state restarts on each pass
    # a tuple element is one argument; the state may be a structure
    pairs = tf.data.Dataset.from_tensor_slices((np.arange(4), np.arange(4) * 10))
    running = pairs.scan((0, 0), lambda state, element: ((state[0] + element[0], state[1] + element[1]), state[1]))
    assert [int(v) for v in running] == [0, 0, 10, 30]
    applied = tf.data.Dataset.range(4).apply(tf.data.experimental.scan(np.int64(1), lambda s, x: (s * 2, s + x)))
    assert listed(applied) == [1, 3, 6, 11]


def test_group_by_window():
    ds = tf.data.Dataset.range(10).group_by_window(
        key_func=lambda x: x % 2, reduce_func=lambda key, dataset: dataset.batch(5), window_size=5)
    assert listed(ds) == [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]
    # full windows come as soon as they fill; the rest at the end, in key order; window_size_func sizes by key
    ds = tf.data.Dataset.range(10).group_by_window(
        key_func=lambda x: x % 3, reduce_func=lambda key, window: window.batch(10).map(lambda b: (key, b)),
        window_size_func=lambda key: 2 + key)
    got = [(int(k), b.tolist()) for k, b in ds]
    assert got == [(0, [0, 3]), (1, [1, 4, 7]), (0, [6, 9]), (2, [2, 5, 8])]
    with pytest.raises(ValueError, match="window_size"):
        tf.data.Dataset.range(3).group_by_window(lambda x: x, lambda k, w: w)
    with pytest.raises(ValueError, match="window_size"):
        tf.data.Dataset.range(3).group_by_window(lambda x: x, lambda k, w: w, 2, lambda k: 2)


def test_group_by_window_flushes_partial_windows_in_key_order():
    ds = tf.data.Dataset.from_tensor_slices(np.array([5, 3, 5, 1, 3])).group_by_window(
        key_func=lambda x: x, reduce_func=lambda key, window: window.batch(4), window_size=4)
    assert listed(ds) == [[1], [3, 3], [5, 5]]


def test_bucket_by_sequence_length_pads_to_the_longest_in_batch():
    ds = tf.data.Dataset.from_generator(lambda: ELEMENTS, tf.int64, output_shapes=[None])
    ds = ds.bucket_by_sequence_length(element_length_func=lambda elem: tf.shape(elem)[0],
                                      bucket_boundaries=[3, 5], bucket_batch_sizes=[2, 2, 2])
    assert listed(ds) == [[[1, 2, 3, 4], [5, 6, 7, 0]], [[7, 8, 9, 10, 11, 0], [13, 14, 15, 16, 19, 20]],
                          [[0, 0], [21, 22]]]


def test_bucket_by_sequence_length_pads_to_the_bucket_boundary():
    ds = tf.data.Dataset.from_generator(lambda: ELEMENTS, tf.int32, output_shapes=[None])
    ds = ds.bucket_by_sequence_length(element_length_func=lambda elem: tf.shape(elem)[0],
                                      bucket_boundaries=[4, 7], bucket_batch_sizes=[2, 2, 2],
                                      pad_to_bucket_boundary=True, padding_values=-1)
    batches = list(ds)
    assert [b.tolist() for b in batches] == [[[0, -1, -1], [5, 6, 7]], [[1, 2, 3, 4, -1, -1], [7, 8, 9, 10, 11, -1]],
                                             [[21, 22, -1]], [[13, 14, 15, 16, 19, 20]]]
    assert batches[0].dtype == tf.int32
    too_long = tf.data.Dataset.from_generator(lambda: ELEMENTS, tf.int32).bucket_by_sequence_length(
        lambda elem: tf.shape(elem)[0], [4, 6], [2, 2, 2], pad_to_bucket_boundary=True)
    with pytest.raises(ValueError, match="shorter than the last bucket boundary"):
        list(too_long)


def test_bucket_by_sequence_length_drop_remainder_no_padding_and_validation():
    ds = tf.data.Dataset.from_generator(lambda: ELEMENTS, tf.int64)
    kept = ds.bucket_by_sequence_length(lambda elem: tf.shape(elem)[0], [3, 5], [3, 2, 2], drop_remainder=True)
    assert listed(kept) == [[[1, 2, 3, 4], [5, 6, 7, 0]], [[7, 8, 9, 10, 11, 0], [13, 14, 15, 16, 19, 20]]]
    same = tf.data.Dataset.from_tensor_slices(np.arange(12).reshape(6, 2))
    unpadded = same.bucket_by_sequence_length(lambda e: tf.shape(e)[0], [5], [4, 4], no_padding=True)
    assert listed(unpadded) == [[[0, 1], [2, 3], [4, 5], [6, 7]], [[8, 9], [10, 11]]]
    with pytest.raises(ValueError, match="len\\(bucket_batch_sizes\\) must equal"):
        ds.bucket_by_sequence_length(lambda elem: tf.shape(elem)[0], [3, 5], [2, 2])


def test_bucket_by_sequence_length_on_tuples_with_padded_shapes():
    pairs = [(np.arange(n) + 1, np.int64(n)) for n in (1, 4, 2, 5)]
    ds = tf.data.Dataset.from_generator(lambda: pairs, output_types=(tf.int64, tf.int64))
    ds = ds.bucket_by_sequence_length(lambda seq, n: tf.shape(seq)[0], [3], [2, 2],
                                      padded_shapes=([None], []), padding_values=(np.int64(-1), np.int64(0)),
                                      pad_to_bucket_boundary=False)
    got = [(s.tolist(), n.tolist()) for s, n in ds]
    assert got == [([[1, -1], [1, 2]], [1, 2]), ([[1, 2, 3, 4, -1], [1, 2, 3, 4, 5]], [4, 5])]


def test_padded_batch_padded_shapes_and_one_padding_value_for_all_components():
    ds = tf.data.Dataset.from_generator(lambda: [(np.arange(n), np.ones(n)) for n in (1, 3)],
                                        output_types=(tf.int64, tf.float32))
    a, b = next(iter(ds.padded_batch(2, padded_shapes=([4], [None]), padding_values=np.int64(7))))
    assert a.tolist() == [[0, 7, 7, 7], [0, 1, 2, 7]] and b.tolist() == [[1, 7, 7], [1, 1, 1]]
    assert len(tf.data.Dataset.range(5).padded_batch(2)) == 3


def test_rebatch():
    assert listed(tf.data.Dataset.range(6).batch(2).rebatch(3)) == [[0, 1, 2], [3, 4, 5]]
    assert listed(tf.data.Dataset.range(7).batch(4).rebatch(2)) == [[0, 1], [2, 3], [4, 5], [6]]
    assert listed(tf.data.Dataset.range(7).batch(4).rebatch(2, drop_remainder=True)) == [[0, 1], [2, 3], [4, 5]]
    assert listed(tf.data.Dataset.range(8).batch(4).rebatch([2, 1, 1])) == [[0, 1], [2], [3], [4, 5], [6], [7]]
    assert listed(tf.data.Dataset.range(6).batch(4).rebatch(batch_size=[2, 3], drop_remainder=True)) == [
        [0, 1], [2, 3, 4]]


def test_counter():
    assert listed(tf.data.Dataset.counter().take(5)) == [0, 1, 2, 3, 4]
    assert tf.data.Dataset.counter().element_spec.dtype == tf.int64
    assert tf.data.Dataset.counter(dtype=tf.int32).element_spec.dtype == tf.int32
    assert listed(tf.data.Dataset.counter(start=2).take(5)) == [2, 3, 4, 5, 6]
    assert listed(tf.data.Dataset.counter(start=2, step=5).take(5)) == [2, 7, 12, 17, 22]
    assert listed(tf.data.Dataset.counter(start=10, step=-1).take(5)) == [10, 9, 8, 7, 6]
    assert int(tf.data.Dataset.counter().cardinality()) == tf.data.INFINITE_CARDINALITY
    assert listed(tf.data.experimental.Counter(3).take(2)) == [3, 4]


def test_random():
    ds1, ds2 = tf.data.Dataset.random(seed=4).take(10), tf.data.Dataset.random(seed=4).take(10)
    first = listed(ds1)
    assert first == listed(ds2) and len(set(first)) == 10
    assert ds1.element_spec.dtype == tf.int64 and ds1.element_spec.shape == ()
    assert listed(ds1) == first  # same sequence each epoch by default
    ds4 = tf.data.Dataset.random(seed=4, rerandomize_each_iteration=True).take(10)
    assert listed(ds4) != listed(ds4)
    assert int(tf.data.Dataset.random().cardinality()) == tf.data.INFINITE_CARDINALITY
    tf.random.set_seed(1)
    a = listed(tf.data.Dataset.random().take(3))
    tf.random.set_seed(1)
    assert listed(tf.data.Dataset.random().take(3)) == a


def test_reduce_returns_tensors():
    assert tf.data.Dataset.range(5).reduce(np.int64(0), lambda x, _: x + 1).numpy() == 5
    total = tf.data.Dataset.range(5).reduce(np.int64(0), lambda x, y: x + y)
    assert isinstance(total, tf.Tensor) and total.numpy() == 10
    empty = tf.data.Dataset.range(0).reduce(0, lambda x, y: x + y)
    assert isinstance(empty, tf.Tensor) and int(empty) == 0
    both = tf.data.Dataset.range(4).reduce((np.int64(0), np.int64(1)), lambda s, x: (s[0] + x, s[1] * (x + 1)))
    assert [int(v) for v in both] == [6, 24]
