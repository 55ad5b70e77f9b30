"""TensorBoard event files, written and read without TensorFlow.

An event file is a sequence of TFRecord records (``length``, masked CRC-32C
of the length, the bytes, masked CRC-32C of the bytes), each holding an
``Event`` protocol buffer: ``wall_time`` (field 1, double), ``step``
(2, int64), ``file_version`` (3, string) or ``summary`` (5), whose values
carry a ``tag`` (1) and a ``simple_value`` (2, float). That is all scalars
need, and TensorBoard reads it (``simple_value`` is its original scalar form).

Example:
    >>> import os, tempfile
    >>> directory = tempfile.mkdtemp()
    >>> writer = EventFileWriter(directory)
    >>> writer.add_scalar("epoch_loss", 0.5, step=3); writer.close()
    >>> [(e["step"], e["tag"], round(e["value"], 3)) for e in read_scalars(writer.path)]
    [(3, 'epoch_loss', 0.5)]
    >>> hex(crc32c(b"123456789"))  # the standard check value
    '0xe3069283'
"""
from __future__ import annotations

import os
import socket
import struct
import time


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1  # Castagnoli, reflected
        table.append(crc)
    return table


_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


# --- protocol buffer encoding (just the wire types used here) ---------------------------
def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, wire_type: int, payload: bytes) -> bytes:
    return _varint(number << 3 | wire_type) + payload


def _bytes_field(number: int, data: bytes) -> bytes:
    return _field(number, 2, _varint(len(data)) + data)


def encode_event(wall_time: float, step: int, file_version: str | None = None,
                 scalars: dict[str, float] | None = None) -> bytes:
    message = _field(1, 1, struct.pack("<d", wall_time)) + _field(2, 0, _varint(step))
    if file_version is not None:
        message += _bytes_field(3, file_version.encode())
    if scalars:
        values = b"".join(_bytes_field(1, _bytes_field(1, tag.encode()) + _field(2, 5, struct.pack("<f", value)))
                          for tag, value in scalars.items())
        message += _bytes_field(5, values)
    return message


def encode_record(data: bytes) -> bytes:
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc(length)) + data + struct.pack("<I", masked_crc(data))


class EventFileWriter:
    """Appends scalar summaries to a new ``events.out.tfevents.*`` file in ``directory``."""

    def __init__(self, directory: str):
        os.makedirs(directory, exist_ok=True)
        name = f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}.{os.getpid()}.{id(self)}.v2"
        self.path = os.path.join(directory, name)
        self._file = open(self.path, "wb")
        self._write(encode_event(time.time(), 0, file_version="brain.Event:2"))

    def _write(self, event: bytes) -> None:
        self._file.write(encode_record(event))

    def add_scalar(self, tag: str, value: float, step: int) -> None:
        self._write(encode_event(time.time(), int(step), scalars={tag: float(value)}))

    def add_scalars(self, values: dict[str, float], step: int) -> None:
        self._write(encode_event(time.time(), int(step), scalars={k: float(v) for k, v in values.items()}))

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


# --- reading (tests, and users without tensorboard) ----------------------------------------
def read_records(path: str):
    """The data of each record, checking both CRCs."""
    with open(path, "rb") as file:
        while header := file.read(12):
            length_bytes, length_crc = header[:8], struct.unpack("<I", header[8:])[0]
            if masked_crc(length_bytes) != length_crc:
                raise ValueError(f"{path}: corrupt record length")
            data = file.read(struct.unpack("<Q", length_bytes)[0])
            if masked_crc(data) != struct.unpack("<I", file.read(4))[0]:
                raise ValueError(f"{path}: corrupt record data")
            yield data


def _fields(data: bytes):
    """``(field number, wire type, value)`` of each field of a message."""
    position = 0
    while position < len(data):
        key, position = _read_varint(data, position)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, position = _read_varint(data, position)
        elif wire_type == 1:
            value, position = data[position:position + 8], position + 8
        elif wire_type == 5:
            value, position = data[position:position + 4], position + 4
        elif wire_type == 2:
            size, position = _read_varint(data, position)
            value, position = data[position:position + size], position + size
        else:
            raise ValueError(f"unsupported protobuf wire type {wire_type}")
        yield number, wire_type, value


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, position


def read_scalars(path: str) -> list[dict]:
    """Every scalar in an event file: ``{'step', 'wall_time', 'tag', 'value'}`` dicts."""
    scalars = []
    for record in read_records(path):
        fields = list(_fields(record))
        step = next((v for n, _, v in fields if n == 2), 0)
        wall_time = next((struct.unpack("<d", v)[0] for n, _, v in fields if n == 1), 0.0)
        for summary in (v for n, _, v in fields if n == 5):
            for _, _, value in _fields(summary):
                parts = {n: v for n, _, v in _fields(value)}
                scalars.append({"step": step, "wall_time": wall_time, "tag": parts[1].decode(),
                                "value": struct.unpack("<f", parts[2])[0]})
    return scalars
