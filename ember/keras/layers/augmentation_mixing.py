"""Augmentation layers that mix or erase image regions: MixUp, CutMix and RandomErasing (channels last).

``MixUp`` blends each image with another of the batch (a random permutation)
by a Beta(alpha, alpha) weight; ``CutMix`` pastes a random box of another
image, the box's area following a Beta draw; called on a dict
``{"images": ..., "labels": ...}`` both mix the (one-hot) labels by the same
weights, as Keras does. ``RandomErasing`` overwrites a random box of each image,
with probability drawn from ``factor``, by ``fill_value`` (or by noise).

Example:
    >>> import ember
    >>> from ember import keras
    >>> data = {"images": ember.rand(4, 8, 8, 3), "labels": ember.eye(4)}
    >>> mixed = keras.layers.MixUp(alpha=0.4, seed=1)(data)
    >>> mixed["images"].shape, [round(v, 4) for v in mixed["labels"].sum(1).tolist()]
    ((4, 8, 8, 3), [1.0, 1.0, 1.0, 1.0])
"""
from __future__ import annotations

import numpy

import ember

from .augmentation_base import ImageAugmentation, parse_factor


def _take(images, order):
    return images[ember.as_tensor(numpy.asarray(order, dtype=numpy.int64))]


def _box_masks(batch: int, height: int, width: int, x0, x1, y0, y1) -> numpy.ndarray:
    """``(batch, height, width, 1)`` masks true inside each image's half-open box."""
    rows, columns = numpy.meshgrid(numpy.arange(height, dtype=numpy.float32),
                                   numpy.arange(width, dtype=numpy.float32), indexing="ij")
    x0, x1, y0, y1 = (numpy.asarray(v, dtype=numpy.float32).reshape(batch, 1, 1) for v in (x0, x1, y0, y1))
    inside = (columns >= x0) & (columns < x1) & (rows >= y0) & (rows < y1)
    return inside[..., None]


def _mix_labels(labels, transformation):
    weight = ember.reshape(ember.cast(ember.as_tensor(numpy.asarray(transformation["mix_weight"])), labels.dtype),
                           (-1, 1))
    return weight * labels + (1.0 - weight) * _take(labels, transformation["permutation_order"])


class MixUp(ImageAugmentation):
    """Blends images (and labels) with a shuffled copy of the batch by Beta(alpha, alpha) weights."""

    def __init__(self, alpha: float = 0.2, data_format=None, seed: int | None = None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.alpha = alpha

    def get_random_transformation(self, images, training=True, seed=None):
        batch = images.shape[0]
        return {"mix_weight": self._rng.beta(self.alpha, self.alpha, size=batch).astype(numpy.float32),
                "permutation_order": self._rng.permutation(batch)}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        weight = ember.reshape(ember.cast(ember.as_tensor(numpy.asarray(transformation["mix_weight"])),
                                          images.dtype), (-1, 1, 1, 1))
        return weight * images + (1.0 - weight) * _take(images, transformation["permutation_order"])

    def transform_labels(self, labels, transformation, training=True):
        return _mix_labels(labels, transformation) if training else labels

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class CutMix(ImageAugmentation):
    """Pastes a random box of a shuffled copy of the batch into each image; labels mix by box area."""

    def __init__(self, factor=1.0, seed: int | None = None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = parse_factor(factor, (0, 1))

    def _bounds(self, batch: int, length: int, ratio):
        crop = (ratio * length).astype(numpy.float32)
        start = self._uniform(0, 1, batch) * (length - crop)
        return start, start + crop

    def get_random_transformation(self, images, training=True, seed=None):
        if images.ndim != 4:
            return None
        batch, height, width = images.shape[:3]
        alpha = self._uniform(*self.factor, ()) + 1e-6
        ratio = numpy.sqrt(1.0 - self._rng.beta(alpha, alpha, size=batch)).astype(numpy.float32)
        x0, x1 = self._bounds(batch, width, ratio)
        y0, y1 = self._bounds(batch, height, ratio)
        masks = numpy.repeat(_box_masks(batch, height, width, x0, x1, y0, y1), images.shape[-1], -1)
        weight = 1.0 - (x1 - x0) * (y1 - y0) / (width * height)
        return {"permutation_order": self._rng.permutation(batch), "batch_masks": masks,
                "mix_weight": weight.reshape(batch, 1, 1, 1)}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        masks = ember.as_tensor(numpy.asarray(transformation["batch_masks"], dtype=bool))
        return ember.where(masks, _take(images, transformation["permutation_order"]), images)

    def transform_labels(self, labels, transformation, training=True):
        return _mix_labels(labels, transformation) if training and transformation is not None else labels

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}


class RandomErasing(ImageAugmentation):
    """Erases a random box of each image (area fraction drawn from ``scale``) with probability from ``factor``."""

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed: int | None = None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = parse_factor(factor, (0, 1))
        self.scale = parse_factor(scale, (0, 1), "scale")
        if fill_value is not None and not isinstance(fill_value, (int, float)) and not (
                isinstance(fill_value, (tuple, list)) and len(fill_value) == 3):
            raise ValueError(f"The `fill_value` argument should be a number (or a list of three numbers) "
                             f"Received: fill_value={fill_value}")
        self.fill_value, self.value_range = fill_value, value_range

    def get_random_transformation(self, images, training=True, seed=None):
        batch, height, width, channels = images.shape
        sides = numpy.sqrt(self._uniform(self.scale[0], self.scale[1], (batch, 2)))
        x0 = self._uniform(0, 1, batch) * (width - (sides[:, 0] * width).astype(numpy.float32))
        y0 = self._uniform(0, 1, batch) * (height - (sides[:, 1] * height).astype(numpy.float32))
        x1, y1 = x0 + (sides[:, 0] * width).astype(numpy.float32), y0 + (sides[:, 1] * height).astype(numpy.float32)
        masks = numpy.repeat(_box_masks(batch, height, width, x0, x1, y0, y1), channels, -1)
        probability = self._uniform(*self.factor, batch)
        apply = self._uniform(0, 1, batch) < probability
        if self.fill_value is None:
            fill = self._rng.normal(size=tuple(images.shape)).astype(numpy.float32) * self.value_range[1]
        else:
            fill = numpy.broadcast_to(numpy.asarray(self.fill_value, dtype=numpy.float32), tuple(images.shape))
        fill = numpy.clip(fill, self.value_range[0], self.value_range[1])
        return {"apply_erasing": apply, "batch_masks": masks, "fill_value": fill}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        masks = ember.as_tensor(numpy.asarray(transformation["batch_masks"], dtype=bool))
        fill = ember.cast(ember.as_tensor(numpy.asarray(transformation["fill_value"])), images.dtype)
        erased = ember.where(masks, fill, images)
        apply = ember.reshape(ember.as_tensor(numpy.asarray(transformation["apply_erasing"], dtype=bool)),
                              (-1, 1, 1, 1))
        return ember.where(apply, erased, images)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale, "fill_value": self.fill_value,
                "value_range": self.value_range}
