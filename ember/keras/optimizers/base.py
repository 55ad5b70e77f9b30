"""The Keras optimizer: Keras's arguments and defaults around an ``ember.optim`` update rule.

A Keras optimizer is created before the model's weights exist
(``Adam(0.01)``), so it holds its hyperparameters until ``build(variables)``
creates the update rule (an :class:`ember.optim.Optimizer`). Each step then
does what Keras does around the rule: clip gradients (``clipnorm``,
``clipvalue``, ``global_clipnorm``), apply decoupled weight decay
(``var -= var * weight_decay * lr``), set the rate from a schedule, update.
``learning_rate`` reads and writes the rule's rate, which is what
``ReduceLROnPlateau`` and ``LearningRateScheduler`` change.

Example:
    >>> import ember
    >>> from ember import keras
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = keras.optimizers.SGD(learning_rate=0.1)
    >>> opt.apply([ember.tensor([1.0, 1.0])], [w])
    >>> w.detach().tolist(), opt.iterations
    ([0.8999999761581421, -2.0999999046325684], 1)
    >>> opt.learning_rate = 0.5; opt.learning_rate
    0.5
"""
from __future__ import annotations

import sys

import ember
from ember.nn import utils as nn_utils

from .. import constraints
from .custom import UpdateStepMethods, UpdateStepRule
from .schedules import LearningRateSchedule


class Optimizer(UpdateStepMethods):
    """Base class: built-in optimizers implement ``_make_rule(variables)``; user subclasses implement
    Keras's ``build``/``update_step`` (see :mod:`.custom`). Both list their options in ``get_config``."""

    def __init__(self, learning_rate=0.001, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name: str | None = None, **kwargs):
        if kwargs.pop("lr", None) is not None:
            raise ValueError("Argument `lr` is no longer supported; use `learning_rate` instead")
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected arguments {sorted(kwargs)}")
        if sum(option is not None for option in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set")
        if not 0 <= ema_momentum <= 1:
            raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}")
        self.use_ema, self.ema_momentum, self.ema_overwrite_frequency = use_ema, ema_momentum, ema_overwrite_frequency
        self.loss_scale_factor, self.gradient_accumulation_steps = loss_scale_factor, gradient_accumulation_steps
        if gradient_accumulation_steps:
            raise NotImplementedError("gradient_accumulation_steps is not supported by Ember's Keras optimizers")
        self._overwritten_at = 0
        self.name = name or type(self).__name__.lower()
        self.weight_decay, self.clipnorm, self.clipvalue = weight_decay, clipnorm, clipvalue
        self.global_clipnorm = global_clipnorm
        self._learning_rate = learning_rate
        self.rule: ember.optim.Optimizer | None = None
        self.variables: list = []
        self.iterations = 0

    # --- the update rule ----------------------------------------------------
    def _make_rule(self, variables: list) -> ember.optim.Optimizer:
        if self._uses_update_step():
            return UpdateStepRule(variables, self, self._current_rate())
        raise NotImplementedError(f"{type(self).__name__} must implement update_step(gradient, variable, "
                                  "learning_rate)")

    def build(self, variables) -> None:
        """Create the update rule for ``variables`` (the trainable weights)."""
        self.variables = list(variables)
        self.rule = self._make_rule(self.variables)
        self._set_rate(self._current_rate())
        # Create the per-variable state now (Keras builds its slots here too), so that a compiled
        # step only ever updates state: never creates it inside a trace.
        for group in self.rule.param_groups:
            for variable in group["params"]:
                if variable not in self.rule.state:
                    self.rule.state[variable] = self.rule._init_state(variable, group)
                if self.use_ema:  # the average, and whether it has started (Keras: the first step copies)
                    self.rule.state[variable]["ema"] = variable.detach().clone()
                    self.rule.state[variable]["ema_started"] = ember.zeros((), dtype=variable.dtype)
        checkpoints = sys.modules.get("ember.tf_compat.train")
        if checkpoints is not None and checkpoints._PENDING:  # tf.train.Checkpoint's deferred restoration
            checkpoints.restore_pending(self, "", None)

    @property
    def built(self) -> bool:
        return self.rule is not None

    # With param_groups, state and zero_grad, ember.function treats a Keras optimizer as an
    # optimizer: a compiled step that builds it on its first call (TensorFlow code calls
    # apply_gradients inside @tf.function) then keeps the state that call creates.
    @property
    def param_groups(self) -> list:
        return self.rule.param_groups if self.rule is not None else []

    @property
    def state(self) -> dict:
        if self.rule is not None:
            return self.rule.state
        if "_unbuilt_state" not in self.__dict__:
            self._unbuilt_state = {}
        return self._unbuilt_state

    def apply(self, grads, trainable_variables=None) -> None:
        """Update ``trainable_variables`` with ``grads`` (Keras 3's ``optimizer.apply``)."""
        variables = list(trainable_variables) if trainable_variables is not None else self.variables
        previous = [variable.grad for variable in variables]
        for variable, grad in zip(variables, grads):
            variable.grad = None if grad is None else ember.as_tensor(grad)
        if not self.built:
            self.build(variables)
        self.step()
        # The gradients were only this update's input: put back what .grad held (inside a compiled
        # step this also keeps symbolic gradients from outliving the trace on loose Variables).
        for variable, grad in zip(variables, previous):
            variable.grad = grad

    def apply_gradients(self, grads_and_vars) -> None:
        """Keras 2's spelling: an iterable of ``(gradient, variable)`` pairs."""
        pairs = list(grads_and_vars)
        self.apply([grad for grad, _ in pairs], [variable for _, variable in pairs])

    def minimize(self, loss, var_list, tape=None) -> None:
        """TensorFlow's spelling: differentiate ``loss`` and apply the gradients to ``var_list``.

        ``loss`` is a zero-argument callable (recorded here on a GradientTape) or a tensor
        recorded on ``tape``; ``var_list`` is a list of variables or a callable returning one.
        """
        from ember.tf_compat.tape import GradientTape
        if callable(loss):
            with GradientTape() as tape:
                loss = loss()
        elif tape is None:
            raise ValueError("minimize: `tape` is required when `loss` is a tensor, not a callable")
        variables = list(var_list() if callable(var_list) else var_list)
        self.apply_gradients(zip(tape.gradient(loss, variables), variables))

    def step(self) -> None:
        """One update from the gradients already in each variable's ``.grad``."""
        self.prepare_step()
        self.update()
        self.iterations += 1
        self._maybe_overwrite()

    # A compiled training step runs update() inside the graph; prepare_step() and the
    # iteration count are Python bookkeeping, done outside it by the trainer.
    def prepare_step(self) -> None:
        """Set this step's learning rate (from the schedule, if any) on the update rule.

        With ``ema_overwrite_frequency``, the variables take their moving averages once
        every that many steps: at the end of :meth:`step`, or here, before the next step, when
        a compiled ``fit`` step ran :meth:`update` alone.
        """
        self._set_rate(self._current_rate())
        self._maybe_overwrite()

    def _maybe_overwrite(self) -> None:
        """Every ``ema_overwrite_frequency`` steps, the variables take their averages (once per step)."""
        frequency = self.ema_overwrite_frequency
        if self.use_ema and frequency and self.iterations and self.iterations % frequency == 0 \
                and self._overwritten_at != self.iterations:
            self._overwritten_at = self.iterations
            self.finalize_variable_values(self.variables)

    def update(self) -> None:
        """Clip, decay and update the variables: only tensor operations, so it can be traced."""
        with ember.no_grad():
            self._clip()
            self._apply_weight_decay(self.rule.param_groups[0]["lr"])
            self.rule.step()
            constraints.apply_constraints(self.variables)
            if self.use_ema:
                self._update_moving_averages()

    def _apply_weight_decay(self, rate: float) -> None:
        """Keras's decoupled decay before the update: ``var -= var * weight_decay * lr``."""
        if self.weight_decay:
            for variable in self.variables:
                if variable.grad is not None:
                    variable.mul_(1.0 - rate * self.weight_decay)

    def _update_moving_averages(self) -> None:
        for variable in self.variables:
            state = self.rule.state[variable]
            momentum = state["ema_started"] * self.ema_momentum
            state["ema"].mul_(momentum).add_(variable * (1.0 - momentum))
            state["ema_started"].mul_(0.0).add_(1.0)

    def finalize_variable_values(self, var_list=None) -> None:
        """With ``use_ema``, set the variables to their moving averages (Keras does at the end of fit)."""
        if not self.use_ema or self.rule is None:
            return
        with ember.no_grad():
            for variable in var_list if var_list is not None else self.variables:
                state = self.rule.state.get(variable)
                if state is not None and "ema" in state:
                    variable.copy_(state["ema"])

    def zero_grad(self) -> None:
        for variable in self.variables:
            variable.grad = None

    def _clip(self) -> None:
        """Keras's clipping: ``g * c / max(norm, c)``, per gradient (clipnorm) or over all (global)."""
        grads = [v.grad for v in self.variables if v.grad is not None]
        if self.clipvalue is not None:
            nn_utils.clip_grad_value_([v for v in self.variables if v.grad is not None], self.clipvalue)
        elif self.clipnorm is not None:
            for grad in grads:
                grad.mul_(self.clipnorm / ember.clamp(ember.sqrt(ember.sum(grad * grad)), min=self.clipnorm))
        elif self.global_clipnorm is not None and grads:
            norm = ember.sqrt(sum(ember.sum(grad * grad) for grad in grads))
            scale = self.global_clipnorm / ember.clamp(norm, min=self.global_clipnorm)
            for grad in grads:
                grad.mul_(scale)

    # --- the learning rate --------------------------------------------------
    def _current_rate(self) -> float:
        if isinstance(self._learning_rate, LearningRateSchedule) or callable(self._learning_rate):
            return float(self._learning_rate(self.iterations))
        return float(self._learning_rate)

    def _set_rate(self, rate: float) -> None:
        if self.rule is not None:
            for group in self.rule.param_groups:
                group["lr"] = rate

    @property
    def learning_rate(self) -> float:
        return self._current_rate()

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError("This optimizer was created with a LearningRateSchedule; its rate cannot be set")
        self._learning_rate = float(value)
        self._set_rate(float(value))

    lr = learning_rate

    # --- config ---------------------------------------------------------------
    def get_config(self) -> dict:
        from .schedules import serialize
        rate = self._learning_rate
        return {"name": self.name, "learning_rate": serialize(rate) if isinstance(rate, LearningRateSchedule)
                else float(rate), "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config: dict) -> "Optimizer":
        from .schedules import deserialize
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<keras.optimizers.{type(self).__name__} learning_rate={self.learning_rate}>"
