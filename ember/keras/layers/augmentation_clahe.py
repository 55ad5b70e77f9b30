"""ContrastLimitedAdaptiveHistogramEqualization (CLAHE): histogram equalization per image tile.

Each image is cut into ``tile_grid_size`` tiles (padded to a whole number of
tiles by repeating the edge pixels: Keras's torch backend turns the layer's
``symmetric`` padding into ``replicate``, and Ember follows its reference;
Keras's TensorFlow and JAX backends mirror instead, which differs only for
images whose size is not a multiple of the grid). Each tile's 256-bin histogram, per channel, is
clipped at ``clip_limit`` times the mean bin count, rounded down to a whole
count (the excess spread over all bins) and turned into an equalizing map by its cumulative sum; every
pixel is mapped through the four nearest tiles' maps, blended bilinearly by
its distance to their centres, so tile borders do not show. Deterministic,
and applied in every call, as Keras does. Computed in NumPy: the maps are
lookup tables, without gradients (as in Keras).

Example:
    >>> import ember
    >>> from ember import keras
    >>> layer = keras.layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2))
    >>> layer(ember.rand(1, 16, 16, 3) * 100).shape
    (1, 16, 16, 3)
"""
from __future__ import annotations

import numpy

import ember

from .augmentation_base import ImageAugmentation, to_value_range


def _tile_maps(tiles: numpy.ndarray, clip_limit: float) -> numpy.ndarray:
    """``(..., pixels)`` integer tiles → ``(..., 256)`` equalizing maps."""
    pixels = tiles.shape[-1]
    flat = tiles.reshape(-1, pixels)
    histograms = numpy.stack([numpy.bincount(row, minlength=256) for row in flat]).astype(numpy.float32)
    if clip_limit > 0:
        # A whole count, as Keras's torch backend (integer histograms) and OpenCV compute it.
        limit = numpy.float32(int(clip_limit * pixels / 256.0))
        clipped = numpy.minimum(histograms, limit)
        histograms = clipped + (histograms - clipped).sum(-1, keepdims=True) / 256.0
    cdf = numpy.cumsum(histograms, -1)
    lowest = cdf.min(-1, keepdims=True)
    denominator = numpy.float32(pixels) - lowest
    denominator = numpy.where(denominator == 0, 1.0, denominator)
    maps = numpy.clip((cdf - lowest) * 255.0 / denominator, 0, 255)
    return maps.reshape(tiles.shape[:-1] + (256,))


def _interpolation(size: int, tile: int, grid: int):
    """Per pixel along one axis: the two neighbouring tile indices (in the edge-padded grid) and the weight."""
    position = (numpy.arange(size, dtype=numpy.float32) - tile / 2.0) / tile + 1.0
    lower = numpy.floor(position)
    weight = position - lower
    lower_index = numpy.clip(lower, 0, grid + 1).astype(numpy.int64)
    upper_index = numpy.clip(lower + 1.0, 0, grid + 1).astype(numpy.int64)
    return lower_index, upper_index, weight


def clahe(images: numpy.ndarray, clip_limit: float, tile_grid_size) -> numpy.ndarray:
    """CLAHE of ``(batch, height, width, channels)`` values in [0, 255]."""
    batch, height, width, channels = images.shape
    grid_h, grid_w = tile_grid_size
    tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
    padded = numpy.pad(images, ((0, 0), (0, tile_h * grid_h - height), (0, tile_w * grid_w - width), (0, 0)),
                       mode="edge")
    tiles = padded.reshape(batch, grid_h, tile_h, grid_w, tile_w, channels).transpose(0, 1, 3, 5, 2, 4)
    levels = numpy.clip(tiles.astype(numpy.int32), 0, 255).reshape(batch, grid_h, grid_w, channels, -1)
    maps = numpy.pad(_tile_maps(levels, clip_limit), ((0, 0), (1, 1), (1, 1), (0, 0), (0, 0)), mode="edge")
    y0, y1, wy = _interpolation(tile_h * grid_h, tile_h, grid_h)
    x0, x1, wx = _interpolation(tile_w * grid_w, tile_w, grid_w)
    pixels = numpy.clip(padded, 0, 255).astype(numpy.int64)
    b = numpy.arange(batch)[:, None, None, None]
    c = numpy.arange(channels)[None, None, None, :]

    def lookup(rows, columns):
        return maps[b, rows[None, :, None, None], columns[None, None, :, None], c, pixels]

    wy, wx = wy[None, :, None, None], wx[None, None, :, None]
    top = lookup(y0, x0) * (1.0 - wx) + lookup(y0, x1) * wx
    bottom = lookup(y1, x0) * (1.0 - wx) + lookup(y1, x1) * wx
    return (top * (1.0 - wy) + bottom * wy)[:, :height, :width, :].astype(numpy.float32)


class ContrastLimitedAdaptiveHistogramEqualization(ImageAugmentation):
    """Contrast-limited histogram equalization over ``tile_grid_size`` tiles (``clip_limit`` ≤ 0: unlimited)."""

    _seeded, _applies_at_inference = False, True

    def __init__(self, value_range=(0, 255), clip_limit: float = 4.0, tile_grid_size=(8, 8), data_format=None,
                 **kwargs):
        super().__init__(kwargs.pop("seed", None), data_format, **kwargs)
        self.value_range, self.clip_limit = value_range, clip_limit
        self.tile_grid_size = tuple(tile_grid_size)

    def transform_images(self, images, transformation=None, training=True):
        values = to_value_range(images.detach().numpy().astype(numpy.float32), self.value_range, (0, 255))
        equalized = clahe(values, self.clip_limit, self.tile_grid_size)
        return ember.tensor(to_value_range(equalized, (0, 255), self.value_range).astype(numpy.float32),
                            dtype=images.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range, "clip_limit": self.clip_limit,
                "tile_grid_size": self.tile_grid_size}
