"""RandomElasticTransform (smooth random displacement fields) and MaxNumBoundingBoxes.

``RandomElasticTransform`` displaces every pixel by Gaussian noise blurred
with a Gaussian of ``sigma = 0.05 · s · min(height, width)`` and scaled by
``alpha = 0.1 · s · max(height, width)`` (``s`` drawn from ``scale``), then
resamples (Keras's parameters and sampling); each image is transformed with
probability drawn from ``factor``. ``MaxNumBoundingBoxes`` leaves images as
they are and pads or truncates a batch's bounding boxes to ``max_number``
per image (``fill_value`` for padding), so detection batches have one shape.

Example:
    >>> import ember
    >>> from ember import keras
    >>> keras.layers.RandomElasticTransform(seed=1)(ember.rand(2, 16, 16, 3) * 255).shape
    (2, 16, 16, 3)
    >>> boxes = {"boxes": ember.ones(2, 3, 4), "labels": ember.ones(2, 3)}
    >>> out = keras.layers.MaxNumBoundingBoxes(5)({"images": ember.ones(2, 8, 8, 3), "bounding_boxes": boxes})
    >>> out["bounding_boxes"]["boxes"].shape, out["bounding_boxes"]["labels"][0].tolist()
    ((2, 5, 4), [1.0, 1.0, 1.0, -1.0, -1.0])
"""
from __future__ import annotations

import numpy

import ember
from ember.nn import functional as F

from .augmentation_base import ImageAugmentation, parse_factor
from .image_transform import FILL_MODES, sample_at


def _gaussian_blur_fields(fields: numpy.ndarray, sigma: float) -> numpy.ndarray:
    """``(batch, h, w)`` fields blurred by a Gaussian of ``sigma``, kernel ``int(6 sigma) | 1``, zero padding."""
    size = int(6 * sigma) | 1
    offsets = numpy.arange(size, dtype=numpy.float32) - (size - 1) / 2
    weights = numpy.exp(-0.5 * (offsets / sigma) ** 2)
    kernel = numpy.outer(weights, weights) / weights.sum() ** 2
    blurred = F.conv2d(ember.tensor(fields[:, None]), ember.tensor(kernel[None, None].astype(numpy.float32)),
                       padding=size // 2)
    return blurred.numpy()[:, 0]


class RandomElasticTransform(ImageAugmentation):
    """Elastic distortion with strength drawn from ``scale``, applied with probability from ``factor``."""

    def __init__(self, factor=1.0, scale=1.0, interpolation: str = "bilinear", fill_mode: str = "reflect",
                 fill_value: float = 0.0, value_range=(0, 255), seed: int | None = None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = parse_factor(factor, (0, 1))
        self.scale = parse_factor(scale, (0, 1), "scale")
        if interpolation not in ("nearest", "bilinear"):
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one "
                                      "('nearest', 'bilinear').")
        if fill_mode not in FILL_MODES:
            raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one {set(FILL_MODES)}.")
        self.interpolation, self.fill_mode, self.fill_value = interpolation, fill_mode, fill_value
        self.value_range = value_range

    def get_random_transformation(self, images, training=True, seed=None):
        if self.scale[1] == 0 or self.factor[1] == 0:
            return None
        batch, height, width = images.shape[:3]
        probability = self._uniform(*self.factor, batch)
        strength = float(self._uniform(*self.scale, ()))
        sigma = min(height, width) * 0.05 * strength
        noise = self._rng.normal(size=(2, batch, height, width)).astype(numpy.float32) * sigma
        return {"apply_transform": self._uniform(0, 1, batch) < probability, "distortion_factor": strength,
                "dx": noise[0], "dy": noise[1]}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        height, width = images.shape[1], images.shape[2]
        strength = float(transformation["distortion_factor"])
        alpha, sigma = max(height, width) * 0.1 * strength, min(height, width) * 0.05 * strength
        dx = _gaussian_blur_fields(numpy.asarray(transformation["dx"], dtype=numpy.float32), sigma)
        dy = _gaussian_blur_fields(numpy.asarray(transformation["dy"], dtype=numpy.float32), sigma)
        rows, columns = numpy.meshgrid(numpy.arange(height, dtype=numpy.float32),
                                       numpy.arange(width, dtype=numpy.float32), indexing="ij")
        warped = sample_at(images, columns + alpha * dx, rows + alpha * dy, self.interpolation, self.fill_mode,
                           self.fill_value)
        apply = ember.reshape(ember.as_tensor(numpy.asarray(transformation["apply_transform"], dtype=bool)),
                              (-1, 1, 1, 1))
        outputs = ember.where(apply, warped, images)
        return ember.clamp(outputs, float(self.value_range[0]), float(self.value_range[1]))

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "value_range": self.value_range}


class MaxNumBoundingBoxes(ImageAugmentation):
    """Pads (with ``fill_value``) or truncates bounding boxes to ``max_number`` per image; images unchanged."""

    _seeded, _applies_at_inference = False, True

    def __init__(self, max_number: int, fill_value: int = -1, **kwargs):
        super().__init__(kwargs.pop("seed", None), kwargs.pop("data_format", None), **kwargs)
        self.max_number, self.fill_value = int(max_number), int(fill_value)

    def transform_images(self, images, transformation=None, training=True):
        return images

    def _call_dict(self, data: dict, training: bool) -> dict:
        outputs = super()._call_dict(data, training)
        if "bounding_boxes" in data:
            outputs["bounding_boxes"] = {key: self._fit(value, key) for key, value in data["bounding_boxes"].items()}
        return outputs

    def _fit(self, value, key: str):
        value = ember.as_tensor(value)
        if key not in ("boxes", "labels") or value.ndim < 2:
            return value
        count = value.shape[1]
        if count >= self.max_number:
            return value[:, :self.max_number]
        padding = ember.full((value.shape[0], self.max_number - count) + tuple(value.shape[2:]), self.fill_value,
                             dtype=value.dtype)
        return ember.cat([value, padding], 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_number": self.max_number, "fill_value": self.fill_value}
