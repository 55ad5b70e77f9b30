"""Several GPUs: ``cuda:0`` and ``cuda:1`` as PyTorch has them, checked without a GPU.

A fake ``cupy`` that sees two GPUs is built over the stand-in namespace
(tests/helpers/standin.py): its arrays belong to the device index current when they
were made, and using one while another device is current raises, as CuPy does without
peer access. So an operation that forgets to make its operands' GPU current, a factory
that allocates on the wrong GPU, or a copy that stays on its source fails here.
"""
from __future__ import annotations

import sys
import types

import numpy
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember import backend
from tests.helpers import standin as standin_module
from tests.helpers.standin import StandinArray, StandinDevice, StandinError, standin


def _two_gpu_cupy():
    module = types.ModuleType("cupy")
    module.__getattr__ = lambda name: getattr(standin, name)
    module.ndarray = StandinArray
    module.asarray, module.asnumpy = standin.asarray, standin.asnumpy
    module.cuda = types.SimpleNamespace(
        runtime=types.SimpleNamespace(getDeviceCount=lambda: 2,
                                      getDeviceProperties=lambda index: {"name": f"Fake GPU {index}".encode()}),
        Device=StandinDevice)
    return module


@pytest.fixture(autouse=True)
def two_gpus(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", _two_gpu_cupy())
    backend.unregister("cuda")
    standin_module._current[0] = 0
    yield
    standin_module._current[0] = 0
    backend.unregister("cuda")


def _index(tensor):
    return tensor._data.index  # the stand-in array's own device: where the data really is


def test_tensors_know_their_device_index_and_to_places_there():
    assert ember.cuda.is_available() and ember.cuda.device_count() == 2
    x = ember.tensor([1.0, 2.0, 3.0])
    on_one = x.to("cuda:1")
    assert on_one.device == ember.device("cuda", 1) and on_one.device.index == 1 and _index(on_one) == 1
    on_zero = on_one.to("cuda:0")
    assert on_zero.device == "cuda:0" and _index(on_zero) == 0 and on_zero.tolist() == [1.0, 2.0, 3.0]
    assert on_one.to("cuda:1") is on_one and on_one.cuda(1) is on_one
    assert x.cuda().device == "cuda:0"  # 'cuda' without an index: the current device
    assert ember.zeros(2, device="cuda:1").device == "cuda:1" and _index(ember.ones(2, device="cuda:1")) == 1
    assert ember.zeros_like(on_one).device == "cuda:1"


def test_ops_run_on_their_operands_device_forward_and_backward():
    data = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    a = ember.tensor(data, requires_grad=True)
    b = a.to("cuda:1")
    result = (b * b + b.exp().sum(1, keepdim=True)).softmax(1).sum()
    assert result.device == "cuda:1" and _index(result) == 1
    result.backward()
    reference = ember.tensor(data, requires_grad=True)
    (reference * reference + reference.exp().sum(1, keepdim=True)).softmax(1).sum().backward()
    numpy.testing.assert_allclose(a.grad.numpy(), reference.grad.numpy(), rtol=1e-6)
    assert ember.cuda.current_device() == 0  # the op's device switch was undone


@pytest.mark.parametrize("mix", [lambda a, b: a + b, lambda a, b: a @ b.t(), lambda a, b: ember.where(a > 0, a, b),
                                 lambda a, b: ember.cat([a, b]), lambda a, b: a.add_(b)])
def test_mixing_two_gpus_raises_torchs_error_naming_both(mix):
    a, b = ember.ones(2, 2, device="cuda:0"), ember.ones(2, 2, device="cuda:1")
    with pytest.raises(backend.DeviceError, match="Expected all tensors to be on the same device, but found at "
                                                  "least two devices, (cuda:0 and cuda:1|cuda:1 and cuda:0)!"):
        mix(a, b)


def test_current_device_set_device_and_the_device_context():
    assert ember.cuda.current_device() == 0
    with ember.cuda.device(1):
        assert ember.cuda.current_device() == 1
        made = ember.zeros(2, device="cuda")
        assert made.device == "cuda:1" and _index(made) == 1
        with ember.cuda.device("cuda:0"):
            assert ember.cuda.current_device() == 0
        assert ember.cuda.current_device() == 1
    assert ember.cuda.current_device() == 0
    with ember.cuda.device(None), ember.cuda.device(-1):
        assert ember.cuda.current_device() == 0
    ember.cuda.set_device("cuda:1")
    assert ember.cuda.current_device() == 1 and ember.tensor([1.0]).cuda().device == "cuda:1"
    ember.cuda.set_device(ember.device("cuda", 0))
    assert ember.cuda.current_device() == 0
    with pytest.raises(backend.DeviceError, match="cuda:2.*only 2 cuda device"):
        ember.zeros(1, device="cuda:2")


def test_a_model_trains_on_the_second_gpu_as_on_the_cpu():
    def steps(device):
        ember.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).to(device)
        optimizer = ember.optim.Adam(model.parameters(), lr=0.1)
        inputs, labels = ember.randn(5, 4).to(device), (ember.arange(5) % 3).to(device)
        losses = []
        for _ in range(3):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(inputs), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses, model, optimizer
    expected, _, _ = steps("cpu")
    losses, model, optimizer = steps("cuda:1")
    numpy.testing.assert_allclose(losses, expected, rtol=1e-5)
    assert {p.device for p in model.parameters()} == {ember.device("cuda", 1)}
    assert {_index(v) for state in optimizer.state.values() for v in state.values()
            if isinstance(v, ember.Tensor) and v.ndim} == {1}


def test_load_maps_saved_locations(tmp_path):
    path = str(tmp_path / "state.safetensors")
    ember.save({"on_one": ember.ones(2).to("cuda:1"), "on_host": ember.zeros(2)}, path)
    loaded = ember.load(path, map_location={"cuda:1": "cuda:0"})
    assert loaded["on_one"].device == "cuda:0" and _index(loaded["on_one"]) == 0
    assert loaded["on_host"].device == "cpu"
    seen = []
    ember.load(path, map_location=lambda tensor, location: seen.append(location))
    assert sorted(seen) == ["cpu", "cuda:1"]
    assert ember.load(path)["on_one"].device == "cpu"  # no map_location: the host, as before


def test_the_standin_catches_an_operation_run_on_the_wrong_gpu():
    on_one = ember.ones(2, device="cuda:1")._data
    with pytest.raises(StandinError, match="device 1 was used while device 0 is current"):
        standin.exp(on_one)
