"""Image grids and PNG files: torchvision's ``utils.make_grid`` and ``utils.save_image``.

``save_image`` needs Pillow, an optional dependency (``pip install 'ember[vision]'``).
"""
from __future__ import annotations

import math
import os
from typing import BinaryIO

import numpy

from ..data.transforms._images import pil_image_module, tensor_of
from ..errors import EmberValueError, ShapeError
from ..tensor import Tensor


def _as_batch(tensor) -> numpy.ndarray:
    """A tensor, array or list of them as an ``N x C x H x W`` array, grey images made RGB (torchvision's rule)."""
    if isinstance(tensor, (list, tuple)):
        if not tensor:
            raise EmberValueError("make_grid: got an empty list of images")
        shapes = {tuple(item.shape) for item in tensor}
        if len(shapes) > 1:
            raise ShapeError(f"make_grid: the images must all have one shape, got {sorted(shapes)}")
        array = numpy.stack([_to_numpy(item) for item in tensor])
    else:
        array = _to_numpy(tensor)
    if array.ndim == 2:
        array = array[None]
    if array.ndim == 3:
        array = (numpy.concatenate([array] * 3) if array.shape[0] == 1 else array)[None]
    if array.ndim != 4:
        raise EmberValueError(f"make_grid: expected an image (H x W or C x H x W) or a batch (N x C x H x W), "
                              f"got shape {array.shape}")
    if array.shape[1] == 1:
        array = numpy.concatenate([array] * 3, axis=1)
    return array


def _to_numpy(value) -> numpy.ndarray:
    if isinstance(value, Tensor):
        return value.detach().numpy()
    if isinstance(value, numpy.ndarray):
        return value
    raise TypeError(f"make_grid: expected a tensor, a NumPy array or a list of them, got {type(value).__name__}")


def _normalize(images: numpy.ndarray, value_range, scale_each: bool) -> numpy.ndarray:
    if value_range is not None and not isinstance(value_range, tuple):
        raise TypeError("make_grid: value_range has to be a tuple (min, max) if specified; min and max are numbers")
    images = images.astype(numpy.result_type(images.dtype, numpy.float32), copy=True)
    for part in (images if scale_each else [images]):  # each image, or the whole batch at once
        low, high = value_range if value_range is not None else (float(part.min()), float(part.max()))
        numpy.clip(part, low, high, out=part)
        part -= low
        part /= max(high - low, 1e-5)
    return images


def make_grid(tensor, nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range: tuple[float, float] | None = None, scale_each: bool = False,
              pad_value: float = 0.0) -> Tensor:
    """Tile a batch of images into one ``C x H' x W'`` image, ``nrow`` images per row.

    Single-channel images become three equal channels; ``padding`` pixels of
    ``pad_value`` surround each tile. With ``normalize=True`` values are
    shifted and scaled into [0, 1] using ``value_range`` (default: the
    batch's min and max, or each image's with ``scale_each=True``).

    Example:
        >>> import ember
        >>> from ember.vision.utils import make_grid
        >>> make_grid(ember.zeros(10, 1, 28, 28), nrow=4).shape
        (3, 92, 122)
    """
    images = _as_batch(tensor)
    if normalize:
        images = _normalize(images, value_range, scale_each)
    if images.shape[0] == 1:
        return tensor_of(numpy.ascontiguousarray(images[0]))
    count, channels, height, width = images.shape
    columns = min(nrow, count)
    rows = int(math.ceil(count / columns))
    cell_height, cell_width = height + padding, width + padding
    grid = numpy.full((channels, cell_height * rows + padding, cell_width * columns + padding), pad_value,
                      dtype=images.dtype)
    for index in range(count):
        top = (index // columns) * cell_height + padding
        left = (index % columns) * cell_width + padding
        grid[:, top:top + height, left:left + width] = images[index]
    return tensor_of(grid)


def save_image(tensor, fp: str | os.PathLike | BinaryIO, format: str | None = None, **grid_options) -> None:
    """Write images (values in [0, 1]) to a PNG or other format Pillow knows, as one grid.

    ``grid_options`` are :func:`make_grid`'s (``nrow``, ``padding``,
    ``normalize``, ...). Values are scaled by 255 and rounded to uint8.

    Example:
        >>> import ember
        >>> from ember.vision.utils import save_image
        >>> save_image(ember.rand(16, 1, 28, 28), "samples.png", nrow=4)  # doctest: +SKIP
    """
    Image = pil_image_module(required=False)
    if Image is None:
        raise ImportError("save_image needs Pillow, an optional dependency of Ember: pip install 'ember[vision]'")
    grid = make_grid(tensor, **grid_options).numpy()
    pixels = numpy.clip(grid * 255 + 0.5, 0, 255).astype(numpy.uint8).transpose(1, 2, 0)
    Image.fromarray(numpy.ascontiguousarray(pixels)).save(fp, format=format)
