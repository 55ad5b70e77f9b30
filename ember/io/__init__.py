"""Saving and loading tensors, state dicts and checkpoints as safetensors files.

:func:`save` writes any nesting of dicts, lists and tuples holding tensors,
NumPy arrays, numbers, strings and ``None``: the arrays as safetensors
tensors, the rest as JSON in the file's metadata. There is no pickle, so
loading an untrusted file cannot run code. Files from other safetensors
writers (``safetensors.torch.save_file``) load as a flat ``{name: tensor}``
dict, so a PyTorch model's weights load straight into the Ember model.

Example:
    >>> import os, tempfile, ember
    >>> path = os.path.join(tempfile.mkdtemp(), "checkpoint.safetensors")
    >>> ember.save({"weight": ember.ones(2, 3), "epoch": 4, "betas": (0.9, 0.999)}, path)
    >>> loaded = ember.load(path)
    >>> loaded["weight"].shape, loaded["epoch"], loaded["betas"]
    ((2, 3), 4, (0.9, 0.999))
"""
from __future__ import annotations

import hashlib
import io
import json
import os
from typing import Any, BinaryIO

from ..tensor import Tensor
from . import safetensors_format
from .atomic import atomic_write
from .safetensors_format import CorruptFileError
from .structure import flatten_with_devices, unflatten

# Version 2: the checksum covers the header (every tensor's dtype, shape and offsets, and the
# metadata: structure, epoch, ...) as well as the data; version 1 covered the data alone.
FORMAT_VERSION = "2"
_READABLE_VERSIONS = ("1", "2")
_STRUCTURE, _VERSION = "ember.structure", "ember.format_version"
_DEVICES = "ember.devices"  # {tensor name: 'cuda:1'} for tensors saved from a device (host ones absent)
_FILE_DIGEST, _DATA_DIGEST = "ember.sha256.file", "ember.sha256"  # versions 2 and 1

__all__ = ["save", "load", "CorruptFileError"]


def save(obj: Any, f: str | os.PathLike | BinaryIO) -> None:
    """Save ``obj`` to the path ``f`` atomically (or to an open binary file object).

    A top-level ``{name: tensor}`` dict keeps its names as the safetensors
    tensor names, so the file is an ordinary safetensors checkpoint too.
    """
    structure, arrays, devices = flatten_with_devices(obj)
    metadata = {"format": "ember", _VERSION: FORMAT_VERSION,
                _STRUCTURE: json.dumps(structure, separators=(",", ":"), allow_nan=False)}
    if devices:
        metadata[_DEVICES] = json.dumps(devices, separators=(",", ":"))
    header = safetensors_format.header_bytes(safetensors_format.layout(arrays), metadata)
    metadata[_FILE_DIGEST] = safetensors_format.data_digest(arrays, header)
    writer = lambda file: safetensors_format.write(file, arrays, metadata)  # noqa: E731
    if hasattr(f, "write"):
        writer(f)
    else:
        atomic_write(f, writer)


def load(f: str | os.PathLike | BinaryIO, map_location: Any = None, *, weights_only: bool = True) -> Any:
    """Load what :func:`save` wrote, verifying the file; other safetensors files load as a dict.

    Tensors are saved as host bytes (with the device each came from) and load onto
    the CPU; ``map_location`` places them elsewhere, as in ``torch.load``: a device or
    its string, a dict mapping a saved location (``'cpu'``, ``'cuda:1'``) to a device
    (``{'cuda:1': 'cuda:0'}``), or a function ``(tensor, saved_location) -> tensor``.
    ``weights_only`` is accepted so ``torch.load`` calls port; loading never runs code.
    """
    where = repr(os.fspath(f)) if not hasattr(f, "read") else "<file object>"
    if hasattr(f, "read"):
        arrays, metadata = safetensors_format.read(_seekable(f), where, _checksum(where))
    else:
        with open(f, "rb") as file:
            arrays, metadata = safetensors_format.read(file, where, _checksum(where))
    saved_on = _saved_devices(metadata, where) if map_location is not None else {}
    tensors = {name: _place(Tensor._make(array, None, False), map_location, saved_on.get(name, "cpu"))
               for name, array in arrays.items()}
    if _STRUCTURE not in metadata:
        return tensors
    _check_version(metadata, where)
    try:
        return unflatten(json.loads(metadata[_STRUCTURE]), tensors)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise CorruptFileError(f"{where}: the saved structure is corrupted ({error})") from None


def _saved_devices(metadata: dict, where: str) -> dict:
    try:
        return json.loads(metadata.get(_DEVICES, "{}"))
    except json.JSONDecodeError as error:
        raise CorruptFileError(f"{where}: the saved devices are corrupted ({error})") from None


def _place(tensor: Tensor, map_location, saved_on: str = "cpu") -> Tensor:
    """A loaded (host) tensor where ``map_location`` puts it (``saved_on``: where it was saved from)."""
    if map_location is None:
        return tensor
    if callable(map_location):
        placed = map_location(tensor, saved_on)
        return tensor if placed is None else placed
    if isinstance(map_location, dict):
        map_location = map_location.get(saved_on)
        if map_location is None:
            return tensor
    return tensor.to(map_location)


def _checksum(where: str):
    """The check :func:`safetensors_format.read` runs: which checksum the file carries, seeded."""
    def check(entries: dict, metadata: dict):
        if _FILE_DIGEST in metadata:
            rest = {key: value for key, value in metadata.items() if key != _FILE_DIGEST}
            digest = hashlib.sha256(safetensors_format.header_bytes(entries, rest))
            return digest, metadata[_FILE_DIGEST], "its header and tensor data"
        if _DATA_DIGEST in metadata:
            return hashlib.sha256(), metadata[_DATA_DIGEST], "its tensor data"
        if _STRUCTURE in metadata:
            raise CorruptFileError(f"{where}: an Ember checkpoint without its checksum (the "
                                   f"{_FILE_DIGEST!r} metadata entry was removed)")
        return None  # a plain safetensors file from another writer
    return check


def _check_version(metadata: dict, where: str) -> None:
    version = metadata.get(_VERSION)
    if version not in _READABLE_VERSIONS:
        raise CorruptFileError(f"{where}: written with Ember file format version {version!r}; this "
                               f"Ember reads versions {', '.join(_READABLE_VERSIONS)}")


def _seekable(file: BinaryIO) -> BinaryIO:
    return file if file.seekable() else io.BytesIO(file.read())
