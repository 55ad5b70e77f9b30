"""``MultiOptimizer`` and ``OptimizerMap``: different optimizers for different variables (Keras 3).

An :class:`OptimizerMap` maps variable paths (``'encoder/dense/kernel'``) to
optimizers by regular expressions matched against the whole path, with a
default for the rest; a :class:`MultiOptimizer` built from it (or from a
function ``variable -> optimizer``) gives each inner optimizer its variables.
Each inner optimizer keeps its own rate, schedule, clipping and state; the
compiled ``fit`` step sees all their states through one combined update rule.

Example:
    >>> from ember import keras
    >>> mapping = keras.optimizers.OptimizerMap(keras.optimizers.SGD(0.1), {"encoder/.*": keras.optimizers.Adam()})
    >>> type(mapping["encoder/dense/kernel"]).__name__, type(mapping["head/kernel"]).__name__
    ('Adam', 'SGD')
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="encoder"),
    ...                           keras.layers.Dense(1, name="head")])
    >>> optimizer = keras.optimizers.MultiOptimizer(mapping)
    >>> optimizer.build(model.trainable_weights)
    >>> [[v.path for v in inner.variables] for inner in optimizer.optimizers]
    [['head/kernel', 'head/bias'], ['encoder/kernel', 'encoder/bias']]
"""
from __future__ import annotations

import re
from collections.abc import MutableMapping

from .base import Optimizer
from .loss_scale import LossScaleOptimizer


class OptimizerMap(MutableMapping):
    """Optimizers by variable path (exact, or a regular expression matching the whole path), with a default."""

    def __init__(self, default_optimizer: Optimizer, optimizer_map: dict | None = None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(f"default_optimizer must be a Keras Optimizer instance. Received: {default_optimizer}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: {optimizer_map}")
        self._default_optimizer, self._optimizer_map = default_optimizer, {}
        for key, optimizer in (optimizer_map or {}).items():
            self[key] = optimizer

    @property
    def default_optimizer(self) -> Optimizer:
        return self._default_optimizer

    def __getitem__(self, key: str) -> Optimizer:
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matches = [pattern for pattern in self._optimizer_map if re.fullmatch(pattern, key)]
        if len(matches) > 1:
            raise ValueError(f"Multiple optimizers assigned to variable {key}.")
        return self._optimizer_map[matches[0]] if matches else self._default_optimizer

    def __setitem__(self, key: str, optimizer: Optimizer) -> None:
        if key in self._optimizer_map:
            raise ValueError(f"'{key}' already exists in the OptimizerMap with value {self._optimizer_map[key]}. "
                             "Please make sure to not use duplicated keys.")
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key}")
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"optimizer must be a Keras Optimizer instance. Received: {optimizer}")
        if isinstance(optimizer, (LossScaleOptimizer, MultiOptimizer)):
            raise ValueError(f"optimizer cannot be {type(optimizer).__name__}.")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key: str) -> None:
        del self._optimizer_map[key]

    def __len__(self) -> int:
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable) -> Optimizer:
        return self[getattr(variable, "path", None) or getattr(variable, "name", "")]

    def get_config(self) -> dict:
        from . import serialize
        return {"default_optimizer": serialize(self._default_optimizer),
                "optimizer_map": {key: serialize(value) for key, value in self._optimizer_map.items()}}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> "OptimizerMap":
        from . import deserialize
        return cls(deserialize(config["default_optimizer"]),
                   {key: deserialize(value) for key, value in config["optimizer_map"].items()})


class _CombinedRule:
    """The inner optimizers' update rules seen as one (what a compiled step reads and writes)."""

    def __init__(self, optimizers: list):
        self._rules = [optimizer.rule for optimizer in optimizers]

    @property
    def param_groups(self) -> list:
        return [group for rule in self._rules for group in rule.param_groups]

    @property
    def state(self) -> dict:
        return {variable: entries for rule in self._rules for variable, entries in rule.state.items()}

    def zero_grad(self, set_to_none: bool = True) -> None:
        for rule in self._rules:
            rule.zero_grad(set_to_none)


class MultiOptimizer(Optimizer):
    """Delegates each variable to the optimizer an :class:`OptimizerMap` (or a function) picks for it."""

    def __init__(self, optimizer_map, loss_scale_factor=None, name: str | None = None):
        self._inner: list = []
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        if not isinstance(optimizer_map, OptimizerMap) and not callable(optimizer_map):
            raise TypeError(f"optimizer_map must be an OptimizerMap or a callable; received {optimizer_map!r}")
        self.optimizer_map = optimizer_map
        if isinstance(optimizer_map, OptimizerMap):
            for optimizer in [optimizer_map.default_optimizer, *optimizer_map.values()]:
                self._add_inner(optimizer)

    def _add_inner(self, optimizer: Optimizer) -> None:
        if not any(optimizer is known for known in self._inner):
            if self.loss_scale_factor is not None:
                optimizer.loss_scale_factor = self.loss_scale_factor
            self._inner.append(optimizer)

    @property
    def optimizers(self) -> list:
        """The inner optimizers that have variables (all of a map's, before ``build``)."""
        return [optimizer for optimizer in self._inner if optimizer.variables or self.rule is None]

    def build(self, variables) -> None:
        self.variables = list(variables)
        assigned: dict[int, list] = {}
        for variable in self.variables:
            optimizer = self.optimizer_map(variable)
            if not isinstance(optimizer, Optimizer) or isinstance(optimizer, (LossScaleOptimizer, MultiOptimizer)):
                raise ValueError(f"The optimizer chosen for {getattr(variable, 'path', variable)!r} must be a plain "
                                 f"Keras optimizer; received {optimizer!r}")
            self._add_inner(optimizer)
            assigned.setdefault(id(optimizer), []).append(variable)
        for optimizer in self._inner:
            optimizer.build(assigned.get(id(optimizer), []))
        self.rule = _CombinedRule([optimizer for optimizer in self._inner if optimizer.variables])

    def prepare_step(self) -> None:
        for optimizer in self.optimizers:
            optimizer.prepare_step()

    def update(self) -> None:
        for optimizer in self.optimizers:
            optimizer.update()

    def step(self) -> None:
        for optimizer in self.optimizers:
            optimizer.step()
        self._iterations += 1

    def zero_grad(self) -> None:
        for optimizer in self.optimizers:
            optimizer.zero_grad()

    def finalize_variable_values(self, var_list=None) -> None:
        for optimizer in self.optimizers:
            optimizer.finalize_variable_values()

    @property
    def iterations(self) -> int:
        return self._iterations

    @iterations.setter
    def iterations(self, value: int) -> None:
        # fit counts steps on the outer optimizer; each inner one needs the count for its schedule
        self._iterations = value
        for optimizer in getattr(self, "_inner", []):
            optimizer.iterations = value

    @property
    def learning_rate(self):
        raise AttributeError("MultiOptimizer has no single learning rate: read it from each of "
                             "`optimizer.optimizers`")

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        raise AttributeError("MultiOptimizer has no single learning rate: set it on each of `optimizer.optimizers`")

    def get_config(self) -> dict:
        if not isinstance(self.optimizer_map, OptimizerMap):
            raise NotImplementedError("A MultiOptimizer built from a function cannot be serialized; use an "
                                      "OptimizerMap")
        return {"name": self.name, "optimizer_map": self.optimizer_map.get_config(),
                "loss_scale_factor": self.loss_scale_factor}

    @classmethod
    def from_config(cls, config: dict) -> "MultiOptimizer":
        return cls(OptimizerMap.from_config(config["optimizer_map"]), config.get("loss_scale_factor"),
                   config.get("name"))

    def __repr__(self) -> str:
        return f"<keras.optimizers.MultiOptimizer optimizers={[type(o).__name__ for o in self.optimizers]}>"
