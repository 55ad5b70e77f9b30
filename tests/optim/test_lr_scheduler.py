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
    ("ConstantLR", dict(factor=0.5, total_iters=4), "SGD"),
    ("ConstantLR", dict(), "Adam"),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.9, total_iters=10), "Adam"),
    ("LinearLR", dict(), "SGD"),
    ("PolynomialLR", dict(total_iters=30, power=2.0), "SGD"),
    ("PolynomialLR", dict(), "Adam"),
    ("MultiplicativeLR", dict(lr_lambda=lambda epoch: 0.97), "SGD"),
    ("CosineAnnealingWarmRestarts", dict(T_0=5, T_mult=2, eta_min=0.001), "SGD"),
    ("CosineAnnealingWarmRestarts", dict(T_0=7), "Adam"),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4), "SGD"),
    ("CyclicLR", dict(base_lr=[0.01, 0.005], max_lr=0.1, step_size_up=3, step_size_down=5,
                      mode="triangular2", base_momentum=[0.7, 0.75], max_momentum=0.95), "SGD"),
    ("CyclicLR", dict(base_lr=0.001, max_lr=0.01, step_size_up=5, mode="exp_range", gamma=0.95), "Adam"),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.05, step_size_up=4, cycle_momentum=False,
                      scale_fn=lambda x: 0.5 ** x, scale_mode="iterations"), "RMSprop"),
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
    ("ConstantLR", dict(factor=0.25, total_iters=5)),
    ("LinearLR", dict(start_factor=0.2, end_factor=0.8, total_iters=6)),
    ("PolynomialLR", dict(total_iters=8, power=1.5)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2, eta_min=0.05)),
    ("CosineAnnealingWarmRestarts", dict(T_0=4)),
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
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3, mode="triangular2")),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2)),
    ("LinearLR", dict(total_iters=15)),
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


def test_warm_restarts_with_fractional_epochs_follow_pytorch():
    """SGDR stepped within epochs (``step(epoch + batch / batches)``), as its documentation shows."""
    rates = []
    for library in (ember, torch):
        optimizer = library.optim.SGD([library.zeros(1, requires_grad=True)], lr=1.0)
        scheduler = library.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=3, T_mult=2)
        trace = []
        for epoch in range(12):
            for batch in range(4):
                scheduler.step(epoch + batch / 4)
                trace.append((scheduler.get_last_lr()[0], scheduler.T_i, scheduler.last_epoch))
        rates.append(trace)
    np.testing.assert_allclose(np.array(rates[0]), np.array(rates[1]), rtol=1e-12)


def _composites(library, optimizer):
    """name -> a function building the composite scheduler on ``optimizer``."""
    schedulers = library.optim.lr_scheduler
    return {
        "warmup-then-cosine": lambda: schedulers.SequentialLR(
            optimizer, [schedulers.LinearLR(optimizer, start_factor=0.1, total_iters=5),
                        schedulers.CosineAnnealingLR(optimizer, T_max=20)], milestones=[5]),
        "three-phases": lambda: schedulers.SequentialLR(
            optimizer, [schedulers.ConstantLR(optimizer, factor=0.5, total_iters=10),
                        schedulers.ExponentialLR(optimizer, gamma=0.9),
                        schedulers.StepLR(optimizer, step_size=4, gamma=0.5)], milestones=[3, 12]),
        "chained": lambda: schedulers.ChainedScheduler(
            [schedulers.ConstantLR(optimizer, factor=0.5, total_iters=5),
             schedulers.ExponentialLR(optimizer, gamma=0.95)]),
        "chained-with-optimizer": lambda: schedulers.ChainedScheduler(
            [schedulers.LinearLR(optimizer, start_factor=0.3, total_iters=8),
             schedulers.MultiStepLR(optimizer, milestones=[10, 20], gamma=0.5)], optimizer=optimizer),
        "chained-inside-sequential": lambda: schedulers.SequentialLR(
            optimizer, [schedulers.ChainedScheduler([schedulers.ConstantLR(optimizer, factor=0.5, total_iters=2),
                                                     schedulers.ExponentialLR(optimizer, gamma=0.9)]),
                        schedulers.PolynomialLR(optimizer, total_iters=10)], milestones=[6]),
    }


@pytest.mark.filterwarnings("ignore:Detected call of")  # PyTorch, for the nested case
@pytest.mark.parametrize("name", list(_composites(ember, None)))
def test_composite_schedules_and_parameters_follow_pytorch(name, problem):
    mine, theirs = problem.both_sides(seed=13)
    ember_opt = _optimizer(ember, "SGD", mine.params)
    torch_opt = _optimizer(torch, "SGD", theirs.params)
    ours = _composites(ember, ember_opt)[name]()
    reference = _composites(torch, torch_opt)[name]()
    for step in range(30):
        np.testing.assert_allclose(ours.get_last_lr(), reference.get_last_lr(), rtol=1e-12)
        np.testing.assert_allclose(_momenta(ember_opt), _momenta(torch_opt), rtol=1e-12)
        mine.train_step(ember_opt)
        theirs.train_step(torch_opt)
        problem.assert_same_params(mine, theirs, step)
        ours.step()
        reference.step()


@pytest.mark.parametrize("name", ["warmup-then-cosine", "chained"])
def test_composite_state_dict_round_trip_through_a_file_resumes(name, tmp_path):
    def make():
        optimizer = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        return optimizer, _composites(ember, optimizer)[name]()

    def advance(scheduler, steps):
        for _ in range(steps):
            scheduler.step()
            yield scheduler.get_last_lr()[0]

    optimizer, scheduler = make()
    straight = list(advance(scheduler, 25))
    optimizer, scheduler = make()
    resumed = list(advance(scheduler, 10))
    path = tmp_path / "scheduler.safetensors"
    ember.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, path)
    optimizer, scheduler = make()
    checkpoint = ember.load(path)
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    resumed += list(advance(scheduler, 15))
    assert resumed == straight


def _adagrad():
    return ember.optim.Adagrad([ember.zeros(1, requires_grad=True)])


def _sgd():
    return ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=1.0)


@pytest.mark.parametrize("make, error, message", [
    (lambda: ember.optim.lr_scheduler.LinearLR(_sgd(), start_factor=0.0), ValueError, "Starting"),
    (lambda: ember.optim.lr_scheduler.LinearLR(_sgd(), end_factor=1.5), ValueError, "Ending"),
    (lambda: ember.optim.lr_scheduler.ConstantLR(_sgd(), factor=2.0), ValueError, "between 0 and 1"),
    (lambda: ember.optim.lr_scheduler.CosineAnnealingWarmRestarts(_sgd(), T_0=0), ValueError, "T_0"),
    (lambda: ember.optim.lr_scheduler.CosineAnnealingWarmRestarts(_sgd(), T_0=2, T_mult=0), ValueError, "T_mult"),
    (lambda: ember.optim.lr_scheduler.CyclicLR(_sgd(), 0.1, 1.0, mode="sawtooth"), ValueError, "mode"),
    (lambda: ember.optim.lr_scheduler.CyclicLR(_adagrad(), 0.1, 1.0), ValueError, "momentum"),
    (lambda: ember.optim.lr_scheduler.CyclicLR(_sgd(), [0.1, 0.2], 1.0, cycle_momentum=False), ValueError,
     "same length"),
    (lambda: ember.optim.lr_scheduler.MultiplicativeLR(_sgd(), 0.5), TypeError, "function"),
])
def test_bad_scheduler_arguments_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_composites_refuse_mismatched_parts():
    schedulers = ember.optim.lr_scheduler
    optimizer, other = _sgd(), _sgd()
    first, second = schedulers.StepLR(optimizer, 2), schedulers.ExponentialLR(optimizer, 0.9)
    with pytest.raises(ValueError, match="one more scheduler than milestones"):
        schedulers.SequentialLR(optimizer, [first, second], milestones=[2, 4])
    with pytest.raises(ValueError, match="same optimizer"):
        schedulers.SequentialLR(optimizer, [first, schedulers.StepLR(other, 2)], milestones=[2])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        schedulers.ChainedScheduler([first, schedulers.ReduceLROnPlateau(optimizer)])
    with pytest.raises(ValueError, match="at least one"):
        schedulers.ChainedScheduler([])
