"""Image preprocessing and augmentation layers (channels last).

``Resizing`` and ``CenterCrop`` always apply. ``RandomFlip``, ``RandomRotation``,
``RandomZoom``, ``RandomTranslation`` and ``RandomContrast`` draw a new random
transform per image in training (``fit``, or a direct call, whose ``training``
defaults to True as in Keras) and return their input unchanged at inference
(``predict``, ``evaluate``, ``training=False``). Geometric ones go through
:func:`.image_transform.affine_transform`.

Example:
    >>> import ember
    >>> from ember import keras
    >>> images = ember.ones(2, 8, 6, 3)
    >>> keras.layers.Resizing(4, 4)(images).shape, keras.layers.CenterCrop(4, 4)(images).shape
    ((2, 4, 4, 3), (2, 4, 4, 3))
    >>> augment = keras.layers.RandomRotation(0.1, seed=1)
    >>> bool((augment(images, training=False) == images).all()), augment(images).shape
    (True, (2, 8, 6, 3))
"""
from __future__ import annotations

import math

import numpy

import ember

from .image_transform import FILL_MODES, affine_transform
from .layer import Layer
from .resize import resize


def _check_channels_last(data_format) -> str:
    if data_format not in (None, "channels_last"):
        raise ValueError("Ember's Keras layers are channels_last only (data_format='channels_last')")
    return "channels_last"


def _as_batch(images):
    """Images as a 4D batch, and whether a single image was given."""
    if images.ndim == 3:
        return ember.unsqueeze(images, 0), True
    if images.ndim != 4:
        raise ValueError(f"Expected images of rank 3 or 4 (channels last); received shape {tuple(images.shape)}")
    return images, False


def _float(images, dtype: str):
    return images if images.is_floating_point() else ember.cast(images, ember.as_dtype(dtype))


class Resizing(Layer):
    """Resize images to ``(height, width)``; ``crop_to_aspect_ratio`` first crops the centre to that aspect
    ratio, ``pad_to_aspect_ratio`` pads with ``fill_value`` to it instead."""

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False, fill_mode="constant",
                 fill_value: float = 0.0, antialias: bool = False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if pad_to_aspect_ratio and crop_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
        if fill_mode != "constant":
            raise ValueError(f"Invalid value for argument `fill_mode`. Only `'constant'` is supported. "
                             f"Received: fill_mode={fill_mode}")
        self.height, self.width, self.interpolation = height, width, interpolation
        self.crop_to_aspect_ratio, self.pad_to_aspect_ratio = crop_to_aspect_ratio, pad_to_aspect_ratio
        self.fill_mode, self.fill_value, self.antialias = fill_mode, fill_value, antialias
        self.data_format = _check_channels_last(data_format)

    def call(self, inputs):
        images, single = _as_batch(_float(inputs, self.dtype))
        if self.crop_to_aspect_ratio:
            images = crop_to_aspect(images, self.height, self.width)
        elif self.pad_to_aspect_ratio:
            images = pad_to_aspect(images, self.height, self.width, self.fill_value)
        outputs = resize(images, self.height, self.width, self.interpolation, self.antialias)
        return outputs[0] if single else outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-3]) + (self.height, self.width, input_shape[-1])

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation, "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias, "data_format": self.data_format}


def crop_to_aspect(images, target_height: int, target_width: int):
    """The largest centred crop with the aspect ratio of ``target_height × target_width``."""
    height, width = images.shape[1], images.shape[2]
    crop_height = min(height, int(width * target_height / target_width))
    crop_width = min(width, int(height * target_width / target_height))
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return images[:, top:top + crop_height, left:left + crop_width]


def pad_to_aspect(images, target_height: int, target_width: int, fill_value: float):
    """Images padded with ``fill_value`` on both sides of one axis towards the target aspect ratio.

    Each side gets ``(needed - size) // 2`` rows or columns, as Keras computes it, so an odd
    difference leaves the result one short of the exact ratio.
    """
    height, width = images.shape[1], images.shape[2]
    top = (max(height, int(width * target_height / target_width)) - height) // 2
    left = (max(width, int(height * target_width / target_height)) - width) // 2
    if top == left == 0:
        return images
    return ember.pad(images, (0, 0, left, left, top, top), value=float(fill_value))


class CenterCrop(Layer):
    """The central ``(height, width)`` of each image (smaller images are cropped to the aspect ratio and resized)."""

    def __init__(self, height: int, width: int, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height, self.width = height, width
        self.data_format = _check_channels_last(data_format)

    def call(self, inputs):
        images, single = _as_batch(_float(inputs, self.dtype))
        extra_height, extra_width = images.shape[1] - self.height, images.shape[2] - self.width
        if extra_height >= 0 and extra_width >= 0:
            top, left = extra_height // 2, extra_width // 2
            outputs = images[:, top:top + self.height, left:left + self.width]
        else:
            outputs = resize(crop_to_aspect(images, self.height, self.width), self.height, self.width)
        return outputs[0] if single else outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-3]) + (self.height, self.width, input_shape[-1])

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width, "data_format": self.data_format}


class _RandomImageLayer(Layer):
    """Augmentation: a random transform per image in training, the identity otherwise."""

    def __init__(self, seed: int | None = None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.data_format = _check_channels_last(data_format)
        self._rng = numpy.random.default_rng(seed if seed is not None else numpy.random.randint(2 ** 31))

    def call(self, inputs, training: bool = True):  # True: a direct call augments, as in Keras
        if not training:
            return inputs
        images, single = _as_batch(_float(inputs, self.dtype))
        outputs = self.augment(images)
        return outputs[0] if single else outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed, "data_format": self.data_format}


def _factor_range(factor, name: str) -> tuple[float, float]:
    lower, upper = (-factor, factor) if isinstance(factor, (int, float)) else tuple(factor)
    if lower > upper:
        raise ValueError(f"`{name}` lower bound {lower} must not exceed its upper bound {upper}")
    return float(lower), float(upper)


class RandomFlip(_RandomImageLayer):
    """Flip each image left-right and/or up-down with probability 1/2."""

    def __init__(self, mode: str = "horizontal_and_vertical", seed: int | None = None, **kwargs):
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(f"RandomFlip layer {kwargs.get('name')} received an unknown mode argument {mode}")
        super().__init__(seed, **kwargs)
        self.mode = mode

    def augment(self, images):
        for axis, wanted in ((2, "horizontal"), (1, "vertical")):
            if wanted in self.mode:
                flips = self._rng.uniform(size=images.shape[0]) < 0.5
                images = ember.where(ember.tensor(flips[:, None, None, None]), ember.flip(images, (axis,)), images)
        return images

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode}


class _RandomAffine(_RandomImageLayer):
    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, **kwargs):
        super().__init__(seed, **kwargs)
        if fill_mode not in FILL_MODES:
            raise ValueError(f"Unknown `fill_mode` {fill_mode}. Expected of one {FILL_MODES}.")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value

    def augment(self, images):
        transforms = self.transforms(images.shape[0], images.shape[1], images.shape[2])
        return affine_transform(images, transforms, self.interpolation, self.fill_mode, self.fill_value)

    def get_config(self) -> dict:
        return {**super().get_config(), "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "fill_value": self.fill_value}


class RandomRotation(_RandomAffine):
    """Rotate by ``factor`` × 2π at most (a float f: between -f and f turns; or a (low, high) pair)."""

    def __init__(self, factor, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = factor
        self._range = _factor_range(factor, "factor")

    def transforms(self, batch: int, height: int, width: int):
        from .image_transform import rotation_transforms
        angles = self._rng.uniform(*self._range, size=batch) * 2.0 * math.pi
        return rotation_transforms(angles, height, width)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_RandomAffine):
    """Zoom by 1 + a draw from ``height_factor`` (positive: out, negative: in); ``width_factor`` defaults to the same."""

    def __init__(self, height_factor, width_factor=None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height_range = _factor_range(height_factor, "height_factor")
        self._width_range = None if width_factor is None else _factor_range(width_factor, "width_factor")

    def transforms(self, batch: int, height: int, width: int):
        zoom_y = 1.0 + self._rng.uniform(*self._height_range, size=batch)
        zoom_x = zoom_y if self._width_range is None else 1.0 + self._rng.uniform(*self._width_range, size=batch)
        zeros = numpy.zeros(batch)
        return numpy.stack([zoom_x, zeros, (1.0 - zoom_x) * (width - 1) / 2.0, zeros, zoom_y,
                            (1.0 - zoom_y) * (height - 1) / 2.0, zeros, zeros], 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomTranslation(_RandomAffine):
    """Shift by a fraction of the height (``height_factor``) and width (``width_factor``)."""

    def __init__(self, height_factor, width_factor, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._ranges = (_factor_range(height_factor, "height_factor"), _factor_range(width_factor, "width_factor"))

    def transforms(self, batch: int, height: int, width: int):
        shift_y = self._rng.uniform(*self._ranges[0], size=batch) * height
        shift_x = self._rng.uniform(*self._ranges[1], size=batch) * width
        ones, zeros = numpy.ones(batch), numpy.zeros(batch)
        return numpy.stack([ones, zeros, -shift_x, zeros, ones, -shift_y, zeros, zeros], 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomContrast(_RandomImageLayer):
    """Scale each image's deviation from its per-channel mean by a random contrast factor.

    A pair ``(a, b)`` draws from ``[1 - a, 1 + b]``; a number ``f`` draws from ``[1, 1 + f]``, as
    Keras 3 computes it (its docstring says ``[1 - f, 1 + f]``).
    """

    def __init__(self, factor, value_range=(0, 255), seed: int | None = None, **kwargs):
        super().__init__(seed, **kwargs)
        message = (f"The `factor` argument should be a number (or a list of two numbers) in the range "
                   f"[0.0, 1.0]. Received: factor={factor}")
        if isinstance(factor, (int, float)):
            if not 0 <= factor <= 1:
                raise ValueError(message)
            # Keras 3's code (not its docstring's [1 - f, 1 + f]) clips the lower bound at 0:
            # a number f draws from [1, 1 + f]. Ember follows the code, so the two train alike.
            lower, upper = 0.0, float(factor)
        else:  # Keras's rule for a pair: refused only when it lies wholly outside [0, 1]; then sorted
            if len(factor) != 2 or factor[0] > 1 or factor[1] < 0:
                raise ValueError(message)
            lower, upper = sorted(factor)
        self.factor, self.value_range = factor, tuple(value_range)
        self._range = (1.0 - lower, 1.0 + upper)

    def augment(self, images):
        contrast = self._rng.uniform(*self._range, size=images.shape[0]).astype(numpy.float32)
        means = ember.mean(images, (1, 2), keepdim=True)
        outputs = (images - means) * ember.tensor(contrast[:, None, None, None], dtype=images.dtype) + means
        return ember.clamp(outputs, float(self.value_range[0]), float(self.value_range[1]))

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": list(self.value_range)}


class RandomCrop(_RandomImageLayer):
    """Training: a random ``(height, width)`` window (one offset per batch, as Keras), or for smaller images
    the largest centred window of that aspect ratio, resized. Inference: the input unchanged, as Keras 3
    does (its documentation promises a centred crop, its code returns the input)."""

    def __init__(self, height: int, width: int, seed: int | None = None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.height, self.width = height, width

    def call(self, inputs, training: bool = True):
        if not training:
            return inputs
        images, single = _as_batch(_float(inputs, self.dtype))
        extra_height, extra_width = images.shape[1] - self.height, images.shape[2] - self.width
        if extra_height >= 0 and extra_width >= 0:
            top = int(self._rng.integers(0, extra_height + 1))
            left = int(self._rng.integers(0, extra_width + 1))
            outputs = images[:, top:top + self.height, left:left + self.width]
        else:
            outputs = resize(crop_to_aspect(images, self.height, self.width), self.height, self.width)
        return outputs[0] if single else outputs

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width}


class RandomBrightness(_RandomImageLayer):
    """Add ``factor`` × (value range) at most to each image, clipped to ``value_range``."""

    def __init__(self, factor, value_range=(0, 255), seed: int | None = None, **kwargs):
        super().__init__(seed, **kwargs)
        self._range = _factor_range(factor, "factor")
        if self._range[0] < -1.0 or self._range[1] > 1.0:
            raise ValueError(f"The `factor` argument should be a number (or a list of two numbers) in the range "
                             f"[-1.0, 1.0]. Received: factor={factor}")
        self.factor, self.value_range = factor, tuple(value_range)

    def augment(self, images):
        span = float(self.value_range[1] - self.value_range[0])
        deltas = self._rng.uniform(*self._range, size=images.shape[0]).astype(numpy.float32) * span
        outputs = images + ember.tensor(deltas[:, None, None, None], dtype=images.dtype)
        return ember.clamp(outputs, float(self.value_range[0]), float(self.value_range[1]))

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": list(self.value_range)}
