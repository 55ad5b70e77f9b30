"""Learning-rate schedules: ``schedule(step)`` gives the rate for optimizer step ``step``.

Example:
    >>> from ember.keras.optimizers import schedules
    >>> decay = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> decay(0), decay(10), round(decay(5), 4)
    (0.1, 0.05, 0.0707)
    >>> schedules.PiecewiseConstantDecay([100], [0.1, 0.01])(150)
    0.01
"""
from __future__ import annotations

import bisect
import math


class LearningRateSchedule:
    """Base class: ``__call__(step) -> float`` and ``get_config``."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict:
        return dict(vars(self))

    @classmethod
    def from_config(cls, config: dict) -> "LearningRateSchedule":
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False, name: str | None = None):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step: int) -> float:
        progress = step / self.decay_steps
        return self.initial_learning_rate * self.decay_rate ** (math.floor(progress) if self.staircase else progress)


class InverseTimeDecay(ExponentialDecay):
    def __call__(self, step: int) -> float:
        progress = step / self.decay_steps
        return self.initial_learning_rate / (1 + self.decay_rate * (math.floor(progress) if self.staircase else progress))


class PiecewiseConstantDecay(LearningRateSchedule):
    def __init__(self, boundaries, values, name: str | None = None):
        if len(values) != len(boundaries) + 1:
            raise ValueError("The length of `values` must be one more than the length of `boundaries`")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step: int) -> float:
        return self.values[bisect.bisect_left(self.boundaries, step)]


class CosineDecay(LearningRateSchedule):
    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 name: str | None = None, warmup_target: float | None = None, warmup_steps: int = 0):
        self.initial_learning_rate, self.decay_steps, self.alpha = initial_learning_rate, decay_steps, alpha
        self.name, self.warmup_target, self.warmup_steps = name, warmup_target, warmup_steps

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps and self.warmup_target is not None:
            return self.initial_learning_rate + (self.warmup_target - self.initial_learning_rate) * step / self.warmup_steps
        start = self.warmup_target if self.warmup_target is not None else self.initial_learning_rate
        progress = min(step - self.warmup_steps, self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1 + math.cos(math.pi * progress))
        return start * ((1 - self.alpha) * cosine + self.alpha)


_CLASSES = {cls.__name__: cls for cls in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, CosineDecay)}


def serialize(schedule: LearningRateSchedule) -> dict:
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict) -> LearningRateSchedule:
    return _CLASSES[config["class_name"]].from_config(config["config"])
