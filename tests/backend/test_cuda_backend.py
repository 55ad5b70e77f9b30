"""The 'cuda' backend's loader (ember/backend/cuda.py) and device plumbing beyond single ops.

CI has no GPU and no CuPy. The loader is checked against fake ``cupy`` modules: a
missing or broken CuPy and a CuPy that sees no GPU answer ``is_available()`` False
without raising; a CuPy seeing one GPU (NumPy behind the stand-in double's array
type) makes ``'cuda'`` a working device. The rest runs on the stand-in device:
optimizer state following its parameters, DataLoader batches, a CNN training step.
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
from ember.data import DataLoader, TensorDataset
from tests.helpers.standin import StandinArray, registered, standin


class _Device:
    synchronized = []

    def __init__(self, index=None):
        self.id = 0 if index is None else index

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def synchronize(self):
        _Device.synchronized.append(self.id)


def _fake_cupy(count):
    """A ``cupy`` module over the stand-in namespace that sees ``count`` GPUs (a callable: may raise)."""
    module = types.ModuleType("cupy")
    module.__getattr__ = lambda name: getattr(standin, name)  # the namespace's functions (PEP 562)
    module.ndarray = StandinArray
    module.asarray, module.asnumpy = standin.asarray, standin.asnumpy
    module.cuda = types.SimpleNamespace(
        runtime=types.SimpleNamespace(getDeviceCount=count,
                                      getDeviceProperties=lambda index: {"name": b"Fake GPU"}),
        Device=_Device)
    return module


@pytest.fixture
def fake_cupy(monkeypatch):
    """Install a fake ``cupy`` (built by the test) and forget the 'cuda' backend afterwards."""
    def install(module):
        monkeypatch.setitem(sys.modules, "cupy", module)
        backend.unregister("cuda")
    yield install
    backend.unregister("cuda")


def test_without_cupy_cuda_is_unavailable_and_placing_says_why(fake_cupy):
    fake_cupy(None)  # sys.modules['cupy'] = None: ``import cupy`` raises ImportError
    assert ember.cuda.is_available() is False and ember.cuda.device_count() == 0
    with pytest.raises(backend.DeviceError, match="CuPy is not installed: pip install 'ember\\[gpu\\]'"):
        ember.zeros(2, device="cuda")


@pytest.mark.parametrize("count", [lambda: 0, lambda: (_ for _ in ()).throw(RuntimeError("no driver"))],
                         ids=["no device", "driver error"])
def test_cupy_without_a_gpu_is_unavailable_without_raising(fake_cupy, count):
    fake_cupy(_fake_cupy(count))
    assert ember.cuda.is_available() is False
    with pytest.raises(backend.DeviceError, match="CuPy is installed but sees no CUDA GPU"):
        ember.ones(1).to("cuda")


def test_a_broken_cupy_import_is_unavailable_not_an_exception(fake_cupy, monkeypatch):
    broken = types.ModuleType("cupy")
    broken.__getattr__ = lambda name: (_ for _ in ()).throw(OSError("libcudart.so: cannot open"))
    fake_cupy(broken)
    assert ember.cuda.is_available() is False


def test_a_visible_gpu_makes_cuda_a_device(fake_cupy):
    fake_cupy(_fake_cupy(lambda: 1))
    assert ember.cuda.is_available() and ember.cuda.device_count() == 1
    assert ember.cuda.get_device_name() == "Fake GPU"
    x = ember.tensor([1.0, -2.0, 3.0], requires_grad=True)
    moved = x.cuda()
    assert moved.device == ember.device("cuda", 0) and moved.is_cuda and type(moved._data) is StandinArray
    (moved * moved).sum().backward()
    assert x.grad.tolist() == [2.0, -4.0, 6.0]
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu"):
        moved.detach().numpy()
    assert moved.tolist() == [1.0, -2.0, 3.0] and moved[0].item() == 1.0
    assert repr(moved.detach()) == "tensor([ 1., -2.,  3.], device='cuda:0')"
    _Device.synchronized.clear()
    ember.cuda.synchronize()
    assert _Device.synchronized == [0]
    with pytest.raises(backend.DeviceError, match="cuda:1.*only 1 cuda device"):
        ember.zeros(1, device="cuda:1")


@pytest.fixture
def device():
    with registered():
        yield "standin"


def test_pin_memory_returns_the_cpu_tensor_and_refuses_device_tensors(device):
    x = ember.ones(3)
    assert x.pin_memory() is x and not x.is_pinned()
    with pytest.raises(backend.DeviceError, match="pin_memory: cannot pin a 'standin' tensor"):
        x.to(device).pin_memory()


def _adam_on(device):
    ember.manual_seed(0)
    model = nn.Linear(3, 2).to(device)
    optimizer = ember.optim.Adam(model.parameters(), lr=0.1)
    F.mse_loss(model(ember.ones(4, 3, device=device)), ember.zeros(4, 2, device=device)).backward()
    optimizer.step()
    return model, optimizer


def test_loading_optimizer_state_moves_it_beside_the_parameters(device):
    _, trained_on_cpu = _adam_on("cpu")
    model, optimizer = _adam_on(device)
    optimizer.load_state_dict(trained_on_cpu.state_dict())  # a CPU checkpoint into a device model
    for values in optimizer.state.values():
        assert all(type(value._data) is StandinArray for value in values.values())
    optimizer.step()  # and stepping works: nothing mixes devices
    back = ember.optim.Adam(nn.Linear(3, 2).parameters(), lr=0.1)
    back.load_state_dict(optimizer.state_dict())  # and the other way
    assert all(type(v._data) is numpy.ndarray for values in back.state.values() for v in values.values())


def test_dataloader_batches_move_with_to(device):
    images, labels = ember.randn(10, 1, 8, 8), ember.arange(10) % 3
    loader = DataLoader(TensorDataset(images, labels), batch_size=4, pin_memory=True)
    seen = 0
    for batch, targets in loader:
        batch, targets = batch.to(device), targets.to(device, non_blocking=True)
        assert type(batch._data) is StandinArray and type(targets._data) is StandinArray
        numpy.testing.assert_array_equal(batch.cpu().numpy(), images[seen:seen + len(batch)].numpy())
        seen += len(batch)
    assert seen == 10


def _cnn_steps(device, steps=2):
    ember.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Dropout(0.25), nn.Flatten(), nn.Linear(4 * 4 * 4, 3)).to(device)
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    images = ember.randn(6, 1, 8, 8).to(device)
    labels = (ember.arange(6) % 3).to(device)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, model


def test_a_cnn_trains_on_the_device_as_on_the_cpu(device):
    expected, _ = _cnn_steps("cpu")
    losses, model = _cnn_steps(device)
    numpy.testing.assert_allclose(losses, expected, rtol=1e-5)  # dropout's draws are the host generator's
    assert all(type(p._data) is StandinArray for p in model.parameters())
    assert type(model[1].running_mean._data) is StandinArray
