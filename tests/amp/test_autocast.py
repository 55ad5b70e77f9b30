"""``ember.autocast`` / ``ember.amp.autocast`` against ``torch.autocast('cpu', dtype=torch.float16)``:
which ops change dtype, their values, gradients, nesting, the decorator form, traced functions."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4)).astype(np.float32)
B = rng.standard_normal((4, 5)).astype(np.float32)
BATCH = rng.standard_normal((2, 3, 4)).astype(np.float32)
IMAGE = rng.standard_normal((1, 2, 5, 5)).astype(np.float32)
KERNEL = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
SQUARE = (np.eye(3) * 2 + 0.1).astype(np.float16)


def _ops(lib):
    F = lib.nn.functional
    t = lambda a: lib.tensor(a)  # noqa: E731
    return {
        "mm": lambda: lib.mm(t(A), t(B)),
        "matmul 1-D": lambda: lib.matmul(t(A[0]), t(B[:, 0])),
        "bmm": lambda: lib.bmm(t(BATCH), t(BATCH).transpose(1, 2)),
        "addmm": lambda: lib.addmm(t(A[:, :3]), t(A), t(B[:, :3])),
        "baddbmm": lambda: lib.baddbmm(t(BATCH[:, :, :3]), t(BATCH), t(BATCH).transpose(1, 2)),
        "linear": lambda: F.linear(t(A), t(B.T), t(B[0])),
        "einsum": lambda: lib.einsum("ij,jk->ik", t(A), t(B)),
        "conv2d": lambda: F.conv2d(t(IMAGE), t(KERNEL), padding=1),
        "conv1d": lambda: F.conv1d(t(IMAGE[:, :, 0]), t(KERNEL[:, :, 0])),
        "conv_transpose2d": lambda: F.conv_transpose2d(t(IMAGE), t(KERNEL.transpose(1, 0, 2, 3))),
        "mm float64": lambda: lib.mm(t(A.astype(np.float64)), t(B.astype(np.float64))),
        "prod float16": lambda: lib.prod(t(A.astype(np.float16))),
        "inverse float16": lambda: lib.linalg.inv(t(SQUARE)),
        "add mixed": lambda: t(A.astype(np.float16)) + t(A),
        "sum float16": lambda: t(A.astype(np.float16)).sum(),
        "softmax float16": lambda: lib.softmax(t(A.astype(np.float16)), 0),
        "relu of mm": lambda: F.relu(lib.mm(t(A), t(B))),
    }


@pytest.mark.parametrize("name", sorted(_ops(torch)))
def test_op_dtypes_and_values_match_torch(name):
    with torch.autocast("cpu", dtype=torch.float16):
        theirs = _ops(torch)[name]()
    with ember.autocast("cpu", dtype=ember.float16):
        ours = _ops(ember)[name]()
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], name
    tolerance = 2e-3 if theirs.dtype == torch.float16 else 1e-5
    np.testing.assert_allclose(ours.float().numpy(), theirs.float().numpy(), rtol=tolerance * 5, atol=tolerance * 5)


def _losses(lib):
    F = lib.nn.functional
    gen = np.random.default_rng(2)
    half = lambda *shape: lib.tensor(gen.random(shape).astype(np.float16))  # noqa: E731
    labels = lib.tensor([0, 1, 2, 1])
    return {
        "mse_loss": lambda: F.mse_loss(half(4, 3), half(4, 3)),
        "l1_loss": lambda: F.l1_loss(half(4, 3), half(4, 3)),
        "smooth_l1_loss": lambda: F.smooth_l1_loss(half(4, 3), half(4, 3)),
        "huber_loss": lambda: F.huber_loss(half(4, 3), half(4, 3)),
        "nll_loss": lambda: F.nll_loss(half(4, 3), labels),
        "cross_entropy": lambda: F.cross_entropy(half(4, 3), labels),
        "binary_cross_entropy": lambda: F.binary_cross_entropy(half(4, 3), half(4, 3)),
        "binary_cross_entropy_with_logits": lambda: F.binary_cross_entropy_with_logits(half(4, 3), half(4, 3)),
        "kl_div": lambda: F.kl_div(half(4, 3), half(4, 3), reduction="batchmean"),
        "margin_ranking_loss": lambda: F.margin_ranking_loss(half(4), half(4), lib.ones(4)),
        "triplet_margin_loss": lambda: F.triplet_margin_loss(half(4, 3), half(4, 3), half(4, 3)),
        "poisson_nll_loss": lambda: F.poisson_nll_loss(half(4, 3), half(4, 3)),
        "gaussian_nll_loss (not listed)": lambda: F.gaussian_nll_loss(half(4, 3), half(4, 3), half(4, 3) + 1),
        "log_softmax (not listed)": lambda: F.log_softmax(half(4, 3), 1),
    }


@pytest.mark.parametrize("name", sorted(_losses(torch)))
def test_losses_run_in_float32_as_torch(name):
    with torch.autocast("cpu", dtype=torch.float16):
        theirs = _losses(torch)[name]()
    with ember.autocast("cpu", dtype=ember.float16):
        ours = _losses(ember)[name]()
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], name
    np.testing.assert_allclose(ours.float().numpy(), theirs.float().numpy(), rtol=5e-3, atol=5e-3)


def _train_step(lib):
    gen = np.random.default_rng(1)
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(6, 8), lib.nn.ReLU(), lib.nn.Linear(8, 3))
    with lib.no_grad():
        for parameter in model.parameters():
            parameter.copy_(lib.tensor(gen.standard_normal(tuple(parameter.shape)).astype(np.float32) * 0.5))
    x = lib.tensor(gen.standard_normal((5, 6)).astype(np.float32))
    with lib.autocast("cpu", dtype=lib.float16):
        out = model(x)
        loss = out.float().pow(2).mean()
    loss.backward()
    return out, [p.grad for p in model.parameters()]


def test_a_training_step_matches_torch_in_values_and_gradient_dtypes():
    our_out, our_grads = _train_step(ember)
    their_out, their_grads = _train_step(torch)
    assert our_out.dtype == ember.float16 and their_out.dtype == torch.float16
    np.testing.assert_allclose(our_out.detach().float().numpy(), their_out.detach().float().numpy(),
                               rtol=1e-2, atol=1e-2)
    for mine, reference in zip(our_grads, their_grads):
        assert mine.dtype == ember.float32 and reference.dtype == torch.float32  # master weights stay float32
        np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=2e-2, atol=2e-2)


def test_nesting_decorator_and_queries():
    x = ember.ones(2, 2)
    assert not ember.is_autocast_enabled("cpu")
    with ember.amp.autocast("cpu", dtype=ember.float16):
        assert ember.is_autocast_enabled("cpu") and not ember.is_autocast_enabled()  # the default asks for cuda
        assert ember.get_autocast_dtype("cpu") == ember.float16
        with ember.autocast("cpu", enabled=False):
            assert (x @ x).dtype == ember.float32
        assert (x @ x).dtype == ember.float16

    @ember.autocast("cpu", dtype=ember.float16)
    def product(a):
        return a @ a

    assert product(x).dtype == ember.float16
    assert (x @ x).dtype == ember.float32  # nothing leaks out of the region


def test_traced_function_records_the_casts():
    @ember.function
    def forward(a, b):
        with ember.autocast("cpu", dtype=ember.float16):
            return a @ b

    out = forward(ember.tensor(A), ember.tensor(B))
    assert out.dtype == ember.float16
    np.testing.assert_allclose(out.float().numpy(), (A.astype(np.float16) @ B.astype(np.float16)).astype(np.float32),
                               rtol=2e-3, atol=2e-3)


def test_unsupported_dtypes_and_devices_as_torch():
    with pytest.raises(ember.DTypeError, match="bfloat16"):
        with ember.autocast("cpu"):
            pass
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ember.autocast("cpu", dtype=ember.float64):  # PyTorch: a warning, autocast off
            assert (ember.ones(2, 2) @ ember.ones(2, 2)).dtype == ember.float32
        with ember.autocast("cuda"):  # no GPU: a warning, autocast off
            assert (ember.ones(2, 2) @ ember.ones(2, 2)).dtype == ember.float32
        with ember.cuda.amp.autocast():
            pass
    messages = [str(w.message) for w in caught]
    assert sum("disabled" in m for m in messages) >= 3
    assert any(w.category is FutureWarning for w in caught)
    with pytest.raises(ValueError, match="device_type"):
        ember.autocast("tpu")
