"""``ember.amp.GradScaler`` against ``torch.amp.GradScaler('cpu')``: the same loop, step by step."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember


def _loop(lib, steps=9, overflow_at=(2, 3, 6), **scaler_options):
    """A linear model trained by SGD under a scaler; some steps' losses overflow to inf.
    Returns, per step: the scale, the growth tracker, the weights and whether they moved."""
    rng = np.random.default_rng(0)
    weight = lib.tensor(rng.standard_normal((3, 2)).astype(np.float32), requires_grad=True)
    optimizer = lib.optim.SGD([weight], lr=0.05, momentum=0.9)
    device = "cpu"
    scaler = lib.amp.GradScaler(device, **scaler_options)
    records = []
    for step in range(steps):
        x = lib.tensor(rng.standard_normal((4, 3)).astype(np.float32))
        loss = (x @ weight).pow(2).mean()
        if step in overflow_at:
            loss = loss * float("inf")
        optimizer.zero_grad()
        before = weight.detach().clone()
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        moved = bool((weight.detach() != before).any())
        records.append((scaler.get_scale(), scaler._get_growth_tracker(), weight.detach().numpy().copy(), moved))
    return records, scaler


@pytest.mark.parametrize("options", [dict(init_scale=1024.0, growth_interval=2),
                                     dict(init_scale=3.0, growth_factor=3.0, backoff_factor=0.25, growth_interval=3),
                                     dict(enabled=False)])
def test_training_loop_matches_torch(options):
    ours, our_scaler = _loop(ember, **options)
    theirs, their_scaler = _loop(torch, **options)
    for step, (mine, reference) in enumerate(zip(ours, theirs)):
        assert mine[0] == reference[0] and mine[1] == reference[1], f"step {step}: scale/tracker"
        np.testing.assert_allclose(mine[2], reference[2], rtol=1e-6, atol=1e-7, err_msg=f"step {step}")
        assert mine[3] == reference[3], f"step {step}: stepped"
    assert our_scaler.state_dict() == their_scaler.state_dict()
    if options.get("enabled", True):
        assert not ours[2][3] and ours[1][3]  # the overflowing step was skipped, the others ran


def _unscaled_then_clipped(lib):
    weight = lib.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    optimizer = lib.optim.SGD([weight], lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=2.0 ** 10)
    scaler.scale((weight ** 3).sum()).backward()
    scaled = weight.grad.clone()
    scaler.unscale_(optimizer)
    lib.nn.utils.clip_grad_norm_([weight], max_norm=1.0)
    scaler.step(optimizer)  # no second unscale
    scaler.update()
    return scaled.numpy(), weight.detach().numpy(), scaler.get_scale()


def test_unscale_before_clipping_matches_torch():
    for mine, reference in zip(_unscaled_then_clipped(ember), _unscaled_then_clipped(torch)):
        np.testing.assert_allclose(mine, reference, rtol=1e-6)


def test_set_scale_and_state_dict_round_trip():
    scaler = ember.amp.GradScaler("cpu", init_scale=16.0)
    weight = ember.tensor([1.0], requires_grad=True)
    optimizer = ember.optim.SGD([weight], lr=0.1)
    scaler.scale(weight.sum()).backward()
    scaler.step(optimizer)
    scaler.update(new_scale=3.0)
    assert scaler.get_scale() == 3.0
    state = scaler.state_dict()
    reference = torch.amp.GradScaler("cpu", init_scale=16.0)
    reference.load_state_dict(state)
    assert reference.state_dict() == state
    restored = ember.amp.GradScaler("cpu")
    restored.load_state_dict(reference.state_dict())
    assert restored.state_dict() == state


@pytest.mark.parametrize("lib", [torch, ember], ids=["torch", "ember"])
def test_misuse_raises_as_torch(lib):
    weight = lib.tensor([1.0], requires_grad=True)
    optimizer = lib.optim.SGD([weight], lr=0.1)
    scaler = lib.amp.GradScaler("cpu")
    with pytest.raises(AssertionError if lib is torch else RuntimeError, match="scale"):
        scaler.update()  # before any scale()
    scaler.scale(weight.sum()).backward()
    with pytest.raises(AssertionError if lib is torch else RuntimeError, match="No inf checks"):
        scaler.update()  # before any step()
    scaler.unscale_(optimizer)
    with pytest.raises(RuntimeError, match="already been called"):
        scaler.unscale_(optimizer)
    scaler.step(optimizer)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(optimizer)
    with pytest.raises(RuntimeError, match="Closure"):
        scaler.step(optimizer, closure=lambda: None)
    half = lib.tensor([1.0], dtype=lib.float16, requires_grad=True)
    half.grad = lib.tensor([1.0], dtype=lib.float16)
    with pytest.raises(ValueError, match="FP16 gradients"):
        scaler.unscale_(lib.optim.SGD([half], lr=0.1))
    with pytest.raises(RuntimeError, match="empty"):
        scaler.load_state_dict({})


@pytest.mark.parametrize("lib", [torch, ember], ids=["torch", "ember"])
def test_disabled_scaler_passes_through(lib):
    scaler = lib.amp.GradScaler("cpu", enabled=False)
    value = lib.tensor([2.0])
    assert scaler.scale(value) is value
    assert scaler.get_scale() == 1.0 and scaler.state_dict() == {} and not scaler.is_enabled()


@pytest.mark.parametrize("lib", [torch, ember], ids=["torch", "ember"])
def test_cuda_scaler_without_a_gpu_disables_itself_with_a_warning(lib):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        deprecated = lib.cuda.amp.GradScaler()
        current = lib.amp.GradScaler("cuda")
    assert not deprecated.is_enabled() and not current.is_enabled()
    assert any(w.category is FutureWarning for w in caught)
    assert sum("not available" in str(w.message) for w in caught) >= 2


def test_scale_keeps_each_outputs_dtype_and_structure():
    scaler = ember.amp.GradScaler("cpu", init_scale=8.0)
    half, pair = scaler.scale([ember.ones(2, dtype=ember.float16), (ember.ones(1, dtype=ember.float64),)])
    assert half.dtype == ember.float16 and half.tolist() == [8.0, 8.0]
    assert isinstance(pair, tuple) and pair[0].dtype == ember.float64 and pair[0].tolist() == [8.0]
