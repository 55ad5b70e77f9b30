"""Geometric and combined augmentation layers: RandomShear, RandomPerspective, RandomColorJitter.

``RandomShear`` shears by ``x_factor``/``y_factor`` (either direction);
``RandomPerspective`` moves the four corners by up to ``scale / 2`` of the
image size and warps the image onto them (with probability drawn from
``factor``). Both sample through :func:`.image_transform.affine_transform`,
Keras's sampling rule. ``RandomColorJitter`` chains RandomBrightness,
RandomContrast, RandomSaturation and RandomHue (those given a factor).

Example:
    >>> import ember
    >>> from ember import keras
    >>> images = ember.rand(2, 6, 6, 3) * 255
    >>> keras.layers.RandomShear(x_factor=0.3, seed=1)(images).shape
    (2, 6, 6, 3)
    >>> keras.layers.RandomColorJitter(brightness_factor=0.2, hue_factor=0.1, seed=1)(images).shape
    (2, 6, 6, 3)
"""
from __future__ import annotations

import numpy

import ember

from .augmentation_base import ImageAugmentation, parse_factor
from .augmentation_color import RandomHue, RandomSaturation
from .image_transform import affine_transform, homography_transforms
from .preprocessing_image import RandomBrightness, RandomContrast

_INTERPOLATIONS = ("nearest", "bilinear")


class RandomShear(ImageAugmentation):
    """Shears each image along x and y by random amounts from ``x_factor`` and ``y_factor``."""

    _FILL_MODES = ("reflect", "wrap", "constant", "nearest")

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation: str = "bilinear", fill_mode: str = "reflect",
                 fill_value: float = 0.0, data_format=None, seed: int | None = None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.x_factor = self._factor(x_factor, "x_factor")
        self.y_factor = self._factor(y_factor, "y_factor")
        if fill_mode not in self._FILL_MODES:
            raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one {self._FILL_MODES}.")
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one {_INTERPOLATIONS}.")
        self.interpolation, self.fill_mode, self.fill_value = interpolation, fill_mode, fill_value

    @staticmethod
    def _factor(factor, name: str) -> tuple:
        values = factor if isinstance(factor, (tuple, list)) else (factor,)
        # A pair may reach below 0: that is how get_config stores a number f, (-f, f).
        lowest = -1.0 if isinstance(factor, (tuple, list)) else 0.0
        if not isinstance(factor, (tuple, list, int, float)) or len(values) != (2 if lowest else 1) or any(
                not lowest <= value <= 1.0 for value in values):
            raise ValueError(f"The `factor` argument should be a number (or a list of two numbers) in the range "
                             f"[0, 1.0]. Received: {name}={factor}")
        return tuple(sorted(factor)) if isinstance(factor, (tuple, list)) else (-abs(factor), abs(factor))

    def get_random_transformation(self, images, training=True, seed=None):
        batch = images.shape[0]
        sign = numpy.where(self._uniform(0, 1, (batch, 1)) > 0.5, -1.0, 1.0).astype(numpy.float32)
        shear_y = self._uniform(*self.y_factor, (batch, 1))
        shear_x = self._uniform(*self.x_factor, (batch, 1))
        return {"shear_factor": numpy.concatenate([shear_x, shear_y], 1) * sign,
                "input_shape": tuple(images.shape)}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        shear = numpy.asarray(transformation["shear_factor"], dtype=numpy.float32)
        ones, zeros = numpy.ones(len(shear), numpy.float32), numpy.zeros(len(shear), numpy.float32)
        transforms = numpy.stack([ones, shear[:, 0], zeros, shear[:, 1], ones, zeros, zeros, zeros], 1)
        return affine_transform(images, transforms, self.interpolation, self.fill_mode, self.fill_value)

    @staticmethod
    def _config_factor(factor: tuple):
        # (-f, f) is written as f: Keras's from_config refuses a negative pair (its own get_config writes one).
        return factor[1] if factor[0] == -factor[1] else list(factor)

    def get_config(self) -> dict:
        return {**super().get_config(), "x_factor": self._config_factor(self.x_factor),
                "y_factor": self._config_factor(self.y_factor), "fill_mode": self.fill_mode, "interpolation": self.interpolation, "fill_value": self.fill_value}


class RandomPerspective(ImageAugmentation):
    """Warps each image (probability from ``factor``) by moving its corners up to ``scale / 2`` of its size."""

    def __init__(self, factor=1.0, scale: float = 1.0, interpolation: str = "bilinear", fill_value: float = 0.0,
                 seed: int | None = None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = parse_factor(factor)
        if not 0.0 <= scale <= 1.0:
            raise ValueError(f"The `scale` argument should be a number in the range [0,1]. Received: scale={scale}")
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one {_INTERPOLATIONS}.")
        self.scale, self.interpolation, self.fill_value = scale, interpolation, fill_value

    def get_random_transformation(self, images, training=True, seed=None):
        batch, height, width = images.shape[:3]
        probability = self._uniform(*self.factor, batch)
        apply = self._uniform(0, 1, batch) < probability
        moves = self._uniform(-0.5 * self.scale, 0.5 * self.scale, (batch, 4, 2))
        corners = numpy.array([[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1], [width - 1, height - 1]],
                              dtype=numpy.float32)
        start = numpy.repeat(corners[None], batch, 0)
        return {"apply_perspective": apply, "start_points": start, "end_points": start + start * moves,
                "input_shape": tuple(images.shape)}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        transforms = homography_transforms(transformation["start_points"], transformation["end_points"])
        warped = affine_transform(images, transforms, self.interpolation, "constant", self.fill_value)
        apply = ember.reshape(ember.as_tensor(numpy.asarray(transformation["apply_perspective"], dtype=bool)),
                              (-1, 1, 1, 1))
        return ember.where(apply, warped, images)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


class RandomColorJitter(ImageAugmentation):
    """Random brightness, contrast, saturation and hue changes, in that order (each only when its factor is set)."""

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None, saturation_factor=None,
                 hue_factor=None, seed: int | None = None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor, self.contrast_factor = brightness_factor, contrast_factor
        self.saturation_factor, self.hue_factor = saturation_factor, hue_factor
        steps = ((RandomBrightness, brightness_factor), (RandomContrast, contrast_factor),
                 (RandomSaturation, saturation_factor), (RandomHue, hue_factor))
        self._steps = [cls(factor, value_range=value_range, seed=seed) for cls, factor in steps if factor is not None]

    def transform_images(self, images, transformation=None, training=True):
        if not training:
            return images
        for step in self._steps:
            if isinstance(step, ImageAugmentation):
                images = step.transform_images(images, step.get_random_transformation(images))
            else:
                images = step.augment(images)
        return images

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range,
                "brightness_factor": self.brightness_factor, "contrast_factor": self.contrast_factor,
                "saturation_factor": self.saturation_factor, "hue_factor": self.hue_factor}
