"""Reading IDX files (MNIST's format), gzipped or raw, with header and SHA-256 checks.

IDX is big-endian: a uint32 magic number (2049 for labels, 2051 for
images), a uint32 count, for images uint32 rows and columns, then the uint8
data. Data is read straight into a NumPy array in chunks, hashed as it
arrives, so a 47 MB file is never held twice.
"""
from __future__ import annotations

import gzip
import hashlib
import struct
from pathlib import Path

import numpy

from .errors import CorruptDatasetError

LABELS_MAGIC, IMAGES_MAGIC = 2049, 2051
_CHUNK = 1 << 20


def read_idx(path: Path, expected_sha256: str | None, expected_count: int | None) -> numpy.ndarray:
    """The array an IDX file holds: ``(count,)`` labels or ``(count, rows, cols)`` images (uint8).

    The SHA-256 of the decompressed bytes must equal ``expected_sha256`` (when given).
    """
    opener = gzip.open if _is_gzip(path) else open
    digest = hashlib.sha256()
    try:
        with opener(path, "rb") as file:
            shape = _read_header(file, path, digest, expected_count)
            array = numpy.empty(shape, dtype=numpy.uint8)
            _fill(file, array.reshape(-1), path, digest)
            if file.read(1):
                raise CorruptDatasetError(f"{path}: more data than the header's shape {shape} holds")
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise CorruptDatasetError(f"{path}: can't be read ({error}); the file is damaged or truncated") from None
    if expected_sha256 is not None and digest.hexdigest() != expected_sha256:
        raise CorruptDatasetError(f"{path}: checksum mismatch: the decompressed data has SHA-256 "
                                  f"{digest.hexdigest()}, expected {expected_sha256}; the file is "
                                  "damaged or not the official one, so delete it and fetch it again")
    return array


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as file:
        return file.read(2) == b"\x1f\x8b"


def _read_header(file, path: Path, digest, expected_count: int | None) -> tuple[int, ...]:
    head = file.read(8)
    if len(head) < 8:
        raise CorruptDatasetError(f"{path}: too short for an IDX header ({len(head)} bytes)")
    magic, count = struct.unpack(">II", head)
    if magic not in (LABELS_MAGIC, IMAGES_MAGIC):
        raise CorruptDatasetError(f"{path}: bad IDX magic number {magic} (expected {LABELS_MAGIC} for "
                                  f"labels or {IMAGES_MAGIC} for images): not an IDX file")
    digest.update(head)
    shape = (count,)
    if magic == IMAGES_MAGIC:
        dims = file.read(8)
        if len(dims) < 8:
            raise CorruptDatasetError(f"{path}: the image header is truncated")
        digest.update(dims)
        shape += struct.unpack(">II", dims)
    if expected_count is not None and count != expected_count:
        raise CorruptDatasetError(f"{path}: the header says {count} items, expected {expected_count}")
    return shape


def _fill(file, flat: numpy.ndarray, path: Path, digest) -> None:
    view = memoryview(flat)
    position = 0
    while position < flat.size:
        got = file.readinto(view[position:position + _CHUNK])
        if not got:
            raise CorruptDatasetError(f"{path}: truncated: the header promises {flat.size} data bytes, "
                                      f"the file holds {position}")
        digest.update(view[position:position + got])
        position += got
