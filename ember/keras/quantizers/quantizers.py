"""Keras 3's quantization math: int8 abs-max quantization and fake quantization.

``abs_max_quantize(x, axis)`` scales ``x`` so that its largest magnitude
along ``axis`` maps to ``value_range[1]`` and rounds it to integers;
``fake_quant_with_min_max_vars`` rounds values onto the ``2**num_bits``-level
grid between a (nudged) minimum and maximum and back to floats, passing
gradients straight through inside the range and to the bounds outside it.

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> q, scale = keras.quantizers.abs_max_quantize(np.array([[1.0, -2.0, 0.5]], dtype="float32"), axis=-1)
    >>> q.tolist(), round(float(scale[0, 0]), 4), str(q.dtype)
    ([[64, -127, 32]], 63.5, 'ember.int8')
"""
from __future__ import annotations

import numpy

import ember

from .. import backend


class Quantizer:
    """Base class: ``quantizer(x)`` returns the quantized form of ``x`` (here ``x`` itself)."""

    def __init__(self, output_dtype: str = "int8"):
        self.output_dtype = output_dtype

    def __call__(self, x):
        return x

    @classmethod
    def from_config(cls, config: dict) -> "Quantizer":
        return cls(**config)

    def get_config(self) -> dict:
        raise NotImplementedError(f"{self} does not implement get_config()")


def abs_max_quantize(inputs, axis, value_range=(-127, 127), dtype: str = "int8", epsilon: float | None = None,
                     to_numpy: bool = False):
    """``(quantized, scale)``: ``round(inputs * scale)`` clipped to ``value_range`` in ``dtype``, with
    ``scale = value_range[1] / (max(|inputs|, axis) + epsilon)`` (kept dims, the inputs' dtype).
    ``to_numpy=True`` computes the same on the host with NumPy."""
    epsilon = backend.epsilon() if epsilon is None else epsilon
    inputs = ember.as_tensor(inputs)
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    if to_numpy:
        array = numpy.asarray(inputs.detach())
        scale = numpy.divide(value_range[1], numpy.add(numpy.max(numpy.abs(array), axis=axis, keepdims=True),
                                                       epsilon))
        outputs = numpy.clip(numpy.round(array * scale), value_range[0], value_range[1]).astype(dtype)
        return ember.tensor(outputs), ember.tensor(scale.astype(array.dtype))
    scale = value_range[1] / (ember.amax(ember.abs(inputs), dim=axis, keepdim=True) + epsilon)
    scale = ember.cast(scale, inputs.dtype)
    outputs = ember.clip(ember.round(inputs * scale), value_range[0], value_range[1])
    return ember.cast(outputs, dtype), scale


class AbsMaxQuantizer(Quantizer):
    """``AbsMaxQuantizer(axis=None, value_range=(-127, 127), epsilon=keras.backend.epsilon(),
    output_dtype="int8")``: calls :func:`abs_max_quantize` along ``axis`` (the call's, else the
    constructor's, else -1)."""

    def __init__(self, axis=None, value_range=(-127, 127), epsilon: float | None = None,
                 output_dtype: str = "int8"):
        super().__init__(output_dtype=output_dtype)
        self.axis = None if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
        self.value_range = value_range
        self.epsilon = backend.epsilon() if epsilon is None else epsilon
        if output_dtype == "int8" and (value_range[0] < -128 or value_range[1] > 127):
            raise ValueError("Quantizer with output_dtype='int8' requires value_range to be within the interval "
                             f"[-128, 127]. Received: value_range={value_range}")

    def __call__(self, x, axis=None, to_numpy: bool = False):
        axis = self.axis if axis is None else axis
        return abs_max_quantize(x, -1 if axis is None else axis, self.value_range, self.output_dtype, self.epsilon,
                                to_numpy)

    def get_config(self) -> dict:
        config = {"value_range": self.value_range, "epsilon": self.epsilon, "output_dtype": self.output_dtype}
        if self.axis is not None:
            config["axis"] = self.axis
        return config


def _nudged_range(min_range, max_range, num_bits: int, narrow_range: bool):
    """The range moved so that 0.0 falls exactly on the grid (TensorFlow's nudging), with the step."""
    dtype = ember.promote_types(min_range.dtype, ember.float32)
    min_range, max_range = ember.cast(min_range, dtype), ember.cast(max_range, dtype)
    quant_max, quant_min = (1 << num_bits) - 1, (1 if narrow_range else 0)
    scale = (max_range - min_range) / (quant_max - quant_min)
    inv_scale = (quant_max - quant_min) / (max_range - min_range)  # not 1/scale: as precise as Keras's
    zero_point = ember.round(ember.clip(quant_min - min_range / scale, quant_min, quant_max))
    return (quant_min - zero_point) * scale, (quant_max - zero_point) * scale, scale, inv_scale


def fake_quant_with_min_max_vars(inputs, min_vals, max_vals, num_bits: int = 8, narrow_range: bool = False,
                                 axis: int | None = None):
    """``inputs`` clamped to ``[min_vals, max_vals]`` (nudged onto the grid), rounded to one of the
    ``2**num_bits`` levels (``2**num_bits - 1`` with ``narrow_range``) and returned as floats.

    Per tensor (scalar bounds) or per channel along ``axis``. Gradients: the incoming gradient
    where the input lies inside the nudged range, else to ``min_vals`` (below) or ``max_vals``
    (above), summed over the other axes."""
    inputs, min_vals, max_vals = (ember.as_tensor(value) for value in (inputs, min_vals, max_vals))
    num_bits = int(num_bits)
    shape = [1] * inputs.ndim
    if axis is not None:  # per-channel bounds broadcast along their axis
        axis = axis % inputs.ndim
        shape[axis] = -1
    low_b = ember.reshape(min_vals, shape) if axis is not None else min_vals
    high_b = ember.reshape(max_vals, shape) if axis is not None else max_vals
    with ember.no_grad():
        nudged_min, nudged_max, scale, inv_scale = _nudged_range(low_b.detach(), high_b.detach(), num_bits,
                                                                 narrow_range)
        quant_zero = ember.floor(-nudged_min * inv_scale + 0.5)
        shifted = ember.clip(ember.cast(inputs.detach(), nudged_min.dtype), nudged_min, nudged_max) - nudged_min
        result = ember.cast(ember.floor(shifted * inv_scale - quant_zero + 0.5) * scale, inputs.dtype)
    inside = ember.logical_and(inputs >= nudged_min, inputs <= nudged_max)
    below, above = inputs <= nudged_min, inputs >= nudged_max
    # The value is ``result``; each term ``t - stop_gradient(t)`` is exactly zero and carries one
    # gradient path (straight through inside the range, to the bound that clamped outside it).
    paths = [ember.where(inside, inputs, 0.0), ember.where(below, low_b, 0.0), ember.where(above, high_b, 0.0)]
    return result + sum(ember.cast(path - ember.stop_gradient(path), inputs.dtype) for path in paths)
