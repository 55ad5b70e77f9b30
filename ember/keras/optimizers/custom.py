"""Keras 3's way to write an optimizer: subclass ``keras.optimizers.Optimizer`` with ``build`` and ``update_step``.

``build(var_list)`` calls ``super().build(var_list)`` then makes its slots
with ``add_variable_from_reference``; ``update_step(gradient, variable,
learning_rate)`` updates one variable with ``assign``/``assign_add``/
``assign_sub`` and Ember (or ``keras.ops``) operations. Clipping, weight decay,
EMA and schedules stay the base class's. The slots live in the update rule's
per-variable state, so a compiled ``fit`` step reads and writes them like any
optimizer state.

Example:
    >>> import ember
    >>> from ember import keras
    >>> class MomentumSGD(keras.optimizers.Optimizer):
    ...     def __init__(self, learning_rate=0.1, momentum=0.5, **kwargs):
    ...         super().__init__(learning_rate, **kwargs)
    ...         self.momentum = momentum
    ...     def build(self, var_list):
    ...         super().build(var_list)
    ...         self.velocities = [self.add_variable_from_reference(v, "velocity") for v in var_list]
    ...     def update_step(self, gradient, variable, learning_rate):
    ...         velocity = self.velocities[self._get_variable_index(variable)]
    ...         self.assign(velocity, self.momentum * velocity + gradient)
    ...         self.assign_sub(variable, learning_rate * velocity)
    >>> w = ember.nn.Parameter(ember.tensor([1.0]))
    >>> opt = MomentumSGD()
    >>> for _ in range(2):
    ...     opt.apply([ember.tensor([1.0])], [w])
    >>> round(float(w.detach()[0]), 4)  # 1 - 0.1 * 1 - 0.1 * 1.5
    0.75
"""
from __future__ import annotations

import ember
from ember.optim import Optimizer as _RuleBase


class UpdateStepRule(_RuleBase):
    """An ``ember.optim`` rule whose update of each variable is the Keras optimizer's ``update_step``."""

    def __init__(self, variables, owner, lr: float):
        super().__init__(variables, dict(lr=lr))
        self._owner = owner

    def _init_state(self, param, group) -> dict:
        return {}

    def _update_one(self, param, grad, group) -> None:
        self.state.setdefault(param, {})
        self._owner.update_step(grad, param, group["lr"])


def _write(variable, value, combine) -> None:
    """``variable``'s data replaced by ``combine(variable, value)`` in place (no graph recorded)."""
    with ember.no_grad():
        value = ember.as_tensor(value) if not isinstance(value, ember.Tensor) else value
        if value.dtype != variable.dtype:
            value = ember.cast(value, variable.dtype)
        combine(variable, value)


class UpdateStepMethods:
    """What a Keras optimizer subclass calls in ``build`` and ``update_step`` (mixed into the base class)."""

    def update_step(self, gradient, variable, learning_rate) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement update_step(gradient, variable, "
                                  "learning_rate) (or be one of keras.optimizers' built-in optimizers)")

    def _uses_update_step(self) -> bool:
        return type(self).update_step is not UpdateStepMethods.update_step

    def _slot_entry(self, variable) -> dict:
        if self.rule is None:
            raise ValueError(f"{type(self).__name__}: call super().build(var_list) before adding variables")
        return self.rule.state.setdefault(variable, {})

    def add_variable_from_reference(self, reference_variable, name: str | None = None, initializer="zeros"):
        """A slot of ``reference_variable``'s shape and dtype, kept in the rule's state for it."""
        from ..variables import Variable
        entry = self._slot_entry(reference_variable)
        name = name or f"slot_{len(entry)}"
        slot = Variable(initializer, shape=tuple(reference_variable.shape), dtype=reference_variable.dtype.name,
                        trainable=False, name=f"{getattr(reference_variable, 'name', 'variable')}_{name}")
        entry[name] = slot
        return slot

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation: str = "none", name=None):
        """A non-trainable optimizer variable (held in the state of the first variable)."""
        from ..variables import Variable
        entry = self._slot_entry(self.variables[0])
        name = name or f"variable_{len(entry)}"
        variable = Variable(initializer, shape=tuple(shape), dtype=dtype or "float32", trainable=False, name=name)
        entry[f"optimizer/{name}"] = variable
        return variable

    def _get_variable_index(self, variable) -> int:
        for index, candidate in enumerate(self.variables):
            if candidate is variable:
                return index
        raise KeyError(f"{variable!r} is not among the variables this optimizer was built for")

    def assign(self, variable, value) -> None:
        _write(variable, value, lambda target, source: target.copy_(source))

    def assign_add(self, variable, value) -> None:
        _write(variable, value, lambda target, source: target.add_(source))

    def assign_sub(self, variable, value) -> None:
        _write(variable, value, lambda target, source: target.sub_(source))
