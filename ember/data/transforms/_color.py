"""Colour kernels on ``... x C x H x W`` NumPy arrays, with torchvision's tensor arithmetic.

Integer images follow torchvision exactly, including its truncations:
blends compute in float32 and truncate back (``.to(uint8)``), grayscale is
truncated before a contrast mean is taken, and hue works on values
divided by 255 and returns ``value * 255.999`` truncated.
"""
from __future__ import annotations

import numpy

from ...errors import EmberValueError
from ._images import max_value, working_dtype


def _check_channels(array: numpy.ndarray, operation: str) -> int:
    channels = array.shape[-3]
    if channels not in (1, 3):
        raise TypeError(f"{operation}: expected an image with 1 or 3 channels, got {channels} "
                        f"(shape {array.shape})")
    return channels


def _truncate(result: numpy.ndarray, dtype: numpy.dtype) -> numpy.ndarray:
    return result.astype(dtype) if numpy.dtype(dtype).kind in "iu" else result.astype(dtype, copy=False)


def blend(image: numpy.ndarray, other, ratio: float) -> numpy.ndarray:
    """``ratio * image + (1 - ratio) * other`` clipped to the image's range (torchvision's ``_blend``)."""
    dtype = working_dtype(image.dtype)
    mixed = dtype.type(ratio) * image.astype(dtype) + dtype.type(1.0 - ratio) * numpy.asarray(other, dtype)
    return _truncate(numpy.clip(mixed, 0, max_value(image.dtype)), image.dtype)


def grayscale(image: numpy.ndarray, operation: str = "rgb_to_grayscale") -> numpy.ndarray:
    """``... x 1 x H x W`` luma (ITU-R 601-2 weights, as torchvision's tensor path)."""
    if _check_channels(image, operation) == 1:
        return image.copy()
    dtype = working_dtype(image.dtype)
    red, green, blue = (image[..., index, :, :].astype(dtype) for index in range(3))
    luma = dtype.type(0.2989) * red + dtype.type(0.587) * green + dtype.type(0.114) * blue
    return _truncate(luma, image.dtype)[..., None, :, :]


def adjust_brightness(image: numpy.ndarray, factor: float) -> numpy.ndarray:
    _check_factor(factor, "brightness_factor")
    _check_channels(image, "adjust_brightness")
    return blend(image, 0.0, factor)


def adjust_contrast(image: numpy.ndarray, factor: float) -> numpy.ndarray:
    _check_factor(factor, "contrast_factor")
    gray = grayscale(image, "adjust_contrast").astype(working_dtype(image.dtype))
    return blend(image, gray.mean(axis=(-3, -2, -1), keepdims=True), factor)


def adjust_saturation(image: numpy.ndarray, factor: float) -> numpy.ndarray:
    _check_factor(factor, "saturation_factor")
    if _check_channels(image, "adjust_saturation") == 1:
        return image  # nothing to saturate, as PIL
    return blend(image, grayscale(image), factor)


def adjust_hue(image: numpy.ndarray, factor: float) -> numpy.ndarray:
    if not -0.5 <= factor <= 0.5:
        raise EmberValueError(f"adjust_hue: hue_factor ({factor}) is not in [-0.5, 0.5]")
    if _check_channels(image, "adjust_hue") == 1:
        return image
    integer = image.dtype.kind in "iu"
    values = image.astype(numpy.float32) / numpy.float32(max_value(image.dtype)) if integer else image
    hue, saturation, value = _rgb_to_hsv(values)
    rgb = _hsv_to_rgb((hue + values.dtype.type(factor)) % 1.0, saturation, value)
    if integer:
        scale = numpy.float32(max_value(image.dtype) + 1.0 - 1e-3)
        return (rgb * scale).astype(image.dtype)
    return rgb


def _check_factor(factor: float, name: str) -> None:
    if factor < 0:
        raise EmberValueError(f"{name} ({factor}) is not non-negative")


def _rgb_to_hsv(image: numpy.ndarray):
    red, green, blue = image[..., 0, :, :], image[..., 1, :, :], image[..., 2, :, :]
    # pairwise maximum/minimum: far quicker than a reduction over an axis of length 3
    largest = numpy.maximum(numpy.maximum(red, green), blue)
    smallest = numpy.minimum(numpy.minimum(red, green), blue)
    flat = largest == smallest  # grey pixels: hue and saturation are 0; avoid dividing by zero
    spread = largest - smallest
    one = numpy.ones_like(largest)
    saturation = spread / numpy.where(flat, one, largest)
    divisor = numpy.where(flat, one, spread)
    red_distance, green_distance, blue_distance = ((largest - c) / divisor for c in (red, green, blue))
    hue = ((largest == red) * (blue_distance - green_distance)
           + ((largest == green) & (largest != red)) * (2.0 + red_distance - blue_distance)
           + ((largest != green) & (largest != red)) * (4.0 + green_distance - red_distance))
    hue = numpy.fmod(hue / 6.0 + 1.0, 1.0).astype(image.dtype, copy=False)
    return hue, saturation, largest


def _hsv_to_rgb(hue, saturation, value):
    sector = numpy.floor(hue * 6.0)
    fraction = hue * 6.0 - sector
    sector = sector.astype(numpy.int32) % 6
    p = numpy.clip(value * (1.0 - saturation), 0.0, 1.0)
    q = numpy.clip(value * (1.0 - saturation * fraction), 0.0, 1.0)
    t = numpy.clip(value * (1.0 - saturation * (1.0 - fraction)), 0.0, 1.0)
    # per sector of the colour wheel, which of (value, q, p, t) each of red, green and blue takes
    candidates = numpy.stack((value, q, p, t))
    picks = _SECTOR_PICKS[:, sector]  # 3 x ... x H x W indices into candidates
    rgb = numpy.take_along_axis(candidates, picks, axis=0)
    return numpy.moveaxis(rgb, 0, -3).astype(hue.dtype, copy=False)


_VALUE, _Q, _P, _T = range(4)
_SECTOR_PICKS = numpy.array([[_VALUE, _Q, _P, _P, _T, _VALUE],   # red
                             [_T, _VALUE, _VALUE, _Q, _P, _P],   # green
                             [_P, _P, _T, _VALUE, _VALUE, _Q]])  # blue
