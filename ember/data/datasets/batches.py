"""Reading CIFAR's "python version" batch files without letting pickle run code.

The files are Python 2 pickles of dicts holding strings, lists of ints and
one uint8 NumPy array. A plain ``pickle.load`` would import and call
whatever the file names, so :class:`_ArrayUnpickler` resolves only the
few globals an ndarray needs (NumPy's ``_reconstruct``, ``ndarray``,
``dtype``, and ``_codecs.encode`` for bytes pickled by Python 3); any other
global ends the load with :class:`CorruptDatasetError`. The MD5 of the file
is checked before it is unpickled at all.
"""
from __future__ import annotations

import codecs
import hashlib
import pickle
from pathlib import Path

import numpy

from .errors import CorruptDatasetError

_RECONSTRUCT = numpy.ndarray.__reduce__(numpy.zeros(0))[0]  # NumPy's private _reconstruct, whatever its module
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,  # the name in files written by NumPy 1
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): numpy.ndarray,
    ("numpy", "dtype"): numpy.dtype,
    ("_codecs", "encode"): codecs.encode,
}


class _ArrayUnpickler(pickle.Unpickler):
    def __init__(self, file, path: Path):
        super().__init__(file, encoding="latin1")  # Python 2 str -> str; NumPy reads array bytes from it
        self.path = path

    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise CorruptDatasetError(
                f"{self.path}: refused to load: the pickle asks for {module}.{name}, but a CIFAR batch holds "
                "only dicts, lists, strings and NumPy arrays; the file is not an official one") from None


def md5_of(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def load_batch(path: Path, expected_md5: str | None) -> dict:
    """The dict a batch file holds, after checking the file's MD5 (when given)."""
    if expected_md5 is not None and (actual := md5_of(path)) != expected_md5:
        raise CorruptDatasetError(f"{path}: checksum mismatch: MD5 {actual}, expected {expected_md5}; the "
                                  "file is damaged or not the official one, so delete it and fetch it again")
    try:
        with open(path, "rb") as file:
            content = _ArrayUnpickler(file, path).load()
    except CorruptDatasetError:
        raise
    except Exception as error:  # a truncated or foreign file fails in many ways inside pickle
        raise CorruptDatasetError(f"{path}: can't be read as a CIFAR batch ({type(error).__name__}: {error})") from None
    if not isinstance(content, dict):
        raise CorruptDatasetError(f"{path}: holds a {type(content).__name__}, expected a dict")
    return content


def images_and_labels(content: dict, path: Path) -> tuple[numpy.ndarray, list[int]]:
    """``N x 32 x 32 x 3`` uint8 images (HWC, as torchvision) and the labels of one batch.

    The labels are ``labels`` (CIFAR-10) or else ``fine_labels`` (CIFAR-100's 100 classes).
    """
    data = content.get("data")
    label_key = "labels" if "labels" in content else "fine_labels"
    labels = content.get(label_key)
    if not isinstance(data, numpy.ndarray) or data.dtype != numpy.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        found = f"{data.dtype} array of shape {data.shape}" if isinstance(data, numpy.ndarray) else type(data).__name__
        raise CorruptDatasetError(f"{path}: 'data' should be an N x 3072 uint8 array, got {found}")
    if not isinstance(labels, list) or len(labels) != data.shape[0]:
        raise CorruptDatasetError(f"{path}: '{label_key}' should be a list of {data.shape[0]} ints")
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # rows hold R, G, B planes in turn
    return numpy.ascontiguousarray(images), [int(label) for label in labels]
