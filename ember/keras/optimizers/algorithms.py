"""The Keras optimizers, each naming its update rule and Keras's defaults.

Each names its update rule (Keras's formulas, in :mod:`.rules`, on the
``ember.optim`` optimizer base) and Keras's defaults; weight decay, clipping
and schedules are the base class's.

Example:
    >>> from ember import keras
    >>> opt = keras.optimizers.Adam()
    >>> opt.learning_rate, opt.epsilon, opt.beta_1
    (0.001, 1e-07, 0.9)
    >>> keras.optimizers.AdamW().weight_decay
    0.004
"""
from __future__ import annotations

import re

from .base import Optimizer
from .rules import KerasAdagrad, KerasAdam, KerasRMSprop, KerasSGD
from .rules_more import KerasAdadelta, KerasAdamax, KerasFtrl, KerasLion, KerasNadam
from .rules_factored import KerasAdafactor, KerasLamb
from .rules_muon import KerasMuon
from .rules_schedule_free import KerasScheduleFreeAdamW


class SGD(Optimizer):
    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum, self.nesterov = momentum, nesterov

    def _make_rule(self, variables):
        return KerasSGD(variables, lr=self.learning_rate, momentum=self.momentum, nesterov=self.nesterov)

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def _make_rule(self, variables):
        return KerasAdam(variables, lr=self.learning_rate, betas=(self.beta_1, self.beta_2),
                         eps=self.epsilon, amsgrad=self.amsgrad)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (Keras's default 0.004)."""

    def __init__(self, learning_rate=0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs)


class RMSprop(Optimizer):
    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-7,
                 centered: bool = False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def _make_rule(self, variables):
        return KerasRMSprop(variables, lr=self.learning_rate, rho=self.rho, eps=self.epsilon,
                            momentum=self.momentum, centered=self.centered)

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    def __init__(self, learning_rate=0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _make_rule(self, variables):
        return KerasAdagrad(variables, lr=self.learning_rate,
                            initial_accumulator_value=self.initial_accumulator_value, eps=self.epsilon)

    def get_config(self) -> dict:
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    def __init__(self, learning_rate=0.001, rho: float = 0.95, epsilon: float = 1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def _make_rule(self, variables):
        return KerasAdadelta(variables, lr=self.learning_rate, rho=self.rho, eps=self.epsilon)

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adamax(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def _make_rule(self, variables):
        return KerasAdamax(variables, lr=self.learning_rate, betas=(self.beta_1, self.beta_2), eps=self.epsilon)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class Nadam(Adamax):
    def _make_rule(self, variables):
        return KerasNadam(variables, lr=self.learning_rate, betas=(self.beta_1, self.beta_2), eps=self.epsilon)


class Lion(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.99, **kwargs):
        super().__init__(learning_rate, **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(f"Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                             f"degenerates to SignSGD. Received: beta_1={beta_1}.")
        self.beta_1, self.beta_2 = beta_1, beta_2

    def _make_rule(self, variables):
        return KerasLion(variables, lr=self.learning_rate, betas=(self.beta_1, self.beta_2))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}


class Ftrl(Optimizer):
    def __init__(self, learning_rate=0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, l2_shrinkage_regularization_strength: float = 0.0,
                 beta: float = 0.0, **kwargs):
        super().__init__(learning_rate, **kwargs)
        checks = {"initial_accumulator_value": initial_accumulator_value,
                  "l1_regularization_strength": l1_regularization_strength,
                  "l2_regularization_strength": l2_regularization_strength,
                  "l2_shrinkage_regularization_strength": l2_shrinkage_regularization_strength,
                  "-learning_rate_power": -learning_rate_power}
        for name, value in checks.items():
            if value < 0:
                raise ValueError(f"`{name.lstrip('-')}` needs to be "
                                 f"{'negative' if name.startswith('-') else 'positive'} or zero. "
                                 f"Received: {name.lstrip('-')}={-value if name.startswith('-') else value}.")
        self.learning_rate_power, self.initial_accumulator_value = learning_rate_power, initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def _make_rule(self, variables):
        return KerasFtrl(variables, lr=self.learning_rate, learning_rate_power=self.learning_rate_power,
                         initial_accumulator_value=self.initial_accumulator_value,
                         l1=self.l1_regularization_strength, l2=self.l2_regularization_strength,
                         l2_shrinkage=self.l2_shrinkage_regularization_strength, beta=self.beta)

    def get_config(self) -> dict:
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}


class Adafactor(Optimizer):
    """Adafactor: factored second moments for matrices, relative step sizes (Keras 3's defaults)."""

    def __init__(self, learning_rate=0.001, beta_2_decay: float = -0.8, epsilon_1: float = 1e-30,
                 epsilon_2: float = 1e-3, clip_threshold: float = 1.0, relative_step: bool = True, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_2_decay, self.epsilon_1, self.epsilon_2 = beta_2_decay, epsilon_1, epsilon_2
        self.clip_threshold, self.relative_step = clip_threshold, relative_step

    def _make_rule(self, variables):
        # Keras applies the relative step only to a constant rate, not to a schedule.
        relative = self.relative_step and not callable(self._learning_rate)
        return KerasAdafactor(variables, lr=self.learning_rate, beta_2_decay=self.beta_2_decay,
                              epsilon_1=self.epsilon_1, epsilon_2=self.epsilon_2,
                              clip_threshold=self.clip_threshold, relative_step=relative)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                "relative_step": self.relative_step}


class Lamb(Optimizer):
    """Lamb: Adam scaled per variable by the trust ratio ``||w|| / ||update||``."""

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def _make_rule(self, variables):
        return KerasLamb(variables, lr=self.learning_rate, betas=(self.beta_1, self.beta_2), eps=self.epsilon)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class Muon(Optimizer):
    """Muon: orthogonalized momentum for 2-D weights, AdamW for the rest (Keras 3's defaults and rules)."""

    def __init__(self, learning_rate=0.001, adam_beta_1: float = 0.9, adam_beta_2: float = 0.999,
                 adam_weight_decay: float = 0.004, epsilon: float = 1e-7, weight_decay: float = 0.004,
                 exclude_layers=None, exclude_embeddings: bool = True, muon_a: float = 3.4445,
                 muon_b: float = -4.7750, muon_c: float = 2.0315, adam_lr_ratio: float = 1,
                 momentum: float = 0.95, ns_steps: int = 5, nesterov: bool = True, rms_rate=0.2, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, **kwargs)
        self.adam_beta_1, self.adam_beta_2, self.adam_weight_decay = adam_beta_1, adam_beta_2, adam_weight_decay
        self.epsilon, self.exclude_embeddings = epsilon, exclude_embeddings
        self.exclude_layers = list(exclude_layers or [])
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.adam_lr_ratio, self.momentum, self.ns_steps = adam_lr_ratio, momentum, ns_steps
        self.nesterov, self.rms_rate = nesterov, rms_rate

    def _uses_adam(self, variable) -> bool:
        """Keras's rule: AdamW unless a 2-D weight outside embeddings and the excluded layers."""
        path = getattr(variable, "path", "") or ""
        return len(variable.shape) != 2 or (self.exclude_embeddings and "embedding" in path.lower()) or \
            any(re.search(keyword, path) for keyword in self.exclude_layers)

    def _make_rule(self, variables):
        groups = [{"params": [variable], "use_adam": self._uses_adam(variable)} for variable in variables]
        return KerasMuon(groups, lr=self.learning_rate, betas=(self.adam_beta_1, self.adam_beta_2), eps=self.epsilon,
                         momentum=self.momentum, nesterov=self.nesterov, ns_steps=self.ns_steps,
                         ns_coefficients=(self.muon_a, self.muon_b, self.muon_c), adam_lr_ratio=self.adam_lr_ratio,
                         rms_rate=self.rms_rate)

    def _apply_weight_decay(self, rate: float) -> None:
        for variable in self.variables:
            decay = self.adam_weight_decay if self._uses_adam(variable) else self.weight_decay
            if decay is not None and variable.grad is not None:
                variable.mul_(1.0 - rate * decay)

    def get_config(self) -> dict:
        return {**super().get_config(), "adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2,
                "epsilon": self.epsilon, "exclude_layers": self.exclude_layers, "muon_a": self.muon_a,
                "muon_b": self.muon_b, "muon_c": self.muon_c, "adam_lr_ratio": self.adam_lr_ratio,
                "momentum": self.momentum, "ns_steps": self.ns_steps, "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings, "adam_weight_decay": self.adam_weight_decay,
                "rms_rate": self.rms_rate}


class ScheduleFreeAdamW(Optimizer):
    """Schedule-free AdamW: weights interpolated between Adam iterates and their running average."""

    def __init__(self, learning_rate=0.0025, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8,
                 warmup_steps: int = 0, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.warmup_steps = beta_1, beta_2, epsilon, warmup_steps

    def _make_rule(self, variables):
        return KerasScheduleFreeAdamW(variables, lr=self.learning_rate, betas=(self.beta_1, self.beta_2),
                                      eps=self.epsilon, warmup_steps=self.warmup_steps)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "warmup_steps": self.warmup_steps}
