"""Geometry kernels on ``... x C x H x W`` NumPy arrays: padding, cropping, affine warps.

Rotation and affine maps follow torchvision's tensor path step by step: the inverse
rotation matrix maps each output pixel centre to a source point, which is
sampled like ``grid_sample(..., padding_mode="zeros", align_corners=False)``,
and ``fill`` is blended in through a sampled mask of ones.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy

from ...errors import EmberValueError
from ._images import cast_back, working_dtype

PADDING_MODES = ("constant", "edge", "reflect", "symmetric")


def padding_sides(padding: int | Sequence[int]) -> tuple[int, int, int, int]:
    """torchvision's padding forms (one int; left/right and top/bottom; or four) as (left, top, right, bottom)."""
    if isinstance(padding, (int, numpy.integer)):
        return (int(padding),) * 4
    padding = tuple(int(side) for side in padding)
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    if len(padding) == 4:
        return padding
    raise EmberValueError(f"pad: padding must be an int or a sequence of 1, 2 or 4 ints, got {padding}")


def pad(array: numpy.ndarray, padding, fill: float = 0, padding_mode: str = "constant") -> numpy.ndarray:
    if padding_mode not in PADDING_MODES:
        raise EmberValueError(f"pad: padding_mode should be one of {', '.join(PADDING_MODES)}, got {padding_mode!r}")
    left, top, right, bottom = padding_sides(padding)
    if min(left, top, right, bottom) < 0:
        array = array[..., max(-top, 0):array.shape[-2] - max(-bottom, 0),
                      max(-left, 0):array.shape[-1] - max(-right, 0)]
        left, top, right, bottom = (max(side, 0) for side in (left, top, right, bottom))
    widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
    if padding_mode != "constant":
        return numpy.pad(array, widths, mode=padding_mode)
    if isinstance(fill, (int, float, numpy.number)):
        return numpy.pad(array, widths, constant_values=fill)
    return _pad_each_channel(array, widths, fill)


def _pad_each_channel(array: numpy.ndarray, widths, fill) -> numpy.ndarray:
    """Constant padding with one fill value per channel (an RGB colour)."""
    fill = tuple(fill)
    channels = array.shape[-3]
    if len(fill) not in (1, channels):
        raise EmberValueError(f"pad: fill {fill} has {len(fill)} values for an image with {channels} channels")
    values = fill * channels if len(fill) == 1 else fill
    return numpy.concatenate([numpy.pad(array[..., c:c + 1, :, :], widths, constant_values=values[c])
                              for c in range(channels)], axis=-3)


def crop(array: numpy.ndarray, top: int, left: int, height: int, width: int) -> numpy.ndarray:
    """The window; parts outside the image are zeros, as torchvision's ``crop``."""
    image_height, image_width = array.shape[-2:]
    bottom, right = top + height, left + width
    if top >= 0 and left >= 0 and bottom <= image_height and right <= image_width:
        return array[..., top:bottom, left:right]
    inside = array[..., max(top, 0):max(bottom, 0), max(left, 0):max(right, 0)]
    sides = (max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
             max(right - max(image_width, left), 0), max(bottom - max(image_height, top), 0))
    return pad(inside, sides)


def center_crop(array: numpy.ndarray, height: int, width: int) -> numpy.ndarray:
    image_height, image_width = array.shape[-2:]
    if width > image_width or height > image_height:  # pad to at least the crop, split as torchvision does
        extra_width, extra_height = max(width - image_width, 0), max(height - image_height, 0)
        array = pad(array, (extra_width // 2, extra_height // 2, (extra_width + 1) // 2, (extra_height + 1) // 2))
        image_height, image_width = array.shape[-2:]
    top = int(round((image_height - height) / 2.0))
    left = int(round((image_width - width) / 2.0))
    return array[..., top:top + height, left:left + width]


def inverse_affine_matrix(center: Sequence[float], angle: float, translate: Sequence[float], scale: float,
                          shear: Sequence[float]) -> list[float]:
    """The 2 x 3 matrix taking output to input coordinates (torchvision's ``_get_inverse_affine_matrix``).

    The forward map is ``T * C * R(angle) * S(scale) * SHy(shear_y) * SHx(shear_x) * C^-1``
    with ``C`` the move to ``center`` and ``T`` the translation; angles are in
    degrees, coordinates relative to the image centre.
    """
    rotation, shear_x, shear_y = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    center_x, center_y = center
    shift_x, shift_y = translate
    # the rotate-scale-shear matrix [[a, b], [c, d]] without its scale; its determinant is 1
    a = math.cos(rotation - shear_y) / math.cos(shear_y)
    b = -math.cos(rotation - shear_y) * math.tan(shear_x) / math.cos(shear_y) - math.sin(rotation)
    c = math.sin(rotation - shear_y) / math.cos(shear_y)
    d = -math.sin(rotation - shear_y) * math.tan(shear_x) / math.cos(shear_y) + math.cos(rotation)
    matrix = [value / scale for value in (d, -b, 0.0, -c, a, 0.0)]
    matrix[2] += matrix[0] * (-center_x - shift_x) + matrix[1] * (-center_y - shift_y) + center_x
    matrix[5] += matrix[3] * (-center_x - shift_x) + matrix[4] * (-center_y - shift_y) + center_y
    return matrix


def expanded_size(matrix: Sequence[float], width: int, height: int) -> tuple[int, int]:
    """``(width, height)`` holding the whole rotated image (``expand=True``), as torchvision rounds it."""
    corners = numpy.array([[-0.5 * width, -0.5 * height, 1.0], [-0.5 * width, 0.5 * height, 1.0],
                           [0.5 * width, 0.5 * height, 1.0], [0.5 * width, -0.5 * height, 1.0]], numpy.float32)
    points = corners @ numpy.asarray(matrix, numpy.float32).reshape(2, 3).T
    low = points.min(axis=0) + numpy.float32([0.5 * width, 0.5 * height])
    high = points.max(axis=0) + numpy.float32([0.5 * width, 0.5 * height])
    tolerance = 1e-4  # drop float noise before ceil/floor, so 32.00000001 stays 32
    size = numpy.ceil(numpy.trunc(high / tolerance) * tolerance) - numpy.floor(numpy.trunc(low / tolerance) * tolerance)
    return int(size[0]), int(size[1])


def warp(array: numpy.ndarray, matrix: Sequence[float], interpolation: str, expand: bool,
         fill: Sequence[float] | None) -> numpy.ndarray:
    """Sample ``array`` through an inverse affine ``matrix`` (rotation, or any affine map)."""
    height, width = array.shape[-2:]
    out_width, out_height = expanded_size(matrix, width, height) if expand else (width, height)
    dtype = working_dtype(array.dtype)
    source_x, source_y = _source_points(matrix, width, height, out_width, out_height, dtype)
    image = array.astype(dtype, copy=False)
    sample = _sample_nearest if interpolation == "nearest" else _sample_bilinear
    result = sample(image, source_x, source_y)
    if fill is not None:
        inside = sample(numpy.ones((1, height, width), dtype), source_x, source_y)
        fill_values = numpy.asarray(fill, dtype).reshape(-1, 1, 1)
        if interpolation == "nearest":
            result = numpy.where(inside < 0.5, fill_values, result)
        else:
            result = result * inside + (1.0 - inside) * fill_values
    return cast_back(result, array.dtype)


def _source_points(matrix, width, height, out_width, out_height, dtype):
    """Input pixel coordinates of each output pixel centre (grid_sample's unnormalised x and y)."""
    xs = numpy.linspace(-out_width * 0.5 + 0.5, out_width * 0.5 - 0.5, out_width, dtype=dtype)[None, :]
    ys = numpy.linspace(-out_height * 0.5 + 0.5, out_height * 0.5 - 0.5, out_height, dtype=dtype)[:, None]
    theta = numpy.asarray(matrix, dtype).reshape(2, 3) / numpy.asarray([[0.5 * width], [0.5 * height]], dtype)
    grid_x = xs * theta[0, 0] + ys * theta[0, 1] + theta[0, 2]
    grid_y = xs * theta[1, 0] + ys * theta[1, 1] + theta[1, 2]
    return ((grid_x + 1) * width - 1) / 2, ((grid_y + 1) * height - 1) / 2


def _gather(image, rows, columns):
    """``image[..., rows, columns]`` with zeros where the index falls outside."""
    height, width = image.shape[-2:]
    valid = (rows >= 0) & (rows < height) & (columns >= 0) & (columns < width)
    values = image[..., numpy.clip(rows, 0, height - 1), numpy.clip(columns, 0, width - 1)]
    return values * valid


def _sample_nearest(image, source_x, source_y):
    return _gather(image, numpy.rint(source_y).astype(numpy.int64), numpy.rint(source_x).astype(numpy.int64))


def _sample_bilinear(image, source_x, source_y):
    left, top = numpy.floor(source_x), numpy.floor(source_y)
    right_weight, bottom_weight = source_x - left, source_y - top
    left, top = left.astype(numpy.int64), top.astype(numpy.int64)
    return (_gather(image, top, left) * ((1 - right_weight) * (1 - bottom_weight))
            + _gather(image, top, left + 1) * (right_weight * (1 - bottom_weight))
            + _gather(image, top + 1, left) * ((1 - right_weight) * bottom_weight)
            + _gather(image, top + 1, left + 1) * (right_weight * bottom_weight))
