"""Keras 3's float8 helpers: scale updates, amax history, and quantize-then-dequantize.

Ember has no float8 storage type, so the cast to ``float8_e4m3fn`` /
``float8_e5m2`` is done as arithmetic: each value is rounded (half to even) to
the nearest number the format can hold, at the format's step for the value's
binary exponent (the smallest normal exponent's step below it: subnormals).
The gradient passes straight through that rounding, as through torch's cast.

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> x = np.array([1.0, 3.3, -17.0, 300.0], dtype="float32")
    >>> keras.quantizers.quantize_and_dequantize(x, np.float32(1.0), "float8_e4m3fn", "float32").tolist()
    [1.0, 3.25, -16.0, 288.0]
"""
from __future__ import annotations

import ember

# format: (mantissa bits, smallest normal exponent, largest finite value)
FLOAT8_FORMATS = {
    "float8_e4m3fn": (3, -6, 448.0),
    "float8_e5m2": (2, -14, 57344.0),
}


def _format(quantized_dtype) -> tuple:
    name = str(quantized_dtype).removeprefix("ember.").removeprefix("torch.")
    if name not in FLOAT8_FORMATS:
        raise ValueError(f"quantize_and_dequantize: quantized_dtype must be one of {sorted(FLOAT8_FORMATS)}; "
                         f"received {quantized_dtype!r}")
    return FLOAT8_FORMATS[name]


def round_to_float8(x, quantized_dtype):
    """``x`` rounded to the nearest ``quantized_dtype`` value (in range), kept in ``x``'s dtype."""
    mantissa_bits, min_exponent, _ = _format(quantized_dtype)
    x = ember.as_tensor(x)
    with ember.no_grad():
        magnitude = ember.abs(x.detach())
        _, exponent = ember.frexp(magnitude)  # magnitude = m * 2**exponent with m in [0.5, 1)
        exponent = ember.clip(ember.cast(exponent, x.dtype) - 1, min_exponent, None)
        step = ember.exp2(exponent - mantissa_bits)
        rounded = ember.sign(x.detach()) * ember.round(magnitude / step) * step  # powers of 2: exact
    return x + ember.stop_gradient(rounded - x)


def quantize_and_dequantize(inputs, scale, quantized_dtype, compute_dtype):
    """``inputs / scale`` clipped to the float8 format's range, rounded to it, times ``scale``
    again, in ``compute_dtype``."""
    dtype_max = _format(quantized_dtype)[2]
    scale = ember.cast(ember.as_tensor(scale), compute_dtype)
    x = ember.as_tensor(inputs) / scale
    x = ember.clip(x, -dtype_max, dtype_max)
    x = round_to_float8(x, quantized_dtype)
    return ember.cast(x, compute_dtype) * scale


def compute_float8_scale(amax, scale, dtype_max, margin: int = 0):
    """The next scale (NVIDIA Transformer Engine's rule): ``1 / (dtype_max / amax / 2**margin)``,
    keeping ``scale`` where ``amax`` is not positive or not finite."""
    amax = ember.as_tensor(amax)
    previous = ember.reciprocal(ember.as_tensor(scale))
    factor = dtype_max / amax / 2 ** margin
    factor = ember.where(amax > 0.0, factor, previous)
    factor = ember.where(ember.isfinite(amax), factor, previous)
    return ember.reciprocal(factor)


def compute_float8_amax_history(x, amax_history):
    """The history rolled one step (oldest first out) with ``max(|x|)`` written at position 0."""
    amax_history = ember.as_tensor(amax_history)
    amax = ember.cast(ember.amax(ember.abs(ember.as_tensor(x))), amax_history.dtype)
    rolled = ember.roll(amax_history, -1)
    first = ember.arange(amax_history.shape[0]) == 0
    return ember.where(first, amax, rolled)
