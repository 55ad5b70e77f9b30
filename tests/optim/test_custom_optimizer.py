"""An optimizer written the PyTorch way (subclass, own ``step``) runs on Ember with the import changed."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember


def _momentum_sgd_class(library):
    """The pattern of PyTorch's tutorials and many research repositories, verbatim but for ``library``."""
    class MomentumSGD(library.optim.Optimizer):
        def __init__(self, params, lr=0.01, momentum=0.9, weight_decay=0.0):
            if lr < 0.0:
                raise ValueError(f"Invalid learning rate: {lr}")
            super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))

        @library.no_grad()
        def step(self, closure=None):
            loss = None
            if closure is not None:
                with library.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    d_p = p.grad
                    if group["weight_decay"] != 0:
                        d_p = d_p.add(p, alpha=group["weight_decay"])
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        buf = state["momentum_buffer"] = library.clone(d_p).detach()
                    else:
                        buf = state["momentum_buffer"]
                        buf.mul_(group["momentum"]).add_(d_p)
                    p.add_(buf, alpha=-group["lr"])
            return loss
    return MomentumSGD


def test_a_pytorch_style_optimizer_subclass_follows_pytorch(problem):
    mine, theirs = problem.both_sides(seed=14)
    ember_opt = _momentum_sgd_class(ember)(mine.params, lr=0.05, weight_decay=0.01)
    torch_opt = _momentum_sgd_class(torch)(theirs.params, lr=0.05, weight_decay=0.01)
    for step in range(20):
        mine.train_step(ember_opt)
        theirs.train_step(torch_opt)
        problem.assert_same_params(mine, theirs, step)
    ours, reference = ember_opt.state_dict(), torch_opt.state_dict()
    assert ours["param_groups"] == reference["param_groups"]
    np.testing.assert_allclose(ours["state"][0]["momentum_buffer"].numpy(),
                               reference["state"][0]["momentum_buffer"].numpy(), rtol=1e-10)


def test_schedulers_drive_a_custom_optimizer_too():
    optimizer = _momentum_sgd_class(ember)([ember.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = ember.optim.lr_scheduler.CyclicLR(optimizer, 0.1, 1.0, step_size_up=2)
    for _ in range(2):
        scheduler.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(1.0)
    assert optimizer.param_groups[0]["momentum"] == pytest.approx(0.8)


def _warmup_class(library):
    class LinearWarmup(library.optim.lr_scheduler._LRScheduler):
        def __init__(self, optimizer, warmup, last_epoch=-1):
            self.warmup = warmup
            super().__init__(optimizer, last_epoch)

        def get_lr(self):
            return [base_lr * min(1.0, (self.last_epoch + 1) / self.warmup) for base_lr in self.base_lrs]
    return LinearWarmup


def test_a_pytorch_style_scheduler_subclass_follows_pytorch():
    rates = []
    for library in (ember, torch):
        optimizer = library.optim.SGD([library.zeros(1, requires_grad=True)], lr=0.5)
        scheduler = _warmup_class(library)(optimizer, warmup=4)
        trace = []
        for _ in range(6):
            optimizer.step()
            scheduler.step()
            trace.append((scheduler.get_last_lr()[0], scheduler.last_epoch, scheduler.state_dict()["warmup"]))
        rates.append(trace)
    assert rates[0] == rates[1]
