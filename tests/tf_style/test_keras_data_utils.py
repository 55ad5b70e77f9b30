"""keras.utils's data helpers: PyDataset/Sequence, timeseries_dataset_from_array and the directory
datasets, compared with real Keras 3's code where it runs without TensorFlow."""
import os

import numpy as np
import pytest

import ember
from ember import keras

real_keras = pytest.importorskip("keras")
if real_keras.config.backend() != "torch":
    pytest.skip("real Keras runs on another backend in this session", allow_module_level=True)
from keras.src.utils import dataset_utils as real_dataset_utils  # noqa: E402
from keras.src.utils import timeseries_dataset_utils as real_timeseries  # noqa: E402


# --- PyDataset ---------------------------------------------------------------------------------------
class Batches(keras.utils.PyDataset):
    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size
        self.epochs_ended = 0

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index):
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_py_dataset_trains_like_the_same_arrays():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = x.sum(1, keepdims=True)
    results = []
    for source in ("arrays", "pydataset", "threaded"):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(keras.optimizers.SGD(0.05), "mse")
        if source == "arrays":
            history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
        else:
            data = Batches(x, y, 8, workers=3 if source == "threaded" else 1)
            history = model.fit(data, epochs=3, shuffle=False, verbose=0)
            assert data.epochs_ended == 3
        results.append(history.history["loss"])
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6)
    np.testing.assert_allclose(results[2], results[0], rtol=1e-6)
    assert keras.utils.Sequence is keras.utils.PyDataset


def test_py_dataset_shuffle_visits_every_batch_once_per_epoch():
    seen = []

    class Recorder(Batches):
        def __getitem__(self, index):
            seen.append(index)
            return super().__getitem__(index)
    x = np.zeros((50, 2), "float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(Recorder(x, x[:, :1], 5), epochs=2, shuffle=True, verbose=0)
    assert sorted(seen[:10]) == list(range(10)) and sorted(seen[10:]) == list(range(10))
    assert seen[:10] != list(range(10)) or seen[10:] != list(range(10))


# --- timeseries ----------------------------------------------------------------------------------------
def _keras_timeseries(*args, **kwargs):
    """Real Keras's own tf.data implementation, run with Ember standing in for TensorFlow."""
    original = real_timeseries.tf
    real_timeseries.tf = ember
    try:
        return list(real_timeseries._timeseries_dataset_tf(*args, **kwargs))
    finally:
        real_timeseries.tf = original


@pytest.mark.parametrize("options", [
    dict(sequence_length=5, sequence_stride=1, sampling_rate=1, batch_size=4),
    dict(sequence_length=3, sequence_stride=2, sampling_rate=2, batch_size=3),
    dict(sequence_length=4, sequence_stride=3, sampling_rate=1, batch_size=None),
    dict(sequence_length=2, sequence_stride=1, sampling_rate=3, batch_size=128, start_index=4, end_index=25),
])
@pytest.mark.parametrize("with_targets", [True, False])
def test_timeseries_matches_keras(options, with_targets):
    data = np.arange(30 * 2, dtype="float64").reshape(30, 2)
    targets = np.arange(30) * 10 if with_targets else None
    options = {"start_index": None, "end_index": None, **options}
    ours = list(keras.utils.timeseries_dataset_from_array(data, targets, **options))
    theirs = _keras_timeseries(data, targets, shuffle=False, seed=None, **options)
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs):
        for a, b in zip(ember.data.pipeline.structure.flatten(mine), ember.data.pipeline.structure.flatten(reference)):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
            assert np.asarray(a).dtype == np.asarray(b).dtype


def test_timeseries_shuffle_uses_keras_start_order():
    data = np.arange(100)
    ours = keras.utils.timeseries_dataset_from_array(data, data, sequence_length=3, batch_size=None, shuffle=True, seed=3)
    windows = [x.tolist() for x, _ in ours]
    assert sorted(w[0] for w in windows) == list(range(98)) and all(w == [w[0], w[0] + 1, w[0] + 2] for w in windows)
    assert [w[0] for w in windows] != list(range(98))
    batched = list(keras.utils.timeseries_dataset_from_array(data, data, sequence_length=3, batch_size=10,
                                                             shuffle=True, seed=3))
    assert sum(len(y) for _, y in batched) == 98
    with pytest.raises(ValueError, match="sampling_rate"):
        keras.utils.timeseries_dataset_from_array(data, None, 3, sampling_rate=0)


def test_timeseries_feeds_fit():
    series = np.sin(np.linspace(0, 20, 200)).astype("float32")[:, None]
    ds = keras.utils.timeseries_dataset_from_array(series[:-5], series[5:, 0], sequence_length=5, batch_size=16)
    model = keras.Sequential([keras.Input((5, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    history = model.fit(ds, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3


# --- directory datasets -------------------------------------------------------------------------------
@pytest.fixture
def image_folder(tmp_path):
    from PIL import Image
    rng = np.random.default_rng(0)
    for label, count in (("cats", 5), ("dogs", 4)):
        os.makedirs(tmp_path / label)
        for i in range(count):
            pixels = rng.integers(0, 256, size=(12, 10, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / label / f"img{i}.png")
    (tmp_path / "dogs" / "notes.md").write_text("not an image")
    return tmp_path


@pytest.mark.parametrize("shuffle, seed", [(False, None), (True, 7)])
def test_index_directory_matches_keras(image_folder, shuffle, seed):
    from ember.keras.utils.directory_datasets import IMAGE_FORMATS, index_directory
    ours = index_directory(str(image_folder), "inferred", IMAGE_FORMATS, shuffle=shuffle, seed=seed, verbose=False)
    theirs = real_dataset_utils.index_directory(str(image_folder), "inferred", IMAGE_FORMATS, shuffle=shuffle,
                                                seed=seed, verbose=False)
    assert ours[0] == theirs[0] and ours[1].tolist() == list(theirs[1]) and ours[2] == theirs[2]


def test_image_dataset_from_directory(image_folder):
    ds = keras.utils.image_dataset_from_directory(image_folder, image_size=(12, 10), batch_size=4, shuffle=False,
                                                  verbose=False)
    assert ds.class_names == ["cats", "dogs"] and len(ds) == 3
    images, labels = next(iter(ds))
    assert images.shape == (4, 12, 10, 3) and images.dtype == ember.float32 and labels.dtype == ember.int32
    from PIL import Image
    first = np.asarray(Image.open(image_folder / "cats" / "img0.png"), dtype="float32")
    np.testing.assert_array_equal(images[0].numpy(), first)  # same size: no resampling
    assert [int(v) for _, y in ds for v in y] == [0] * 5 + [1] * 4
    small = keras.utils.image_dataset_from_directory(image_folder, image_size=(6, 5), color_mode="grayscale",
                                                     label_mode="categorical", batch_size=None, seed=1, verbose=False)
    image, label = next(iter(small))
    assert image.shape == (6, 5, 1) and label.shape == (2,) and float(label.sum()) == 1.0
    train, val = keras.utils.image_dataset_from_directory(image_folder, image_size=(8, 8), validation_split=0.25,
                                                          subset="both", seed=3, verbose=False)
    assert len(train.file_paths) == 7 and len(val.file_paths) == 2 and not set(train.file_paths) & set(val.file_paths)
    with pytest.raises(ValueError, match="seed"):
        keras.utils.image_dataset_from_directory(image_folder, validation_split=0.2, subset="training")
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(), keras.layers.Dense(2)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(train, epochs=1, verbose=0)


def test_text_dataset_from_directory(tmp_path):
    texts = {"neg": ["awful plot", "dull"], "pos": ["a delight", "great acting", "loved it"]}
    for label, items in texts.items():
        os.makedirs(tmp_path / label)
        for i, text in enumerate(items):
            (tmp_path / label / f"{i}.txt").write_text(text)
    ds = keras.utils.text_dataset_from_directory(tmp_path, batch_size=2, shuffle=False, verbose=False)
    batches = [(list(x), y.tolist()) for x, y in ds]
    assert batches[0] == (["awful plot", "dull"], [0, 0]) and batches[-1] == (["loved it"], [1])
    trimmed = keras.utils.text_dataset_from_directory(tmp_path, batch_size=None, shuffle=True, seed=2, max_length=4,
                                                      label_mode="binary", verbose=False)
    items = [(str(x), y.tolist()) for x, y in trimmed]
    assert sorted(t for t, _ in items) == sorted(t[:4] for group in texts.values() for t in group)
    assert all(label in ([0.0], [1.0]) for _, label in items)
