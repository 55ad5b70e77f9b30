"""The device API on a CPU-only machine, against CPU-only PyTorch: ember.device, tensor.device,
``device=`` on factories, every form of ``to``, Module.to, ember.cuda/accelerator/backends, load's
map_location."""
from __future__ import annotations

import pickle

import numpy
import pytest
import torch

import ember
from ember.backend import DeviceError


# --- ember.device -----------------------------------------------------------------------
@pytest.mark.parametrize("args", [("cpu",), ("cuda",), ("cuda:1",), ("cuda", 0), ("mps",), ("cpu:0",)])
def test_device_parses_like_torch(args):
    ours, theirs = ember.device(*args), torch.device(*args)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    assert ours == str(theirs) and ours == ember.device(str(theirs)) and hash(ours) == hash(ember.device(str(ours)))


@pytest.mark.parametrize("spec", ["banana", "cuda:x", "cuda:-1", "", 1])
def test_bad_devices_raise_runtime_errors_naming_them(spec):
    with pytest.raises(RuntimeError):
        torch.device(spec)  # a bare index: no accelerator here
    with pytest.raises(DeviceError, match="ember.device"):
        ember.device(spec)


def test_device_is_immutable_and_pickles():
    where = ember.device("cuda", 2)
    with pytest.raises(AttributeError):
        where.index = 3
    assert pickle.loads(pickle.dumps(where)) == "cuda:2"
    assert ember.device("cpu") != "cuda" and ember.device("cpu") != 3


def test_tensor_device_is_an_ember_device():
    x = ember.ones(2)
    assert isinstance(x.device, ember.device) and x.device == "cpu" and x.device.type == "cpu"
    assert x.is_cpu and not x.is_cuda
    assert repr(x) == "tensor([1., 1.])"  # CPU tensors do not print their device, as in PyTorch


# --- factories ----------------------------------------------------------------------------
FACTORIES = {
    "tensor": lambda d: ember.tensor([1.0, 2.0], device=d),
    "as_tensor": lambda d: ember.as_tensor([1.0], device=d),
    "zeros": lambda d: ember.zeros(2, 3, device=d),
    "ones": lambda d: ember.ones((2,), device=d),
    "full": lambda d: ember.full((2,), 7.0, device=d),
    "empty": lambda d: ember.empty(2, device=d),
    "arange": lambda d: ember.arange(5, device=d),
    "linspace": lambda d: ember.linspace(0, 1, 5, device=d),
    "eye": lambda d: ember.eye(3, device=d),
    "rand": lambda d: ember.rand(2, device=d),
    "randn": lambda d: ember.randn(2, device=d),
    "randint": lambda d: ember.randint(0, 5, (3,), device=d),
    "randperm": lambda d: ember.randperm(4, device=d),
    "normal": lambda d: ember.normal(0.0, 1.0, (2,), device=d),
    "zeros_like": lambda d: ember.zeros_like(ember.ones(2), device=d),
    "ones_like": lambda d: ember.ones_like(ember.ones(2), device=d),
    "empty_like": lambda d: ember.empty_like(ember.ones(2), device=d),
    "full_like": lambda d: ember.full_like(ember.ones(2), 3.0, device=d),
    "rand_like": lambda d: ember.rand_like(ember.ones(2), device=d),
    "randn_like": lambda d: ember.randn_like(ember.ones(2), device=d),
    "new_zeros": lambda d: ember.ones(2).new_zeros(3, device=d),
    "new_ones": lambda d: ember.ones(2).new_ones((3,), device=d),
    "new_full": lambda d: ember.ones(2).new_full((3,), 2.0, device=d),
    "new_empty": lambda d: ember.ones(2).new_empty(3, device=d),
    "new_tensor": lambda d: ember.ones(2).new_tensor([1.0], device=d),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factories_take_a_device(name):
    for where in ("cpu", ember.device("cpu"), None):
        assert FACTORIES[name](where).device == "cpu"
    with pytest.raises(DeviceError, match="'cuda' is not available"):
        FACTORIES[name]("cuda")


# --- every form of to -----------------------------------------------------------------------
def _pair():
    data = numpy.array([[1.5, -2.0], [3.25, 4.0]], numpy.float32)
    return ember.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)


def _same(ours, theirs):
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert ours.device == str(theirs.device)
    numpy.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


TO_FORMS = {
    "dtype": lambda x, lib: x.to(lib.float64),
    "dtype keyword": lambda x, lib: x.to(dtype=lib.float64),
    "device string": lambda x, lib: x.to("cpu"),
    "device object": lambda x, lib: x.to(lib.device("cpu")),
    "device keyword": lambda x, lib: x.to(device="cpu"),
    "device and dtype": lambda x, lib: x.to("cpu", lib.float64),
    "device and dtype keywords": lambda x, lib: x.to(device=lib.device("cpu"), dtype=lib.int32),
    "other tensor": lambda x, lib: x.to(lib.zeros(1, dtype=lib.float64)),
    "non_blocking": lambda x, lib: x.to("cpu", non_blocking=True),
    "positional non_blocking and copy": lambda x, lib: x.to(lib.float16, False, True),
    "copy": lambda x, lib: x.to("cpu", copy=True),
    "memory_format": lambda x, lib: x.to(lib.float64, memory_format=lib.preserve_format),
    "cpu()": lambda x, lib: x.cpu(),
}


@pytest.mark.parametrize("form", sorted(TO_FORMS))
def test_every_form_of_to_matches_torch(form):
    ours, theirs = _pair()
    moved, reference = TO_FORMS[form](ours, ember), TO_FORMS[form](theirs, torch)
    _same(moved, reference)
    assert (moved is ours) == (reference is theirs)  # same tensor back exactly when PyTorch gives it
    if moved.dtype.is_floating_point:  # gradients flow back through to(), as in PyTorch
        moved.sum().backward()
        reference.sum().backward()
        numpy.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


@pytest.mark.parametrize("bad", ["banana", "float77", 3.5])
def test_to_rejects_what_is_neither_device_nor_dtype(bad):
    with pytest.raises((DeviceError, ember.DTypeError, TypeError), match="to\\(\\)"):
        ember.ones(2).to(bad)


def test_to_rejects_unknown_keywords_and_memory_formats():
    with pytest.raises(TypeError, match="unexpected keyword"):
        ember.ones(2).to("cpu", blocking=True)
    with pytest.raises(ember.DTypeError, match="memory_format"):
        ember.ones(2).to("cpu", memory_format="striped")


@pytest.mark.parametrize("move", [lambda x: x.to("cuda"), lambda x: x.cuda(), lambda x: x.to("cuda:1"),
                                  lambda x: x.cuda(0), lambda x: x.to("mps")])
def test_gpu_devices_raise_clear_runtime_errors(move):
    with pytest.raises(RuntimeError) as caught:
        move(ember.ones(2))
    assert isinstance(caught.value, DeviceError)
    message = str(caught.value)
    assert "not available" in message and ("cuda" in message or "mps" in message)


def test_cuda_error_names_the_device_and_says_cuda_is_not_enabled():
    with pytest.raises(DeviceError, match=r"device 'cuda:1' is not available: .*CUDA enabled"):
        ember.zeros(1, device="cuda:1")


# --- modules ----------------------------------------------------------------------------------
def _model():
    model = ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.BatchNorm1d(2))
    model(ember.randn(4, 3)).sum().backward()
    return model


@pytest.mark.parametrize("convert, dtype", [
    (lambda m: m.double(), ember.float64), (lambda m: m.half(), ember.float16),
    (lambda m: m.double().float(), ember.float32), (lambda m: m.to(ember.float64), ember.float64),
    (lambda m: m.to("cpu", ember.float64), ember.float64), (lambda m: m.to(device="cpu"), ember.float32),
    (lambda m: m.to(ember.zeros(1, dtype=ember.float64)), ember.float64), (lambda m: m.cpu(), ember.float32),
    (lambda m: m.to("cpu", non_blocking=True), ember.float32)])
def test_module_conversions_move_parameters_grads_and_float_buffers(convert, dtype):
    model = _model()
    weight = model[0].weight
    assert convert(model) is model and model[0].weight is weight  # identity kept: optimizers still hold it
    for tensor in list(model.parameters()) + [p.grad for p in model.parameters()]:
        assert tensor.dtype == dtype and tensor.device == "cpu"
    assert model[1].running_mean.dtype == dtype
    assert model[1].num_batches_tracked.dtype == ember.int64  # integer buffers keep their dtype


def test_module_type_casts_everything_and_bad_targets_raise():
    model = _model().type(ember.float64)
    assert model[1].num_batches_tracked.dtype == ember.float64  # type() casts all, as PyTorch's
    with pytest.raises(TypeError, match="floating point"):
        ember.nn.Linear(2, 2).to(ember.int32)
    with pytest.raises(DeviceError, match="'cuda' is not available"):
        ember.nn.Linear(2, 2).cuda()
    with pytest.raises(ember.DTypeError, match="bfloat16"):
        ember.nn.Linear(2, 2).bfloat16()


# --- torch.cuda & co -------------------------------------------------------------------------
def test_cuda_queries_answer_as_cpu_only_torch():
    assert ember.cuda.is_available() is torch.cuda.is_available() is False
    assert ember.cuda.device_count() == torch.cuda.device_count() == 0
    ember.cuda.manual_seed(0)
    ember.cuda.manual_seed_all(0)
    ember.cuda.synchronize()
    ember.cuda.empty_cache()
    with pytest.raises(DeviceError):
        ember.cuda.get_device_name()
    with pytest.raises(DeviceError):
        ember.cuda.current_device()
    assert ember.accelerator.is_available() is False and ember.accelerator.current_accelerator() is None
    assert ember.backends.mps.is_available() is False and ember.backends.mps.is_built() is False
    ember.backends.cudnn.benchmark = True
    ember.backends.cudnn.deterministic = True
    assert ember.backends.cudnn.benchmark


def test_the_official_examples_device_idiom_picks_the_cpu():
    use_accel = ember.accelerator.is_available()
    device = ember.accelerator.current_accelerator() if use_accel else ember.device("cpu")
    model = ember.nn.Linear(2, 1).to(device)
    data = ember.ones(4, 2).to(device)
    assert model(data).device == device == "cpu"


def test_default_device_context_and_setter():
    with ember.device("cpu"):
        assert ember.zeros(1).device == "cpu"
    ember.set_default_device("cpu")
    assert ember.get_default_device() == "cpu"
    with pytest.raises(DeviceError):
        ember.set_default_device("cuda")
    assert ember.get_default_device() == "cpu"


# --- save / load -------------------------------------------------------------------------------
@pytest.mark.parametrize("map_location", [None, "cpu", ember.device("cpu"), {"cpu": "cpu"}, {"cuda:0": "cpu"},
                                          lambda storage, location: storage])
def test_load_accepts_map_location(tmp_path, map_location):
    path = tmp_path / "weights.safetensors"
    ember.save({"w": ember.arange(3.0)}, path)
    loaded = ember.load(path, map_location=map_location)
    assert loaded["w"].device == "cpu" and loaded["w"].tolist() == [0.0, 1.0, 2.0]


def test_load_to_an_unavailable_device_raises(tmp_path):
    path = tmp_path / "weights.safetensors"
    ember.save({"w": ember.ones(1)}, path)
    with pytest.raises(DeviceError, match="cuda"):
        ember.load(path, map_location="cuda")
