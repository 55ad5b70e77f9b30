"""``Layer``: a Keras layer is an ``ember.nn.Module`` that builds itself on its first call.

A layer says three things: ``build(input_shape)`` creates its weights once
the input size is known, ``call(inputs, ...)`` computes, and
``compute_output_shape(input_shape)`` tells the output's shape without
computing (what ``summary()`` and the functional API need). Weights made by
``add_weight`` are :class:`keras.Variable` s (``assign``, ``value``,
``trainable``, ``path`` as in Keras 3) registered as ordinary Module
parameters (trainable) or buffers (non-trainable, e.g. BatchNormalization's
moving statistics), so ``state_dict``, optimizers and ``ember.function`` see
them as they see any PyTorch-style module's.

Example:
    >>> import ember
    >>> from ember import keras
    >>> class Scale(keras.layers.Layer):
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
    ...     def call(self, inputs):
    ...         return inputs * self.w
    >>> layer = Scale()
    >>> layer(ember.ones(2, 3)).shape, layer.built, [w.shape for w in layer.weights]
    ((2, 3), True, [(3,)])
"""
from __future__ import annotations

import functools
import inspect
from typing import Any

import numpy

import ember
from ember import nn
from ember.nn import Parameter
from ember.graph.init_scope import init_scope

from .. import backend, constraints, initializers, mixed_precision, regularizers, scopes
from ..variables import Variable
from ..utils import tree
from . import masks


def _autocast(value, dtype: str):
    """A floating tensor cast to the compute dtype; anything else (indices, masks) as it is."""
    if isinstance(value, ember.Tensor) and value.dtype.is_floating_point \
            and str(value.dtype).removeprefix("ember.") != dtype:
        return value.to(ember.as_dtype(dtype))
    return value


def to_tensor(value, dtype=None):
    """NumPy arrays and numbers become Ember tensors (floats as float32, Keras's floatx)."""
    if isinstance(value, ember.Tensor) or value is None:
        return value
    array = numpy.asarray(value)
    if array.dtype.kind in "USO":  # strings (text preprocessing layers) stay NumPy arrays
        return array
    if dtype is None and array.dtype.kind == "f" and array.dtype != numpy.float32:
        dtype = backend.floatx()
    return ember.tensor(array, dtype=None if dtype is None else ember.as_dtype(dtype))


def shape_of(value) -> tuple:
    return tuple(value.shape)


class Layer(nn.Module):
    """Base class of Keras layers: override ``build``, ``call`` and ``compute_output_shape``.

    A layer with ``supports_masking = True`` receives the mask of its input as
    ``call(..., mask=...)`` (when ``call`` names that argument) and passes on
    what ``compute_mask`` returns (by default the same mask).

    Arguments common to every layer: ``name`` (default: the snake-cased class
    name made unique, ``dense_1``), ``trainable``, ``dtype``,
    ``activity_regularizer``, and for a model's first layer ``input_shape`` /
    ``input_dim`` / ``batch_size``.
    """

    supports_masking = False
    # False for layers whose arithmetic float16 would spoil (normalizations, softmax): under a
    # mixed policy they compute inside in the variable dtype, float32, and return the compute
    # dtype, as Keras's normalization layers do.
    _mixed_precision_safe = True

    def __init__(self, *, trainable: bool = True, name: str | None = None, dtype=None,
                 activity_regularizer=None, input_shape=None, input_dim: int | None = None,
                 batch_input_shape=None, batch_size: int | None = None, **kwargs):
        super().__init__()
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}")
        self.name = name or backend.unique_name(backend.snake_case(type(self).__name__))
        self.built = False
        # As in Keras, a layer whose build() was called directly (``layer.build(shape)``, or a
        # parent's build building a sub-layer) is built: its first call keeps those weights.
        self.__dict__["build"] = functools.partial(_build_then_mark_built, self)
        self._trainable = bool(trainable)
        # "string": inputs of text layers (StringLookup, TextVectorization), kept as NumPy arrays
        self._dtype = self._compute_dtype = "string"
        if dtype not in ("string", str):
            self._set_dtype_policy(dtype)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._weight_order: list[str] = []
        self._regularizers: dict[str, Any] = {}
        self._added_losses: list = []
        self._inbound_nodes: list = []
        self._build_shapes = None
        self._last_output_shape = None
        self._batch_input_shape = _batch_shape(input_shape, input_dim, batch_input_shape, batch_size)
        self._remat_mode = scopes.get_current_remat_mode()  # a keras.RematScope around the creation

    def _set_dtype_policy(self, dtype) -> None:
        if dtype is None and mixed_precision.global_policy().name == "float32":
            dtype = backend.floatx()  # no policy set: keras.backend.set_floatx still decides
        self._dtype_policy = mixed_precision.policy_for(dtype)
        self._dtype = self._dtype_policy.variable_dtype
        self._compute_dtype = self._dtype_policy.compute_dtype

    # --- what subclasses override --------------------------------------------
    def build(self, input_shape) -> None:
        """Create the weights for inputs of ``input_shape`` (batch dimension included)."""

    def call(self, inputs, *args, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        """The output shape for ``input_shape``; the default runs ``call`` on a dummy batch."""
        from .symbolic import dummy_output_shape
        return dummy_output_shape(self, input_shape)

    def compute_mask(self, inputs, previous_mask):
        """The mask of the outputs: the input's, for a layer that ``supports_masking``."""
        return previous_mask if self.supports_masking else None

    def compute_output_spec(self, *args, **kwargs):
        """Output KerasTensors for KerasTensor arguments (the functional API's shape inference)."""
        from .symbolic import dummy_output_spec, spec_from_shape
        if type(self).compute_output_shape is Layer.compute_output_shape:
            return dummy_output_spec(self, args, kwargs)
        shape = self.compute_output_shape(tree.map_structure(shape_of, args[0]))
        return spec_from_shape(shape, self._dtype)

    def get_config(self) -> dict:
        """The constructor arguments that recreate this layer (weights not included)."""
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": getattr(self, "_dtype_policy", None) and self._dtype_policy.name or self._dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Layer":
        return cls(**config)

    # --- calling ------------------------------------------------------------
    def forward(self, *args, **kwargs):
        if self.__dict__.get("_remat_mode") is not None:
            return scopes.rematerialized_call(self, args, kwargs)(*args, **kwargs)
        return self.call(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        from .symbolic import is_symbolic, symbolic_call
        if self.__dict__.get("input_spec") is not None and args:  # keras.InputSpec, set by the layer
            from ..input_spec import assert_input_compatibility
            assert_input_compatibility(self.__dict__["input_spec"], args[0], self.name)
        if is_symbolic(args, kwargs):
            return symbolic_call(self, args, kwargs)
        if args:
            args = (tree.map_structure(to_tensor, args[0]),) + args[1:]
        previous_mask = masks.masks_of(args[0]) if args else None
        if previous_mask is not None and kwargs.get("mask") is None and self._accepts("mask", explicit=True):
            kwargs["mask"] = previous_mask
        if masks.any_masks() and self._accepts("query_mask", explicit=True):
            self._fill_argument_masks(args, kwargs)
        if not self.built:
            self.build_from_call(args, kwargs)
        training = self._resolve_training(kwargs)
        self._added_losses = []
        compute_dtype = self._autocast_dtype()
        if compute_dtype is None:
            with backend.call_context(training):
                outputs = super().__call__(*args, **kwargs)
        else:
            args = tuple(tree.map_structure(lambda value: _autocast(value, compute_dtype), arg) for arg in args)
            token = mixed_precision.compute_scope(compute_dtype)
            try:
                with backend.call_context(training):
                    outputs = super().__call__(*args, **kwargs)
            finally:
                mixed_precision.reset_compute_scope(token)
            if compute_dtype != self._compute_dtype:  # a float32-inside layer returns the policy's dtype
                outputs = tree.map_structure(lambda value: _autocast(value, self._compute_dtype), outputs)
        if self.supports_masking:
            masks.attach(outputs, self.compute_mask(args[0], previous_mask))
        if self.activity_regularizer is not None:
            for out in tree.flatten(outputs):  # Keras averages the penalty over the batch
                penalty = self.activity_regularizer(out)
                self.add_loss(penalty / out.shape[0] if out.ndim > 0 else penalty)
        self._last_output_shape = tree.map_structure(lambda out: (None,) + shape_of(out)[1:], outputs)
        return outputs

    def _autocast_dtype(self) -> str | None:
        """The dtype this call computes in, when a mixed policy is at work here or around it."""
        if self._dtype == "string":
            return None
        if self._compute_dtype != self._dtype or mixed_precision.current_compute_dtype() is not None:
            return self._compute_dtype if self._mixed_precision_safe else self._dtype
        return None

    def __getattr__(self, name: str) -> Any:
        value = super().__getattr__(name)
        # Keras's autocasting: inside a mixed-precision call, float variables are read in the
        # compute dtype (a differentiable cast, so their float32 storage receives the gradients).
        compute_dtype = mixed_precision.current_compute_dtype()
        if compute_dtype is not None and isinstance(value, Parameter) and value.dtype.is_floating_point \
                and str(value.dtype).removeprefix("ember.") != compute_dtype:
            return value.to(ember.as_dtype(compute_dtype))
        return value

    @property
    def compute_dtype(self) -> str:
        """The dtype this layer computes in (its policy's; float16 under ``mixed_float16``)."""
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype of this layer's variables (float32 under ``mixed_float16``)."""
        return self._dtype

    @property
    def dtype_policy(self):
        return getattr(self, "_dtype_policy", None) or mixed_precision.DTypePolicy(self._dtype)

    def _resolve_training(self, kwargs: dict):
        """Keras's rule: an explicit ``training=`` wins, else the enclosing call's, else False."""
        training = kwargs.pop("training", None)
        if training is None:
            training = backend.current_training()
        if training is None:  # no enclosing call: the default of call()'s own `training` (Keras's rule)
            training = self._training_default()
        training = bool(training)
        if self._accepts("training"):
            kwargs["training"] = training
        return training

    def _training_default(self) -> bool:
        cache = type(self).__dict__.get("_call_training_default")
        if cache is None:
            parameter = inspect.signature(self.call).parameters.get("training")
            cache = (bool(parameter.default) if parameter is not None and parameter.default is not
                     inspect.Parameter.empty else False,)
            type.__setattr__(type(self), "_call_training_default", cache)
        return cache[0]

    def _fill_argument_masks(self, args, kwargs) -> None:
        """Keras's rule for several tensor arguments: ``<name>_mask`` gets the mask of ``<name>``."""
        names = list(inspect.signature(self.call).parameters)
        named = {**dict(zip(names, args)), **kwargs}
        for name, value in list(named.items()):
            mask = masks.get_mask(value) if isinstance(value, ember.Tensor) else None
            if mask is not None and named.get(f"{name}_mask") is None and f"{name}_mask" in names:
                kwargs[f"{name}_mask"] = mask

    def _accepts(self, argument: str, explicit: bool = False) -> bool:
        """Whether ``call`` takes ``argument`` (by name, or through ``**kwargs`` unless ``explicit``)."""
        cache = type(self).__dict__.get("_call_arguments")
        if cache is None:
            parameters = inspect.signature(self.call).parameters
            cache = frozenset(parameters) | ({"**"} if any(
                p.kind is p.VAR_KEYWORD for p in parameters.values()) else frozenset())
            type.__setattr__(type(self), "_call_arguments", cache)
        return argument in cache or (not explicit and "**" in cache)

    def build_from_call(self, args, kwargs) -> None:
        """Build from the arguments of the first call (the first argument's shape by default)."""
        shapes = tree.map_structure(shape_of, args[0]) if args else None
        self._build_shapes = shapes
        self.build(shapes)
        self.built = True

    # --- weights -------------------------------------------------------------
    def add_weight(self, *args, shape=None, initializer=None, dtype=None, trainable: bool = True,
                   regularizer=None, constraint=None, name: str | None = None) -> ember.Tensor:
        """Create, register and return a weight: a keras.Variable, registered as a parameter when
        trainable, else as a buffer. ``args``: Keras 3's positional ``(shape, initializer, dtype)``."""
        shape, initializer, dtype = _positional_weight_args(args, shape, initializer, dtype)
        name = name or f"variable_{len(self._weight_order)}"
        if initializer is None:
            initializer = "glorot_uniform" if ember.as_dtype(dtype or self._dtype).is_floating_point else "zeros"
        with init_scope():  # a weight first made while tracing must hold a real array
            value = initializers.get(initializer)(tuple(shape), dtype or self._dtype)
            # A keras.Variable (assign, value, numpy, trainable, path) that is also the Parameter
            # (trainable) or buffer (non-trainable) the optimizers and ember.function see.
            weight = Variable(value, trainable=trainable and self._trainable, name=name)
        weight._path = f"{self.name}/{name}"
        if trainable:
            self.register_parameter(name, weight)
        else:
            self.register_buffer(name, weight)
        self._weight_order.append(name)
        if regularizer is not None:
            self._regularizers[name] = regularizers.get(regularizer)
        if constraint is not None:
            constraints.attach(weight, constraints.get(constraint))
        return weight

    def _own_weights(self) -> list:
        """This layer's own weights: trainable ones, then non-trainable, each in creation order."""
        stores = (self._parameters, self._buffers)
        own = [store[name] for store in stores for name in self._weight_order if store.get(name) is not None]
        extra = [value for store in stores for name, value in store.items()
                 if name not in self._weight_order and value is not None]
        return own + extra

    @property
    def weights(self) -> list:
        """Every weight of this layer and its sub-layers (each once), as Keras orders them."""
        weights, seen = [], set()
        for module in self.modules():
            own = module._own_weights() if isinstance(module, Layer) else [
                *module._parameters.values(), *module._buffers.values()]
            for weight in own:
                if weight is not None and id(weight) not in seen:
                    seen.add(id(weight))
                    weights.append(weight)
        return weights

    variables = weights

    @property
    def trainable_weights(self) -> list:
        return [w for w in self.weights if isinstance(w, Parameter) and w.requires_grad]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list:
        return [w for w in self.weights if not (isinstance(w, Parameter) and w.requires_grad)]

    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> list[numpy.ndarray]:
        """Copies of the weights as NumPy arrays, in :attr:`weights` order."""
        return [numpy.array(w.detach()) for w in self.weights]

    def set_weights(self, values) -> None:
        """Overwrite the weights (in :attr:`weights` order) with arrays of the same shapes."""
        weights = self.weights
        if len(values) != len(weights):
            raise ValueError(f"Layer {self.name!r} expects {len(weights)} weight arrays, "
                             f"but received {len(values)}")
        for weight, value in zip(weights, values):
            value = numpy.asarray(value)
            if tuple(value.shape) != tuple(weight.shape):
                raise ValueError(f"Layer {self.name!r} weight shape {tuple(weight.shape)} is not "
                                 f"compatible with provided weight shape {value.shape}")
            # In place: optimizers and compiled graphs keep holding the same tensor.
            weight._data[...] = ember.backend.namespace_of(weight._data).asarray(value)
            weight._shared_version().value += 1

    def count_params(self) -> int:
        """The number of scalars in all weights (Keras counts non-trainable ones too)."""
        if not self.built and not self.weights:
            raise ValueError(f"You tried to call `count_params` on layer {self.name!r}, but the "
                             "layer isn't built. Build it first by calling it on some data.")
        return int(sum(w.numel() for w in self.weights))

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """Freeze or unfreeze this layer and every layer inside it."""
        for module in self.modules():
            if isinstance(module, Layer):
                module._trainable = bool(value)
            for param in module._parameters.values():
                if isinstance(param, Variable):
                    param.trainable = bool(value)  # Keras sets each weight's own flag too
                elif param is not None:
                    param.requires_grad_(bool(value))

    @property
    def dtype(self) -> str:
        return self._dtype

    # --- losses --------------------------------------------------------------
    def add_loss(self, loss) -> None:
        """Add a tensor to the training loss for the current call (e.g. an activity penalty)."""
        if scopes.record_loss(loss):  # a keras.StatelessScope takes it (or drops it), as in Keras
            return
        self._added_losses.append(loss)

    @property
    def losses(self) -> list:
        """Losses added during the last call plus weight-regularization penalties, all layers."""
        losses = []
        for module in self.modules():
            if isinstance(module, Layer):
                losses.extend(module._added_losses)
                losses.extend(reg(getattr(module, name)) for name, reg in module._regularizers.items())
        return losses

    # --- the functional graph ------------------------------------------------
    def _node_output_shape(self):
        if self._inbound_nodes:
            return tree.map_structure(lambda kt: kt.shape, self._inbound_nodes[-1].outputs)
        return self._last_output_shape

    @property
    def output_shape(self):
        shape = self._node_output_shape()
        if shape is None:
            raise AttributeError(f"The layer {self.name!r} has never been called and thus has no "
                                 "defined output shape.")
        return shape

    @property
    def input(self):
        return self._single_node("input").call_args[0]

    @property
    def output(self):
        return self._single_node("output").outputs

    def _single_node(self, what: str):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name!r} has no inbound nodes, so no defined {what}")
        return self._inbound_nodes[0]

    def extra_repr(self) -> str:
        return f"name={self.name!r}, built={self.built}"

    def __setattr__(self, name: str, value) -> None:
        buffers = self.__dict__.get("_buffers")
        if isinstance(value, Variable) and buffers and any(value is b for b in buffers.values()):
            # A non-trainable weight (a buffer) kept under another attribute name: it stays a
            # buffer, not a second registration as a parameter.
            if name in buffers:
                buffers[name] = value
            else:
                object.__setattr__(self, name, value)
            return
        # Keras tracks lists and dicts of layers assigned in a subclass's __init__.
        if isinstance(value, (list, tuple)) and value and all(isinstance(v, nn.Module) for v in value):
            value = nn.ModuleList(value)
        elif isinstance(value, dict) and value and all(isinstance(v, nn.Module) for v in value.values()):
            value = nn.ModuleDict(value)
        super().__setattr__(name, value)


def _build_then_mark_built(layer: Layer, *args, **kwargs) -> None:
    type(layer).build(layer, *args, **kwargs)
    layer.built = True


def _batch_shape(input_shape, input_dim, batch_input_shape, batch_size):
    if batch_input_shape is not None:
        return tuple(batch_input_shape)
    if input_shape is None and input_dim is not None:
        input_shape = (input_dim,)
    if input_shape is None:
        return None
    return (batch_size,) + tuple(input_shape)


def _positional_weight_args(args, shape, initializer, dtype):
    """``add_weight``'s positional arguments as Keras 3 reads them: ``(shape, initializer, dtype)``;
    a name first (tf.keras 2's ``add_weight("kernel", shape=…)``) is Keras 3's ValueError."""
    if len(args) > 3:
        raise TypeError(f"add_weight() takes at most 3 positional arguments but {len(args)} were given.")
    if args and isinstance(args[0], str):
        raise ValueError(f"`name` must be passed as a keyword argument. Received: add_weight('{args[0]}', ...). "
                         f"Use: add_weight(shape=..., name='{args[0]}').")
    given = [shape, initializer, dtype]
    for index, (label, value) in enumerate(zip(("shape", "initializer", "dtype"), args)):
        if given[index] is not None:
            raise ValueError(f"`{label}` was passed both positionally and as a keyword argument.")
        given[index] = value
    shape, initializer, dtype = given
    return (() if shape is None else shape), initializer, dtype
