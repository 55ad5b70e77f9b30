"""Image files to arrays and back (``keras.utils.load_img`` …), through Pillow.

Arrays are ``channels_last`` (height, width, channels) float32, as Keras's.
Pillow is imported only when a function needs it; without it the error says
which package to install.

Example:
    >>> import os, tempfile, numpy as np
    >>> from ember import keras
    >>> pixels = np.arange(2 * 3 * 3, dtype="float32").reshape(2, 3, 3) * 10
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny.png")
    >>> keras.utils.save_img(path, pixels, scale=False)
    >>> image = keras.utils.load_img(path)
    >>> image.size, image.mode
    ((3, 2), 'RGB')
    >>> bool((keras.utils.img_to_array(image) == pixels).all())
    True
    >>> keras.utils.img_to_array(keras.utils.load_img(path, color_mode="grayscale")).shape
    (2, 3, 1)
"""
from __future__ import annotations

import io
import os

import numpy

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil():
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError("keras.utils image functions (load_img, save_img, array_to_img, img_to_array) "
                          "need Pillow: `pip install pillow`") from error
    return Image


def _check_layout(data_format: str | None) -> str:
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Unknown data_format: {data_format!r}; expected 'channels_last' or 'channels_first'")
    return data_format


def array_to_img(x, data_format: str | None = None, scale: bool = True, dtype=None):
    """A PIL image from a 3-D array (1, 3 or 4 channels); ``scale`` stretches values to 0-255."""
    image_module = _pil()
    x = numpy.asarray(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if _check_layout(data_format) == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - numpy.min(x)
        peak = numpy.max(x)
        if peak != 0:
            x = x / peak
        x = x * 255
    modes = {4: "RGBA", 3: "RGB", 1: "L"}
    if x.shape[2] not in modes:
        raise ValueError(f"Unsupported channel number: {x.shape[2]} (expected 1, 3 or 4)")
    pixels = x.astype("uint8")
    return image_module.fromarray(pixels[:, :, 0] if x.shape[2] == 1 else pixels, modes[x.shape[2]])


def img_to_array(img, data_format: str | None = None, dtype=None) -> numpy.ndarray:
    """A (height, width, channels) array from a PIL image (a grayscale image gets one channel)."""
    x = numpy.asarray(img, dtype=dtype or "float32")
    if x.ndim == 2:
        x = x[:, :, None]
    elif x.ndim != 3:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x.transpose(2, 0, 1) if _check_layout(data_format) == "channels_first" else x


def save_img(path, x, data_format: str | None = None, file_format: str | None = None, scale: bool = True,
             **kwargs) -> None:
    """Write the array ``x`` as an image file (format from ``file_format`` or the file name)."""
    image = array_to_img(x, data_format=data_format, scale=scale)
    if image.mode == "RGBA" and (file_format or str(path).lower().rsplit(".", 1)[-1]) in ("jpg", "jpeg"):
        image = image.convert("RGB")  # JPEG has no alpha channel
    image.save(path, format=file_format, **kwargs)


def load_img(path, color_mode: str = "rgb", target_size=None, interpolation: str = "nearest",
             keep_aspect_ratio: bool = False):
    """Read an image file (a path or a file-like object) as a PIL image in ``color_mode``.

    ``target_size=(height, width)`` resizes it; ``keep_aspect_ratio`` first crops the centre
    to that aspect ratio, as Keras does.
    """
    image_module = _pil()
    modes = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
    if color_mode not in modes:
        raise ValueError(f'color_mode must be "grayscale", "rgb", or "rgba"; received {color_mode!r}')
    if isinstance(path, (str, os.PathLike)):
        with open(path, "rb") as file:
            image = image_module.open(io.BytesIO(file.read()))
    elif hasattr(path, "read"):
        image = image_module.open(io.BytesIO(path.read()))
    else:
        raise TypeError(f"path should be a path or a file-like object; received {type(path).__name__}")
    if image.mode != modes[color_mode]:
        image = image.convert(modes[color_mode])
    if target_size is None:
        return image
    height, width = target_size
    if (image.size[0], image.size[1]) == (width, height):
        return image
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"Invalid interpolation method {interpolation!r}; supported: {_INTERPOLATIONS}")
    resample = getattr(image_module.Resampling, interpolation.upper())
    box = None
    if keep_aspect_ratio:
        box = _centre_crop_box(image.size[0], image.size[1], width / height)
    return image.resize((width, height), resample=resample, box=box)


def _centre_crop_box(width: int, height: int, aspect: float) -> tuple[int, int, int, int]:
    """The largest centred box of the given width/height ratio."""
    crop_width = min(width, int(height * aspect))
    crop_height = min(height, int(width / aspect))
    left, top = (width - crop_width) // 2, (height - crop_height) // 2
    return left, top, left + crop_width, top + crop_height


def smart_resize(x, size, interpolation: str = "bilinear", data_format: str = "channels_last"):
    """Resize images to ``size`` without distortion: crop the centre to the target aspect ratio first."""
    from .. import ops
    images = numpy.asarray(x, dtype="float32") if not hasattr(x, "detach") else x
    if len(images.shape) not in (3, 4):
        raise ValueError(f"Expected an image array of rank 3 or 4, got shape {tuple(images.shape)}")
    height_axis = -3 if _check_layout(data_format) == "channels_last" else -2
    height, width = images.shape[height_axis], images.shape[height_axis + 1]
    target_height, target_width = size
    crop_height = max(min(height, int(width * target_height / target_width)), 1)
    crop_width = max(min(width, int(height * target_width / target_height)), 1)
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    index = [slice(None)] * len(images.shape)
    index[height_axis] = slice(top, top + crop_height)
    index[height_axis + 1] = slice(left, left + crop_width)
    resized = ops.image.resize(images[tuple(index)], size, interpolation=interpolation, data_format=data_format)
    return resized if hasattr(x, "detach") else numpy.asarray(resized)  # NumPy in, NumPy out, as Keras
