"""Finding and fetching the files of Keras's small data sets.

Local folders come first, as for MNIST: ``$EMBER_DATA`` (as is and with the
data set's folder below it), Keras's own cache (``$KERAS_HOME/datasets``,
by default ``~/.keras/datasets``, so files real Keras downloaded are reused)
and Ember's cache. Only when none holds the file is it downloaded from
Keras's URL into Keras's cache, through a temporary file whose SHA-256 must
equal the one Keras publishes before it is renamed into place.
"""
from __future__ import annotations

import hashlib
import io
import os
import urllib.request
import zipfile
from pathlib import Path

import numpy

from ember.data.datasets import files
from ember.data.datasets.batches import _ArrayUnpickler
from ember.data.datasets.errors import CorruptDatasetError, DatasetNotFoundError
from ember.io.atomic import atomic_write

_TIMEOUT_SECONDS = 60


def keras_cache_dir() -> Path:
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "datasets"


def search_dirs(folder: str) -> list[Path]:
    places = []
    if os.environ.get("EMBER_DATA"):
        places += [Path(os.environ["EMBER_DATA"]) / folder, Path(os.environ["EMBER_DATA"])]
    places += [keras_cache_dir() / folder, keras_cache_dir(), files.cache_dir() / folder]
    return list(dict.fromkeys(places))


def fetch(url: str, path: Path, file_hash: str) -> Path:
    """Download ``url`` to ``path``; the file appears only if its hash is ``file_hash``.

    As Keras's ``get_file``: a 64-digit hash is a SHA-256, a 32-digit one an MD5.
    """
    algorithm = "md5" if len(file_hash) == 32 else "sha256"

    def write(file) -> None:
        digest = hashlib.new(algorithm)
        with urllib.request.urlopen(url, timeout=_TIMEOUT_SECONDS) as response:
            while chunk := response.read(1 << 20):
                file.write(chunk)
                digest.update(chunk)
        if digest.hexdigest() != file_hash:
            raise CorruptDatasetError(f"{url}: checksum mismatch: {algorithm} {digest.hexdigest()}, "
                                      f"expected {file_hash}")
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, write)
    return path


def locate_file(name: str, folder: str, url: str, file_hash: str) -> Path:
    """The local file ``name`` (a path, or looked for in :func:`search_dirs`), else a checked download."""
    if os.path.isabs(name) or os.path.exists(name):
        return Path(name)
    places = search_dirs(folder)
    for place in places:
        if (place / name).is_file():
            return place / name
    target = keras_cache_dir() / name
    try:
        return fetch(url, target, file_hash)
    except (OSError, CorruptDatasetError) as error:
        looked = "\n".join(f"  - {place}" for place in places)
        raise DatasetNotFoundError(f"{name} not found: looked in\n{looked}\nand downloading {url} into "
                                   f"{target} failed: {error}\nSet $EMBER_DATA to a folder holding {name}.") from None


def load_npz(path: Path) -> dict[str, numpy.ndarray]:
    """The arrays of an ``.npz`` file; object arrays (lists of word indices) are unpickled safely.

    ``numpy.load(allow_pickle=True)`` would let the file run code; here an
    object array may only name NumPy's array-building globals.
    """
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                data = io.BytesIO(archive.read(member))
                arrays[member.removesuffix(".npy")] = _read_npy(data, path)
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise CorruptDatasetError(f"{path}: not a readable .npz file ({error})") from None
    return arrays


def _read_npy(data: io.BytesIO, path: Path) -> numpy.ndarray:
    version = numpy.lib.format.read_magic(data)
    read_header = numpy.lib.format.read_array_header_1_0 if version == (1, 0) \
        else numpy.lib.format.read_array_header_2_0
    shape, _fortran_order, dtype = read_header(data)
    if not dtype.hasobject:
        data.seek(0)
        return numpy.lib.format.read_array(data, allow_pickle=False)
    array = _ArrayUnpickler(data, path).load()
    if not isinstance(array, numpy.ndarray) or array.shape != shape:
        raise CorruptDatasetError(f"{path}: an object array does not hold the shape {shape} its header states")
    return array
