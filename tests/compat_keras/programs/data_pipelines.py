"""TensorFlow 2 guide "tf.data: Build TensorFlow input pipelines": from_tensor_slices, zip,
from_generator (output_signature), batch and padded_batch, map with num_parallel_calls=AUTOTUNE,
filter, window + flat_map, interleave, enumerate, take/skip, cache, prefetch, reduce, and a
Keras model fitted on a pipeline.

Only the imports differ from the guide (``import ember as tf``). Real Keras needs TensorFlow
for tf.data, so the test checks the elements against the same pipelines in NumPy, and the fit
losses against real Keras fed the same batches as arrays.
"""
import numpy as np

import ember as tf
from ember import keras


def make_data(rng):
    return rng.normal(size=(40, 4)).astype("float32"), rng.integers(0, 3, size=40)


def build_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])


def count(stop):
    i = 0
    while i < stop:
        yield i
        i += 1


def train(model, data):
    results = {}
    dataset = tf.data.Dataset.from_tensor_slices([8, 3, 0, 8, 2, 1])
    results["elements"] = [elem.numpy() for elem in dataset]
    results["reduce"] = dataset.reduce(0, lambda state, value: state + value).numpy()

    ds_counter = tf.data.Dataset.from_generator(count, args=[25], output_types=tf.int32, output_shapes=())
    results["generator"] = [count_batch.numpy() for count_batch in ds_counter.repeat().batch(10).take(3)]
    ds = tf.data.Dataset.from_generator(count, args=[7], output_signature=tf.TensorSpec(shape=(), dtype=tf.int64))
    results["signature"] = list(ds.as_numpy_iterator())

    inc_dataset = tf.data.Dataset.range(100)
    dec_dataset = tf.data.Dataset.range(0, -100, -1)
    dataset = tf.data.Dataset.zip((inc_dataset, dec_dataset))
    batched_dataset = dataset.batch(4)
    results["zip_batches"] = [[arr.numpy() for arr in batch] for batch in batched_dataset.take(4)]
    results["drop_remainder_shape"] = list(inc_dataset.batch(7, drop_remainder=True).element_spec.shape)

    dataset = tf.data.Dataset.range(100)
    dataset = dataset.map(lambda x: tf.fill([tf.cast(x, tf.int32)], x))
    dataset = dataset.padded_batch(4, padded_shapes=(None,))
    results["padded"] = [batch.numpy() for batch in dataset.take(2)]

    range_ds = tf.data.Dataset.range(100000)
    batches = range_ds.batch(10, drop_remainder=True)

    def dense_1_step(batch):
        # Shift features and labels one step relative to each other.
        return batch[:-1], batch[-1:]

    results["shifted"] = [[f.numpy(), label.numpy()] for f, label in batches.map(dense_1_step).take(3)]

    def make_window_dataset(ds, window_size=5, shift=1, stride=1):
        windows = ds.window(window_size, shift=shift, stride=stride)

        def sub_to_batch(sub):
            return sub.batch(window_size, drop_remainder=True)

        windows = windows.flat_map(sub_to_batch)
        return windows

    ds = make_window_dataset(range_ds, window_size=10, shift=5, stride=3)
    results["windows"] = [example.numpy() for example in ds.take(3)]

    pipeline = (tf.data.Dataset.range(10).filter(lambda x: x % 2 == 0)
                .map(lambda x: x * 2, num_parallel_calls=tf.data.AUTOTUNE).cache().prefetch(tf.data.AUTOTUNE))
    results["filter_map"] = [list(pipeline.as_numpy_iterator()), list(pipeline.as_numpy_iterator())]  # cached
    results["enumerate"] = list(tf.data.Dataset.range(3).enumerate(start=10).as_numpy_iterator())
    interleaved = tf.data.Dataset.range(1, 6).interleave(
        lambda x: tf.data.Dataset.from_tensors(x).repeat(6), cycle_length=2, block_length=4)
    results["interleave"] = list(interleaved.as_numpy_iterator())
    results["skip_take"] = list(tf.data.Dataset.range(10).skip(3).take(4).as_numpy_iterator())

    # Using tf.data with Keras: fit on a (features, labels) pipeline
    features, labels = data
    train_ds = (tf.data.Dataset.from_tensor_slices((features, labels))
                .map(lambda x, y: (x * 2.0, y), num_parallel_calls=tf.data.AUTOTUNE).batch(8).prefetch(tf.data.AUTOTUNE))
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(train_ds, epochs=3, verbose=0)
    results["losses"] = history.history["loss"]
    results["evaluation"] = model.evaluate(train_ds.take(2), verbose=0)
    return results


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0))))
