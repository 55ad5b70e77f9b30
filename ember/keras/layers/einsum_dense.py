"""EinsumDense: a dense layer written as an einsum equation between the inputs and a kernel.

``EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d")`` maps
``(batch, steps, features)`` to ``(batch, steps, 64)`` with a ``(features, 64)``
kernel. The equation has one of Keras's three forms: ``X,Y->Z``,
``...X,Y->...Z`` or ``X...,Y->Z...``. ``output_shape`` lists the output's
sizes after the batch axis (``None`` for sizes taken from the inputs).
``bias_axes`` names the output letters the bias spans. A variance-scaling
kernel initializer (the default, ``glorot_uniform``) counts its fans over the
kernel letters shared with the inputs (fan in) and with the output (fan
out), as Keras does.

Example:
    >>> import ember
    >>> from ember import keras
    >>> layer = keras.layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 8), bias_axes="de")
    >>> layer(ember.ones(4, 5, 16)).shape, [w.shape for w in layer.weights]
    ((4, 5, 2, 8), [(16, 2, 8), (2, 8)])
"""
from __future__ import annotations

import math
import re

import ember

from .. import activations, constraints, initializers, regularizers
from .layer import Layer

_FORMS = ((r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", False),
          (r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$", True),
          (r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$", False))


def analyze_equation(equation: str, bias_axes, input_shape, partial_output_shape):
    """``(kernel_shape, bias_shape, output_shape, kernel_input_axes, kernel_output_axes)`` for the inputs."""
    spelled = equation.replace("...", "0")
    for pattern, left_elided in _FORMS:
        match = re.match(pattern, spelled)
        if match:
            return _analyze(*match.groups(), bias_axes, tuple(input_shape), partial_output_shape, left_elided)
    raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                     "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")


def _full_output_shape(input_shape, input_spec, partial_output_shape, left_elided):
    elided = len(input_shape) - len(input_spec)
    output = [input_shape[0]] + list(partial_output_shape)
    if elided > 0 and left_elided:
        output[1:1] = list(input_shape[1:elided])
    elif elided > 0:
        output += list(input_shape[len(input_shape) - elided:])
    return output, elided


def _analyze(input_spec, weight_spec, output_spec, bias_axes, input_shape, partial_output_shape, left_elided):
    output_shape, elided = _full_output_shape(input_shape, input_spec, partial_output_shape, left_elided)
    offset = elided if left_elided else 0
    input_index = {letter: i + offset for i, letter in enumerate(input_spec)}
    output_index = {letter: i + offset for i, letter in enumerate(output_spec)}
    for letter in input_spec:
        if letter in output_index and output_shape[output_index[letter]] not in (None, input_shape[input_index[letter]]):
            raise ValueError(f"Input shape and output shape do not match at shared dimension '{letter}'. Input "
                             f"shape is {input_shape[input_index[letter]]}, and output shape is "
                             f"{output_shape[output_index[letter]]}.")
    for letter in output_spec:
        if letter not in input_spec and letter not in weight_spec:
            raise ValueError(f"Dimension '{letter}' was specified in the output '{output_spec}' but has no "
                             f"corresponding dim in the input spec '{input_spec}' or weight spec '{weight_spec}'")
    kernel_shape = []
    for letter in weight_spec:
        if letter in input_index:
            kernel_shape.append(input_shape[input_index[letter]])
        elif letter in output_index:
            kernel_shape.append(output_shape[output_index[letter]])
        else:
            raise ValueError(f"Weight dimension '{letter}' did not have a match in either the input spec "
                             f"'{input_spec}' or the output spec '{output_spec}'. For this layer, the weight "
                             "must be fully specified.")
    bias_shape = _bias_shape(bias_axes, output_spec, output_shape, output_index)
    if bias_shape is not None and not left_elided:
        bias_shape += (1,) * max(elided, 0)  # the elided trailing axes
    kernel_input_axes = [i for i, letter in enumerate(weight_spec) if letter in input_spec]
    kernel_output_axes = [i for i, letter in enumerate(weight_spec) if letter in output_spec]
    return tuple(kernel_shape), bias_shape, tuple(output_shape), kernel_input_axes, kernel_output_axes


def _bias_shape(bias_axes, output_spec, output_shape, output_index):
    if bias_axes is None:
        return None
    for letter in bias_axes:
        if letter not in output_spec:
            raise ValueError(f"Bias dimension '{letter}' was requested, but is not part of the output spec "
                             f"'{output_spec}'")
    first = min(output_spec.find(letter) for letter in bias_axes)
    # The bias broadcasts from the first biased output axis to the last axis.
    return tuple(output_shape[output_index[letter]] if letter in bias_axes else 1
                 for letter in output_spec[first:])


class _FanInitializer:
    """A variance-scaling draw whose fans are the kernel's input and output axes (Keras's EinsumDense rule)."""

    def __init__(self, initializer, input_axes, output_axes):
        self.initializer, self.input_axes, self.output_axes = initializer, input_axes, output_axes

    def __call__(self, shape, dtype=None):
        fan_in = math.prod(shape[axis] for axis in self.input_axes)
        fan_out = math.prod(shape[axis] for axis in self.output_axes)
        # Independent draws: a (fan_in, fan_out) sample reshaped has the kernel's distribution.
        return ember.reshape(self.initializer((fan_in, fan_out), dtype), tuple(shape))


class EinsumDense(Layer):
    """``activation(einsum(equation, inputs, kernel) + bias)`` with Keras's weight shapes and names."""

    def __init__(self, equation: str, output_shape, activation=None, bias_axes: str | None = None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape) -> None:
        kernel_shape, bias_shape, self.full_output_shape, input_axes, output_axes = analyze_equation(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        initializer = self.kernel_initializer
        if isinstance(initializer, initializers.VarianceScaling):
            initializer = _FanInitializer(initializer, input_axes, output_axes)
        self.kernel = self.add_weight(shape=kernel_shape, initializer=initializer, name="kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None if bias_shape is None else self.add_weight(
            shape=bias_shape, initializer=self.bias_initializer, name="bias", regularizer=self.bias_regularizer,
            constraint=self.bias_constraint)

    def call(self, inputs):
        outputs = ember.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            outputs = outputs + self.bias
        return self.activation(outputs) if self.activation is not None else outputs

    def compute_output_shape(self, input_shape):
        return tuple(analyze_equation(self.equation, self.bias_axes, input_shape, self.partial_output_shape)[2])

    def get_config(self) -> dict:
        return {**super().get_config(), "output_shape": list(self.partial_output_shape),
                "equation": self.equation, "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}
