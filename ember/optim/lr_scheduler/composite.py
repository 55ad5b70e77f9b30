"""Schedulers made of schedulers: one after another (``SequentialLR``) or all at once (``ChainedScheduler``)."""
from __future__ import annotations

from bisect import bisect_right
from typing import Any, Sequence

from ..optimizer import Optimizer
from .base import LRScheduler
from .plateau import ReduceLROnPlateau


class SequentialLR(LRScheduler):
    """Run ``schedulers[i]`` from ``milestones[i - 1]`` on; each starts afresh at its milestone.

    Example:
        >>> import ember
        >>> from ember.optim import lr_scheduler
        >>> opt = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=1.0)
        >>> warmup = lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
        >>> decay = lr_scheduler.ExponentialLR(opt, gamma=0.5)
        >>> scheduler = lr_scheduler.SequentialLR(opt, [warmup, decay], milestones=[2])
        >>> rates = [scheduler.get_last_lr()[0]]
        >>> for _ in range(4): scheduler.step(); rates.append(scheduler.get_last_lr()[0])
        >>> rates
        [0.5, 0.75, 1.0, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler], milestones: list[int],
                 last_epoch: int = -1):
        _check_schedulers(type(self).__name__, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError("SequentialLR expects one more scheduler than milestones, but got "
                             f"{len(schedulers)} schedulers and {len(milestones)} milestones")
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # the schedulers' constructors each took a step; undo them and start the first one afresh
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        _undo_steps(self)
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self) -> None:  # type: ignore[override]
        """Advance one epoch with the scheduler whose turn it is (restarting it at its milestone)."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        return _composite_state(self)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        _load_composite_state(self, state_dict)


class ChainedScheduler(LRScheduler):
    """Step every scheduler in ``schedulers`` at each ``step()``, so their factors compose.

    Example:
        >>> import ember
        >>> from ember.optim import lr_scheduler
        >>> opt = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=1.0)
        >>> scheduler = lr_scheduler.ChainedScheduler([lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2),
        ...                                            lr_scheduler.ExponentialLR(opt, gamma=0.9)])
        >>> rates = [scheduler.get_last_lr()[0]]
        >>> for _ in range(3): scheduler.step(); rates.append(round(scheduler.get_last_lr()[0], 6))
        >>> rates
        [0.5, 0.45, 0.81, 0.729]
    """

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None):
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler expects at least one scheduler to be chained, but got none")
        optimizer = optimizer or schedulers[0].optimizer
        _check_schedulers(type(self).__name__, optimizer, schedulers)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = self._current()

    def step(self) -> None:  # type: ignore[override]
        """Step each scheduler in turn."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._current()

    def state_dict(self) -> dict[str, Any]:
        return _composite_state(self)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        _load_composite_state(self, state_dict)


def _check_schedulers(name: str, optimizer, schedulers) -> None:
    if len(schedulers) < 1:
        raise ValueError(f"{name} expects at least one scheduler, but got none")
    for number, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{name}: the scheduler at index {number} should have `optimizer` as its attribute")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{name} does not support `ReduceLROnPlateau` (at index {number}): its step() "
                             "needs the metric")
        if scheduler.optimizer is not optimizer:
            raise ValueError(f"{name} expects all schedulers to belong to the same optimizer, but the "
                             f"{type(scheduler).__name__} at index {number} has another one")


def _undo_steps(scheduler) -> None:
    """Take back the constructor's step of every scheduler inside ``scheduler``, nested ones too."""
    for inner in scheduler._schedulers:
        if hasattr(inner, "_schedulers"):
            _undo_steps(inner)
        elif hasattr(inner, "last_epoch"):
            inner.last_epoch -= 1


def _composite_state(scheduler) -> dict[str, Any]:
    state = {key: value for key, value in scheduler.__dict__.items() if key not in ("optimizer", "_schedulers")}
    state["_schedulers"] = [inner.state_dict() for inner in scheduler._schedulers]
    return state


def _load_composite_state(scheduler, state_dict: dict[str, Any]) -> None:
    state = dict(state_dict)
    inner_states = state.pop("_schedulers")
    scheduler.__dict__.update(state)
    for inner, saved in zip(scheduler._schedulers, inner_states):
        inner.load_state_dict(saved)
