"""Colour augmentation layers of Keras 3: grey, invert, posterize, solarize, contrast, equalize,
saturation, hue, sharpness, colour degeneration and Gaussian blur (channels last).

Each follows Keras's ``value_range`` convention (the images' range, ``(0, 255)``
by default; results are clipped to it where Keras clips) and draws its random
parameters per image in training; see :mod:`.augmentation_base`.

Example:
    >>> import ember
    >>> from ember import keras
    >>> images = ember.tensor([[[[0.0, 128.0, 255.0]]]])
    >>> keras.layers.RandomPosterization(factor=(1, 1))(images).tolist()
    [[[[0.0, 128.0, 128.0]]]]
    >>> keras.layers.Solarization(threshold_factor=(0.4, 0.4))(images).tolist()
    [[[[0.0, 127.0, 0.0]]]]
"""
from __future__ import annotations

import numpy

import ember
from ember.nn import functional as F

from ..ops.image import rgb_to_grayscale
from .augmentation_base import (ImageAugmentation, hsv_to_rgb, parse_factor, parse_value_range, per_image,
                                rgb_to_hsv, to_value_range)

_EPSILON = 1e-7  # keras.config.epsilon()


def _batch(images) -> int:
    return images.shape[0]


class RandomGrayscale(ImageAugmentation):
    """Turns each image grey (ITU-R 601 luma in every channel) with probability ``factor``."""

    def __init__(self, factor: float = 0.5, data_format=None, seed: int | None = None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        if not 0 <= factor <= 1:
            raise ValueError(f"`factor` should be between 0 and 1. Received: factor={factor}")
        self.factor = factor

    def get_random_transformation(self, images, training=True, seed=None):
        return self._uniform(0, 1, _batch(images)) < self.factor

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        apply = ember.reshape(ember.as_tensor(numpy.asarray(transformation)), (-1, 1, 1, 1))
        return ember.where(apply, rgb_to_grayscale(images), images)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}


class RandomInvert(ImageAugmentation):
    """Replaces an image by ``value_range[1] - image`` with a probability drawn from ``factor``."""

    def __init__(self, factor=1.0, value_range=(0, 255), seed: int | None = None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = parse_factor(factor, (0, 1))
        self.value_range = value_range

    def get_random_transformation(self, images, training=True, seed=None):
        probability = self._uniform(*self.factor, _batch(images))
        return {"apply_inversion": self._uniform(0, 1, _batch(images)) < probability}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        apply = ember.reshape(ember.as_tensor(numpy.asarray(transformation["apply_inversion"])), (-1, 1, 1, 1))
        return ember.where(apply, float(self.value_range[1]) - images, images)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomPosterization(ImageAugmentation):
    """Keeps the top ``bits`` bits of each 8-bit value, ``bits`` drawn from ``factor`` (1 … 8)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed: int | None = None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = parse_factor(factor, (1, 8))
        self.value_range = parse_value_range(value_range)

    def get_random_transformation(self, images, training=True, seed=None):
        low, high = self.factor
        bits = (self._rng.integers(low, high, size=_batch(images)) if low != high
                else numpy.full(_batch(images), low))
        return {"shift_factor": (8 - bits).astype(numpy.uint8)}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        step = per_image(2.0 ** numpy.asarray(transformation["shift_factor"], dtype=numpy.float32), images)
        eight_bit = ember.trunc(to_value_range(images, self.value_range, (0, 255)))  # Keras casts to uint8
        posterized = ember.floor(eight_bit / step) * step
        return to_value_range(posterized, (0, 255), self.value_range)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class Solarization(ImageAugmentation):
    """Adds a random amount, then inverts every value above a random threshold (both in 0 … 255 units)."""

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed: int | None = None,
                 **kwargs):
        super().__init__(seed, kwargs.pop("data_format", None), **kwargs)
        self.addition_factor = self._factor(addition_factor, "addition_factor")
        self.threshold_factor = self._factor(threshold_factor, "threshold_factor")
        self.value_range = parse_value_range(value_range)

    @staticmethod
    def _factor(factor, name: str) -> tuple:
        values = factor if isinstance(factor, (tuple, list)) else (factor,)
        if not isinstance(factor, (tuple, list, int, float)) or len(values) > 2 or any(
                not 0 <= value <= 1 for value in values):
            raise ValueError(f"The `addition_factor` and `threshold_factor` arguments should be a number (or a "
                             f"list of two numbers) in the range [0, 1]. Received: {name}={factor}")
        return tuple(sorted(factor)) if isinstance(factor, (tuple, list)) else (0, factor)

    def get_random_transformation(self, images, training=True, seed=None):
        shape = (_batch(images), 1, 1, 1)
        return {"additions": self._uniform(self.addition_factor[0], self.addition_factor[1] * 255, shape),
                "thresholds": self._uniform(self.threshold_factor[0], self.threshold_factor[1] * 255, shape)}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        additions = per_image(numpy.asarray(transformation["additions"]).reshape(-1), images)
        thresholds = per_image(numpy.asarray(transformation["thresholds"]).reshape(-1), images)
        results = ember.clamp(to_value_range(images, self.value_range, (0, 255)) + additions, 0.0, 255.0)
        results = ember.where(results < thresholds, results, 255.0 - results)
        return to_value_range(results, (0, 255), self.value_range)

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range, "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor}


class AutoContrast(ImageAugmentation):
    """Stretches each image's channels to the full value range (deterministic: applied in every call, as Keras)."""

    _seeded, _applies_at_inference = False, True

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(kwargs.pop("seed", None), kwargs.pop("data_format", None), **kwargs)
        self.value_range = parse_value_range(value_range)

    def transform_images(self, images, transformation=None, training=True):
        scaled = to_value_range(images, self.value_range, (0, 255))
        low = ember.amin(scaled, (1, 2), keepdim=True)
        high = ember.amax(scaled, (1, 2), keepdim=True)
        scale = 255.0 / (high - low)
        results = ember.clamp(scaled * scale - low * scale, 0.0, 255.0)
        results = to_value_range(results, (0, 255), self.value_range)
        return ember.where(ember.isnan(results), images, results)  # a flat channel stays as it was

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range}


class Equalization(ImageAugmentation):
    """Histogram equalization of each channel (over the whole batch, as Keras), with ``bins`` bins."""

    _seeded = False

    def __init__(self, value_range=(0, 255), bins: int = 256, data_format=None, **kwargs):
        super().__init__(kwargs.pop("seed", None), data_format, **kwargs)
        self.bins = bins
        self.value_range = parse_value_range(value_range)

    def transform_images(self, images, transformation=None, training=True):
        if not training:
            return images
        values = images.detach().numpy().astype(numpy.float32)  # a lookup table: no gradient, as in Keras
        channels = [self._equalize(values[..., channel]) for channel in range(values.shape[-1])]
        return ember.tensor(numpy.stack(channels, -1).astype(values.dtype))

    def _equalize(self, channel: numpy.ndarray) -> numpy.ndarray:
        full_range = tuple(self.value_range) == (0, 255)
        if not full_range:
            channel = to_value_range(channel, self.value_range, (0, 255))
        bins = self.bins
        indices = numpy.clip((channel * (bins - 1) / 255.0).astype(numpy.int32), 0, bins - 1)
        histogram = numpy.bincount(indices.reshape(-1), minlength=bins)
        if numpy.count_nonzero(histogram) > 1:
            cdf = numpy.cumsum(histogram)
            cdf_min = cdf[numpy.nonzero(cdf)[0][0]]
            denominator = cdf[-1] - cdf_min or 1
            table = numpy.clip(numpy.round((cdf - cdf_min) * 255 / denominator), 0, 255).astype(numpy.float32)
            lookup = numpy.clip(channel / 255.0 * (bins - 1), 0, bins - 1).astype(numpy.int32)
            channel = table[lookup]
        return channel if full_range else to_value_range(channel, (0, 255), self.value_range)

    def get_config(self) -> dict:
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}


class _FactorColor(ImageAugmentation):
    """A colour layer with a ``factor`` range, a ``value_range`` and one uniform draw per image."""
    _BOUNDS = (-1.0, 1.0)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed: int | None = None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = parse_factor(factor, self._BOUNDS)
        self.value_range = parse_value_range(value_range)

    def get_random_transformation(self, images, training=True, seed=None):
        return {"factor": self._uniform(*self.factor, _batch(images))}

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomColorDegeneration(_FactorColor):
    """Blends each image towards its grey version by a random fraction (``factor``)."""

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        factor = per_image(numpy.asarray(transformation["factor"]).reshape(-1), images)
        blended = images + factor * (rgb_to_grayscale(images) - images)
        return ember.clamp(blended, float(self.value_range[0]), float(self.value_range[1]))


class RandomSaturation(_FactorColor):
    """Scales saturation by ``f / (1 - f)`` for a random f in ``factor`` (0.5: unchanged, 0: grey)."""

    def get_random_transformation(self, images, training=True, seed=None):
        factor = self._uniform(*self.factor, _batch(images))
        return {"factor": factor / (1 - factor + _EPSILON)}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        factor = ember.reshape(ember.cast(ember.as_tensor(numpy.asarray(transformation["factor"])), images.dtype),
                               (-1, 1, 1))
        hsv = rgb_to_hsv(images)  # as Keras: saturation is clipped to value_range, not to [0, 1]
        saturation = ember.clamp(hsv[..., 1] * factor, float(self.value_range[0]), float(self.value_range[1]))
        return hsv_to_rgb(ember.stack([hsv[..., 0], saturation, hsv[..., 2]], -1))


class RandomHue(_FactorColor):
    """Rotates hue by up to ``factor / 2`` of a turn, either way."""
    _BOUNDS = (0.0, 1.0)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed: int | None = None, **kwargs):
        super().__init__(factor, value_range, data_format, seed, **kwargs)
        self.value_range = value_range

    def get_random_transformation(self, images, training=True, seed=None):
        sign = numpy.where(self._uniform(0, 1, _batch(images)) > 0.5, -1.0, 1.0).astype(numpy.float32)
        return {"factor": sign * self._uniform(*self.factor, _batch(images)) * 0.5}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        shift = ember.reshape(ember.cast(ember.as_tensor(numpy.asarray(transformation["factor"])), images.dtype),
                              (-1, 1, 1))
        hsv = rgb_to_hsv(to_value_range(images, self.value_range, (0, 1)))
        hue = hsv[..., 0] + shift
        hue = ember.where(hue > 1.0, hue - 1.0, hue)
        hue = ember.where(hue < 0.0, hue + 1.0, hue)
        rgb = ember.clamp(hsv_to_rgb(ember.stack([hue, hsv[..., 1], hsv[..., 2]], -1)), 0.0, 1.0)
        return to_value_range(rgb, (0, 1), self.value_range)


def _depthwise_same(images, kernel):
    """A 2-D ``kernel`` applied to every channel of channels-last images, zero padded to the same size."""
    channels = images.shape[-1]
    rows, columns = kernel.shape
    weight = ember.broadcast_to(ember.reshape(kernel, (1, 1, rows, columns)), (channels, 1, rows, columns))
    x = ember.movedim(images, -1, 1)
    x = F.pad(x, ((columns - 1) // 2, columns // 2, (rows - 1) // 2, rows // 2))
    return ember.movedim(F.conv2d(x, weight, groups=channels), 1, -1)


class RandomSharpness(_FactorColor):
    """Sharpens (factor > 0.5) or smooths (factor < 0.5) by blending with a 3×3 smoothed image."""
    _BOUNDS = (0.0, 1.0)

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        sharpness = per_image(numpy.asarray(transformation["factor"]).reshape(-1) * 2, images)
        a, b = 1.0 / 13.0, 5.0 / 13.0
        kernel = ember.tensor([[a, a, a], [a, b, a], [a, a, a]], dtype=images.dtype)
        blended = images + (1.0 - sharpness) * (_depthwise_same(images, kernel) - images)
        return ember.clamp(blended, float(self.value_range[0]), float(self.value_range[1]))


def _gaussian(size: int, sigma):
    offsets = ember.arange(size, dtype=ember.float32) - (size - 1) / 2
    weights = ember.exp(-0.5 * (offsets / sigma) ** 2)
    return weights / ember.sum(weights)


class RandomGaussianBlur(ImageAugmentation):
    """Blurs each image with probability drawn from ``factor``, one random ``sigma`` per call."""

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255), data_format=None,
                 seed: int | None = None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = parse_factor(factor, (0, 1))
        sizes = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size, kernel_size)
        if len(sizes) != 2 or any(size % 2 == 0 for size in sizes):
            raise ValueError(f"kernel_size must be an odd number. Received: kernel_size={kernel_size}")
        self.kernel_size = sizes
        self.sigma = parse_factor(sigma, (0, 1), "sigma")
        self.value_range = value_range

    def get_random_transformation(self, images, training=True, seed=None):
        probability = self._uniform(*self.factor, _batch(images))
        return {"should_apply_blur": self._uniform(0, 1, _batch(images)) < probability,
                "blur_factor": self._uniform(*self.sigma, 2) + 1e-6}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        sigma = ember.as_tensor(numpy.asarray(transformation["blur_factor"], dtype=numpy.float32))
        first, second = self.kernel_size
        kernel = ember.cast(ember.outer(_gaussian(second, sigma[1]), _gaussian(first, sigma[0])), images.dtype)
        channels = images.shape[-1]
        weight = ember.broadcast_to(ember.reshape(kernel, (1, 1, second, first)), (channels, 1, second, first))
        blurred = ember.movedim(F.conv2d(ember.movedim(images, -1, 1), weight, padding=first // 2,
                                         groups=channels), 1, -1)
        apply = ember.reshape(ember.as_tensor(numpy.asarray(transformation["should_apply_blur"])), (-1, 1, 1, 1))
        blurred = ember.where(apply, blurred, images)
        return ember.clamp(blurred, float(self.value_range[0]), float(self.value_range[1]))

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "kernel_size": self.kernel_size, "sigma": self.sigma,
                "value_range": self.value_range}
