"""``keras.datasets.cifar10``: 50,000 + 10,000 colour images of 32 x 32 pixels in 10 classes."""
from __future__ import annotations

from pathlib import Path

import numpy

from ember.data.datasets.batches import load_batch
from ember.data.datasets.errors import CorruptDatasetError, DatasetNotFoundError

from ._files import fetch, keras_cache_dir, search_dirs

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = [f"data_batch_{i}" for i in range(1, 6)]


def load_data():
    """``(x_train, y_train), (x_test, y_test)``: uint8 images ``(N, 32, 32, 3)``, labels ``(N, 1)``.

    Example:
        >>> from ember import keras
        >>> (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()  # doctest: +SKIP
        >>> x_train.shape, y_train.shape  # doctest: +SKIP
        ((50000, 32, 32, 3), (50000, 1))
    """
    folder = _locate()
    train = [_read(folder / name) for name in TRAIN_BATCHES]
    x_test, y_test = _read(folder / "test_batch")
    x_train = numpy.concatenate([images for images, _ in train])
    y_train = numpy.concatenate([labels for _, labels in train])
    return (x_train, y_train.reshape(-1, 1)), (x_test, y_test.reshape(-1, 1))


def _read(path: Path) -> tuple[numpy.ndarray, numpy.ndarray]:
    """One batch file: channels-first rows turned into channels-last images, as Keras does."""
    content = load_batch(path, None)  # the archive's SHA-256 is checked on download, as Keras does
    # Python 2's str keys load as str; files re-pickled by Python 3 hold bytes keys
    content = {key.decode("latin1") if isinstance(key, bytes) else key: value for key, value in content.items()}
    try:
        data, labels = content["data"], content["labels"]
    except KeyError as error:
        raise CorruptDatasetError(f"{path}: a CIFAR-10 batch holds 'data' and 'labels'; missing {error}") from None
    images = numpy.asarray(data, dtype=numpy.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return images, numpy.asarray(labels, dtype=numpy.uint8)


def _locate() -> Path:
    names = [*TRAIN_BATCHES, "test_batch"]
    keras_extracted = keras_cache_dir() / "cifar-10-batches-py-target" / FOLDER  # where Keras 3 unpacks it
    places = [*search_dirs(FOLDER), keras_extracted]
    for place in places:
        if all((place / name).is_file() for name in names):
            return place
    return _download(places)


def _download(places: list[Path]) -> Path:
    import tarfile  # only a download needs it
    from ember.data.datasets.cifar import _extract
    archive = keras_cache_dir() / "cifar-10-python.tar.gz"
    try:
        fetch(URL, archive, SHA256)
        _extract(archive, keras_cache_dir(), FOLDER)
    except (OSError, CorruptDatasetError, tarfile.TarError) as error:
        looked = "\n".join(f"  - {place}" for place in places)
        raise DatasetNotFoundError(f"CIFAR-10 batches not found: looked in\n{looked}\nand downloading {URL} "
                                   f"failed: {error}\nSet $EMBER_DATA to a folder holding {FOLDER}/.") from None
    return keras_cache_dir() / FOLDER
