"""Image functions with torchvision's names (``torchvision.transforms.functional``).

Each takes a PIL image (when Pillow is installed), a NumPy ``H x W`` or
``H x W x C`` array, or an Ember tensor (``H x W`` or ``... x C x H x W``)
and returns the same kind. The arithmetic is torchvision's tensor path
for every kind. On PIL images, where torchvision calls PIL itself, the
results measured against PIL's own: nearest rotation equal; resize,
brightness, contrast and saturation within one grey level (the tensor
path truncates where PIL rounds); bilinear rotation within one level for
about 90% of pixels, the rest at the edges, where the tensor path blends
in the fill through a sampled mask.
"""
from __future__ import annotations

import enum
import functools
import numbers
from typing import Any, Sequence

import numpy

from ... import backend
from ...errors import DTypeError, EmberValueError, GradError, ShapeError
from ...tensor import Tensor
from . import _color, _filters, _geometry, _images, _resample
from ._images import is_pil_image, pil_image_module, refuse_grad, size_of, tensor_of, unpack


class InterpolationMode(enum.Enum):
    """How resizing and rotation sample the input (torchvision's enum)."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"


_PIL_FILTERS = {0: "nearest", 2: "bilinear", 3: "bicubic"}  # Image.NEAREST, BILINEAR, BICUBIC


def _interpolation(mode) -> str:
    if isinstance(mode, InterpolationMode):
        return mode.value
    if isinstance(mode, str) and mode in {m.value for m in InterpolationMode}:
        return mode
    if isinstance(mode, int) and int(mode) in _PIL_FILTERS:  # older code passes PIL's constants
        return _PIL_FILTERS[int(mode)]
    raise TypeError(f"interpolation should be an InterpolationMode (NEAREST, NEAREST_EXACT, BILINEAR or "
                    f"BICUBIC), got {mode!r}")


def _on_arrays(kernel):
    """Lift a kernel on ``... x C x H x W`` arrays to every image kind."""
    @functools.wraps(kernel)
    def apply(image, *args, **kwargs):
        array, restore = unpack(image, kernel.__name__)
        return restore(kernel(array, *args, **kwargs))
    return apply


def get_dimensions(image: Any) -> list[int]:
    """``[channels, height, width]``.

    Example:
        >>> import numpy
        >>> get_dimensions(numpy.zeros((4, 6, 3), numpy.uint8))
        [3, 4, 6]
    """
    return list(size_of(image, "get_dimensions"))


def to_tensor(image: Any) -> Tensor:
    """PIL image or ``H x W (x C)`` array -> ``C x H x W`` tensor; uint8 becomes floats in [0, 1].

    Other dtypes keep their type and values, as torchvision's ``to_tensor``
    (16-bit unsigned images, PIL's ``I;16``, become int32 rather than wrapping to int16).

    Example:
        >>> import numpy
        >>> to_tensor(numpy.full((1, 2, 3), 255, numpy.uint8)).tolist()
        [[[1.0, 1.0]], [[1.0, 1.0]], [[1.0, 1.0]]]
    """
    if is_pil_image(image):
        array = numpy.asarray(image)
        if array.dtype == numpy.bool_:  # mode "1"
            array = array.astype(numpy.uint8) * 255
    elif isinstance(image, numpy.ndarray):
        array = image
    else:
        raise TypeError(f"to_tensor: expected a PIL image or a NumPy array (H x W or H x W x C), got "
                        f"{type(image).__name__}")
    if array.ndim not in (2, 3):
        raise EmberValueError(f"to_tensor: expected an H x W or H x W x C image, got shape {array.shape}")
    chw = numpy.ascontiguousarray((array[:, :, None] if array.ndim == 2 else array).transpose(2, 0, 1))
    if chw.dtype in (numpy.uint16, numpy.uint32):  # no such tensor dtypes: widen, keeping the values
        chw = chw.astype(numpy.int32 if chw.dtype == numpy.uint16 else numpy.int64)
    if chw.dtype == numpy.uint8:
        chw = chw.astype(backend.get_default_dtype().numpy) / 255
    return tensor_of(chw)


def to_pil_image(image: Any, mode: str | None = None):
    """Tensor (``C x H x W``) or array (``H x W (x C)``) -> PIL image; floats are scaled by 255 and truncated.

    Example:
        >>> import ember
        >>> to_pil_image(ember.ones(3, 2, 4)).size  # doctest: +SKIP
        (4, 2)
    """
    Image = pil_image_module(required=True)
    if isinstance(image, Tensor):
        data = image.detach().numpy()
        if data.ndim not in (2, 3):
            raise EmberValueError(f"to_pil_image: expected a 2- or 3-dimensional tensor, got shape {data.shape}")
        array = data if data.ndim == 2 else data.transpose(1, 2, 0)
    elif isinstance(image, numpy.ndarray):
        array = image
    else:
        raise TypeError(f"to_pil_image: expected a tensor or a NumPy array, got {type(image).__name__}")
    if array.dtype.kind == "f" and mode != "F":
        array = (array * 255).astype(numpy.uint8)  # torchvision's pic.mul(255).byte()
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    converted = Image.fromarray(numpy.ascontiguousarray(array))
    return converted if mode is None else converted.convert(mode)


def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> Tensor:
    """Per-channel ``(x - mean) / std`` on a float ``... x C x H x W`` tensor.

    Written with Ember's tensor operators, so it is differentiable like
    torchvision's (gradients reach an input that requires grad).

    Example:
        >>> import ember
        >>> normalize(ember.ones(2, 1, 1), [1.0, 0.0], [1.0, 0.5]).flatten().tolist()
        [0.0, 2.0]
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"normalize: expected an Ember tensor (apply ToTensor first), got {type(tensor).__name__}")
    if not tensor.dtype.is_floating_point:
        raise DTypeError(f"normalize: expected a float tensor (apply ToTensor first), got {tensor.dtype}")
    if tensor.ndim < 3:
        raise EmberValueError(f"normalize: expected a ... x C x H x W tensor, got shape {tuple(tensor.shape)}")
    channels = tensor.shape[-3]
    for name, values in (("mean", mean), ("std", std)):
        if len(values) not in (1, channels):
            raise ShapeError(f"normalize: {name} has {len(values)} values for a tensor of shape "
                             f"{tuple(tensor.shape)} with {channels} channels (expected 1 or {channels})")
    data = tensor._data
    xp = backend.namespace_of(data)
    mean = xp.asarray(mean, dtype=data.dtype).reshape(-1, 1, 1)
    std = xp.asarray(std, dtype=data.dtype).reshape(-1, 1, 1)
    if bool((std == 0).any()):
        raise EmberValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division "
                              f"by zero: {std.ravel().tolist()}")
    if not inplace:
        return (tensor - Tensor._make(mean, None, False)) / Tensor._make(std, None, False)
    if tensor.requires_grad:
        raise GradError("normalize(inplace=True): a tensor that requires grad can't be changed in place; "
                        "use inplace=False")
    xp.subtract(data, mean, out=data)
    xp.divide(data, std, out=data)
    tensor._shared_version().value += 1
    return tensor


@_on_arrays
def hflip(image):
    """Mirror left-right.

    Example:
        >>> import ember
        >>> hflip(ember.tensor([[1, 2, 3]]))
        tensor([[3, 2, 1]])
    """
    return image[..., ::-1]


@_on_arrays
def vflip(image):
    """Mirror top-bottom.

    Example:
        >>> import ember
        >>> vflip(ember.tensor([[1], [2]]))
        tensor([[2],
                [1]])
    """
    return image[..., ::-1, :]


@_on_arrays
def pad(image, padding: int | Sequence[int], fill: float = 0, padding_mode: str = "constant"):
    """Pad the borders: ``padding`` is one int, (left/right, top/bottom) or (left, top, right, bottom).

    Example:
        >>> import ember
        >>> pad(ember.ones(1, 1), 1).shape
        (3, 3)
    """
    return _geometry.pad(image, padding, fill, padding_mode)


@_on_arrays
def crop(image, top: int, left: int, height: int, width: int):
    """The ``height x width`` window at (``top``, ``left``); outside the image is zeros.

    Example:
        >>> import ember
        >>> crop(ember.arange(9).reshape(3, 3), 1, 1, 2, 2)
        tensor([[4, 5],
                [7, 8]])
    """
    return _geometry.crop(image, top, left, height, width)


def _pair(size, name: str) -> tuple[int, int]:
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    size = tuple(size)
    if len(size) == 1:
        return int(size[0]), int(size[0])
    if len(size) == 2:
        return int(size[0]), int(size[1])
    raise EmberValueError(f"{name}: size should be an int or a sequence of 1 or 2 ints, got {size}")


def center_crop(image, output_size: int | Sequence[int]):
    """The central ``output_size`` window, zero-padded first when the image is smaller.

    Example:
        >>> import ember
        >>> center_crop(ember.arange(16).reshape(4, 4), 2)
        tensor([[ 5,  6],
                [ 9, 10]])
    """
    height, width = _pair(output_size, "center_crop")
    array, restore = unpack(image, "center_crop")
    return restore(_geometry.center_crop(array, height, width))


def resized_output_size(height: int, width: int, size, max_size: int | None = None) -> tuple[int, int]:
    """torchvision's rule: an int (or one-element sequence) sets the shorter edge, keeping the aspect ratio."""
    if isinstance(size, numbers.Number) or len(size) == 1:
        requested = int(size) if isinstance(size, numbers.Number) else int(size[0])
        short, long = (width, height) if width <= height else (height, width)
        new_short, new_long = requested, int(requested * long / short)
        if max_size is not None:
            if max_size <= requested:
                raise EmberValueError(f"resize: max_size = {max_size} must be strictly greater than the requested "
                                      f"size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        return (new_long, new_short) if width <= height else (new_short, new_long)
    if max_size is not None:
        raise EmberValueError("resize: max_size should only be passed if size specifies the length of the "
                              "smaller edge, i.e. size should be an int or a sequence of length 1")
    return _pair(size, "resize")


def resize(image, size: int | Sequence[int], interpolation=InterpolationMode.BILINEAR,
           max_size: int | None = None, antialias: bool | None = True):
    """Resize to ``(h, w)``, or scale so the shorter edge is ``size`` when ``size`` is an int.

    Bilinear and bicubic are antialiased by default, as torchvision's tensor
    path (``interpolate(..., antialias=True)``); integer images are rounded.

    Example:
        >>> import ember
        >>> resize(ember.ones(3, 4, 8), 2).shape
        (3, 2, 4)
    """
    mode = _interpolation(interpolation)
    array, restore = unpack(image, "resize")
    height, width = resized_output_size(array.shape[-2], array.shape[-1], size, max_size)
    if height <= 0 or width <= 0:
        raise EmberValueError(f"resize: the output size {(height, width)} for size={size} and an input of "
                              f"{tuple(array.shape[-2:])} must be positive")
    if (height, width) == array.shape[-2:]:
        return image
    if mode == "bicubic" and antialias is False:
        raise EmberValueError("resize: bicubic without antialiasing is not implemented; use antialias=True "
                              "(torchvision's default) or bilinear")
    return restore(_resample.resize(array, height, width, mode, antialias=bool(antialias)))


def rotate(image, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False,
           center: Sequence[int] | None = None, fill: float | Sequence[float] | None = None):
    """Rotate counter-clockwise by ``angle`` degrees about the centre (or ``center``, in pixels).

    ``expand=True`` enlarges the output to hold the whole rotated image;
    uncovered pixels are ``fill`` (zeros when None).

    Example:
        >>> import ember
        >>> rotate(ember.tensor([[[1.0, 2.0], [3.0, 4.0]]]), 90)
        tensor([[[2., 4.],
                 [1., 3.]]])
    """
    mode = _interpolation(interpolation)
    if mode not in ("nearest", "bilinear"):
        raise EmberValueError(f"rotate: interpolation {mode!r} is not supported; use NEAREST or BILINEAR")
    array, restore = unpack(image, "rotate")
    height, width = array.shape[-2:]
    offset = (0.0, 0.0) if center is None else (center[0] - width * 0.5, center[1] - height * 0.5)
    matrix = _geometry.inverse_affine_matrix(offset, -angle, (0.0, 0.0), 1.0, (0.0, 0.0))
    fill = _fill_list(fill, array.shape[-3], "rotate")
    return restore(_geometry.warp(array, matrix, mode, expand, fill))


def affine(image, angle: float, translate: Sequence[int], scale: float, shear: float | Sequence[float],
           interpolation=InterpolationMode.NEAREST, fill: float | Sequence[float] | None = None,
           center: Sequence[int] | None = None):
    """Rotate by ``angle`` degrees (clockwise, as torchvision's ``affine``), scale, shear, then translate.

    ``shear`` is one angle (x only) or (x, y) in degrees; ``translate`` is in
    pixels; the centre of the map is the image centre unless ``center`` is given.

    Example:
        >>> import ember
        >>> affine(ember.tensor([[1.0, 2.0, 3.0]]), 0.0, (1, 0), 1.0, 0.0)
        tensor([[0., 1., 2.]])
    """
    mode = _interpolation(interpolation)
    if mode not in ("nearest", "bilinear"):
        raise EmberValueError(f"affine: interpolation {mode!r} is not supported; use NEAREST or BILINEAR")
    if scale <= 0:
        raise EmberValueError(f"affine: scale should be positive, got {scale}")
    shear = (float(shear), 0.0) if isinstance(shear, numbers.Number) else tuple(float(s) for s in shear)
    shear = shear * 2 if len(shear) == 1 else shear
    if len(shear) != 2 or len(translate) != 2:
        raise EmberValueError(f"affine: translate should be 2 numbers and shear 1 or 2, got {translate} and {shear}")
    array, restore = unpack(image, "affine")
    height, width = array.shape[-2:]
    offset = (0.0, 0.0) if center is None else (center[0] - width * 0.5, center[1] - height * 0.5)
    matrix = _geometry.inverse_affine_matrix(offset, angle, [float(t) for t in translate], scale, shear)
    fill = _fill_list(fill, array.shape[-3], "affine")
    return restore(_geometry.warp(array, matrix, mode, False, fill))


def gaussian_blur(image, kernel_size: int | Sequence[int], sigma: float | Sequence[float] | None = None):
    """Blur with a Gaussian of odd ``kernel_size`` (x, y) and ``sigma`` (x, y), borders reflected.

    Without ``sigma`` it is ``0.3 * ((k - 1) * 0.5 - 1) + 0.8`` per axis, torchvision's default.

    Example:
        >>> import ember
        >>> blurred = gaussian_blur(ember.eye(5).reshape(1, 5, 5), 3, sigma=1.0)
        >>> round(blurred[0, 2, 2].item(), 4), round(blurred[0, 0, 4].item(), 4)
        (0.3544, 0.0)
    """
    sizes = [int(kernel_size)] * 2 if isinstance(kernel_size, numbers.Number) else [int(k) for k in kernel_size]
    sizes = sizes * 2 if len(sizes) == 1 else sizes
    if len(sizes) != 2 or any(k <= 0 or k % 2 == 0 for k in sizes):
        raise EmberValueError(f"gaussian_blur: kernel_size should be odd and positive (one or two values), "
                              f"got {kernel_size}")
    if sigma is None:
        sigmas = [k * 0.15 + 0.35 for k in sizes]
    else:
        sigmas = [float(sigma)] * 2 if isinstance(sigma, numbers.Number) else [float(s) for s in sigma]
        sigmas = sigmas * 2 if len(sigmas) == 1 else sigmas
    if len(sigmas) != 2 or any(s <= 0 for s in sigmas):
        raise EmberValueError(f"gaussian_blur: sigma should be positive (one or two values), got {sigma}")
    array, restore = unpack(image, "gaussian_blur")
    return restore(_filters.gaussian_blur(array, sizes, sigmas))


def erase(image: Tensor, i: int, j: int, h: int, w: int, v, inplace: bool = False) -> Tensor:
    """Set the ``h x w`` window at row ``i``, column ``j`` to ``v`` (a value or a ``C x h x w`` block).

    Example:
        >>> import ember
        >>> erase(ember.ones(1, 2, 3), 0, 1, 2, 1, 0.0).tolist()
        [[[1.0, 0.0, 1.0], [1.0, 0.0, 1.0]]]
    """
    if not isinstance(image, Tensor):
        raise TypeError(f"erase: expected an Ember tensor image, got {type(image).__name__}")
    refuse_grad(image, "erase")
    values = v.detach().numpy() if isinstance(v, Tensor) else numpy.asarray(v)
    data = image._data if inplace else image._data.copy()
    data[..., i:i + h, j:j + w] = backend.namespace_of(data).asarray(values, dtype=data.dtype)
    if inplace:
        image._shared_version().value += 1
        return image
    return Tensor._make(data, None, False)


def pil_to_tensor(pic) -> Tensor:
    """PIL image -> ``C x H x W`` tensor of its own dtype, unscaled (torchvision's ``pil_to_tensor``).

    Example:
        >>> from PIL import Image  # doctest: +SKIP
        >>> pil_to_tensor(Image.new("RGB", (4, 2))).shape  # doctest: +SKIP
        (3, 2, 4)
    """
    if not is_pil_image(pic):
        raise TypeError(f"pil_to_tensor: expected a PIL image, got {type(pic).__name__}")
    array = numpy.asarray(pic)
    chw = numpy.ascontiguousarray((array[:, :, None] if array.ndim == 2 else array).transpose(2, 0, 1))
    return tensor_of(chw)


def convert_image_dtype(image: Tensor, dtype=None) -> Tensor:
    """Convert a tensor image's dtype, rescaling: uint8 [0, 255] <-> float [0, 1] (torchvision's rules).

    Float to integer multiplies by ``max + 1 - 0.001`` and truncates, so 1.0
    maps to the maximum and the integer bins are even.

    Example:
        >>> import ember
        >>> convert_image_dtype(ember.tensor([0.0, 0.5, 1.0]), ember.uint8).tolist()
        [0, 127, 255]
    """
    if not isinstance(image, Tensor):
        raise TypeError(f"convert_image_dtype: expected an Ember tensor, got {type(image).__name__}")
    refuse_grad(image, "convert_image_dtype")
    target = backend.as_dtype(dtype) if dtype is not None else backend.get_default_dtype()
    source, wanted = image._data.dtype, target.numpy
    if source == wanted:
        return image
    data = image._data
    if source.kind == "f" and wanted.kind == "f":
        result = data.astype(wanted)
    elif source.kind == "f":
        if (source, wanted) in ((numpy.float32, numpy.int32), (numpy.float32, numpy.int64),
                                (numpy.float64, numpy.int64)):
            raise DTypeError(f"convert_image_dtype: the cast from {image.dtype} to {target} cannot be "
                             "performed safely")
        result = (data * (_images.max_value(wanted) + 1.0 - 1e-3)).astype(wanted)
    elif wanted.kind == "f":
        result = data.astype(wanted) / wanted.type(_images.max_value(source))
    else:
        result = _convert_integers(data, source, wanted)
    return Tensor._make(result, None, False)


def _convert_integers(data, source: numpy.dtype, wanted: numpy.dtype):
    source_max, wanted_max = _images.max_value(source), _images.max_value(wanted)
    if source_max > wanted_max:
        return (data // int((source_max + 1) // (wanted_max + 1))).astype(wanted)
    return data.astype(wanted) * int((wanted_max + 1) // (source_max + 1))


def _fill_list(fill, channels: int, operation: str) -> list[float] | None:
    if fill is None:
        return None
    values = [float(fill)] * channels if isinstance(fill, numbers.Number) else [float(f) for f in fill]
    if len(values) not in (1, channels):
        raise EmberValueError(f"{operation}: the number of elements in 'fill' ({len(values)}) cannot broadcast to "
                              f"the number of channels of the image ({channels})")
    return values


@_on_arrays
def rgb_to_grayscale(image, num_output_channels: int = 1):
    """Luma ``0.2989 R + 0.587 G + 0.114 B``, with 1 or 3 equal output channels.

    Example:
        >>> import ember
        >>> rgb_to_grayscale(ember.ones(3, 1, 1)).shape
        (1, 1, 1)
    """
    if num_output_channels not in (1, 3):
        raise EmberValueError(f"rgb_to_grayscale: num_output_channels should be 1 or 3, got {num_output_channels}")
    gray = _color.grayscale(image)
    return numpy.repeat(gray, num_output_channels, axis=-3)


@_on_arrays
def adjust_brightness(image, brightness_factor: float):
    """Scale intensities by ``brightness_factor`` (0 black, 1 unchanged), clipped to the valid range.

    Example:
        >>> import ember
        >>> adjust_brightness(ember.full((1, 1, 2), 0.25), 2.0).tolist()
        [[[0.5, 0.5]]]
    """
    return _color.adjust_brightness(image, brightness_factor)


@_on_arrays
def adjust_contrast(image, contrast_factor: float):
    """Blend with the mean grey level (0 gives a flat grey image, 1 the original).

    Example:
        >>> import ember
        >>> adjust_contrast(ember.tensor([[[0.0, 1.0]]]), 0.0).tolist()
        [[[0.5, 0.5]]]
    """
    return _color.adjust_contrast(image, contrast_factor)


@_on_arrays
def adjust_saturation(image, saturation_factor: float):
    """Blend with the grayscale image (0 gives grey, 1 the original, 2 doubles saturation).

    Example:
        >>> import ember
        >>> adjust_saturation(ember.tensor([[[1.0]], [[0.0]], [[0.0]]]), 0.0).flatten().tolist()
        [0.2989000082015991, 0.2989000082015991, 0.2989000082015991]
    """
    return _color.adjust_saturation(image, saturation_factor)


@_on_arrays
def adjust_hue(image, hue_factor: float):
    """Shift the hue by ``hue_factor`` turns, in [-0.5, 0.5], through HSV.

    Example:
        >>> import ember
        >>> adjust_hue(ember.tensor([[[1.0]], [[0.0]], [[0.0]]]), 1 / 3).flatten().tolist()
        [0.0, 1.0, 0.0]
    """
    return _color.adjust_hue(image, hue_factor)
