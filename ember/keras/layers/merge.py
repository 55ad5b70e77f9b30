"""Merging layers: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum.

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
"""
from __future__ import annotations

import functools

import ember

from .layer import Layer


class _Merge(Layer):
    """Base of the elementwise merges: ``_merge(tensors)`` on a list of same-shape tensors."""

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

    def compute_output_shape(self, input_shape):
        shapes = [list(shape) for shape in input_shape]
        axis = self.axis % len(shapes[0])
        sizes = [shape[axis] for shape in shapes]
        output = list(shapes[0])
        output[axis] = None if None in sizes else sum(sizes)
        return tuple(output)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def add(inputs, **kwargs):
    """Functional form: ``keras.layers.add([a, b])``."""
    return Add(**kwargs)(inputs)


def concatenate(inputs, axis: int = -1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)
