"""torchvision's ``transforms.v2`` spelling (``from ember.vision.transforms import v2``).

The v1 transforms already take PIL images, arrays and tensors alike, so v2
is the same classes plus v2's conversions: :class:`ToImage` (to a
``C x H x W`` tensor, dtype kept) and :class:`ToDtype` (``scale=True``
rescales between integer and float ranges). Bounding boxes, masks and the
other ``tv_tensors`` are not provided.

Example:
    >>> import numpy, ember
    >>> from ember.vision.transforms import v2
    >>> pipeline = v2.Compose([v2.ToImage(), v2.ToDtype(ember.float32, scale=True), v2.Normalize([0.5], [0.5])])
    >>> pipeline(numpy.full((2, 2), 255, numpy.uint8)).tolist()
    [[[1.0, 1.0], [1.0, 1.0]]]
"""
from __future__ import annotations

import numpy

from ember.data.transforms import *  # noqa: F401,F403  (re-exported)
from ember.data.transforms import __all__ as _v1_names
from ember.data.transforms import functional as _functional
from ember.data.transforms._images import is_pil_image, tensor_of
from ember.tensor import Tensor


class ToImage:
    """PIL image or ``H x W (x C)`` array -> ``C x H x W`` tensor of the same dtype; tensors pass through.

    Example:
        >>> import numpy
        >>> from ember.vision.transforms import v2
        >>> v2.ToImage()(numpy.zeros((4, 5, 3), numpy.uint8)).shape
        (3, 4, 5)
    """

    def __call__(self, image) -> Tensor:
        if isinstance(image, Tensor):
            return image
        if is_pil_image(image):
            return _functional.pil_to_tensor(image)
        if isinstance(image, numpy.ndarray) and image.ndim in (2, 3):
            hwc = image[:, :, None] if image.ndim == 2 else image
            return tensor_of(numpy.ascontiguousarray(hwc.transpose(2, 0, 1)))
        raise TypeError(f"ToImage: expected a PIL image, an H x W (x C) NumPy array or a tensor, got "
                        f"{type(image).__name__}" + (f" of shape {image.shape}" if hasattr(image, "shape") else ""))

    def __repr__(self) -> str:
        return "ToImage()"


class ToDtype:
    """Cast a tensor image to ``dtype``; ``scale=True`` maps value ranges (uint8 [0, 255] <-> float [0, 1]).

    Example:
        >>> import ember
        >>> from ember.vision.transforms import v2
        >>> v2.ToDtype(ember.float32, scale=True)(ember.tensor([[[0, 255]]], dtype=ember.uint8)).tolist()
        [[[0.0, 1.0]]]
    """

    def __init__(self, dtype, scale: bool = False):
        self.dtype, self.scale = dtype, scale

    def __call__(self, image: Tensor) -> Tensor:
        if not isinstance(image, Tensor):
            raise TypeError(f"ToDtype: expected a tensor image (apply ToImage first), got {type(image).__name__}")
        return _functional.convert_image_dtype(image, self.dtype) if self.scale else image.to(self.dtype)

    def __repr__(self) -> str:
        return f"ToDtype(dtype={self.dtype}, scale={self.scale})"


class ToPureTensor:
    """Identity here: Ember has no ``tv_tensors`` subclasses to strip.

    Example:
        >>> import ember
        >>> from ember.vision.transforms import v2
        >>> v2.ToPureTensor()(ember.ones(1)).tolist()
        [1.0]
    """

    def __call__(self, image):
        return image


functional = _functional
__all__ = list(_v1_names) + ["ToImage", "ToDtype", "ToPureTensor"]
