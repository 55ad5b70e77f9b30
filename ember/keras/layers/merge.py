"""Merging layers: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum, Dot.

Each takes a list of tensors of the same shape (Concatenate: the same shape
except along ``axis``).

Example:
    >>> import ember
    >>> from ember import keras
    >>> a, b = ember.ones(2, 3), ember.ones(2, 5)
    >>> keras.layers.Concatenate()([a, b]).shape
    (2, 8)
    >>> keras.layers.Add()([a, a])
    tensor([[2., 2., 2.],
            [2., 2., 2.]])
    >>> keras.layers.Dot(axes=1)([a, 2 * a])
    tensor([[6.],
            [6.]])
"""
from __future__ import annotations

import functools

import ember

from .. import backend
from .layer import Layer


class _Merge(Layer):
    """Base of the elementwise merges: ``_merge(tensors)`` on a list of same-shape tensors."""

    supports_masking = True

    def compute_mask(self, inputs, previous_mask):
        """A step is kept when any input keeps it (Keras's rule), if every input has a mask."""
        if previous_mask is None or any(mask is None for mask in previous_mask):
            return None
        return functools.reduce(ember.logical_or, previous_mask)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"A merge layer ({type(self).__name__}) should be called on a list of "
                             f"at least 2 inputs. Received: {inputs!r}")
        return self._merge(list(inputs))

    def compute_output_shape(self, input_shape):
        shapes = [tuple(shape) for shape in input_shape]
        return tuple(_merged_size(sizes) for sizes in zip(*shapes))


def _merged_size(sizes):
    known = [size for size in sizes if size not in (None, 1)]
    if len(set(known)) > 1:
        raise ValueError(f"Inputs have incompatible shapes: sizes {sizes} along one axis")
    return known[0] if known else (1 if all(size == 1 for size in sizes) else None)


class Add(_Merge):
    def _merge(self, tensors):
        return functools.reduce(lambda a, b: a + b, tensors)


class Subtract(_Merge):
    def _merge(self, tensors):
        if len(tensors) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs")
        return tensors[0] - tensors[1]


class Multiply(_Merge):
    def _merge(self, tensors):
        return functools.reduce(lambda a, b: a * b, tensors)


class Average(_Merge):
    def _merge(self, tensors):
        return functools.reduce(lambda a, b: a + b, tensors) / len(tensors)


class Maximum(_Merge):
    def _merge(self, tensors):
        return functools.reduce(ember.maximum, tensors)


class Minimum(_Merge):
    def _merge(self, tensors):
        return functools.reduce(ember.minimum, tensors)


class Concatenate(_Merge):
    """Joins tensors along ``axis`` (the last by default)."""

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _merge(self, tensors):
        return ember.cat(tensors, self.axis)

    def compute_mask(self, inputs, previous_mask):
        """Masks joined along ``axis`` (ones for inputs without one), then any() over the last axis."""
        if previous_mask is None or all(mask is None for mask in previous_mask):
            return None
        full = []
        for tensor, mask in zip(inputs, previous_mask):
            mask = ember.ones(tuple(tensor.shape), dtype=ember.bool) if mask is None else mask
            full.append(ember.unsqueeze(mask, -1) if mask.ndim < tensor.ndim else mask)
        return ember.any(ember.cat(full, self.axis), -1)

    def compute_output_shape(self, input_shape):
        shapes = [list(shape) for shape in input_shape]
        axis = self.axis % len(shapes[0])
        sizes = [shape[axis] for shape in shapes]
        output = list(shapes[0])
        output[axis] = None if None in sizes else sum(sizes)
        return tuple(output)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """Per-sample dot products of two tensors along ``axes`` (one int, or one axis per input).

    ``(batch, n)·(batch, n)`` gives ``(batch, 1)``; ``(batch, n, d)·(batch, m, d)`` along
    ``axes=2`` gives ``(batch, n, m)``. ``normalize=True`` L2-normalizes both along the
    axes first (cosine similarity).
    """

    def __init__(self, axes, normalize: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.axes = axes if isinstance(axes, int) else tuple(axes)
        self.normalize = normalize

    def _axes(self, ranks) -> list[int]:
        if isinstance(self.axes, int):
            return [self.axes % rank for rank in ranks] if self.axes < 0 else [self.axes] * 2
        return [axis % rank for axis, rank in zip(self.axes, ranks)]

    def _merge(self, tensors):
        if len(tensors) != 2:
            raise ValueError(f"A `Dot` layer should be called on exactly 2 inputs. Received: {len(tensors)}")
        first, second = tensors
        axis_1, axis_2 = self._axes([first.ndim, second.ndim])
        if first.shape[axis_1] != second.shape[axis_2]:
            raise ValueError(f"Dot: incompatible sizes {first.shape[axis_1]} and {second.shape[axis_2]} along "
                             f"axes {(axis_1, axis_2)} of shapes {tuple(first.shape)} and {tuple(second.shape)}")
        if self.normalize:
            first, second = _l2_normalize(first, axis_1), _l2_normalize(second, axis_2)
        return batch_dot(first, second, axis_1, axis_2)

    def compute_output_shape(self, input_shape):
        first, second = list(input_shape[0]), list(input_shape[1])
        axis_1, axis_2 = self._axes([len(first), len(second)])
        first.pop(axis_1)
        second.pop(axis_2)
        output = first + second[1:]
        return tuple(output + [1] if len(output) == 1 else output)

    def compute_mask(self, inputs, previous_mask):
        return None

    def get_config(self) -> dict:
        axes = self.axes if isinstance(self.axes, int) else list(self.axes)
        return {**super().get_config(), "axes": axes, "normalize": self.normalize}


def _l2_normalize(x, axis: int):
    # Keras: x * min(1/sqrt(sum x²), 1/epsilon)
    inverse_norm = ember.rsqrt(ember.sum(x * x, axis, keepdim=True))
    return x * ember.clamp(inverse_norm, max=1.0 / backend.epsilon())


def batch_dot(x, y, axis_x: int, axis_y: int):
    """Contract ``x``'s ``axis_x`` with ``y``'s ``axis_y``, sample by sample (axis 0 is the batch)."""
    rest_x = [a for a in range(1, x.ndim) if a != axis_x]
    rest_y = [a for a in range(1, y.ndim) if a != axis_y]
    size = x.shape[axis_x]
    left = ember.reshape(ember.permute(x, [0] + rest_x + [axis_x]), (x.shape[0], -1, size))
    right = ember.reshape(ember.permute(y, [0, axis_y] + rest_y), (y.shape[0], size, -1))
    shape = [x.shape[0]] + [x.shape[a] for a in rest_x] + [y.shape[a] for a in rest_y]
    return ember.reshape(ember.matmul(left, right), shape + [1] if len(shape) == 1 else shape)


def add(inputs, **kwargs):
    """Functional form: ``keras.layers.add([a, b])``."""
    return Add(**kwargs)(inputs)


def concatenate(inputs, axis: int = -1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def dot(inputs, axes=-1, normalize: bool = False, **kwargs):
    """Functional form: ``keras.layers.dot([a, b], axes=1)``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
