"""A second array namespace: ops run in the namespace of their operands' device, eagerly and compiled.

The stand-in device (tests/helpers/standin.py) wraps NumPy arrays in a type that is not a
``numpy.ndarray`` and refuses to mix with NumPy arrays, as CuPy does; each test compares
the stand-in run with the same run on the CPU.
"""
from __future__ import annotations

import re

import numpy
import pytest

import ember
import ember.nn.functional as F
from ember.backend import DeviceError
from tests.helpers.standin import StandinArray, StandinError, registered


@pytest.fixture
def standin():
    with registered() as namespace:
        yield namespace


def _on(device, *arrays, grad=True):
    return [ember.tensor(a, device=device, requires_grad=grad and a.dtype.kind == "f") for a in arrays]


RNG = numpy.random.default_rng(0)
A, B = RNG.standard_normal((4, 5)).astype(numpy.float32), RNG.standard_normal((4, 5)).astype(numpy.float32)
M = RNG.standard_normal((5, 3)).astype(numpy.float32)
IMAGES = RNG.standard_normal((2, 3, 6, 6)).astype(numpy.float32)
KERNEL = RNG.standard_normal((4, 3, 3, 3)).astype(numpy.float32)
LABELS = numpy.array([1, 0, 4, 2])
ROWS = numpy.array([3, 0, 2, 2])

OPS = {
    "arithmetic": ((A, B), lambda a, b: ((a * b + 1.5) / (b.abs() + 1) - a ** 2).sum()),
    "matmul": ((A, M), lambda a, m: (a @ m).tanh().sum()),
    "reductions": ((A,), lambda a: a.mean() + a.max(1).values.sum() + a.std() + a.logsumexp(0).sum()),
    "shapes": ((A, B), lambda a, b: ember.cat([a.t(), b.reshape(5, 4)], 1)[1:, ::2].flip(0).sum()),
    "indexing": ((A, ROWS), lambda a, i: a[i, 1:3].sum() + a.gather(1, i[:, None]).sum()),
    "where and masks": ((A, B), lambda a, b: ember.where(a > b, a, b * 2).masked_fill(a < -1, 0.0).sum()),
    "softmax and losses": ((A, LABELS), lambda a, i: F.cross_entropy(a, i) + F.log_softmax(a, 1).exp().sum()),
    "convolution and pooling": ((IMAGES, KERNEL),
                                lambda x, w: F.max_pool2d(F.relu(F.conv2d(x, w, padding=1)), 2).sum()),
    "normalisation": ((IMAGES,), lambda x: F.batch_norm(x, None, None, training=True).pow(2).sum()
                      + F.layer_norm(x, (6,)).sum()),
    "pad and triangles": ((A,), lambda a: F.pad(a, (1, 2), mode="reflect").tril().sum()),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_ops_run_in_the_standin_namespace_forward_and_backward(standin, name):
    arrays, function = OPS[name]
    cpu_inputs, standin_inputs = _on("cpu", *arrays), _on("standin", *arrays)
    standin.transfers = 0
    expected, result = function(*cpu_inputs), function(*standin_inputs)
    assert type(result._data) is StandinArray and result.device == "standin"
    result.backward()
    expected.backward()
    assert standin.transfers == 0, "host data was copied in during the ops (an array made outside the namespace)"
    numpy.testing.assert_allclose(result.cpu().detach().numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-5)
    for ours, theirs in zip(standin_inputs, cpu_inputs):
        if theirs.grad is not None:
            assert type(ours.grad._data) is StandinArray
            numpy.testing.assert_allclose(ours.grad.cpu().numpy(), theirs.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mix", [lambda a, b: a + b, lambda a, b: a @ b.t(), lambda a, b: ember.where(a > 0, a, b),
                                 lambda a, b: ember.cat([a, b]), lambda a, b: a.add_(b)])
def test_mixing_devices_raises_a_clear_error(standin, mix):
    a, b = ember.ones(2, 2, device="standin"), ember.ones(2, 2)
    with pytest.raises(DeviceError, match="Expected all tensors to be on the same device, but found at least "
                                          "two devices, (standin and cpu|cpu and standin)!") as caught:
        mix(a, b)
    assert isinstance(caught.value, RuntimeError)
    assert str(caught.value).split(":")[0] in ("add", "matmul", "where", "cat", "concatenate", "add_")


def test_python_scalars_have_no_device(standin):
    x = ember.ones(2, device="standin")
    for result in (x + 1, 2.0 * x, x ** 2, ember.where(x > 0, 1.0, 0.0), x.clamp(0, 0.5)):
        assert result.device == "standin"


def test_to_moves_data_and_gradients_flow_back(standin):
    x = ember.tensor([1.0, -2.0, 3.0], requires_grad=True)
    moved = x.to("standin")
    assert moved.device == "standin" and type(moved._data) is StandinArray
    assert moved.to("standin") is moved and moved.to(ember.device("standin")) is moved
    (moved * moved).sum().backward()
    assert x.grad.device == "cpu" and x.grad.tolist() == [2.0, -4.0, 6.0]
    back = moved.cpu()
    assert back.device == "cpu" and back.tolist() == [1.0, -2.0, 3.0]


def test_host_conversions_refuse_a_device_tensor(standin):
    x = ember.arange(3.0, device="standin")
    with pytest.raises(TypeError, match="can't convert standin device type tensor to numpy"):
        x.numpy()
    with pytest.raises(TypeError):
        numpy.asarray(x)
    with pytest.raises(TypeError):
        numpy.add(x._data, numpy.ones(3))  # the double refuses NumPy's functions, as CuPy arrays do
    with pytest.raises(StandinError, match="mixed with stand-in arrays"):
        x._data + numpy.ones(3)
    assert repr(x) == "tensor([0., 1., 2.], device='standin')"
    assert x.tolist() == [0.0, 1.0, 2.0] and x[1].item() == 1.0 and float(x.sum()) == 3.0


def _training_run(device, compiled, steps=3):
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(3, 8), ember.nn.ReLU(), ember.nn.Linear(8, 1)).to(device)
    optimizer = ember.optim.Adam(model.parameters(), lr=0.05)
    x = ember.randn(16, 3, device=device)
    target = ember.randn(16, 1, device=device)

    def step(x, target):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), target)
        loss.backward()
        optimizer.step()
        return loss
    run = ember.function(step) if compiled else step
    losses = [run(x, target).item() for _ in range(steps)]
    return losses, model, optimizer, run, (x, target)


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
def test_a_model_trains_on_the_standin_device_as_on_the_cpu(standin, compiled):
    expected, *_ = _training_run("cpu", compiled)
    losses, model, optimizer, run, args = _training_run("standin", compiled)
    numpy.testing.assert_allclose(losses, expected, rtol=1e-5)
    for param in model.parameters():  # parameters, gradients and optimizer state stay on the device
        assert type(param._data) is StandinArray and type(param.grad._data) is StandinArray
        assert all(type(value._data) is StandinArray for value in optimizer.state[param].values())


def test_tracing_generates_code_for_the_standin_namespace(standin):
    _, _, _, run, args = _training_run("standin", compiled=True, steps=1)
    concrete = run.get_concrete_function(*args)
    generated = concrete.program.namespace
    assert generated["_np"] is standin  # the compiled code calls the stand-in namespace ...
    assert generated["_add"] is standin.add and generated["_add"] is not numpy.add
    # ... through the names it binds: none of the functions the code calls is NumPy's own
    called = set(re.findall(r"\b(_\w+)(?:\.\w+)*\(", concrete.source))
    numpy_functions = [name for name in called if name in generated and (
        isinstance(generated[name], numpy.ufunc) or getattr(generated[name], "__module__", "") == "numpy")]
    assert called and not numpy_functions
    assert type(run(*args)._data) is StandinArray


def test_module_to_moves_parameters_buffers_and_grads_between_devices(standin):
    model = ember.nn.Sequential(ember.nn.Linear(2, 3), ember.nn.BatchNorm1d(3))
    model(ember.randn(4, 2)).sum().backward()
    weight = model[0].weight
    model.to("standin")
    assert model[0].weight is weight and weight.device == "standin" and weight.grad.device == "standin"
    assert model[1].running_mean.device == "standin" and model[1].num_batches_tracked.device == "standin"
    model(ember.randn(4, 2, device="standin")).sum().backward()
    model.cpu()
    assert weight.device == "cpu" and weight.grad.device == "cpu" and model[1].running_var.device == "cpu"


def test_save_writes_host_bytes_and_map_location_places_tensors(standin, tmp_path):
    path = tmp_path / "state.safetensors"
    state = ember.nn.Linear(2, 2).to("standin").state_dict()
    ember.save(state, path)
    on_cpu, on_standin = ember.load(path), ember.load(path, map_location="standin")
    assert all(t.device == "cpu" for t in on_cpu.values())
    assert all(t.device == "standin" for t in on_standin.values())
    # a dict maps the location a tensor was saved from, as torch.load's does
    assert ember.load(path, map_location={"standin": "standin"})["weight"].device == "standin"
    assert ember.load(path, map_location={"cpu": "standin"})["weight"].device == "cpu"
    for key, value in state.items():
        numpy.testing.assert_array_equal(on_cpu[key].numpy(), value.cpu().numpy())


def test_factories_place_tensors_on_the_standin_device(standin):
    for tensor in (ember.zeros(2, device="standin"), ember.arange(3, device="standin"),
                   ember.randn(2, device="standin"), ember.tensor([1, 2], device="standin"),
                   ember.zeros_like(ember.ones(2, device="standin")), ember.ones(2, device="standin").new_zeros(3)):
        assert type(tensor._data) is StandinArray
    with ember.device("standin"):
        assert ember.ones(2).device == "standin"
    assert ember.ones(2).device == "cpu"


def test_the_standin_device_is_gone_when_unregistered():
    with registered():
        assert ember.device("standin").type == "standin"
    with pytest.raises(DeviceError, match="unknown device type 'standin'"):
        ember.device("standin")
