"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Lambda, Identity.

Example:
    >>> import ember
    >>> from ember import keras
    >>> layer = keras.layers.Dense(3, activation="relu")
    >>> layer(ember.ones(2, 4)).shape, layer.kernel.shape, layer.bias.shape
    ((2, 3), (4, 3), (3,))
    >>> layer.count_params()
    15
    >>> keras.layers.Flatten().compute_output_shape((None, 7, 7, 64))
    (None, 3136)
"""
from __future__ import annotations

import importlib
import inspect
import math

import ember
from ember.nn import functional as F

from .. import activations, constraints, initializers, regularizers
from .layer import Layer


class Dense(Layer):
    """``activation(inputs @ kernel + bias)``; the kernel is ``(input_dim, units)``.

    Defaults as Keras: ``glorot_uniform`` kernel, ``zeros`` bias, no activation.
    """

    supports_masking = True

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. "
                             f"Received: units={units}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Dense {self.name!r}: the last dimension of the inputs must be known, "
                             f"got input shape {input_shape}")
        self.kernel = self.add_weight(shape=(input_dim, self.units), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                                    name="bias") if self.use_bias else None

    def call(self, inputs):
        outputs = ember.matmul(inputs, self.kernel)
        if self.bias is not None:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer)}


class Activation(Layer):
    """Applies an activation by name or callable."""

    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Zeroes a fraction ``rate`` of the inputs during training (scaling the rest by 1/(1-rate))."""

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value "
                             f"between 0 and 1. Received: rate={rate}")
        self.rate, self.seed = rate, seed
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self._generator = None if seed is None else ember.Generator().manual_seed(seed)

    supports_masking = True

    def call(self, inputs, training: bool = False):
        if self.noise_shape is None or not training or not self.rate:
            return F.dropout(inputs, self.rate, training, generator=self._generator)
        from .noise import dropout_mask_like  # one mask broadcast over the axes of size 1
        return inputs * dropout_mask_like(inputs, self.rate, self.noise_shape, self._generator)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape}


class Flatten(Layer):
    """Flattens every dimension but the batch one."""

    def __init__(self, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            # Keras flattens channels-first data in channels-last order
            inputs = ember.permute(inputs, (0, *range(2, inputs.ndim), 1))
        return ember.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def call(self, inputs):
        return ember.reshape(inputs, (inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        shape = list(self.target_shape)
        if -1 in shape:
            known = math.prod(size for size in shape if size != -1)
            rest = input_shape[1:]
            shape[shape.index(-1)] = None if None in rest else math.prod(rest) // known
        return (input_shape[0],) + tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Identity(Layer):
    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


class ActivityRegularization(Layer):
    """The identity, adding ``l1 * sum|x| + l2 * sum x²`` of its input to the loss."""

    supports_masking = True

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = l1, l2

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = {key: value for key, value in super().get_config().items() if key != "activity_regularizer"}
        return {**config, "l1": self.l1, "l2": self.l2}


class Lambda(Layer):
    """Wraps any function of tensors as a layer: ``Lambda(lambda x: x * 2)``.

    Saving stores a module-level function by its import path; a lambda is
    stored as source text and reloads only with ``safe_mode=False``.
    """

    def __init__(self, function, output_shape=None, arguments: dict | None = None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = arguments or {}
        self._output_shape = output_shape

    def call(self, inputs, **kwargs):
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        # The given shapes leave out the batch size: it is the first size of the first input
        # (Keras 3), so a function of a list of tensors ([a, b] -> distance) works too.
        from .symbolic import is_shape, map_shapes
        first = input_shape
        while not is_shape(first):
            first = next(iter(first.values())) if isinstance(first, dict) else first[0]
        batch_size = first[0] if first else None
        return map_shapes(lambda shape: (batch_size,) + shape, self._output_shape)

    def compute_output_spec(self, *args, **kwargs):
        if self._output_shape is None:
            from .symbolic import dummy_output_spec
            return dummy_output_spec(self, args, kwargs)
        return super().compute_output_spec(*args, **kwargs)

    def get_config(self) -> dict:
        output_shape = list(self._output_shape) if isinstance(self._output_shape, (tuple, list)) else None
        return {**super().get_config(), "function": _function_config(self.function),
                "output_shape": output_shape, "arguments": self.arguments}

    @classmethod
    def from_config(cls, config: dict, safe_mode: bool = True) -> "Lambda":
        config = dict(config)
        config["function"] = _function_from_config(config["function"], safe_mode)
        return cls(**config)


def _function_config(function) -> dict:
    name = getattr(function, "__qualname__", "")
    if name and "<" not in name:
        return {"module": function.__module__, "name": name}
    try:
        source = inspect.getsource(function).strip()
    except (OSError, TypeError):
        source = None
    return {"lambda_source": source}


def _function_from_config(config: dict, safe_mode: bool):
    if "module" in config:
        target = importlib.import_module(config["module"])
        for part in config["name"].split("."):
            target = getattr(target, part)
        return target
    source = config.get("lambda_source")
    if safe_mode or not source:
        raise ValueError("Requested the deserialization of a Lambda layer whose function is a "
                         "Python lambda. That means running arbitrary code from the file; pass "
                         "safe_mode=False to load_model if you trust it, or define the function at "
                         "module level.")
    # The source line holds more than the lambda: keep the longest prefix that evaluates to one.
    expression = source[source.index("lambda"):]
    for end in range(len(expression), 0, -1):
        try:
            function = eval(expression[:end], {"ember": ember})  # noqa: S307 - safe_mode=False only
        except Exception:  # noqa: BLE001 - a prefix that is not yet an expression
            continue
        if callable(function):
            return function
    raise ValueError(f"Could not rebuild the Lambda layer's function from {source!r}")
