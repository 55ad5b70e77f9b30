"""keras.datasets cifar10 / imdb / boston_housing read small files written here in the real formats.

imdb and boston_housing are compared with real Keras's loaders on the same
file (its download step replaced by the file's path); cifar10 with arrays
built by hand, as Keras's loader insists on 10,000 images per batch.
"""
import pickle

import numpy as np
import pytest

import keras
import keras.src.datasets.boston_housing as keras_boston
import keras.src.datasets.imdb as keras_imdb

from ember import keras as ember_keras
from ember.data.datasets import CorruptDatasetError, DatasetNotFoundError


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """$EMBER_DATA at a fresh folder; Keras's and Ember's caches empty, so nothing else is found."""
    monkeypatch.setenv("EMBER_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "data").mkdir()
    return tmp_path / "data"


def write_imdb(path, rng):
    def reviews(count):
        array = np.empty(count, dtype=object)
        array[:] = [[int(w) for w in rng.integers(1, 40, size=rng.integers(2, 12))] for _ in range(count)]  # Python ints, as the real file
        return array
    np.savez(path, x_train=reviews(30), y_train=rng.integers(0, 2, 30), x_test=reviews(20),
             y_test=rng.integers(0, 2, 20))


@pytest.mark.parametrize("options", [{}, {"num_words": 20, "skip_top": 2}, {"maxlen": 8, "seed": 5},
                                     {"start_char": None, "oov_char": None, "num_words": 15, "index_from": 0}])
def test_imdb_matches_keras(data_home, monkeypatch, options):
    path = data_home / "imdb" / "imdb.npz"
    path.parent.mkdir()
    write_imdb(path, np.random.default_rng(0))
    monkeypatch.setattr(keras_imdb, "get_file", lambda *args, **kwargs: str(path))
    expected = keras.datasets.imdb.load_data(**options)
    got = ember_keras.datasets.imdb.load_data(**options)
    for (x_got, y_got), (x_expected, y_expected) in zip(got, expected):
        assert x_got.dtype == object and len(x_got) == len(x_expected)
        assert [list(review) for review in x_got] == [list(review) for review in x_expected]
        np.testing.assert_array_equal(y_got, y_expected)


def test_imdb_refuses_a_pickle_that_runs_code(data_home):
    class Exploit:
        def __reduce__(self):
            return (print, ("ran",))
    array = np.empty(1, dtype=object)
    array[0] = Exploit()
    np.savez(data_home / "imdb.npz", x_train=array, y_train=np.zeros(1), x_test=array, y_test=np.zeros(1))
    with pytest.raises(CorruptDatasetError, match="builtins.print"):
        ember_keras.datasets.imdb.load_data()


@pytest.mark.parametrize("test_split, seed", [(0.2, 113), (0.35, 7)])
def test_boston_housing_matches_keras(data_home, monkeypatch, test_split, seed):
    rng = np.random.default_rng(1)
    np.savez(data_home / "boston_housing.npz", x=rng.normal(size=(37, 13)), y=rng.uniform(5, 50, size=37))
    monkeypatch.setattr(keras_boston, "get_file", lambda *args, **kwargs: str(data_home / "boston_housing.npz"))
    expected = keras.datasets.boston_housing.load_data(test_split=test_split, seed=seed)
    got = ember_keras.datasets.boston_housing.load_data(test_split=test_split, seed=seed)
    for got_part, expected_part in zip(got, expected):
        for a, b in zip(got_part, expected_part):
            assert a.shape == b.shape and a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="test_split"):
        ember_keras.datasets.boston_housing.load_data(test_split=1.0)


def test_cifar10_reads_python_batches_channels_last(data_home):
    folder = data_home / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(2)
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        rows = rng.integers(0, 256, size=(3, 3072), dtype=np.uint8)  # 3 images per batch, channels first
        labels = [int(v) for v in rng.integers(0, 10, size=3)]
        batches[name] = (rows, labels)
        with open(folder / name, "wb") as file:  # the real files: Python 2 pickles with byte-string keys
            pickle.dump({b"batch_label": b"batch", b"labels": labels, b"data": rows}, file, protocol=2)
    (x_train, y_train), (x_test, y_test) = ember_keras.datasets.cifar10.load_data()
    assert x_train.shape == (15, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (15, 1) and y_test.shape == (3, 1) and y_train.dtype == np.uint8
    rows, labels = batches["data_batch_2"]
    np.testing.assert_array_equal(x_train[3:6], rows.reshape(3, 3, 32, 32).transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_train[3:6, 0], labels)
    np.testing.assert_array_equal(x_test[1, 4, 5], batches["test_batch"][0][1].reshape(3, 32, 32)[:, 4, 5])


def test_missing_files_without_network_name_the_places_searched(data_home, monkeypatch):
    import urllib.request

    def offline(*args, **kwargs):
        raise OSError("network unreachable")
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DatasetNotFoundError, match="(?s)boston_housing.npz not found.*network unreachable.*EMBER_DATA"):
        ember_keras.datasets.boston_housing.load_data()
    with pytest.raises(DatasetNotFoundError, match="(?s)CIFAR-10 batches not found.*network unreachable"):
        ember_keras.datasets.cifar10.load_data()
