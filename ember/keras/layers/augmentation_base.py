"""The base of Keras 3's newer image augmentation layers: a random transformation, then its application.

Each layer splits its work as Keras does: ``get_random_transformation(images)``
draws the per-image parameters (NumPy arrays, from the layer's own seeded
generator) and ``transform_images(images, transformation)`` applies them with
Ember operations. In training (``fit``, or a direct call, whose ``training``
defaults to True) the layer augments; at inference it returns the images as
floats of its compute dtype. Passing one transformation to two layers (or to
Keras's layer) gives the same result, which is how the tests compare them.

Shared helpers: :func:`parse_factor` (Keras's ``factor`` rule),
:func:`to_value_range` (rescaling between value ranges) and the colour-space
conversions :func:`rgb_to_hsv` / :func:`hsv_to_rgb` (Keras's torch backend's).

Example:
    >>> import ember
    >>> from ember import keras
    >>> layer = keras.layers.RandomInvert(factor=(1.0, 1.0), value_range=(0, 1))  # always invert
    >>> layer(ember.zeros(1, 2, 2, 3)).mean().item(), layer(ember.zeros(1, 2, 2, 3), training=False).mean().item()
    (1.0, 0.0)
"""
from __future__ import annotations

import numpy

import ember

from .layer import Layer


def parse_factor(factor, bounds=(-1.0, 1.0), name: str = "factor") -> tuple:
    """``(lower, upper)`` from a number f (``(max(-|f|, bounds[0]), |f|)``) or a pair, within ``bounds``."""
    message = (f"The `{name}` argument should be a number (or a list of two numbers) in the range "
               f"[{bounds[0]}, {bounds[1]}]. Received: {name}={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        lower, upper = sorted(factor)
        return lower, upper
    if isinstance(factor, (int, float)):
        if not bounds[0] <= factor <= bounds[1]:
            raise ValueError(message)
        return max(-abs(factor), bounds[0]), abs(factor)
    raise ValueError(message)


def parse_value_range(value_range) -> list:
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(f"The `value_range` argument should be a list of two numbers. "
                         f"Received: value_range={value_range}")
    return sorted(value_range)


def to_value_range(images, original, target):
    """``images`` rescaled linearly from the ``original`` value range to the ``target`` one."""
    if original[0] == target[0] and original[1] == target[1]:
        return images
    unit = (images - float(original[0])) / float(original[1] - original[0])
    return unit * float(target[1] - target[0]) + float(target[0])


def as_batch(images):
    """Images as a 4D batch, and whether a single image was given."""
    if images.ndim == 3:
        return ember.unsqueeze(images, 0), True
    if images.ndim != 4:
        raise ValueError(f"Expected the input image to be rank 3 or 4. Received: inputs.shape={tuple(images.shape)}")
    return images, False


def per_image(values, like):
    """A ``(batch,)`` array (or tensor) as a ``(batch, 1, 1, 1)`` tensor of ``like``'s dtype."""
    values = ember.as_tensor(numpy.asarray(values) if not isinstance(values, ember.Tensor) else values)
    return ember.reshape(ember.cast(values, like.dtype), (-1, 1, 1, 1))


def rgb_to_hsv(images):
    """Channels-last RGB → HSV, hue and saturation in [0, 1] (value in the input's scale)."""
    eps = float(numpy.finfo(numpy.float32).eps)
    images = ember.where(ember.abs(images) < eps, 0.0, images)
    red, green, blue = images[..., 0], images[..., 1], images[..., 2]
    value = ember.maximum(ember.maximum(red, green), blue)
    spread = value - ember.minimum(ember.minimum(red, green), blue)
    safe_value = ember.where(value > 0, value, 1.0)
    safe_spread = ember.where(spread > 0, spread, 1.0)
    saturation = ember.where(value > 0, spread / safe_value, 0.0)
    norm = 1.0 / (6.0 * safe_spread)
    hue = ember.where(value == green, norm * (blue - red) + 2.0 / 6.0, norm * (red - green) + 4.0 / 6.0)
    hue = ember.where(value == red, norm * (green - blue), hue)
    hue = ember.where(spread > 0, hue, 0.0) + ember.cast(hue < 0.0, hue.dtype)
    return ember.stack([hue, saturation, value], -1)


def hsv_to_rgb(images):
    """Channels-last HSV → RGB (the inverse of :func:`rgb_to_hsv`)."""
    hue, saturation, value = images[..., 0], images[..., 1], images[..., 2]
    sextant = ember.remainder(hue, 1.0) * 6.0
    red = ember.clamp(ember.abs(sextant - 3.0) - 1.0, 0.0, 1.0)
    green = ember.clamp(2.0 - ember.abs(sextant - 2.0), 0.0, 1.0)
    blue = ember.clamp(2.0 - ember.abs(sextant - 4.0), 0.0, 1.0)
    grey = 1.0 - saturation
    return ember.stack([value * (grey + saturation * part) for part in (red, green, blue)], -1)


class ImageAugmentation(Layer):
    """Base class: override ``get_random_transformation`` and ``transform_images`` (channels last)."""

    _applies_at_inference = False  # True for deterministic layers Keras applies in every call (AutoContrast)
    _seeded = True  # False for deterministic layers: no `seed` in their config (Keras refuses one)

    def __init__(self, seed: int | None = None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError("Ember's Keras image layers are channels_last only (data_format='channels_last')")
        self.seed, self.data_format = seed, "channels_last"
        self._rng = numpy.random.default_rng(seed)

    def call(self, inputs, training: bool = True):  # True: a direct call augments, as in Keras
        if isinstance(inputs, dict):  # {"images": ..., "labels": ...}: labels follow the images (MixUp)
            return self._call_dict(inputs, training)
        images, single = self._float_batch(inputs)
        if training or self._applies_at_inference:
            images = self.transform_images(images, self.get_random_transformation(images, training=True))
        return images[0] if single else images

    def _float_batch(self, inputs):
        images, single = as_batch(inputs)
        dtype = ember.as_dtype(self.compute_dtype)
        return (images if images.dtype == dtype else ember.cast(images, dtype)), single

    def _call_dict(self, data: dict, training: bool) -> dict:
        images, single = self._float_batch(data["images"])
        outputs = dict(data)
        if training or self._applies_at_inference:
            transformation = self.get_random_transformation(images, training=True)
            images = self.transform_images(images, transformation)
            if "labels" in data:
                labels = ember.as_tensor(data["labels"])
                labels = labels if labels.is_floating_point() else ember.cast(labels, images.dtype)
                outputs["labels"] = self.transform_labels(labels, transformation)
        outputs["images"] = images[0] if single else images
        return outputs

    def transform_labels(self, labels, transformation, training: bool = True):
        """Labels of the transformed images (unchanged, except for layers that mix images)."""
        return labels

    def get_random_transformation(self, images, training: bool = True, seed=None):
        """The random parameters of one call (a dict of arrays), or None for a deterministic layer."""
        return None

    def transform_images(self, images, transformation, training: bool = True):
        raise NotImplementedError

    def _uniform(self, low, high, size):
        return self._rng.uniform(low, high, size=size).astype(numpy.float32)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = {**super().get_config(), "data_format": self.data_format}
        return {**config, "seed": self.seed} if self._seeded else config
