"""``keras.InputSpec``: what a layer accepts (rank, dtype, sizes of given axes), checked on each call.

A layer that sets ``self.input_spec`` (one spec, or a list with one per input)
gets Keras's error before ``build``/``call`` run when an input does not fit.

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> class Pairwise(keras.layers.Layer):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.input_spec = keras.InputSpec(ndim=2, axes={-1: 2})
    ...     def call(self, x):
    ...         return x[:, :1] * x[:, 1:]
    >>> Pairwise()(np.ones((3, 2), "float32")).shape
    (3, 1)
    >>> Pairwise()(np.ones((3, 4), "float32"))
    Traceback (most recent call last):
    ...
    ValueError: Input 0 of layer "pairwise_1" is incompatible with the layer: expected axis -1 of input shape to have value 2, but received input with shape (3, 4)
"""
from __future__ import annotations

from .utils import tree


class InputSpec:
    """What an input must have: rank (``ndim``, ``min_ndim``, ``max_ndim``), ``shape``, ``dtype``, ``axes`` sizes."""

    def __init__(self, dtype=None, shape=None, ndim: int | None = None, max_ndim: int | None = None,
                 min_ndim: int | None = None, axes: dict | None = None, allow_last_axis_squeeze: bool = False,
                 name: str | None = None, optional: bool = False):
        self.dtype = None if dtype is None else str(dtype).removeprefix("ember.")
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = {int(axis): size for axis, size in (axes or {}).items()}
        self.allow_last_axis_squeeze, self.name, self.optional = allow_last_axis_squeeze, name, optional
        if self.axes and self.ndim is not None and any(axis >= self.ndim for axis in self.axes):
            raise ValueError(f"Axis {max(self.axes)} is greater than the maximum allowed value: {self.ndim - 1}")

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim, "max_ndim": self.max_ndim,
                "min_ndim": self.min_ndim, "axes": self.axes, "optional": self.optional}

    @classmethod
    def from_config(cls, config: dict) -> "InputSpec":
        return cls(**config)

    def __repr__(self) -> str:
        fields = {key: value for key, value in self.get_config().items() if value and key != "optional"}
        return "InputSpec(" + ", ".join(f"{key}={value}" for key, value in fields.items()) + ")"


def _shape_and_dtype(value) -> tuple[tuple, str | None]:
    shape = tuple(getattr(value, "shape", ()))
    dtype = getattr(value, "dtype", None)
    return shape, None if dtype is None else str(dtype).removeprefix("ember.")


def _problem(spec: InputSpec, shape: tuple, dtype: str | None) -> str | None:
    """What about an input of ``shape``/``dtype`` breaks ``spec`` (None when it fits)."""
    rank = len(shape)
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and rank != spec.ndim:
        return f"expected ndim={spec.ndim}, found ndim={rank}. Full shape received: {shape}"
    if spec.max_ndim is not None and rank > spec.max_ndim:
        return f"expected max_ndim={spec.max_ndim}, found ndim={rank}"
    if spec.min_ndim is not None and rank < spec.min_ndim:
        return f"expected min_ndim={spec.min_ndim}, found ndim={rank}. Full shape received: {shape}"
    if spec.dtype is not None and dtype is not None and dtype != spec.dtype:
        return f"expected dtype={spec.dtype}, found dtype={dtype}"
    for axis, size in spec.axes.items():
        if size is not None and -rank <= axis < rank and shape[axis] not in (size, None):
            return (f"expected axis {axis} of input shape to have value {size}, but received input with "
                    f"shape {shape}")
    if spec.shape is not None and rank == len(spec.shape):
        for expected, actual in zip(spec.shape, shape):
            if expected is not None and actual is not None and expected != actual:
                return f"expected shape={spec.shape}, found shape={shape}"
    return None


def assert_input_compatibility(input_spec, inputs, layer_name: str) -> None:
    """Raise Keras's ``ValueError`` when ``inputs`` do not fit ``input_spec`` (None: no checks)."""
    if input_spec is None:
        return
    specs = input_spec if isinstance(input_spec, (list, tuple)) else [input_spec]
    values = tree.flatten(inputs)
    if len(values) != len(specs):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it received '
                         f"{len(values)} input tensors")
    for index, (spec, value) in enumerate(zip(specs, values)):
        if spec is None or (value is None and spec.optional):
            continue
        problem = _problem(spec, *_shape_and_dtype(value))
        if problem:
            raise ValueError(f'Input {index} of layer "{layer_name}" is incompatible with the layer: {problem}')
