"""The safetensors file format, read and written with NumPy alone.

Layout: an 8-byte little-endian header length N, N bytes of JSON (one entry
per tensor: dtype, shape, byte offsets; plus an optional ``__metadata__``
map of strings), then the tensors' bytes back to back. Reading checks
everything the header claims against the file (offsets contiguous, sizes
matching shapes, nothing missing or left over), so a truncated or corrupted
file fails with a message instead of loading garbage.
"""
from __future__ import annotations

import hashlib
import json
import struct
from typing import BinaryIO

import numpy

from ..errors import EmberError

MAX_HEADER_BYTES = 100 * 1024 * 1024  # the limit the reference implementation uses

_DTYPES = {"BOOL": "|b1", "U8": "|u1", "I8": "|i1", "I16": "<i2", "U16": "<u2", "F16": "<f2",
           "I32": "<i4", "U32": "<u4", "F32": "<f4", "F64": "<f8", "I64": "<i8", "U64": "<u8"}
_CODES = {numpy.dtype(spec): code for code, spec in _DTYPES.items()}


class CorruptFileError(EmberError, RuntimeError):
    """A file is not a valid safetensors file, is truncated, or fails its checksum."""


def dtype_code(dtype) -> str:
    code = _CODES.get(numpy.dtype(dtype).newbyteorder("<"))
    if code is None:
        raise TypeError(f"safetensors can't store arrays of dtype {dtype}")
    return code


def layout(arrays: dict[str, numpy.ndarray]) -> dict[str, dict]:
    """The header entry (dtype, shape, byte offsets) :func:`write` gives each array, in order."""
    header, offset = {}, 0
    for name, array in arrays.items():
        nbytes = array.size * array.dtype.itemsize
        header[name] = {"dtype": dtype_code(array.dtype), "shape": list(array.shape),
                        "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    return header


def write(file: BinaryIO, arrays: dict[str, numpy.ndarray], metadata: dict[str, str]) -> None:
    """Write ``arrays`` (in order) and string ``metadata`` to an open binary file."""
    header = layout(arrays)
    if metadata:
        header = {"__metadata__": metadata, **header}
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)  # pad so the data starts 8-byte aligned, as the spec suggests
    file.write(struct.pack("<Q", len(encoded)))
    file.write(encoded)
    for array in arrays.values():
        file.write(_little_endian_c(array).reshape(-1).view(numpy.uint8))


def header_bytes(entries: dict[str, dict], metadata: dict[str, str]) -> bytes:
    """A canonical encoding of a header (entries and metadata), however its JSON was spaced or ordered."""
    canonical = json.dumps({"metadata": metadata, "tensors": entries}, sort_keys=True,
                           separators=(",", ":"))
    return struct.pack("<Q", len(canonical)) + canonical.encode("utf-8")


def data_digest(arrays: dict[str, numpy.ndarray], start: bytes = b"") -> str:
    """SHA-256 of ``start`` followed by the data section :func:`write` produces for ``arrays``."""
    digest = hashlib.sha256(start)
    for array in arrays.values():
        block = _little_endian_c(array)
        digest.update(block.reshape(-1).view(numpy.uint8))
    return digest.hexdigest()


def read(file: BinaryIO, where: str, check=None):
    """Read a whole file: ``(arrays, metadata)``; arrays are fresh, aligned, writable NumPy arrays.

    ``check(entries, metadata)``, when given, returns ``None`` or a ``(digest,
    expected, what)`` triple: the data section is fed into the hashlib object
    ``digest`` (after whatever ``check`` put there) and must end equal to the
    hex string ``expected``; ``what`` says what the checksum covers.
    """
    size = file.seek(0, 2)
    file.seek(0)
    header, metadata, data_start = _read_header(file, size, where)
    entries = _check_entries(header, size - data_start, where)
    verification = check(header, metadata) if check is not None else None
    digest = verification[0] if verification else None
    arrays = {}
    for name, entry in entries:
        raw = _read_raw(file, entry, data_start, where, name)
        if digest is not None:
            digest.update(raw.reshape(-1).view(numpy.uint8))
        arrays[name] = _to_native(raw, entry["dtype"])
    if digest is not None and digest.hexdigest() != verification[1]:
        raise CorruptFileError(f"{where}: the file is corrupted or was edited: the SHA-256 of "
                               f"{verification[2]} is {digest.hexdigest()}, not the "
                               f"{verification[1]} recorded when it was saved")
    return {name: arrays[name] for name in header}, metadata


def _read_header(file: BinaryIO, size: int, where: str):
    if size < 8:
        raise CorruptFileError(f"{where}: not a safetensors file (only {size} bytes; the header "
                               "length alone takes 8)")
    start = file.read(8)
    (length,) = struct.unpack("<Q", start)
    if length > MAX_HEADER_BYTES or length > size - 8:
        foreign = _foreign_format(file, start)
        if foreign:
            raise CorruptFileError(f"{where}: {foreign}")
        raise CorruptFileError(f"{where}: not a safetensors file, or truncated: the header claims "
                               f"{length} bytes but the file has {size - 8} after the length field")
    try:
        header = json.loads(file.read(length).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CorruptFileError(f"{where}: the safetensors header is not valid JSON ({error})") from None
    if not isinstance(header, dict):
        raise CorruptFileError(f"{where}: the safetensors header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise CorruptFileError(f"{where}: the safetensors __metadata__ must map strings to strings")
    return header, metadata, 8 + length


_CONVERT = ("Ember reads safetensors (no pickle, so loading never runs code); convert the file "
            "once with PyTorch: `import torch, safetensors.torch; safetensors.torch.save_file("
            "torch.load(path), 'model.safetensors')` (for a state dict; save the tensors of "
            "anything else as a dict), then load the new file")


def _foreign_format(file: BinaryIO, start: bytes) -> str | None:
    """What a file that is not safetensors looks like, when it is something we recognise."""
    if start.startswith(b"PK\x03\x04"):
        import zipfile  # here, not at the top: it is 3% of ``import ember`` and only this error needs it
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            names = []
        if any(name.endswith("data.pkl") for name in names):
            return f"this is a PyTorch zip file written by torch.save, not a safetensors file. {_CONVERT}"
        if "config.json" in names:
            return ("this is a zip archive holding a whole model (a .keras file?), not a "
                    "safetensors file: load it with ember.keras.models.load_model")
        return "this is a zip archive, not a safetensors file"
    if start[:1] == b"\x80" and 2 <= start[1] <= 5:
        return (f"this is a pickle file (PyTorch's legacy format written by torch.save, or "
                f"Python's pickle), not a safetensors file. {_CONVERT}")
    return None


def _check_entries(header: dict, data_size: int, where: str):
    """Validate every entry; return them sorted by offset after checking they tile the data exactly."""
    entries = [(name, _check_entry(name, entry, where)) for name, entry in header.items()]
    entries.sort(key=lambda item: item[1]["data_offsets"])
    position = 0
    for name, entry in entries:
        begin, end = entry["data_offsets"]
        if begin != position:
            raise CorruptFileError(f"{where}: tensor {name!r} starts at byte {begin} of the data, "
                                   f"expected {position} (overlapping or missing bytes)")
        position = end
    if position != data_size:
        state = "is truncated" if position > data_size else "has trailing bytes"
        raise CorruptFileError(f"{where}: the file {state}: the header describes {position} bytes "
                               f"of tensor data but the file holds {data_size}")
    return entries


def _check_entry(name, entry, where: str) -> dict:
    try:
        code, shape, (begin, end) = entry["dtype"], entry["shape"], entry["data_offsets"]
        if not all(isinstance(n, int) and n >= 0 for n in [*shape, begin, end]):
            raise ValueError("negative or non-integer size")
    except (KeyError, TypeError, ValueError) as error:
        raise CorruptFileError(f"{where}: malformed header entry for tensor {name!r}: {entry!r} "
                               f"({error})") from None
    if code not in _DTYPES and code != "BF16":
        raise CorruptFileError(f"{where}: tensor {name!r} has dtype {code!r}, which Ember can't load")
    itemsize = 2 if code == "BF16" else numpy.dtype(_DTYPES[code]).itemsize
    expected = int(numpy.prod(shape, dtype=numpy.int64)) * itemsize
    if end - begin != expected:
        raise CorruptFileError(f"{where}: tensor {name!r} of shape {shape} and dtype {code} needs "
                               f"{expected} bytes but its offsets span {end - begin}")
    return entry


def _read_raw(file: BinaryIO, entry: dict, data_start: int, where: str, name: str):
    """One tensor's bytes, read straight into a fresh (hence aligned) array."""
    code, shape, (begin, end) = entry["dtype"], entry["shape"], entry["data_offsets"]
    array = numpy.empty(shape, dtype=_DTYPES.get(code, "<u2"))
    file.seek(data_start + begin)
    if end > begin and file.readinto(array.reshape(-1).view(numpy.uint8)) != end - begin:
        raise CorruptFileError(f"{where}: the file ended inside tensor {name!r} (truncated)")
    return array


def _to_native(array, code: str):
    if code == "BF16":  # bfloat16 is the top half of a float32: widen it exactly
        return (array.astype(numpy.uint32) << 16).view(numpy.float32)
    return array.astype(array.dtype.newbyteorder("="), copy=False)


def _little_endian_c(array):
    """The array as C-contiguous little-endian data (``ascontiguousarray`` would make 0-d arrays 1-d)."""
    return numpy.asarray(array, dtype=numpy.dtype(array.dtype).newbyteorder("<"), order="C")
