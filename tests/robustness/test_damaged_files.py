"""Probe table: every damaged file, per format, fails with an error that names it and says what is wrong."""
from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import ember
from ember import keras
from ember.io import CorruptFileError


def _checkpoint(path):
    ember.save({"w": ember.ones(16, 4), "step": 3}, path)


def _keras_model(path):
    keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)]).save(path)


def _flip(raw: bytes, position: int) -> bytes:
    return raw[:position] + bytes([raw[position] ^ 0x01]) + raw[position + 1:]


# What is done to a good file: (id, make bytes from the good file's bytes, or from a path).
DAMAGES = {
    "empty": lambda raw, path: b"",
    "truncated to 5 bytes": lambda raw, path: raw[:5],
    "truncated to half": lambda raw, path: raw[:len(raw) // 2],
    "one byte short": lambda raw, path: raw[:-1],
    "garbage": lambda raw, path: bytes(range(256)) * 4,
    "a pickle": lambda raw, path: pickle.dumps({"w": np.ones(3)}),
    "last byte flipped": lambda raw, path: _flip(raw, len(raw) - 1),  # tensor data
    "middle byte flipped": lambda raw, path: _flip(raw, len(raw) // 2),  # a zip's stored entry
}

# Per format: how to write a good file, how to load it, and what each damage must say.
FORMATS = {
    "safetensors checkpoint": ("model.safetensors", _checkpoint, ember.load, CorruptFileError, {
        "empty": "only 0 bytes",
        "truncated to 5 bytes": "only 5 bytes",
        "truncated to half": "truncated",
        "one byte short": "truncated",
        "garbage": "not a safetensors file",
        "a pickle": "pickle file",
        "last byte flipped": "SHA-256",
    }),
    ".keras model": ("model.keras", _keras_model, keras.models.load_model, (ValueError, CorruptFileError), {
        "empty": "not a valid .keras file",
        "truncated to 5 bytes": "not a valid .keras file",
        "truncated to half": "not a valid .keras file",
        "one byte short": "not a valid .keras file",
        "garbage": "not a valid .keras file",
        "a pickle": "not a valid .keras file",
        "middle byte flipped": "not a valid .keras file",
    }),
}

CASES = [pytest.param(fmt, damage, id=f"{fmt}: {damage}") for fmt in FORMATS for damage in FORMATS[fmt][4]]


@pytest.mark.parametrize("fmt, damage", CASES)
def test_a_damaged_file_is_reported_with_its_name(tmp_path, fmt, damage):
    name, write, load, kind, fragments = FORMATS[fmt]
    path = tmp_path / name
    write(path)
    path.write_bytes(DAMAGES[damage](path.read_bytes(), path))
    with pytest.raises(kind) as info:
        load(path)
    message = str(info.value)
    assert str(path) in message, message
    assert fragments[damage] in message, message


def test_a_torch_save_file_is_recognised(tmp_path):
    path = tmp_path / "weights.pt"
    torch.save({"w": torch.ones(3)}, path)
    with pytest.raises(CorruptFileError, match="written by torch.save") as info:
        ember.load(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_missing_file_is_file_not_found(tmp_path, fmt):
    name, _, load, _, _ = FORMATS[fmt]
    with pytest.raises(FileNotFoundError):
        load(tmp_path / name)
