"""Augmentation policies built from the other augmentation layers: RandAugment and AugMix.

``RandAugment`` applies ``num_ops`` operations, each chosen at random (one
choice per call, for the whole batch, as Keras) from shear, translation,
rotation, brightness, colour degeneration, contrast, sharpness,
posterization, solarization, auto-contrast and equalization, all with
strength ``factor``. ``AugMix`` runs ``num_chains`` chains of up to
``chain_depth`` random operations, mixes the chains by Dirichlet(alpha)
weights and the result with the original image by a Beta(alpha, alpha)
weight, clipped to ``value_range``.

Example:
    >>> import ember
    >>> from ember import keras
    >>> images = ember.rand(2, 8, 8, 3) * 255
    >>> keras.layers.RandAugment(num_ops=2, seed=1)(images).shape, keras.layers.AugMix(seed=1)(images).shape
    ((2, 8, 8, 3), (2, 8, 8, 3))
"""
from __future__ import annotations

import numpy

import ember

from .augmentation_base import ImageAugmentation, parse_factor
from .augmentation_color import (AutoContrast, Equalization, RandomColorDegeneration, RandomPosterization,
                                 RandomSharpness, Solarization)
from .augmentation_geometry import RandomShear
from .preprocessing_image import RandomBrightness, RandomContrast, RandomRotation, RandomTranslation

GEOMETRIC_AND_TONAL = ("random_shear", "random_translation", "random_rotation", "random_posterization",
                       "solarization", "auto_contrast", "equalization")
ALL_OPERATIONS = GEOMETRIC_AND_TONAL + ("random_brightness", "random_color_degeneration", "random_contrast",
                                        "random_sharpness")
# RandAugment's own order (its transformations name operations by index in it).
RAND_AUGMENT_OPERATIONS = ("random_shear", "random_translation", "random_rotation", "random_brightness",
                           "random_color_degeneration", "random_contrast", "random_sharpness", "random_posterization",
                           "solarization", "auto_contrast", "equalization")


def make_operations(names, factor: tuple, value_range, interpolation: str, seed) -> dict:
    """The augmentation layers of ``names`` configured with strength ``factor`` (Keras's choices)."""
    builders = {
        "random_shear": lambda: RandomShear(x_factor=factor, y_factor=factor, interpolation=interpolation, seed=seed),
        "random_translation": lambda: RandomTranslation(factor, factor, interpolation=interpolation, seed=seed),
        "random_rotation": lambda: RandomRotation(factor, interpolation=interpolation, seed=seed),
        "random_brightness": lambda: RandomBrightness(factor, value_range=value_range, seed=seed),
        "random_color_degeneration": lambda: RandomColorDegeneration(factor, value_range=value_range, seed=seed),
        "random_contrast": lambda: RandomContrast(factor, value_range=value_range, seed=seed),
        "random_sharpness": lambda: RandomSharpness(factor, value_range=value_range, seed=seed),
        "solarization": lambda: Solarization(factor, factor, value_range=value_range, seed=seed),
        "random_posterization": lambda: RandomPosterization(max(1, int(8 * factor[1])), value_range=value_range,
                                                            seed=seed),
        "auto_contrast": lambda: AutoContrast(value_range=value_range),
        "equalization": lambda: Equalization(value_range=value_range),
    }
    return {name: builders[name]() for name in names}


def _augment(layer, images):
    return layer(images, training=True)


class RandAugment(ImageAugmentation):
    """Applies ``num_ops`` randomly chosen augmentations of strength ``factor``."""

    def __init__(self, value_range=(0, 255), num_ops: int = 2, factor=0.5, interpolation: str = "bilinear",
                 seed: int | None = None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.value_range, self.num_ops, self.interpolation = value_range, num_ops, interpolation
        self.factor = parse_factor(factor, (0, 1))
        self._operations = make_operations(RAND_AUGMENT_OPERATIONS, self.factor, value_range, interpolation, seed)

    def get_random_transformation(self, images, training=True, seed=None):
        return {"layer_idxes": self._rng.integers(0, len(RAND_AUGMENT_OPERATIONS), size=self.num_ops)}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        for index in numpy.asarray(transformation["layer_idxes"]).reshape(-1).tolist():
            images = _augment(self._operations[RAND_AUGMENT_OPERATIONS[index]], images)
        return images

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range, "num_ops": self.num_ops,
                "factor": self.factor, "interpolation": self.interpolation}


class AugMix(ImageAugmentation):
    """Mixes ``num_chains`` random augmentation chains with the original image (Hendrycks et al., 2020)."""

    def __init__(self, value_range=(0, 255), num_chains: int = 3, chain_depth: int = 3, factor=0.3,
                 alpha: float = 1.0, all_ops: bool = True, interpolation: str = "bilinear", seed: int | None = None,
                 data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.value_range, self.num_chains, self.chain_depth = value_range, num_chains, chain_depth
        self.factor = parse_factor(factor, (0, 1))
        self.alpha, self.all_ops, self.interpolation = alpha, all_ops, interpolation
        self._names = ALL_OPERATIONS if all_ops else GEOMETRIC_AND_TONAL
        self._operations = make_operations(self._names, self.factor, value_range, interpolation, seed)

    def get_random_transformation(self, images, training=True, seed=None):
        gammas = self._rng.gamma(self.alpha, size=self.num_chains)
        chains = []
        for _ in range(self.num_chains):
            # Each step picks an operation or nothing (None), as Keras's random.choice over names + [None].
            picks = self._rng.integers(0, len(self._names) + 1, size=self.chain_depth)
            chains.append([{"layer_name": self._names[pick], "transformation": None}
                           for pick in picks.tolist() if pick < len(self._names)])
        return {"chain_mixing_weights": (gammas / gammas.sum()).astype(numpy.float32),
                "weight_sample": numpy.float32(self._rng.beta(self.alpha, self.alpha)), "chain_transforms": chains}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        weights = numpy.asarray(transformation["chain_mixing_weights"], dtype=numpy.float32)
        mixed = ember.zeros_like(images)
        for weight, chain in zip(weights.tolist(), transformation["chain_transforms"]):
            augmented = images
            for step in chain:  # the operation draws its own parameters when applied
                augmented = _augment(self._operations[step["layer_name"]], augmented)
            mixed = mixed + augmented * weight
        keep = float(transformation["weight_sample"])
        return ember.clamp(keep * images + (1.0 - keep) * mixed, float(self.value_range[0]),
                           float(self.value_range[1]))

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range, "num_chains": self.num_chains,
                "chain_depth": self.chain_depth, "factor": self.factor, "alpha": self.alpha,
                "all_ops": self.all_ops, "interpolation": self.interpolation}
