"""ember.save / ember.load: round trips, safetensors interoperability, atomicity, corruption."""
from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import safetensors.numpy
import safetensors.torch
import torch

import ember
from ember.io import CorruptFileError

DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16, np.float32, np.float64]


@pytest.fixture
def path(tmp_path):
    return tmp_path / "file.safetensors"


def _same(a, b):
    assert type(a) is type(b), (a, b)
    if isinstance(a, ember.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_every_dtype_round_trips_exactly(path, dtype):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal((3, 4)) * 50).astype(dtype)
    ember.save(ember.tensor(array), path)
    _same(ember.load(path), ember.tensor(array))


def test_nested_structure_round_trips(path):
    shared = ember.randn(2, 2)
    obj = {
        "model": {"fc.weight": ember.randn(3, 4), "fc.bias": ember.zeros(3)},
        "optimizer": {"state": {0: {"step": ember.tensor(3.0), "momentum_buffer": None}},
                      "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "nesterov": False,
                                        "params": [0, 1]}]},
        "numbers": [1, 2.5, float("inf"), -float("inf"), float("nan"), True, None, "text"],
        "array": np.arange(6, dtype=np.int32).reshape(2, 3),
        "scalar": ember.tensor(7),
        "empty": ember.zeros(0, 3),
        "odd keys": {"__tensor__": 1, (1, 2): "tuple key", 3.5: "float key"},
        "same": [shared, shared],
        "generator": ember.Generator().manual_seed(5).get_state(),
    }
    ember.save(obj, path)
    loaded = ember.load(path)
    _same(loaded, obj)
    assert loaded["same"][0] is loaded["same"][1], "a tensor saved twice comes back as one"


def test_a_flat_state_dict_is_an_ordinary_safetensors_file(path):
    state = {"layer.weight": ember.randn(4, 3), "layer.bias": ember.randn(4)}
    ember.save(state, path)
    theirs = safetensors.numpy.load_file(str(path))
    assert sorted(theirs) == sorted(state)
    for name, tensor in state.items():
        np.testing.assert_array_equal(theirs[name], tensor.numpy())


def test_files_written_by_safetensors_load_as_a_flat_dict(path):
    tensors = {"a": torch.randn(2, 3), "b": torch.arange(5), "c": torch.tensor([True, False])}
    safetensors.torch.save_file(tensors, str(path), metadata={"format": "pt"})
    loaded = ember.load(path)
    assert set(loaded) == set(tensors)
    for name, tensor in tensors.items():
        np.testing.assert_array_equal(loaded[name].numpy(), tensor.numpy())


def test_bfloat16_from_pytorch_widens_exactly(path):
    values = torch.randn(8).to(torch.bfloat16)
    safetensors.torch.save_file({"w": values}, str(path))
    loaded = ember.load(path)["w"]
    assert loaded.dtype == ember.float32
    np.testing.assert_array_equal(loaded.numpy(), values.float().numpy())


def test_save_and_load_with_file_objects():
    buffer = io.BytesIO()
    ember.save({"x": ember.ones(3)}, buffer)
    buffer.seek(0)
    assert ember.load(buffer)["x"].tolist() == [1.0, 1.0, 1.0]


def test_loaded_tensors_are_writable_and_independent(path):
    ember.save({"x": ember.ones(3)}, path)
    x = ember.load(path)["x"]
    x._data += 1
    assert x.tolist() == [2.0, 2.0, 2.0]


def test_unsupported_objects_are_refused_with_their_place(path):
    with pytest.raises(TypeError, match=r"can't store object at 'config\.callback'.*without pickle"):
        ember.save({"config": {"callback": object()}}, path)
    assert not path.exists()


def test_new_file_respects_the_umask(path):
    ember.save({"x": ember.ones(1)}, path)
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


# --- atomic writes --------------------------------------------------------
def test_an_error_mid_write_leaves_the_old_file_and_no_temporary(path, monkeypatch):
    ember.save({"version": 1, "w": ember.ones(1000)}, path)
    before = path.read_bytes()
    from ember.io import safetensors_format
    original = safetensors_format.write

    def write_half_then_fail(file, arrays, metadata):
        original(file, arrays, metadata)
        file.truncate(file.tell() // 2)
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(safetensors_format, "write", write_half_then_fail)
    with pytest.raises(OSError, match="simulated"):
        ember.save({"version": 2, "w": ember.zeros(1000)}, path)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == [path.name]


def test_a_crash_mid_write_leaves_the_old_file_intact(path):
    """A process killed while writing (no cleanup at all) must not damage the existing file."""
    ember.save({"version": 1, "w": ember.ones(100_000)}, path)
    before = path.read_bytes()
    script = textwrap.dedent(f"""
        import os, ember
        from ember.io import safetensors_format
        def crash(file, arrays, metadata):
            file.write(b"partial bytes")
            file.flush()
            os._exit(9)  # dies like a killed process: no exception handlers, no cleanup
        safetensors_format.write = crash
        ember.save({{"version": 2, "w": ember.zeros(100_000)}}, {str(path)!r})
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=_repo_root(), capture_output=True)
    assert result.returncode == 9, result.stderr.decode()
    assert path.read_bytes() == before
    assert ember.load(path)["version"] == 1


def _repo_root():
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# --- corruption -------------------------------------------------------------
@pytest.fixture
def good_bytes(path):
    ember.save({"w": ember.randn(64, 8), "b": ember.randn(8), "epoch": 3}, path)
    return path.read_bytes()


@pytest.mark.parametrize("keep", [0, 5, 8, 40, -1000, -1])
def test_truncated_files_raise_a_clear_error(path, good_bytes, keep):
    path.write_bytes(good_bytes[:keep])
    with pytest.raises(CorruptFileError, match=r"truncated|not a safetensors file|not valid JSON") as info:
        ember.load(path)
    assert str(path) in str(info.value)


def test_a_flipped_data_byte_fails_the_checksum(path, good_bytes):
    corrupted = bytearray(good_bytes)
    corrupted[-100] ^= 0x10
    path.write_bytes(bytes(corrupted))
    with pytest.raises(CorruptFileError, match="corrupted.*SHA-256"):
        ember.load(path)


def test_trailing_garbage_is_reported(path, good_bytes):
    path.write_bytes(good_bytes + b"extra")
    with pytest.raises(CorruptFileError, match="trailing bytes"):
        ember.load(path)


def test_a_garbage_file_is_not_mistaken_for_a_checkpoint(path):
    path.write_bytes(b"\x80\x04\x95 this is a pickle, not safetensors" * 4)
    with pytest.raises(CorruptFileError, match="not a safetensors file"):
        ember.load(path)


def test_inconsistent_header_is_reported(path):
    header = b'{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,12]}}'
    path.write_bytes(len(header).to_bytes(8, "little") + header + bytes(12))
    with pytest.raises(CorruptFileError, match="needs 16 bytes"):
        ember.load(path)


def test_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        ember.load(tmp_path / "nothing.safetensors")


# --- PyTorch weights into an Ember model -------------------------------------
def test_pytorch_state_dict_loads_into_the_equivalent_ember_model(path):
    from ember import nn
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    safetensors.torch.save_file(reference.state_dict(), str(path))
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
    model.load_state_dict(ember.load(path))
    x = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32)
    with ember.no_grad():
        mine = model(ember.tensor(x)).numpy()
    np.testing.assert_allclose(mine, reference(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
