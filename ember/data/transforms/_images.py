"""The three kinds of image a transform accepts, seen as one ``... x C x H x W`` NumPy array.

* a PIL image (when Pillow is installed): modes L, LA, RGB, RGBA, I, I;16 and F;
* a NumPy array, ``H x W`` or ``H x W x C`` (the layout PIL and ``ToTensor`` use);
* an Ember tensor, ``H x W`` or ``... x C x H x W`` (torchvision's tensor layout).

:func:`unpack` gives the array and a function that turns a result array
back into the caller's kind, so every transform is written once, on arrays.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy

from ... import backend
from ...autograd.grad_mode import is_grad_enabled
from ...errors import GradError
from ...tensor import Tensor

_PIL_MODES = ("L", "LA", "RGB", "RGBA", "I", "I;16", "F")


def pil_image_module(required: bool = False):
    """``PIL.Image`` when Pillow is installed, else ``None`` (or an ImportError when ``required``)."""
    try:
        from PIL import Image
    except ImportError:
        if required:
            raise ImportError("this needs Pillow, an optional dependency: pip install 'ember[vision]' "
                              "(or pip install pillow)") from None
        return None
    return Image


def is_pil_image(image: Any) -> bool:
    Image = pil_image_module()
    return Image is not None and isinstance(image, Image.Image)


def unpack(image: Any, operation: str) -> tuple[numpy.ndarray, Callable[[numpy.ndarray], Any]]:
    """``(array, restore)``: the image as ``... x C x H x W`` and the way back to its own kind."""
    if isinstance(image, Tensor):
        return _unpack_tensor(image, operation)
    if is_pil_image(image):
        return _unpack_pil(image, operation)
    if isinstance(image, numpy.ndarray):
        return _unpack_hwc(image, operation, numpy.ascontiguousarray)
    raise TypeError(f"{operation}: expected a PIL image, a NumPy array (H x W or H x W x C) or an Ember "
                    f"tensor (H x W or ... x C x H x W), got {type(image).__name__}")


def refuse_grad(image: Tensor, operation: str) -> None:
    """torchvision's tensor transforms are differentiable; these work on arrays, so say so rather
    than hand back a result silently cut from the graph."""
    if image.requires_grad and is_grad_enabled():
        raise GradError(f"{operation}: Ember's image transforms don't propagate gradients (only Normalize "
                        "does); call it on image.detach(), or under ember.no_grad(), if no gradient is needed")


def _unpack_tensor(image: Tensor, operation: str):
    refuse_grad(image, operation)
    data = image.detach().numpy()
    if data.ndim < 2:
        raise TypeError(f"{operation}: a tensor image needs at least 2 dimensions (H x W), got shape "
                        f"{tuple(data.shape)}")
    flat = data.ndim == 2
    array = data[None] if flat else data

    def restore(result: numpy.ndarray) -> Tensor:
        result = result[0] if flat else result
        if numpy.may_share_memory(result, data):
            result = result.copy()  # a new tensor never aliases its input's storage
        return tensor_of(numpy.ascontiguousarray(result), like=image)

    return array, restore


def tensor_of(array, like: Tensor | None = None) -> Tensor:
    """A new tensor holding ``array``, on ``like``'s device (the default device without one)."""
    namespace = backend.namespace_of(like._data) if like is not None else backend.namespace_for(None)
    return Tensor._make(namespace.asarray(array), None, False)


def _unpack_pil(image, operation: str):
    if image.mode not in _PIL_MODES:
        raise TypeError(f"{operation}: PIL images of mode {image.mode!r} are not supported; convert "
                        f"first, e.g. image.convert('RGB') (supported modes: {', '.join(_PIL_MODES)})")
    Image = pil_image_module()

    def to_pil(hwc: numpy.ndarray):
        if hwc.ndim == 3 and hwc.shape[2] == 1:  # one channel (e.g. Grayscale of RGB) is mode L
            hwc = hwc[:, :, 0]
        return Image.fromarray(numpy.ascontiguousarray(hwc))

    return _unpack_hwc(numpy.asarray(image), operation, to_pil)


def _unpack_hwc(array: numpy.ndarray, operation: str, finish: Callable):
    if array.ndim not in (2, 3):
        raise TypeError(f"{operation}: a NumPy image is H x W or H x W x C, got shape {array.shape}")
    flat = array.ndim == 2
    chw = array[None] if flat else array.transpose(2, 0, 1)

    def restore(result: numpy.ndarray):
        hwc = result[0] if flat and result.shape[0] == 1 else result.transpose(1, 2, 0)
        if numpy.may_share_memory(hwc, array):
            hwc = hwc.copy()
        return finish(hwc)

    return chw, restore


def size_of(image: Any, operation: str) -> tuple[int, int, int]:
    """``(channels, height, width)`` of an image of any kind."""
    array, _ = unpack(image, operation)
    return array.shape[-3], array.shape[-2], array.shape[-1]


def max_value(dtype: numpy.dtype) -> float:
    """The value meaning full intensity: 1 for floats, the largest value for integers (torchvision's rule)."""
    dtype = numpy.dtype(dtype)
    if dtype.kind in "iu":
        return float(numpy.iinfo(dtype).max)
    return 1.0


def working_dtype(dtype: numpy.dtype) -> numpy.dtype:
    """Floats compute in their own precision; integer images in float32, as torchvision does."""
    dtype = numpy.dtype(dtype)
    return dtype if dtype.kind == "f" else numpy.dtype(numpy.float32)


def cast_back(result: numpy.ndarray, dtype: numpy.dtype) -> numpy.ndarray:
    """Back to the image's dtype: integers are rounded (half to even, like torch.round) and clipped."""
    dtype = numpy.dtype(dtype)
    if dtype.kind in "iu":
        info = numpy.iinfo(dtype)
        return numpy.clip(numpy.round(result), info.min, info.max).astype(dtype)
    return result.astype(dtype, copy=False)
