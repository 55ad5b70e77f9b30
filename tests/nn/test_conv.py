"""Convolution functions and layers against PyTorch 2.13: values, input and parameter
gradients, PyTorch's parameter names and initialisation, errors."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
from ember import nn
from ember.nn import functional as F

sys.path.insert(0, os.path.dirname(__file__))
from nn_core_helpers import assert_close, compare_modules, copy_weights  # noqa: E402

TF = torch.nn.functional
DTYPE = {"float32": np.float32, "float64": np.float64}
# PyTorch warns that its own 'same' padding of even kernels copies the input
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")


def compare_conv(ours, theirs, x, w, b, dtype="float64", seed=0, **kwargs):
    """Run ``ours``/``theirs`` on the same x, w, b; compare the value and all three gradients."""
    rng = np.random.default_rng(seed)
    arrays = [a.astype(DTYPE[dtype]) for a in (x, w, b) if a is not None]
    ember_in = [ember.tensor(a, requires_grad=True) for a in arrays]
    torch_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    bias_e, bias_t = (ember_in[2], torch_in[2]) if b is not None else (None, None)
    out_e = ours(ember_in[0], ember_in[1], bias_e, **kwargs)
    out_t = theirs(torch_in[0], torch_in[1], bias_t, **kwargs)
    assert_close(out_e, out_t, dtype, "value")
    upstream = rng.standard_normal(tuple(out_t.shape)).astype(DTYPE[dtype])
    out_e.backward(ember.tensor(upstream))
    out_t.backward(torch.tensor(upstream))
    for name, e, t in zip(("input", "weight", "bias"), ember_in, torch_in):
        assert_close(e.grad, t.grad, dtype, f"{name} grad", rtol=1e-4 if dtype == "float32" else 1e-10,
                     atol=1e-4 if dtype == "float32" else 1e-10)


CONV2D_CASES = [  # x shape, weight shape, keyword arguments
    ((2, 3, 8, 8), (4, 3, 3, 3), {}),
    ((2, 3, 9, 7), (6, 3, 3, 2), dict(stride=2, padding=1)),
    ((1, 4, 9, 9), (4, 2, 3, 3), dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2)),
    ((2, 6, 7, 8), (6, 1, 3, 3), dict(padding=1, groups=6)),  # depthwise
    ((2, 2, 6, 7), (3, 2, 4, 3), dict(padding="same")),  # even kernel: extra pad after
    ((2, 2, 6, 7), (3, 2, 3, 3), dict(padding="same", dilation=2)),
    ((2, 2, 6, 7), (3, 2, 3, 3), dict(padding="valid", stride=3)),
    ((3, 8, 5, 5), (4, 8, 1, 1), {}),  # pointwise
    ((2, 3, 4, 4), (2, 3, 4, 4), {}),  # kernel covers the input
    ((2, 3, 5, 5), (2, 3, 3, 3), dict(stride=4, padding=2)),  # stride past the end
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("x_shape, w_shape, kwargs", CONV2D_CASES, ids=range(len(CONV2D_CASES)))
def test_conv2d_matches_torch(x_shape, w_shape, kwargs, dtype):
    rng = np.random.default_rng(len(x_shape) + sum(w_shape))
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    compare_conv(F.conv2d, TF.conv2d, x, w, b, dtype, **kwargs)


def test_conv2d_without_bias_and_unbatched():
    rng = np.random.default_rng(0)
    compare_conv(F.conv2d, TF.conv2d, rng.standard_normal((3, 6, 6)), rng.standard_normal((2, 3, 3, 3)),
                 None, padding=1)


@pytest.mark.parametrize("x_shape, w_shape, kwargs", [
    ((2, 3, 10), (4, 3, 3), {}),
    ((2, 4, 11), (6, 2, 4), dict(stride=3, padding=2, dilation=2, groups=2)),
    ((2, 2, 9), (3, 2, 4), dict(padding="same")),
    ((4, 9), (2, 4, 3), dict(padding=1)),
])
def test_conv1d_matches_torch(x_shape, w_shape, kwargs):
    rng = np.random.default_rng(1)
    compare_conv(F.conv1d, TF.conv1d, rng.standard_normal(x_shape), rng.standard_normal(w_shape),
                 rng.standard_normal(w_shape[0]), **kwargs)


def test_conv3d_matches_torch():
    rng = np.random.default_rng(2)
    compare_conv(F.conv3d, TF.conv3d, rng.standard_normal((2, 4, 5, 6, 4)),
                 rng.standard_normal((4, 2, 2, 3, 2)), rng.standard_normal(4),
                 stride=(1, 2, 1), padding=(1, 0, 1), dilation=(2, 1, 1), groups=2)


@st.composite
def conv2d_geometries(draw):
    groups = draw(st.sampled_from([1, 2, 3]))
    in_per_group, out_per_group = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    reach = [d * (k - 1) + 1 - 2 * p for k, d, p in zip(kernel, dilation, padding)]
    spatial = tuple(draw(st.integers(max(1, r), max(1, r) + 6)) for r in reach)
    batch = draw(st.integers(1, 3))
    return ((batch, in_per_group * groups) + spatial, (out_per_group * groups, in_per_group) + kernel,
            dict(stride=stride, padding=padding, dilation=dilation, groups=groups))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conv2d_geometries(), st.integers(0, 2 ** 16))
def test_conv2d_random_geometries_match_torch(geometry, seed):
    x_shape, w_shape, kwargs = geometry
    rng = np.random.default_rng(seed)
    compare_conv(F.conv2d, TF.conv2d, rng.standard_normal(x_shape), rng.standard_normal(w_shape),
                 rng.standard_normal(w_shape[0]), **kwargs)


@st.composite
def transposed_geometries(draw):
    groups = draw(st.sampled_from([1, 2]))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    spatial = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    # keep the output size positive: padding may not eat the whole transposed extent
    padding = tuple(draw(st.integers(0, ((n - 1) * s + d * (k - 1) + extra) // 2)) for n, s, d, k, extra
                    in zip(spatial, stride, dilation, kernel, output_padding))
    x_shape = (draw(st.integers(1, 2)), 2 * groups) + spatial
    w_shape = (2 * groups, draw(st.integers(1, 2))) + kernel
    return x_shape, w_shape, dict(stride=stride, padding=padding, output_padding=output_padding,
                                  groups=groups, dilation=dilation)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transposed_geometries(), st.integers(0, 2 ** 16))
def test_conv_transpose2d_random_geometries_match_torch(geometry, seed):
    x_shape, w_shape, kwargs = geometry
    rng = np.random.default_rng(seed)
    compare_conv(F.conv_transpose2d, TF.conv_transpose2d, rng.standard_normal(x_shape),
                 rng.standard_normal(w_shape), rng.standard_normal(w_shape[1] * kwargs["groups"]), **kwargs)


def test_conv_transpose1d_and_3d_match_torch():
    rng = np.random.default_rng(3)
    compare_conv(F.conv_transpose1d, TF.conv_transpose1d, rng.standard_normal((2, 4, 5)),
                 rng.standard_normal((4, 3, 3)), rng.standard_normal(6), stride=2, padding=1,
                 output_padding=1, groups=2)
    compare_conv(F.conv_transpose3d, TF.conv_transpose3d, rng.standard_normal((1, 2, 3, 2, 3)),
                 rng.standard_normal((2, 2, 2, 2, 2)), rng.standard_normal(2), stride=(2, 1, 2))


# --- layers -----------------------------------------------------------------------
LAYERS = [
    ("Conv1d", (3, 4, 3), dict(stride=2, padding=1), (2, 3, 9)),
    ("Conv2d", (3, 6, 3), dict(padding=1, groups=3, bias=False), (2, 3, 7, 6)),
    ("Conv2d", (2, 4, (3, 2)), dict(stride=(2, 1), dilation=(1, 2), padding="valid"), (2, 2, 8, 7)),
    ("Conv2d", (2, 4, 4), dict(padding="same"), (1, 2, 6, 5)),
    ("Conv2d", (2, 3, 3), dict(padding=2, padding_mode="reflect"), (2, 2, 5, 6)),
    ("Conv2d", (2, 3, 3), dict(padding=(1, 2), padding_mode="replicate"), (2, 2, 5, 6)),
    ("Conv2d", (2, 3, 4), dict(padding="same", padding_mode="circular"), (2, 2, 5, 6)),
    ("Conv1d", (2, 3, 3), dict(padding=1, padding_mode="circular"), (2, 2, 6)),
    ("Conv3d", (2, 2, 2), dict(padding=1), (1, 2, 3, 4, 3)),
    ("ConvTranspose1d", (4, 2, 3), dict(stride=2), (2, 4, 5)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2), (2, 4, 4, 5)),
    ("ConvTranspose2d", (3, 2, (2, 3)), dict(dilation=2, bias=False), (1, 3, 4, 4)),
    ("ConvTranspose3d", (2, 2, 2), dict(stride=2), (1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("name, args, kwargs, x_shape", LAYERS, ids=[f"{n}-{i}" for i, (n, *_) in enumerate(LAYERS)])
def test_layers_match_torch_on_torch_weights(name, args, kwargs, x_shape):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    ours = getattr(nn, name)(*args, **kwargs, dtype=ember.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(theirs, ours)
    x = np.random.default_rng(4).standard_normal(x_shape)
    compare_modules(ours, theirs, [x], "float64")


@pytest.mark.parametrize("name, args, kwargs", [
    ("Conv2d", (3, 16, 5), {}), ("Conv2d", (8, 4, 3), dict(groups=2)),
    ("Conv1d", (4, 8, 3), {}), ("ConvTranspose2d", (6, 4, 3), dict(groups=2)),
])
def test_initialisation_follows_torch_bounds(name, args, kwargs):
    """kaiming_uniform(a=√5) weight and U(±1/√fan_in) bias: both bounded by 1/√fan_in."""
    ember.manual_seed(0)
    layer = getattr(nn, name)(*args, **kwargs)
    fan_in = int(np.prod(layer.weight.shape[1:]))
    bound = 1 / np.sqrt(fan_in)
    for param in (layer.weight, layer.bias):
        values = param.detach().numpy()
        assert values.dtype == np.float32
        assert np.abs(values).max() <= bound + 1e-7
        if values.size >= 32:  # spread over the range, not collapsed (a few values can all be small)
            assert np.abs(values).max() > 0.6 * bound
    reference = getattr(torch.nn, name)(*args, **kwargs)
    assert layer.weight.shape == tuple(reference.weight.shape)


@pytest.mark.parametrize("name, args, kwargs", [
    ("Conv2d", (3, 8, 3), dict(stride=2, padding=1)),
    ("Conv2d", (4, 8, (3, 1)), dict(padding="same", dilation=2, groups=4, bias=False,
                                    padding_mode="circular")),
    ("Conv1d", (2, 2, 3), dict(padding="valid")),
    ("ConvTranspose2d", (8, 4, 4), dict(stride=2, padding=1, output_padding=1)),
])
def test_repr_matches_torch(name, args, kwargs):
    assert repr(getattr(nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


def test_conv_transpose2d_output_size_argument():
    torch.manual_seed(1)
    theirs = torch.nn.ConvTranspose2d(3, 2, 3, stride=3, padding=1).double()
    ours = nn.ConvTranspose2d(3, 2, 3, stride=3, padding=1, dtype=ember.float64)
    copy_weights(theirs, ours)
    x = np.random.default_rng(5).standard_normal((1, 3, 4, 4))
    for size in [(10, 10), (11, 12), (1, 2, 12, 11)]:
        assert_close(ours(ember.tensor(x), output_size=size), theirs(torch.tensor(x), output_size=size),
                     "float64", str(size))
    with pytest.raises(ValueError, match="output size"):
        ours(ember.tensor(x), output_size=(13, 13))


def test_training_a_conv_layer_matches_torch_for_a_few_sgd_steps():
    torch.manual_seed(2)
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                 torch.nn.Conv2d(4, 2, 3), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
    ours = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 2, 3),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten())
    copy_weights(theirs, ours)
    rng = np.random.default_rng(6)
    x, target = rng.standard_normal((4, 1, 8, 8)).astype(np.float32), rng.integers(0, 2, 4)
    for _ in range(3):
        losses = []
        for model, lib in ((ours, ember), (theirs, torch)):
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(target))
            model.zero_grad()
            loss.backward()
            with lib.no_grad():
                for param in model.parameters():
                    param.sub_(0.5 * param.grad)
            losses.append(float(loss.detach()))
        assert abs(losses[0] - losses[1]) < 1e-5
    for (name, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(a, b, "float32", name, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.conv2d(ember.ones(1, 3, 5, 5), ember.ones(2, 2, 3, 3)), ember.ShapeError,
     r"conv2d: expected input of shape \(1, 3, 5, 5\) to have 2 channels \(weight of shape \(2, 2, 3, 3\)"),
    (lambda: F.conv2d(ember.ones(1, 2, 5, 5), ember.ones(2, 2, 3, 3), stride=2, padding="same"),
     ValueError, "padding='same' is not supported for strided convolutions"),
    (lambda: F.conv2d(ember.ones(2, 5, 5), ember.ones(2, 2, 3), padding=1), ember.ShapeError,
     "expected a 3-D input"),
    (lambda: F.conv1d(ember.ones(2, 5, 5, 5), ember.ones(2, 5, 3)), ember.ShapeError,
     r"conv1d: expected 2-D \(unbatched\) or 3-D \(batched\) input"),
    (lambda: F.conv2d(ember.ones(1, 2, 5, 5), ember.ones(3, 2, 3, 3), ember.ones(2)), ember.ShapeError,
     r"expected bias of shape \(3,\)"),
    (lambda: F.conv_transpose2d(ember.ones(1, 2, 3, 3), ember.ones(2, 2, 3, 3), stride=2,
                                output_padding=2), ValueError, "output padding must be smaller"),
    (lambda: nn.Conv2d(3, 4, 3, groups=2), ValueError, "divisible by groups"),
    (lambda: nn.Conv2d(2, 4, 3, padding_mode="mirror"), ValueError, "padding_mode"),
])
def test_errors_are_clear(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_eval_and_no_grad_forward_builds_no_graph():
    layer = nn.Conv2d(2, 3, 3)
    with ember.no_grad():
        out = layer(ember.ones(1, 2, 5, 5))
    assert not out.requires_grad and out.grad_fn is None


def test_non_contiguous_inputs_match_torch():
    """Transposed and negative-stride views reach the strided kernels as they are."""
    rng = np.random.default_rng(7)
    base, w = rng.standard_normal((6, 3, 2, 7)), rng.standard_normal((4, 3, 3, 3))
    for view in (base.transpose(2, 1, 0, 3), base[::-1, :, :, ::-1][:2]):
        ours = F.conv2d(ember.from_numpy(view), ember.tensor(w), padding=1, stride=(1, 2))
        theirs = TF.conv2d(torch.tensor(np.ascontiguousarray(view)), torch.tensor(w), padding=1, stride=(1, 2))
        assert_close(ours, theirs, "float64", "value")
        unpadded = F.conv2d(ember.from_numpy(view), ember.tensor(w[:, :, :2, :2]))
        assert_close(unpadded, TF.conv2d(torch.tensor(np.ascontiguousarray(view)), torch.tensor(w[:, :, :2, :2])),
                     "float64", "value without padding")


@pytest.mark.parametrize("call", [
    lambda F, x, w: F.conv2d(x, w, padding=1, groups=2),
    lambda F, x, w: F.conv_transpose2d(F.conv2d(x, w, groups=2), w, stride=1, groups=2),
    lambda F, x, w: F.max_pool2d(x, 2),
    lambda F, x, w: F.avg_pool2d(x, 3, stride=2, padding=1),
    lambda F, x, w: F.adaptive_avg_pool2d(x, 4),
])
def test_empty_batch_matches_torch(call):
    ours_x, ours_w = ember.zeros(0, 4, 6, 6, requires_grad=True), ember.ones(6, 2, 3, 3, requires_grad=True)
    theirs_x, theirs_w = torch.zeros(0, 4, 6, 6, requires_grad=True), torch.ones(6, 2, 3, 3, requires_grad=True)
    ours, theirs = call(F, ours_x, ours_w), call(TF, theirs_x, theirs_w)
    assert ours.shape == tuple(theirs.shape)
    ours.sum().backward()
    assert ours_x.grad.shape == (0, 4, 6, 6)


def test_subclass_can_transform_the_weight_through_conv_forward():
    """PyTorch code overrides forward and calls ``self._conv_forward(x, new_weight, self.bias)``."""
    def standardized(lib):
        class StandardizedConv(lib.nn.Conv2d):
            def forward(self, x):
                w = self.weight - self.weight.mean(dim=(1, 2, 3), keepdim=True)
                return self._conv_forward(x, w, self.bias)
        return StandardizedConv(2, 3, 3, padding=1, padding_mode="reflect")
    torch.manual_seed(3)
    theirs = standardized(torch).double()
    ours = standardized(ember)
    ours.to(ember.float64)
    copy_weights(theirs, ours)
    compare_modules(ours, theirs, [np.random.default_rng(8).standard_normal((1, 2, 5, 5))], "float64")


# --- nn.grad: the convolutions' gradients in input and weight -----------------
NN_GRAD_CASES = [
    (1, (2, 4, 9), (6, 2, 3), dict(stride=2, padding=1, groups=2)),
    (2, (2, 3, 7, 6), (4, 3, 3, 2), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2))),
    (2, (1, 4, 8, 8), (4, 2, 3, 3), dict(stride=3, padding=1, groups=2)),  # unused trailing rows
    (3, (1, 2, 5, 4, 4), (3, 2, 2, 3, 2), dict(padding=1)),
]


@pytest.mark.parametrize("dims, x_shape, w_shape, kwargs", NN_GRAD_CASES)
def test_nn_grad_conv_input_and_weight_match_torch(dims, x_shape, w_shape, kwargs):
    rng = np.random.default_rng(dims)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    out_shape = getattr(TF, f"conv{dims}d")(torch.tensor(x), torch.tensor(w), **kwargs).shape
    g = rng.standard_normal(tuple(out_shape))
    results = {}
    for lib in (ember, torch):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        gt = lib.tensor(g, requires_grad=True)
        grad_x = getattr(lib.nn.grad, f"conv{dims}d_input")(xt.shape, wt, gt, **kwargs)
        grad_w = getattr(lib.nn.grad, f"conv{dims}d_weight")(xt, wt.shape, gt, **kwargs)
        # and again through them (double backward, as a custom Function's backward needs)
        (grad_x.square().sum() + grad_w.square().sum()).backward()
        results[lib.__name__] = [t.detach().numpy() for t in (grad_x, grad_w, xt.grad, wt.grad, gt.grad)]
    for ours, theirs in zip(results["ember"], results["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


def test_nn_grad_equals_the_autograd_gradient_of_conv2d():
    x = ember.randn(2, 3, 6, 6, requires_grad=True)
    w = ember.randn(5, 3, 3, 3, requires_grad=True)
    g = ember.randn(2, 5, 3, 3)
    F.conv2d(x, w, stride=2, padding=1).backward(g)
    assert_close(ember.nn.grad.conv2d_input(x.shape, w, g, stride=2, padding=1), x.grad.numpy(), atol=1e-5)
    assert_close(ember.nn.grad.conv2d_weight(x, w.shape, g, stride=2, padding=1), w.grad.numpy(), atol=1e-5)
