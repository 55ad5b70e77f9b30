"""Keras 3's scopes: ``keras.StatelessScope``, ``keras.SymbolicScope`` and ``keras.RematScope``.

- ``StatelessScope(state_mapping)``: inside it, Keras variables read the values
  the mapping gives them, and ``assign``/``assign_add``/``assign_sub`` (layers'
  state updates, metrics) are recorded in the scope instead of kept: on exit
  every variable holds its value from before, and
  ``scope.get_current_value(variable)`` returns the last value recorded.
- ``SymbolicScope``: marks the symbolic (shape inference) stage;
  ``in_symbolic_scope()`` says whether one is open.
- ``RematScope(mode)``: layers *created* inside it recompute their forward pass
  during backward (``keras.remat`` on their ``call``) instead of keeping its
  intermediate values: ``"full"`` every layer, ``"activations"`` only the
  activation of layers that have one, ``"larger_than"`` layers whose output has
  more than ``output_size_threshold`` elements, ``"list_of_layers"`` the layers
  named in ``layer_names``. Values and gradients are those of the plain run.

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> v = keras.Variable(np.zeros(2, dtype="float32"))
    >>> with keras.StatelessScope([(v, np.ones(2, dtype="float32"))]) as scope:
    ...     seen = v.numpy().tolist()
    ...     _ = v.assign_add(np.full(2, 2.0, dtype="float32"))
    >>> seen, v.numpy().tolist(), scope.get_current_value(v).tolist()
    ([1.0, 1.0], [0.0, 0.0], [3.0, 3.0])
"""
from __future__ import annotations

import collections
import functools
import math
import threading
import types

import ember
from ember.tf_compat.variable import Variable

from . import tree

_STATE = threading.local()  # per thread, as Keras's global_state

RematMode = collections.namedtuple("RematMode", ["mode", "output_size_threshold", "layer_names"])


def _get(name: str, default=None):
    return getattr(_STATE, name, default)


# --- StatelessScope ---------------------------------------------------------------------------------
class StatelessScope:
    """``StatelessScope(state_mapping=None, collect_losses=False, initialize_variables=True)``.

    ``state_mapping``: ``(variable, value)`` pairs, the values the variables hold inside the
    scope. ``collect_losses=True``: losses layers add inside go to ``scope.losses``.
    """

    def __init__(self, state_mapping=None, collect_losses: bool = False, initialize_variables: bool = True):
        self.collect_losses = collect_losses
        self.initialize_variables = initialize_variables  # Ember's variables are always initialized
        self.losses: list = []
        self.state_mapping: dict = {}
        self._variables: dict = {}  # id -> variable, for every variable the scope has changed
        self._originals: dict = {}  # id -> its value from before the scope
        for variable, value in state_mapping or []:
            if not isinstance(variable, Variable):
                raise ValueError("Invalid reference variable in StatelessScope: all keys in argument `mapping` "
                                 f"must be Variable instances. Received instead: {variable}")
            value = _as_value_of(variable, value)
            if tuple(value.shape) != tuple(variable.shape):
                raise ValueError("Invalid variable value in StatelessScope: all values in argument `mapping` must "
                                 "be tensors with a shape that matches the corresponding variable shape. For "
                                 f"variable {variable.path if hasattr(variable, 'path') else variable.name}, "
                                 f"received invalid value with shape {tuple(value.shape)} (the variable's shape "
                                 f"is {tuple(variable.shape)}).")
            self.state_mapping[id(variable)] = value
            self._variables[id(variable)] = variable

    def __enter__(self) -> "StatelessScope":
        self.original_scope = get_stateless_scope()
        _STATE.stateless_scope = self
        for key, variable in self._variables.items():
            self._show(variable, self.state_mapping[key])
        return self

    def __exit__(self, *exc_info) -> None:
        for key, variable in self._variables.items():
            if key in self._originals:
                _write(variable, self._originals.pop(key))
        _STATE.stateless_scope = self.original_scope

    def add_loss(self, loss) -> None:
        self.losses.append(loss)

    def add_update(self, update) -> None:
        """Record ``(variable, value)``: reads inside the scope see ``value``; the variable keeps its own."""
        variable, value = update
        value = _as_value_of(variable, value)
        self.state_mapping[id(variable)] = value
        self._variables[id(variable)] = variable
        self._show(variable, value)

    def get_current_value(self, variable):
        """The value ``variable`` has inside this scope (mapped or assigned), else None."""
        return self.state_mapping.get(id(variable))

    def _show(self, variable, value) -> None:
        # Reads go straight to a variable's data (Ember's ops take it as a tensor), so the scope
        # puts its value there and keeps the variable's own value to put back on exit.
        if id(variable) not in self._originals:
            self._originals[id(variable)] = variable.detach().clone()
        _write(variable, value)


def _as_value_of(variable, value):
    if isinstance(value, ember.Tensor):
        value = value.detach()
    return ember.cast(ember.as_tensor(value), variable.dtype)


def _write(variable, value) -> None:
    with ember.no_grad():
        variable.copy_(value)


def in_stateless_scope() -> bool:
    return _get("stateless_scope") is not None


def get_stateless_scope() -> StatelessScope | None:
    return _get("stateless_scope")


def record_assignment(variable, value) -> bool:
    """Inside a StatelessScope: record ``variable``'s new ``value`` there and say so (True)."""
    scope = get_stateless_scope()
    if scope is None:
        return False
    if tuple(ember.as_tensor(value).shape) != tuple(variable.shape):
        raise ValueError("The shape of the target variable and the shape of the target value in "
                         f"`variable.assign(value)` must match. variable.shape={tuple(variable.shape)}, "
                         f"Received: value.shape={tuple(ember.as_tensor(value).shape)}.")
    scope.add_update((variable, value))
    return True


def record_loss(loss) -> bool:
    """Inside a StatelessScope: ``add_loss`` goes to the scope (kept if it collects losses); True."""
    scope = get_stateless_scope()
    if scope is None:
        return False
    if scope.collect_losses:
        scope.add_loss(loss)
    return True


# --- SymbolicScope ----------------------------------------------------------------------------------
class SymbolicScope:
    """Marks the symbolic stage (shape inference): ``in_symbolic_scope()`` is True inside."""

    def __enter__(self) -> "SymbolicScope":
        self.original_scope = get_symbolic_scope()
        _STATE.symbolic_scope = self
        return self

    def __exit__(self, *exc_info) -> None:
        _STATE.symbolic_scope = self.original_scope


def in_symbolic_scope() -> bool:
    return _get("symbolic_scope") is not None


def get_symbolic_scope() -> SymbolicScope | None:
    return _get("symbolic_scope")


# --- RematScope -------------------------------------------------------------------------------------
_REMAT_MODES = ("full", "activations", "larger_than", "list_of_layers", None)


class RematScope:
    """``RematScope(mode="full", output_size_threshold=1024, layer_names=None)``: layers created
    inside recompute their forward pass during backward (see the module docstring)."""

    def __init__(self, mode: str | None = "full", output_size_threshold: int = 1024, layer_names=None):
        if mode not in _REMAT_MODES:
            raise ValueError(f"Invalid mode '{mode}'. Supported modes are: 'full', 'activations', 'larger_than', "
                             "'list_of_layers', or None.")
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = list(layer_names or [])

    def __enter__(self) -> "RematScope":
        _remat_stack().append(self)
        return self

    def __exit__(self, *exc_info) -> None:
        _remat_stack().pop()


def _remat_stack() -> list:
    if not hasattr(_STATE, "remat_stack"):
        _STATE.remat_stack = []
    return _STATE.remat_stack


def get_current_remat_mode() -> RematMode | None:
    """The innermost RematScope's settings, or None outside every one (a layer keeps it from creation)."""
    stack = _remat_stack()
    if not stack:
        return None
    scope = stack[-1]
    return RematMode(scope.mode, scope.output_size_threshold, scope.layer_names)


def rematerialized_call(layer, args, kwargs):
    """``layer.call``, rematerialized when the layer's RematMode selects it for these inputs."""
    from .rematerialization import remat
    mode = layer._remat_mode
    if mode.mode == "activations":
        if getattr(layer, "activation", None) is None:
            return layer.call
        return functools.partial(_call_with_remat_activation, layer, remat)
    if mode.mode == "list_of_layers" and layer.name not in mode.layer_names:
        return layer.call
    if mode.mode == "larger_than" and not _output_size(layer, args, kwargs) > mode.output_size_threshold:
        return layer.call
    if mode.mode is None:
        return layer.call
    # A method bound to the layer: checkpoint then passes the layer's weights as inputs, so
    # their gradients come back through autograd.grad as the arguments' do.
    call = types.MethodType(lambda self, *inputs: self.call(*inputs, **kwargs), layer)
    return lambda *inputs, **_: remat(call)(*inputs)


def _call_with_remat_activation(layer, remat, *args, **kwargs):
    original = layer.activation
    layer.activation = remat(original)
    try:
        return layer.call(*args, **kwargs)
    finally:
        layer.activation = original


def _output_size(layer, args, kwargs) -> int:
    """Elements in the layer's output for these inputs (Keras: from compute_output_spec)."""
    key = tuple(tuple(value.shape) for value in tree.flatten(args) if isinstance(value, ember.Tensor))
    cache = layer.__dict__.setdefault("_remat_output_sizes", {})
    if key not in cache:
        with SymbolicScope():
            spec = layer.compute_output_spec(*args, **kwargs)
        cache[key] = sum(math.prod(d or 1 for d in value.shape) for value in tree.flatten(spec)
                         if hasattr(value, "shape"))
    return cache[key]
