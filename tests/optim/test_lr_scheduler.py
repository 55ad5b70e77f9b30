"""Schedulers follow PyTorch's learning rates (and hence parameters) step by step."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember

STEPS = 50

SCHEDULERS = [
    ("StepLR", dict(step_size=7, gamma=0.5), "SGD"),
    ("MultiStepLR", dict(milestones=[5, 12, 12, 30], gamma=0.3), "SGD"),
    ("ExponentialLR", dict(gamma=0.95), "Adam"),
    ("CosineAnnealingLR", dict(T_max=20, eta_min=0.001), "SGD"),
    ("CosineAnnealingLR", dict(T_max=10), "Adam"),
    ("LambdaLR", dict(lr_lambda=lambda epoch: 1.0 / (1 + epoch) ** 0.5), "SGD"),
    ("OneCycleLR", dict(max_lr=0.2, total_steps=STEPS), "SGD"),
    ("OneCycleLR", dict(max_lr=[0.05, 0.02], epochs=5, steps_per_epoch=10, anneal_strategy="linear",
                        three_phase=True, pct_start=0.25), "Adam"),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=STEPS, cycle_momentum=False, div_factor=10.0), "RMSprop"),
]


def _optimizer(library, name, params):
    groups = [{"params": params[:2]}, {"params": params[2:], "lr": 0.02}]
    options = dict(lr=0.05, momentum=0.9) if name in ("SGD", "RMSprop") else dict(lr=0.01)
    return getattr(library.optim, name)(groups, **options)


def _momenta(optimizer):
    return [group.get("momentum", group.get("betas")) for group in optimizer.param_groups]


@pytest.mark.parametrize("name, options, optimizer_name", SCHEDULERS,
                         ids=[f"{s[0]}-{n}" for n, s in enumerate(SCHEDULERS)])
def test_schedule_and_parameters_follow_pytorch(name, options, optimizer_name, problem):
    mine, theirs = problem.both_sides(seed=10)
    ember_opt = _optimizer(ember, optimizer_name, mine.params)
    torch_opt = _optimizer(torch, optimizer_name, theirs.params)
    ours = getattr(ember.optim.lr_scheduler, name)(ember_opt, **options)
    reference = getattr(torch.optim.lr_scheduler, name)(torch_opt, **options)
    for step in range(STEPS):
        np.testing.assert_allclose(ours.get_last_lr(), reference.get_last_lr(), rtol=1e-12)
        np.testing.assert_allclose(_momenta(ember_opt), _momenta(torch_opt), rtol=1e-12)
        mine.train_step(ember_opt)
        theirs.train_step(torch_opt)
        problem.assert_same_params(mine, theirs, step)
        if step < STEPS - 1 or name != "OneCycleLR":
            ours.step()
            reference.step()


def test_reduce_on_plateau_follows_pytorch(problem):
    mine, theirs = problem.both_sides(seed=11)
    ember_opt = _optimizer(ember, "SGD", mine.params)
    torch_opt = _optimizer(torch, "SGD", theirs.params)
    options = dict(mode="min", factor=0.5, patience=2, threshold=0.3, cooldown=1, min_lr=[0.004, 0.01])
    ours = ember.optim.lr_scheduler.ReduceLROnPlateau(ember_opt, **options)
    reference = torch.optim.lr_scheduler.ReduceLROnPlateau(torch_opt, **options)
    for step in range(STEPS):
        mine_loss = mine.train_step(ember_opt)
        theirs_loss = theirs.train_step(torch_opt)
        ours.step(ember.tensor(mine_loss))
        reference.step(theirs_loss)
        assert ours.get_last_lr() == reference.get_last_lr()
        assert (ours.num_bad_epochs, ours.cooldown_counter) == (reference.num_bad_epochs, reference.cooldown_counter)
        problem.assert_same_params(mine, theirs, step)
    assert ours.get_last_lr() != [0.05, 0.02], "the test should see the rate reduced"


@pytest.mark.parametrize("mode, threshold_mode", [("max", "rel"), ("max", "abs"), ("min", "abs")])
def test_reduce_on_plateau_modes(mode, threshold_mode):
    metrics = [1.0, 1.2, 1.21, 1.19, 1.3, 1.3, 1.3, 1.3, 0.9, 0.9, 0.9, 0.9, 0.9]
    lrs = []
    for library in (ember, torch):
        optimizer = library.optim.SGD([library.zeros(1, requires_grad=True)], lr=1.0)
        scheduler = library.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode=mode, threshold_mode=threshold_mode, patience=1, threshold=0.01)
        lrs.append([scheduler.step(m) or scheduler.get_last_lr()[0] for m in metrics])
    assert lrs[0] == lrs[1]


@pytest.mark.parametrize("name, options", [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5], gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=6, eta_min=0.01)),
])
def test_step_with_an_epoch_uses_the_closed_form(name, options):
    results = []
    for library in (ember, torch):
        optimizer = library.optim.SGD([library.zeros(1, requires_grad=True)], lr=1.0)
        scheduler = getattr(library.optim.lr_scheduler, name)(optimizer, **options)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch deprecates step(epoch) but still supports it
            results.append([scheduler.step(epoch) or scheduler.get_last_lr()[0] for epoch in [4, 9, 2, 7]])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


@pytest.mark.parametrize("name, options", [
    ("StepLR", dict(step_size=4)),
    ("MultiStepLR", dict(milestones=[3, 8, 15])),
    ("CosineAnnealingLR", dict(T_max=12)),
    ("OneCycleLR", dict(max_lr=0.3, total_steps=30)),
    ("ReduceLROnPlateau", dict(patience=1)),
])
def test_state_dict_round_trip_through_a_file_resumes(name, options, tmp_path):
    def make():
        optimizer = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        return optimizer, getattr(ember.optim.lr_scheduler, name)(optimizer, **options)

    def advance(scheduler, steps, start):
        for step in range(start, start + steps):
            scheduler.step(*([10.0 - step % 3] if name == "ReduceLROnPlateau" else []))
            yield scheduler.get_last_lr()[0]

    optimizer, scheduler = make()
    straight = list(advance(scheduler, 25, 0))
    optimizer, scheduler = make()
    resumed = list(advance(scheduler, 10, 0))
    path = tmp_path / "scheduler.safetensors"
    ember.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, path)
    optimizer, scheduler = make()
    checkpoint = ember.load(path)
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    resumed += list(advance(scheduler, 15, 10))
    assert resumed == straight


def test_lambda_state_dict_skips_plain_functions_like_pytorch():
    optimizer = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = ember.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 0.9 ** epoch)
    assert scheduler.state_dict()["lr_lambdas"] == [None]


def test_one_cycle_refuses_stepping_past_the_end():
    optimizer = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=1.0, momentum=0.9)
    scheduler = ember.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=3)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        scheduler.step()


def test_resuming_without_initial_lr_is_explained():
    optimizer = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(KeyError, match="initial_lr"):
        ember.optim.lr_scheduler.StepLR(optimizer, step_size=2, last_epoch=3)
