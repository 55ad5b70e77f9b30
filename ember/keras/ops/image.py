"""``keras.ops.image``: resizing, patch extraction, grayscale, padding and cropping of images.

Images are ``(batch, height, width, channels)`` (or one image without the batch axis);
``data_format="channels_first"`` takes ``(batch, channels, height, width)``. The math is
Ember's, so gradients flow; tests compare with real Keras 3 on its torch backend.

Example:
    >>> import numpy as np
    >>> from ember.keras import ops
    >>> images = ops.convert_to_tensor(np.arange(32, dtype="float32").reshape(1, 4, 4, 2))
    >>> ops.image.extract_patches(images, 2).shape, ops.image.resize(images, (2, 2)).shape
    ((1, 2, 2, 8), (1, 2, 2, 2))
"""
from __future__ import annotations

import ember
from ember.ops import functions as F

from ..layers import resize as _resize
from .numpy_ops import _float_result, _t


def _channels_last(images, data_format):
    """4-D channels-last images, and how to undo the changes."""
    images = _t(images)
    single = images.ndim == 3
    if single:
        images = F.unsqueeze(images, 0)
    first = data_format == "channels_first"
    if first:
        images = F.permute(images, (0, 2, 3, 1))

    def restore(result):
        if first:
            result = F.permute(result, (0, 3, 1, 2))
        return result[0] if single else result
    return images, restore


def _pair(value):
    return (int(value), int(value)) if isinstance(value, int) else tuple(int(v) for v in value)


def resize(images, size, interpolation: str = "bilinear", antialias: bool = False, crop_to_aspect_ratio: bool = False,
           pad_to_aspect_ratio: bool = False, fill_mode: str = "constant", fill_value: float = 0.0, data_format=None):
    """Resize to ``size = (height, width)`` (``nearest`` or ``bilinear``, no antialiasing)."""
    if antialias or crop_to_aspect_ratio or pad_to_aspect_ratio:
        raise NotImplementedError("ops.image.resize: antialias, crop_to_aspect_ratio and pad_to_aspect_ratio "
                                  "are not supported")
    images, restore = _channels_last(images, data_format)
    height, width = _pair(size)
    return restore(_resize.resize(_float_result(images), height, width, interpolation))


def extract_patches(images, size, strides=None, dilation_rate=1, padding: str = "valid", data_format=None):
    """Each ``size`` patch flattened into the channel axis: ``(batch, rows, cols, ph * pw * channels)``."""
    images, restore = _channels_last(images, data_format)
    (patch_h, patch_w), (stride_h, stride_w) = _pair(size), _pair(strides if strides is not None else size)
    dilation_h, dilation_w = _pair(dilation_rate)
    span_h, span_w = (patch_h - 1) * dilation_h + 1, (patch_w - 1) * dilation_w + 1
    if padding == "same":
        images = _same_padding(images, span_h, span_w, stride_h, stride_w)
    elif padding != "valid":
        raise ValueError(f"ops.image.extract_patches: padding must be 'valid' or 'same', got {padding!r}")
    rows = (images.shape[1] - span_h) // stride_h + 1
    cols = (images.shape[2] - span_w) // stride_w + 1
    pieces = []
    for i in range(patch_h):
        for j in range(patch_w):
            top, left = i * dilation_h, j * dilation_w
            pieces.append(images[:, top:top + (rows - 1) * stride_h + 1:stride_h,
                                 left:left + (cols - 1) * stride_w + 1:stride_w, :])
    stacked = F.stack(pieces, -2)  # (batch, rows, cols, ph * pw, channels)
    return restore(F.reshape(stacked, tuple(stacked.shape[:3]) + (-1,)))


def _same_padding(images, span_h, span_w, stride_h, stride_w):
    """TensorFlow's 'same' padding: the odd pixel after."""
    padding = []
    for size, span, stride in ((images.shape[2], span_w, stride_w), (images.shape[1], span_h, stride_h)):
        total = max((-(-size // stride) - 1) * stride + span - size, 0)
        padding += [total // 2, total - total // 2]
    return ember.nn.functional.pad(images, [0, 0] + padding)


def rgb_to_grayscale(images, data_format=None):
    """ITU-R 601 luma: ``0.2989 R + 0.5870 G + 0.1140 B``, one channel kept."""
    images, restore = _channels_last(images, data_format)
    weights = ember.tensor([0.2989, 0.5870, 0.1140], dtype=_float_result(images).dtype)
    return restore(F.sum(_float_result(images) * weights, -1, True))


def _offsets(size, before, after, target, what):
    if target is not None:
        if before is None and after is None:
            raise ValueError(f"{what}: give a padding or cropping with target sizes")
        before = before if before is not None else abs(target - size) - after
        after = after if after is not None else abs(target - size) - before
    return before or 0, after or 0


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None, right_padding=None,
               target_height=None, target_width=None, data_format=None):
    """Zero-pad the spatial axes (each side given, or the far side worked out from a target size)."""
    images, restore = _channels_last(images, data_format)
    top, bottom = _offsets(images.shape[1], top_padding, bottom_padding, target_height, "pad_images")
    left, right = _offsets(images.shape[2], left_padding, right_padding, target_width, "pad_images")
    return restore(ember.nn.functional.pad(images, [0, 0, left, right, top, bottom]))


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None, right_cropping=None,
                target_height=None, target_width=None, data_format=None):
    """Crop the spatial axes (each side given, or the far side worked out from a target size)."""
    images, restore = _channels_last(images, data_format)
    height, width = images.shape[1], images.shape[2]
    top, bottom = _offsets(height, top_cropping, bottom_cropping, target_height, "crop_images")
    left, right = _offsets(width, left_cropping, right_cropping, target_width, "crop_images")
    return restore(images[:, top:height - bottom, left:width - right, :])
