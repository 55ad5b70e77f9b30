"""``compile``, ``fit``, ``evaluate``, ``predict``: one loop, three modes.

The loop (:meth:`Trainer._run_epoch`) goes through batches, calls a step
function and the callbacks' batch hooks; ``fit`` runs it per epoch in
``"train"`` mode (then ``evaluate`` for validation), ``evaluate`` once in
``"test"`` mode, ``predict`` once in ``"predict"`` mode. History and the
progress bar are ordinary callbacks.

The training step is split so it can be compiled: :meth:`Trainer._train_core`
is a plain function of tensors (forward, loss, backward, optimizer update)
that ``ember.function`` wraps unless ``run_eagerly=True`` (or until
``ember.function`` exists); metrics are updated afterwards in NumPy from the
predictions it returns.

Example:
    >>> import numpy as np, ember
    >>> from ember import keras
    >>> ember.manual_seed(0)  # doctest: +ELLIPSIS
    <...>
    >>> model = keras.Sequential([keras.layers.Dense(1)])
    >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    >>> x = np.linspace(-1, 1, 64).reshape(-1, 1); y = 3 * x
    >>> history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    >>> history.history["loss"][-1] < 0.01 * history.history["loss"][0]
    True
    >>> round(float(model.predict(np.array([[1.0]]), verbose=0)[0, 0]), 1)
    3.0
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import warnings

import numpy

import ember

from . import optimizers, placement
from .callbacks.callback import CallbackList
from .compile_utils import CompileLoss, CompileMetrics, flatten_targets
from .data_adapter import DataHandler, is_array_data, split_arrays, unpack
from .metrics import Mean
from .utils import tree


class Trainer:
    """The training half of ``keras.Model``: mixed into Model, which supplies ``__call__``."""

    def _init_trainer(self) -> None:
        self._step_functions: dict = {}
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self.run_eagerly = False
        self._compile_loss = self._compile_metrics = None
        self._loss_tracker = Mean(name="loss")
        self._output_loss_trackers: list = []

    # --- compile --------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly: bool = False, steps_per_execution: int = 1, jit_compile="auto",
                auto_scale_loss: bool = True) -> None:
        """Choose the optimizer, loss and metrics (Keras's arguments and defaults).

        ``jit_compile=True`` compiles the steps on Ember's numba path (fused loop
        kernels and compiled regions, as ``ember.function(numba=True)``), where
        Keras would use XLA; it needs the optional numba package. The default
        ``"auto"`` compiles them to NumPy code.
        """
        if jit_compile is True:
            from ..graph import kernels
            if not kernels.available():
                raise ValueError("compile(jit_compile=True) needs the optional numba package: "
                                 "pip install 'ember[numba]' (or pass jit_compile='auto')")
        self.jit_compile = jit_compile
        self.optimizer = optimizers.get(optimizer)
        if auto_scale_loss and getattr(self, "_dtype_policy", None) is not None and \
                self._dtype_policy.name == "mixed_float16" and \
                not isinstance(self.optimizer, optimizers.LossScaleOptimizer):
            self.optimizer = optimizers.LossScaleOptimizer(self.optimizer, name="loss_scale_optimizer")
        self.loss = loss
        names = self.output_names
        self._compile_loss = CompileLoss(loss, loss_weights, names) if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics, names)
        self._output_loss_trackers = [Mean(name=f"{name}_loss") for name in names] if len(names) > 1 else []
        self._step_functions = {}
        self.run_eagerly = run_eagerly
        self.compiled = True

    @property
    def run_eagerly(self) -> bool:
        """False (the default): the steps are compiled with ``ember.function``; True: plain Python."""
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value: bool) -> None:
        self._run_eagerly = bool(value)
        self._step_functions = {}  # the next step is made anew, compiled or not

    def _assert_compiled(self, method: str) -> None:
        if not getattr(self, "compiled", False):
            raise RuntimeError(f"You must call `compile()` before calling `{method}()`.")

    @property
    def output_names(self) -> list[str]:
        return ["output"]

    @property
    def metrics(self) -> list:
        """The loss tracker(s) and the compiled metrics (Keras's ``model.metrics``)."""
        compiled = self._compile_metrics.metrics if self._compile_metrics is not None else []
        if self._compile_metrics is not None and not self._compile_metrics.built and \
                any(spec for spec in self._compile_metrics._specs):
            # Not built yet (that needs a batch): Keras's "compile_metrics" container stands in, so a
            # custom train_step's `for metric in self.metrics: metric.update_state(y, y_pred)` builds it.
            compiled = [_UnbuiltCompileMetrics(self)]
        return [self._loss_tracker, *self._output_loss_trackers, *compiled]

    @property
    def metrics_names(self) -> list[str]:
        return [metric.name for metric in self.metrics if not isinstance(metric, _UnbuiltCompileMetrics)]

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    # --- the steps ------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training: bool = True):
        """The compiled loss plus every regularization penalty (``self.losses``)."""
        if self._compile_loss is None:
            total, parts = None, []
        else:
            names = self.output_names
            total, parts = self._compile_loss(flatten_targets(y, names), flatten_targets(y_pred, names),
                                              sample_weight)
        for penalty in self.losses:
            total = penalty if total is None else total + penalty
        for layer in self.modules():  # added losses are spent: none may outlive a compiled trace
            if hasattr(layer, "_added_losses"):
                layer._added_losses = []
        if total is None:
            raise ValueError("The model has no loss to optimize: pass `loss=` to compile() or add losses "
                             "with add_loss()")
        self._last_loss_parts = parts
        return total

    def _train_core(self, x, y, sample_weight):
        """Forward, loss, backward and update: the part ``ember.function`` may compile."""
        y_pred = self(x, training=True)
        loss = self._compute_loss(x, y, y_pred, sample_weight, training=True)
        self.optimizer.zero_grad()
        scale_loss = getattr(self.optimizer, "scale_loss", None)  # a LossScaleOptimizer's
        (loss if scale_loss is None else scale_loss(loss)).backward()
        self.optimizer.update()
        # No gradients are kept between steps: less memory, and every compiled call then sees
        # the same state (one trace, not one for the first step and one for the rest).
        self.optimizer.zero_grad()
        return _detached((loss, self._last_loss_parts, y_pred))

    def _test_core(self, x, y, sample_weight):
        y_pred = self(x, training=False)
        return self._compute_loss(x, y, y_pred, sample_weight, training=False), self._last_loss_parts, y_pred

    def _compute_loss(self, x, y, y_pred, sample_weight, training: bool):
        """``compute_loss``, also when a subclass overrides it without ``training`` (keras.io's
        ``compute_loss(self, x, y, y_pred, sample_weight, allow_empty=False)``), as Keras calls it.
        Per-output losses are reported only when the base method runs (it sets them)."""
        self._last_loss_parts = []
        if _takes_training(type(self).compute_loss):
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def _predict_core(self, x):
        return self(x, training=False)

    def _prepare_optimizer(self, x) -> None:
        """Build the model (a subclass builds on its first call) and the optimizer for its weights."""
        if not self.built or not self.weights:
            with ember.no_grad():
                self(x, training=False)
        weights = self.trainable_weights
        if not self.optimizer.built or [id(w) for w in self.optimizer.variables] != [id(w) for w in weights]:
            self.optimizer.build(weights)
            self._step_functions.pop("train", None)
        self.optimizer.prepare_step()

    def _step_function(self, mode: str):
        """The core function for ``mode``, compiled with ``ember.function`` unless running eagerly."""
        if mode not in self._step_functions:
            core = {"train": self._train_core, "test": self._test_core, "predict": self._predict_core}[mode]
            self._step_functions[mode] = core if self._runs_eagerly() else \
                CompiledStep(core, self, self.optimizer, numba=getattr(self, "jit_compile", "auto") is True)
        return self._step_functions[mode]

    def _runs_eagerly(self) -> bool:
        # A rate that changes every step would retrace the compiled step every step.
        schedule = isinstance(getattr(self.optimizer, "_learning_rate", None), optimizers.schedules.LearningRateSchedule)
        # Dynamic loss scaling skips a step on its gradients' values: Python control flow.
        scaled = isinstance(self.optimizer, optimizers.LossScaleOptimizer)
        return self.run_eagerly or schedule or scaled or getattr(ember, "function", None) is None

    def train_step(self, data) -> dict:
        """One optimization step on a batch; returns the running logs (override to customize)."""
        x, y, sample_weight = unpack(data)
        self._prepare_optimizer(x)
        loss, parts, y_pred = self._step_function("train")(x, y, sample_weight)
        if not getattr(self.optimizer, "step_skipped", False):  # a loss-scaled step that overflowed
            self.optimizer.iterations += 1
        return self._update_logs(loss, parts, x, y, y_pred, sample_weight)

    def test_step(self, data) -> dict:
        x, y, sample_weight = unpack(data)
        with ember.no_grad():
            loss, parts, y_pred = self._step_function("test")(x, y, sample_weight)
        return self._update_logs(loss, parts, x, y, y_pred, sample_weight)

    def predict_step(self, data):
        x, _, _ = unpack(data)
        with ember.no_grad():
            return self._step_function("predict")(x)

    def _update_logs(self, loss, parts, x, y, y_pred, sample_weight) -> dict:
        batch = len(tree.flatten(x)[0])
        self._loss_tracker.update_state(float(loss), sample_weight=batch)
        for tracker, part in zip(self._output_loss_trackers, parts):
            if part is not None:
                tracker.update_state(float(part), sample_weight=batch)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    # TensorFlow-backend Keras's spellings in custom train_step code (deprecated there, still common).
    def compiled_loss(self, y, y_pred, sample_weight=None, regularization_losses=None):
        """``compute_loss(y=y, y_pred=y_pred)``; the regularization losses are included there."""
        return self.compute_loss(None, y, y_pred, sample_weight)

    @property
    def compiled_metrics(self):
        """An object whose ``update_state(y, y_pred)`` updates the compiled metrics."""
        model = self

        class CompiledMetrics:
            def update_state(self, y, y_pred, sample_weight=None):
                if model._compile_metrics is not None:
                    names = model.output_names
                    predictions = [p.detach() for p in flatten_targets(y_pred, names)]
                    model._compile_metrics.update_state(flatten_targets(y, names), predictions, sample_weight)

            @property
            def metrics(self):
                return [] if model._compile_metrics is None else list(model._compile_metrics.metrics)
        return CompiledMetrics()

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Update the compiled metrics with a batch and return every metric's running value."""
        if y is not None and self._compile_metrics is not None:
            names = self.output_names
            predictions = [p.detach() for p in flatten_targets(y_pred, names)]
            self._compile_metrics.update_state(flatten_targets(y, names), predictions, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        """Running values of the loss and metrics, sorted by name (as Keras logs them)."""
        logs = {metric.name: float(metric.result()) for metric in self.metrics
                if not (metric is self._loss_tracker and float(metric.count) == 0)
                and not isinstance(metric, _UnbuiltCompileMetrics)}
        return dict(sorted(logs.items()))

    # --- the loop ---------------------------------------------------------------
    def _run_epoch(self, mode: str, handler: DataHandler, callbacks: CallbackList, step):
        """Every batch of one pass: batch hooks around ``step``; returns the last logs or outputs."""
        logs, outputs = {}, []
        for index, batch in enumerate(handler.epoch()):
            callbacks.on_batch_begin(mode, index)
            result = step(batch)
            if mode == "predict":
                outputs.append(tree.map_structure(_host, result))
                callbacks.on_batch_end(mode, index, {"outputs": result})
            else:
                logs = _python_logs(result)  # an overridden train_step may return tensors or nested dicts
                callbacks.on_batch_end(mode, index, logs)
            if mode == "train" and self.stop_training:
                break
        return outputs if mode == "predict" else logs

    def _callbacks(self, callbacks, verbose, epochs: int, steps, fit: bool = False) -> CallbackList:
        if isinstance(callbacks, CallbackList):
            return callbacks
        verbose = 1 if verbose == "auto" else verbose
        return CallbackList(callbacks, add_history=fit, add_progbar=verbose != 0, model=self,
                            verbose=verbose, epochs=epochs, steps=steps)

    @contextlib.contextmanager
    def _placed(self, handler):
        """Run the block on Keras's device (the GPU when one is available, as Keras 3 on torch):
        the model, its optimizer's state, the weights built inside and every batch go there.
        On the host (no GPU, ``keras.device("cpu")``) nothing moves and nothing is added."""
        target = placement.training_device()
        if target is None:
            yield
            return
        self.to(target)
        _move_optimizer_state(self.optimizer, target)
        handler.device = target
        with ember.device(target):  # weights and state created inside (the first build) land there
            yield

    # --- fit / evaluate / predict -------------------------------------------------
    def fit(self, x=None, y=None, batch_size: int | None = None, epochs: int = 1, verbose="auto",
            callbacks=None, validation_split: float = 0.0, validation_data=None, shuffle: bool = True,
            class_weight: dict | None = None, sample_weight=None, initial_epoch: int = 0,
            steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None, validation_freq: int = 1):
        """Train for ``epochs`` epochs; returns the :class:`~ember.keras.callbacks.History`."""
        self._assert_compiled("fit")
        if validation_split and validation_data is None:
            if not is_array_data(x):
                raise ValueError("`validation_split` is only supported for NumPy arrays or tensors, not "
                                 "for DataLoaders or iterables; pass `validation_data` instead")
            (x, y, sample_weight), validation_data = split_arrays((x, y, sample_weight), validation_split)
        handler = DataHandler(x, y, sample_weight, batch_size, shuffle, class_weight, steps_per_epoch)
        from . import config as keras_config  # keras.config.set_max_epochs / set_max_steps_per_epoch
        epochs = keras_config.cap_fit(epochs, handler)
        with self._placed(handler):
            return self._fit(handler, epochs, verbose, callbacks, initial_epoch, validation_data,
                             validation_batch_size or batch_size, validation_steps, validation_freq)

    def _fit(self, handler, epochs, verbose, callbacks, initial_epoch, validation_data, validation_batch_size,
             validation_steps, validation_freq):
        callbacks = self._callbacks(callbacks, verbose, epochs, handler.steps, fit=True)
        self.stop_training = False
        self._initial_epoch = None
        callbacks.on_begin("train")
        initial_epoch = self._initial_epoch or initial_epoch  # BackupAndRestore resumes here
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self.train()  # module mode too, for plain nn.Modules inside (evaluate switches it off)
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            logs = dict(self._run_epoch("train", handler, callbacks, self.train_step))
            if validation_data is not None and (epoch + 1) % validation_freq == 0:
                logs.update(self._validate(validation_data, validation_batch_size, validation_steps, callbacks))
            callbacks.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        if epochs > initial_epoch and hasattr(self.optimizer, "finalize_variable_values"):
            self.optimizer.finalize_variable_values(self.trainable_weights)  # use_ema: the averages, as Keras
        callbacks.on_end("train", logs)
        return self.history

    def _validate(self, validation_data, batch_size, steps, callbacks) -> dict:
        x, y, sample_weight = unpack(validation_data) if isinstance(validation_data, (tuple, list)) \
            else (validation_data, None, None)
        logs = self.evaluate(x, y, batch_size=batch_size, sample_weight=sample_weight, steps=steps,
                             callbacks=callbacks, return_dict=True)
        return {f"val_{name}": value for name, value in logs.items()}

    def evaluate(self, x=None, y=None, batch_size: int | None = None, verbose="auto", sample_weight=None,
                 steps: int | None = None, callbacks=None, return_dict: bool = False):
        """The loss and metrics on the given data: a scalar, a list in ``metrics_names`` order, or a dict."""
        self._assert_compiled("evaluate")
        handler = DataHandler(x, y, sample_weight, batch_size, steps_per_epoch=steps)
        callbacks = self._callbacks(callbacks, verbose, 1, handler.steps)
        self.reset_metrics()
        self.eval()
        callbacks.on_begin("test")
        with self._placed(handler):
            logs = self._run_epoch("test", handler, callbacks, self.test_step)
        callbacks.on_end("test", logs)
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size: int | None = None, verbose="auto", steps: int | None = None,
                callbacks=None):
        """Predictions for ``x`` in batches, as NumPy arrays (same structure as the model's outputs)."""
        handler = DataHandler(x, None, None, batch_size, steps_per_epoch=steps)
        callbacks = self._callbacks(callbacks, verbose, 1, handler.steps)
        self.eval()
        callbacks.on_begin("predict")
        with self._placed(handler):
            outputs = self._run_epoch("predict", handler, callbacks, self.predict_step)
        callbacks.on_end("predict", {"outputs": outputs})
        if not outputs:
            raise ValueError("Unexpected result of `predict`: no batch was processed (is the input empty?)")
        return tree.pack_sequence_as(outputs[0], [numpy.concatenate(parts) for parts in
                                                  zip(*(tree.flatten(o) for o in outputs))])

    # --- single batches -------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict: bool = False):
        """One training step on one batch; returns the running loss (and metrics)."""
        self._assert_compiled("train_on_batch")
        self.train()
        handler = DataHandler(x, y, sample_weight, batch_size=_length(x), class_weight=class_weight)
        with self._placed(handler):
            return self._format_batch_logs(self.train_step(next(handler.epoch())), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict: bool = False):
        self._assert_compiled("test_on_batch")
        self.eval()
        handler = DataHandler(x, y, sample_weight, batch_size=_length(x))
        with self._placed(handler):
            return self._format_batch_logs(self.test_step(next(handler.epoch())), return_dict)

    def predict_on_batch(self, x):
        self.eval()
        handler = DataHandler(x, None, None, batch_size=_length(x))
        with self._placed(handler):
            return tree.map_structure(_host, self.predict_step(next(handler.epoch())))

    def _format_batch_logs(self, logs: dict, return_dict: bool):
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values


class CompiledStep:
    """A step core compiled with ``ember.function``; if it cannot be traced, it warns and runs eagerly.

    Keras's ``jit_compile='auto'`` does the same: compile when possible, else run the plain function.
    """

    def __init__(self, core, model, optimizer, numba: bool = False):
        def step(model, rule, template, *leaves):
            # The model and the update rule come in as arguments so that ember.function sees them
            # as the state it reads and writes: parameters, buffers, gradients, optimizer state.
            return core(*tree.pack_sequence_as(template, leaves))
        step.__name__ = core.__name__
        self.core, self.function = core, ember.function(step, numba=numba)
        self.state = (model, optimizer.rule if optimizer is not None else None)

    def __call__(self, *args):
        if self.function is not None:
            from ember.graph.errors import ControlFlowError, TracingError
            try:
                # Tensors go in flat, the nesting as a static (hashable) argument: a dict of
                # tensors would otherwise key the compiled cache by the tensors' identities.
                return self.function(*self.state, tree.structure(args), *tree.flatten(args))
            except (ControlFlowError, TracingError) as error:
                warnings.warn(f"ember.keras could not compile {self.core.__name__} with ember.function "
                              f"and runs it eagerly instead (as with run_eagerly=True). Reason: "
                              f"{str(error).splitlines()[0]}", RuntimeWarning, stacklevel=3)
                self.function = None
        return self.core(*args)

    @property
    def trace_count(self) -> int:
        return 0 if self.function is None else self.function.trace_count


class _UnbuiltCompileMetrics:
    """The compiled metrics before their first batch, as Keras's ``compile_metrics`` container."""

    name = "compile_metrics"

    def __init__(self, model):
        self.model = model

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        self.model.compiled_metrics.update_state(y_true, y_pred, sample_weight)

    def result(self) -> dict:
        return self.model._compile_metrics.result()

    def reset_state(self) -> None:
        self.model._compile_metrics.reset_state()


def _python_logs(logs) -> dict:
    """Logs as Python floats in one flat dict: tensors become floats, nested dicts are merged."""
    flat = {}
    for name, value in dict(logs).items():
        if isinstance(value, dict):
            flat.update(_python_logs(value))
        elif isinstance(value, (ember.Tensor, numpy.ndarray, numpy.floating)):
            flat[name] = float(numpy.asarray(value.detach() if isinstance(value, ember.Tensor) else value))
        else:
            flat[name] = value
    return flat


def _host(tensor) -> numpy.ndarray:
    """A predicted tensor as a NumPy array (copied from a device)."""
    return tensor.detach().cpu().numpy()


def _move_optimizer_state(optimizer, target) -> None:
    """An optimizer's per-variable state beside its variables, after the model moved."""
    for slots in getattr(getattr(optimizer, "rule", None), "state", {}).values():
        for name, value in slots.items():
            if isinstance(value, ember.Tensor) and value.device != target:
                slots[name] = value.to(target)


def _detached(structure):
    """The values a step hands back: no graph (a compiled step's outputs have none anyway)."""
    return tree.map_structure(lambda t: t.detach() if isinstance(t, ember.Tensor) else t, structure)


def _length(x) -> int:
    return len(numpy.asarray(tree.flatten(x)[0]))


@functools.lru_cache(maxsize=None)
def _takes_training(compute_loss) -> bool:
    return "training" in inspect.signature(compute_loss).parameters
