"""Reshaping layers: Permute, RepeatVector, ZeroPadding1D/2D, Cropping1D/2D, UpSampling1D/2D.

All channels last: 1D layers act on ``(batch, steps, features)``, 2D layers on
``(batch, height, width, channels)``.

Example:
    >>> import ember
    >>> from ember import keras
    >>> x = ember.ones(2, 3, 4)
    >>> keras.layers.Permute((2, 1))(x).shape, keras.layers.RepeatVector(5)(ember.ones(2, 4)).shape
    ((2, 4, 3), (2, 5, 4))
    >>> keras.layers.ZeroPadding1D((1, 2))(x).shape, keras.layers.Cropping1D(1)(x).shape
    ((2, 6, 4), (2, 1, 4))
    >>> keras.layers.UpSampling2D((2, 3))(ember.ones(1, 2, 2, 1)).shape
    (1, 4, 6, 1)
"""
from __future__ import annotations

import ember

from .conv import pad_spatial, to_channels_first, to_channels_last
from .layer import Layer
from .resize import INTERPOLATIONS, repeat_axis, resize_axis


def _channels_last(data_format) -> str:
    if data_format not in (None, "channels_last"):
        raise ValueError("Ember's Keras layers are channels_last only (data_format='channels_last')")
    return "channels_last"


def _pairs(value, rank: int, name: str) -> tuple:
    """``value`` as ``rank`` (before, after) pairs: from an int, one int per axis, or pairs."""
    if isinstance(value, int):
        return ((value, value),) * rank
    value = tuple(value)
    if rank == 1 and len(value) == 2 and all(isinstance(v, int) for v in value):
        return (value,)
    if len(value) != rank:
        raise ValueError(f"`{name}` should have {rank} elements. Received: {name}={value}")
    return tuple((v, v) if isinstance(v, int) else tuple(v) for v in value)


def _add(size, amount: int):
    return None if size is None else size + amount


class Permute(Layer):
    """Reorders the non-batch axes: ``dims`` is a permutation of ``1 … rank-1``."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute Layer. The set of indices "
                             f"in `dims` must be consecutive and start from 1. Received dims={dims}")

    def call(self, inputs):
        return ember.permute(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """``(batch, features)`` → ``(batch, n, features)``."""

    def __init__(self, n: int, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        self.n = n

    def call(self, inputs):
        if inputs.ndim != 2:
            raise ValueError(f"RepeatVector expects inputs of rank 2 (batch, features); got shape "
                             f"{tuple(inputs.shape)}")
        return ember.broadcast_to(ember.unsqueeze(inputs, 1), (inputs.shape[0], self.n, inputs.shape[1]))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}


class _ZeroPadding(Layer):
    rank = 2

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, self.rank, "padding")
        self.data_format = _channels_last(data_format)

    def call(self, inputs):
        return to_channels_last(pad_spatial(to_channels_first(inputs), self.padding))

    def compute_output_shape(self, input_shape):
        spatial = tuple(_add(size, sum(pair)) for size, pair in zip(input_shape[1:-1], self.padding))
        return (input_shape[0],) + spatial + (input_shape[-1],)

    def get_config(self) -> dict:
        padding = self.padding[0] if self.rank == 1 else self.padding
        return {**super().get_config(), "padding": padding, "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Zeros before and after the time axis: ``padding`` is an int or ``(before, after)``."""

    rank = 1


class ZeroPadding2D(_ZeroPadding):
    """Zeros around images: an int, ``(rows, cols)`` or ``((top, bottom), (left, right))``."""

    rank = 2


class ZeroPadding3D(_ZeroPadding):
    """Zeros around volumes ``(batch, d1, d2, d3, channels)``: an int, 3 ints or 3 (before, after) pairs."""

    rank = 3


class _Cropping(Layer):
    rank = 2

    def __init__(self, cropping=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, self.rank, "cropping")
        self.data_format = _channels_last(data_format)

    def call(self, inputs):
        index = [slice(None)]
        for axis, (before, after) in enumerate(self.cropping, start=1):
            if before + after >= inputs.shape[axis]:
                raise ValueError(f"Cropping {self.cropping} removes all of axis {axis} (size "
                                 f"{inputs.shape[axis]}) of inputs of shape {tuple(inputs.shape)}")
            index.append(slice(before, inputs.shape[axis] - after))
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        spatial = tuple(_add(size, -sum(pair)) for size, pair in zip(input_shape[1:-1], self.cropping))
        return (input_shape[0],) + spatial + (input_shape[-1],)

    def get_config(self) -> dict:
        cropping = self.cropping[0] if self.rank == 1 else self.cropping
        config = {**super().get_config(), "cropping": cropping}
        return config if self.rank == 1 else {**config, "data_format": self.data_format}


class Cropping1D(_Cropping):
    """Removes ``(before, after)`` steps from the time axis (default 1 each)."""

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, **kwargs)


class Cropping2D(_Cropping):
    """Removes rows and columns: an int, ``(rows, cols)`` or ``((top, bottom), (left, right))``."""

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class UpSampling1D(Layer):
    """Repeats each time step ``size`` times."""

    def __init__(self, size: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)

    def call(self, inputs):
        return repeat_axis(inputs, 1, self.size)

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}


class UpSampling2D(Layer):
    """Scales images by integer factors ``size``, by ``nearest`` (repetition) or ``bilinear`` interpolation."""

    def __init__(self, size=(2, 2), data_format=None, interpolation: str = "nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = (size, size) if isinstance(size, int) else tuple(int(s) for s in size)
        self.data_format = _channels_last(data_format)
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"UpSampling2D: interpolation must be one of {INTERPOLATIONS} in Ember; "
                             f"received {interpolation!r}")
        self.interpolation = interpolation

    def call(self, inputs):
        if self.interpolation == "nearest":
            return repeat_axis(repeat_axis(inputs, 1, self.size[0]), 2, self.size[1])
        rows = resize_axis(inputs, 1, inputs.shape[1] * self.size[0], "bilinear")
        return resize_axis(rows, 2, inputs.shape[2] * self.size[1], "bilinear")

    def compute_output_shape(self, input_shape):
        height, width = (None if s is None else s * f for s, f in zip(input_shape[1:3], self.size))
        return (input_shape[0], height, width, input_shape[3])

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


class UpSampling3D(Layer):
    """Repeats each voxel ``size`` times along the three spatial axes."""

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = (size,) * 3 if isinstance(size, int) else tuple(int(s) for s in size)
        self.data_format = _channels_last(data_format)

    def call(self, inputs):
        for axis, times in enumerate(self.size, start=1):
            inputs = repeat_axis(inputs, axis, times)
        return inputs

    def compute_output_shape(self, input_shape):
        spatial = tuple(None if s is None else s * f for s, f in zip(input_shape[1:4], self.size))
        return (input_shape[0],) + spatial + (input_shape[4],)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
