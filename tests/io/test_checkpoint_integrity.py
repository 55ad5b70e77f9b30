"""The checksum covers the header and structure; saves clean up after themselves; foreign files are named."""
from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest
import torch

import ember
from ember.io import CorruptFileError, safetensors_format
from ember.io import atomic


@pytest.fixture
def path(tmp_path):
    return tmp_path / "file.safetensors"


def _split(raw: bytes):
    (length,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + length]), raw[8 + length:]


def _join(header: dict, data: bytes) -> bytes:
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    return struct.pack("<Q", len(encoded)) + encoded + data


@pytest.fixture
def saved(path):
    ember.save({"w": ember.randn(4, 2), "b": ember.randn(8), "epoch": 3}, path)
    return _split(path.read_bytes())


def _load_fails(path, fragment):
    with pytest.raises(CorruptFileError, match=fragment) as info:
        ember.load(path)
    assert str(path) in str(info.value)
    return str(info.value)


# --- the checksum covers the header ----------------------------------------------
def test_an_edited_dtype_fails_the_checksum(path, saved):
    header, data = saved
    header["w"]["dtype"] = "I32"  # same item size: the layout checks alone can't see it
    path.write_bytes(_join(header, data))
    _load_fails(path, "SHA-256")


def test_swapped_offsets_fail_the_checksum(path, saved):
    header, data = saved
    # Both tensors hold 32 bytes, so the swapped layout still tiles the data exactly.
    header["w"]["data_offsets"], header["b"]["data_offsets"] = (header["b"]["data_offsets"],
                                                                header["w"]["data_offsets"])
    path.write_bytes(_join(header, data))
    _load_fails(path, "SHA-256")


def test_an_edited_epoch_fails_the_checksum(path, saved):
    header, data = saved
    metadata = header["__metadata__"]
    assert '"epoch":3' in metadata["ember.structure"]
    metadata["ember.structure"] = metadata["ember.structure"].replace('"epoch":3', '"epoch":4')
    path.write_bytes(_join(header, data))
    _load_fails(path, "SHA-256")


def test_a_removed_checksum_is_reported(path, saved):
    header, data = saved
    del header["__metadata__"][next(key for key in header["__metadata__"] if "sha256" in key)]
    path.write_bytes(_join(header, data))
    _load_fails(path, "checksum")


def test_a_downgraded_version_still_fails_on_an_edited_epoch(path, saved):
    header, data = saved
    metadata = header["__metadata__"]
    metadata["ember.format_version"] = "1"
    metadata["ember.structure"] = metadata["ember.structure"].replace('"epoch":3', '"epoch":4')
    path.write_bytes(_join(header, data))
    with pytest.raises(CorruptFileError):
        ember.load(path)


def _version_1_file(path, obj):
    """What the previous Ember wrote: format version 1, a SHA-256 of the data section only."""
    from ember.io.structure import flatten
    structure, arrays = flatten(obj)
    metadata = {"format": "ember", "ember.format_version": "1",
                "ember.structure": json.dumps(structure, separators=(",", ":")),
                "ember.sha256": safetensors_format.data_digest(arrays)}
    with open(path, "wb") as file:
        safetensors_format.write(file, arrays, metadata)


def test_files_of_the_previous_version_still_load_and_verify(path):
    _version_1_file(path, {"w": np.arange(6, dtype=np.float32), "epoch": 7})
    loaded = ember.load(path)
    assert loaded["epoch"] == 7 and loaded["w"].tolist() == [0, 1, 2, 3, 4, 5]
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0x40
    path.write_bytes(bytes(raw))
    _load_fails(path, "SHA-256")


def test_plain_safetensors_files_from_other_tools_still_load(path):
    import safetensors.numpy
    safetensors.numpy.save_file({"a": np.ones(3, np.float32)}, str(path), metadata={"x": "y"})
    assert ember.load(path)["a"].tolist() == [1, 1, 1]


def test_the_trailing_bytes_message_reads_well(path, saved):
    path.write_bytes(path.read_bytes() + b"extra")
    _load_fails(path, "the file has trailing bytes")


# --- files of other formats ------------------------------------------------------
def test_a_torch_save_zip_is_recognised(path):
    torch.save({"w": torch.ones(3)}, path)
    message = _load_fails(path, "torch.save")
    assert "safetensors" in message and "header claims" not in message


def test_a_legacy_torch_pickle_is_recognised(path):
    torch.save({"w": torch.ones(3)}, path, _use_new_zipfile_serialization=False)
    message = _load_fails(path, "pickle")
    assert "torch.save" in message and "header claims" not in message


def test_a_keras_archive_is_recognised(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", "{}")
    _load_fails(path, "zip archive")


# --- saving -----------------------------------------------------------------------
def test_saving_into_a_missing_folder_names_the_target(tmp_path):
    target = tmp_path / "no" / "such" / "checkpoint.safetensors"
    with pytest.raises(FileNotFoundError) as info:
        ember.save({"w": ember.ones(2)}, target)
    message = str(info.value)
    assert str(target) in message and "does not exist" in message and ".tmp" not in message


def test_an_error_while_saving_names_the_target(path, monkeypatch):
    def fail(file, arrays, metadata):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(safetensors_format, "write", fail)
    with pytest.raises(OSError) as info:
        ember.save({"w": ember.ones(2)}, path)
    message = str(info.value)
    assert str(path) in message and "No space left" in message and ".tmp" not in message
    assert info.value.errno == 28


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stale_temporaries_of_the_target_are_removed_on_the_next_save(path):
    folder = path.parent
    stale = folder / f".{path.name}.{atomic.host_tag()}-{_dead_pid()}.abcd1234.tmp"
    legacy_old = folder / f".{path.name}.k2j4h5g6.tmp"     # the previous version's name, hours old
    legacy_new = folder / f".{path.name}.q9w8e7r6.tmp"     # ... and one that may still be written
    live = folder / f".{path.name}.{atomic.host_tag()}-{os.getpid()}.zzzz9999.tmp"
    other_host = folder / f".{path.name}.0000ff-{_dead_pid()}.abcd1234.tmp"
    other_target = folder / f".other.safetensors.{atomic.host_tag()}-{_dead_pid()}.abcd1234.tmp"
    lookalike = folder / f".{path.name}.notes.tmp.txt"
    for file in (stale, legacy_old, legacy_new, live, other_host, other_target, lookalike):
        file.write_bytes(b"partial")
    hours_ago = time.time() - 3 * 3600
    os.utime(legacy_old, (hours_ago, hours_ago))
    ember.save({"w": ember.ones(2)}, path)
    assert not stale.exists() and not legacy_old.exists()
    for kept in (legacy_new, live, other_host, other_target, lookalike):
        assert kept.exists(), kept
    assert ember.load(path)["w"].tolist() == [1, 1]


def test_a_killed_save_leaves_nothing_behind_after_the_next_save(path):
    script = (f"import os, ember\nfrom ember.io import safetensors_format\n"
              f"def crash(file, arrays, metadata):\n    file.write(b'partial'); file.flush(); os._exit(9)\n"
              f"safetensors_format.write = crash\nember.save({{'w': ember.zeros(10)}}, {str(path)!r})\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True)
    assert result.returncode == 9, result.stderr.decode()
    assert [name for name in os.listdir(path.parent) if name.endswith(".tmp")]
    ember.save({"w": ember.ones(2)}, path)
    assert os.listdir(path.parent) == [path.name]


def test_the_host_tag_is_stable_and_short():
    assert atomic.host_tag() == atomic.host_tag() and len(atomic.host_tag()) == 6
    assert socket.gethostname()  # the tag is derived from it
