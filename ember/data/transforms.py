"""Image transforms with torchvision's names and conventions.

Images enter as ``H x W x C`` (or ``H x W``) uint8 arrays (anything
``numpy.asarray`` accepts, PIL images included); :class:`ToTensor` makes
them ``C x H x W`` float tensors in [0, 1], and the transforms after it work
on tensors whose last two dimensions are height and width (so they also
apply to a whole batch at once).
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy

from .. import backend
from ..ops import random as _random
from ..ops.random import Generator
from ..tensor import Tensor


class Compose:
    """Apply transforms one after another.

    Example:
        >>> import numpy, ember
        >>> from ember.data import transforms as T
        >>> pipeline = T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))])
        >>> pipeline(numpy.full((2, 2), 255, dtype=numpy.uint8))
        tensor([[[1., 1.],
                 [1., 1.]]])
    """

    def __init__(self, transforms: Sequence[Callable]):
        self.transforms = list(transforms)

    def __call__(self, image):
        for transform in self.transforms:
            image = transform(image)
        return image

    def __repr__(self) -> str:
        inner = "".join(f"\n    {transform!r}" for transform in self.transforms)
        return f"{type(self).__name__}({inner}\n)"


class ToTensor:
    """``H x W x C`` (or ``H x W``) image -> ``C x H x W`` float32 tensor; uint8 is scaled to [0, 1].

    Example:
        >>> import numpy, ember
        >>> image = numpy.zeros((28, 28), dtype=numpy.uint8)
        >>> ember.data.transforms.ToTensor()(image).shape
        (1, 28, 28)
    """

    def __call__(self, image) -> Tensor:
        array = numpy.asarray(image)
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim != 3:
            raise ValueError(f"ToTensor: expected an H x W or H x W x C image, got shape {array.shape}")
        chw = numpy.ascontiguousarray(array.transpose(2, 0, 1))
        if chw.dtype == numpy.uint8:
            chw = chw.astype(numpy.float32) / numpy.float32(255)
        elif chw.dtype.kind != "f":
            chw = chw.astype(numpy.float32)
        return Tensor._make(backend.xp.asarray(chw), None, False)

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """Per-channel ``(x - mean) / std`` on ``... x C x H x W`` float tensors.

    Example:
        >>> import ember
        >>> ember.data.transforms.Normalize([1.0, 2.0], [2.0, 4.0])(ember.ones(2, 1, 1)).flatten().tolist()
        [0.0, -0.25]
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False):
        self.mean, self.std, self.inplace = tuple(mean), tuple(std), inplace
        if any(s == 0 for s in self.std):
            raise ValueError(f"std evaluated to zero after conversion to float, leading to division "
                             f"by zero: {self.std}")

    def __call__(self, tensor: Tensor) -> Tensor:
        data = tensor._data
        if data.dtype.kind != "f":
            raise TypeError(f"Normalize: expected a float tensor (apply ToTensor first), got {tensor.dtype}")
        mean = backend.xp.asarray(self.mean, dtype=data.dtype).reshape(-1, 1, 1)
        std = backend.xp.asarray(self.std, dtype=data.dtype).reshape(-1, 1, 1)
        if not self.inplace:
            return Tensor._make((data - mean) / std, None, False)
        backend.xp.subtract(data, mean, out=data)
        backend.xp.divide(data, std, out=data)
        tensor._shared_version().value += 1
        return tensor

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


class RandomCrop:
    """Crop a random ``size`` window, after optional ``padding`` (torchvision's arguments).

    ``padding`` is one int (all sides), two (left/right, top/bottom) or four
    (left, top, right, bottom); ``padding_mode`` is ``constant`` (with
    ``fill``), ``edge``, ``reflect`` or ``symmetric``.

    Example:
        >>> import ember
        >>> crop = ember.data.transforms.RandomCrop(28, padding=4, generator=ember.Generator().manual_seed(0))
        >>> crop(ember.ones(1, 28, 28)).shape
        (1, 28, 28)
    """

    def __init__(self, size: int | Sequence[int], padding: int | Sequence[int] | None = None,
                 pad_if_needed: bool = False, fill: float = 0, padding_mode: str = "constant", *,
                 generator: Generator | None = None):
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(f"padding_mode should be constant, edge, reflect or symmetric, got {padding_mode!r}")
        self.padding_mode = padding_mode
        self.generator = generator

    def __call__(self, image: Tensor) -> Tensor:
        data = self._pad(image._data)
        height, width = data.shape[-2:]
        crop_height, crop_width = self.size
        if height < crop_height or width < crop_width:
            raise ValueError(f"RandomCrop: required crop size {self.size} is larger than the input "
                             f"size {(height, width)}")
        random = (self.generator or _random.default_generator).numpy
        top = int(random.integers(0, height - crop_height + 1))
        left = int(random.integers(0, width - crop_width + 1))
        window = data[..., top:top + crop_height, left:left + crop_width]
        return Tensor._make(backend.xp.ascontiguousarray(window), None, False)

    def _pad(self, data):
        left = top = right = bottom = 0
        if self.padding is not None:
            left, top, right, bottom = _four_sides(self.padding)
        if self.pad_if_needed:
            extra_height = max(0, self.size[0] - (data.shape[-2] + top + bottom))
            extra_width = max(0, self.size[1] - (data.shape[-1] + left + right))
            top, bottom = top + extra_height, bottom + extra_height
            left, right = left + extra_width, right + extra_width
        if not any((left, top, right, bottom)):
            return data
        widths = [(0, 0)] * (data.ndim - 2) + [(top, bottom), (left, right)]
        options = {"constant_values": self.fill} if self.padding_mode == "constant" else {}
        return backend.xp.pad(data, widths, mode=self.padding_mode, **options)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror left-right with probability ``p``.

    Example:
        >>> import ember
        >>> flip = ember.data.transforms.RandomHorizontalFlip(p=1.0)
        >>> flip(ember.tensor([[[1.0, 2.0, 3.0]]]))
        tensor([[[3., 2., 1.]]])
    """

    def __init__(self, p: float = 0.5, *, generator: Generator | None = None):
        self.p = p
        self.generator = generator

    def __call__(self, image: Tensor) -> Tensor:
        if (self.generator or _random.default_generator).numpy.random() >= self.p:
            return image
        return Tensor._make(backend.xp.ascontiguousarray(image._data[..., ::-1]), None, False)

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class Lambda:
    """Wrap a function as a transform.

    Example:
        >>> import ember
        >>> ember.data.transforms.Lambda(lambda x: x * 2)(3)
        6
    """

    def __init__(self, function: Callable):
        self.function = function

    def __call__(self, image):
        return self.function(image)


def _four_sides(padding) -> tuple[int, int, int, int]:
    """torchvision's padding forms as (left, top, right, bottom)."""
    if isinstance(padding, int):
        return padding, padding, padding, padding
    padding = tuple(padding)
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    if len(padding) == 4:
        return padding
    raise ValueError(f"padding must be an int or a sequence of 1, 2 or 4 ints, got {padding}")
