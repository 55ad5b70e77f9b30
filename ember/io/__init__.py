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

import io
import json
import os
from typing import Any, BinaryIO

from ..tensor import Tensor
from . import safetensors_format
from .atomic import atomic_write
from .safetensors_format import CorruptFileError
from .structure import flatten, unflatten

FORMAT_VERSION = "1"
_STRUCTURE, _VERSION, _DIGEST = "ember.structure", "ember.format_version", "ember.sha256"

__all__ = ["save", "load", "CorruptFileError"]


def save(obj: Any, f: str | os.PathLike | BinaryIO) -> None:
    """Save ``obj`` to the path ``f`` atomically (or to an open binary file object).

    A top-level ``{name: tensor}`` dict keeps its names as the safetensors
    tensor names, so the file is an ordinary safetensors checkpoint too.
    """
    structure, arrays = flatten(obj)
    metadata = {"format": "ember", _VERSION: FORMAT_VERSION,
                _STRUCTURE: json.dumps(structure, separators=(",", ":"), allow_nan=False),
                _DIGEST: safetensors_format.data_digest(arrays)}
    writer = lambda file: safetensors_format.write(file, arrays, metadata)  # noqa: E731
    if hasattr(f, "write"):
        writer(f)
    else:
        atomic_write(f, writer)


def load(f: str | os.PathLike | BinaryIO, map_location: Any = None, *, weights_only: bool = True) -> Any:
    """Load what :func:`save` wrote, verifying the file; other safetensors files load as a dict.

    ``map_location`` and ``weights_only`` are accepted so ``torch.load`` calls
    port: tensors load into host memory, and loading never runs code.
    """
    where = repr(os.fspath(f)) if not hasattr(f, "read") else "<file object>"
    if hasattr(f, "read"):
        arrays, metadata = safetensors_format.read(_seekable(f), where, _DIGEST)
    else:
        with open(f, "rb") as file:
            arrays, metadata = safetensors_format.read(file, where, _DIGEST)
    tensors = {name: Tensor._make(array, None, False) for name, array in arrays.items()}
    if _STRUCTURE not in metadata:
        return tensors
    _check_version(metadata, where)
    try:
        return unflatten(json.loads(metadata[_STRUCTURE]), tensors)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise CorruptFileError(f"{where}: the saved structure is corrupted ({error})") from None


def _check_version(metadata: dict, where: str) -> None:
    version = metadata.get(_VERSION)
    if version != FORMAT_VERSION:
        raise CorruptFileError(f"{where}: written with Ember file format version {version!r}; this "
                               f"Ember reads version {FORMAT_VERSION!r}")


def _seekable(file: BinaryIO) -> BinaryIO:
    return file if file.seekable() else io.BytesIO(file.read())
