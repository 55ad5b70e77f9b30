"""Geometric transforms: crops, flips, padding, resizing and rotation (torchvision's classes).

Random ones draw from their ``generator`` when given, else from Ember's
default generator, so ``ember.manual_seed`` makes a pipeline repeatable.
"""
from __future__ import annotations

import math
import numbers
from typing import Sequence

from ...errors import EmberValueError
from ...ops.random import Generator
from . import _geometry
from . import functional as F
from ._images import size_of, unpack
from ._randomness import numpy_generator, uniform
from .functional import InterpolationMode


def _size_pair(size, name: str) -> tuple[int, int]:
    return F._pair(size, name)


class Pad:
    """Pad every border (``padding`` as in :func:`functional.pad`; modes constant, edge, reflect, symmetric).

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.Pad((1, 2))(ember.ones(1, 2, 2)).shape
        (1, 6, 4)
    """

    def __init__(self, padding, fill: float = 0, padding_mode: str = "constant"):
        _geometry.padding_sides(padding)  # refuse a bad form now, not at the first image
        if padding_mode not in _geometry.PADDING_MODES:
            raise EmberValueError(f"Pad: padding_mode should be one of {', '.join(_geometry.PADDING_MODES)}, "
                                  f"got {padding_mode!r}")
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, image):
        return F.pad(image, self.padding, self.fill, self.padding_mode)

    def __repr__(self) -> str:
        return f"Pad(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})"


class RandomCrop:
    """Crop a random ``size`` window, after optional ``padding`` (torchvision's arguments).

    ``padding`` is one int (all sides), two (left/right, top/bottom) or four
    (left, top, right, bottom); ``pad_if_needed`` pads each too-small side
    by the shortfall; ``padding_mode`` is ``constant`` (with ``fill``),
    ``edge``, ``reflect`` or ``symmetric``.

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> crop = T.RandomCrop(28, padding=4, generator=ember.Generator().manual_seed(0))
        >>> crop(ember.ones(1, 28, 28)).shape
        (1, 28, 28)
    """

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill: float = 0,
                 padding_mode: str = "constant", *, generator: Generator | None = None):
        self.size = _size_pair(size, "RandomCrop")
        if padding is not None:
            _geometry.padding_sides(padding)
        if padding_mode not in _geometry.PADDING_MODES:
            raise EmberValueError(f"RandomCrop: padding_mode should be one of {', '.join(_geometry.PADDING_MODES)}, "
                                  f"got {padding_mode!r}")
        self.padding, self.pad_if_needed, self.fill, self.padding_mode = padding, pad_if_needed, fill, padding_mode
        self.generator = generator

    def __call__(self, image):
        array, restore = unpack(image, "RandomCrop")
        if self.padding is not None:
            array = _geometry.pad(array, self.padding, self.fill, self.padding_mode)
        crop_height, crop_width = self.size
        if self.pad_if_needed and array.shape[-1] < crop_width:
            array = _geometry.pad(array, (crop_width - array.shape[-1], 0), self.fill, self.padding_mode)
        if self.pad_if_needed and array.shape[-2] < crop_height:
            array = _geometry.pad(array, (0, crop_height - array.shape[-2]), self.fill, self.padding_mode)
        top, left, _, _ = _random_window(*array.shape[-2:], self.size, self.generator)
        return restore(array[..., top:top + crop_height, left:left + crop_width])

    @staticmethod
    def get_params(image, output_size: tuple[int, int], *, generator: Generator | None = None):
        """``(top, left, height, width)`` of a random ``output_size`` window of ``image`` (torchvision's).

        Calling it directly lets one window crop an image and its mask alike.
        """
        _, height, width = size_of(image, "RandomCrop.get_params")
        return _random_window(height, width, output_size, generator)

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class CenterCrop:
    """Crop the central ``size`` window (zero-padded first if the image is smaller).

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.CenterCrop((2, 3))(ember.ones(3, 8, 8)).shape
        (3, 2, 3)
    """

    def __init__(self, size):
        self.size = _size_pair(size, "CenterCrop")

    def __call__(self, image):
        return F.center_crop(image, self.size)

    def __repr__(self) -> str:
        return f"CenterCrop(size={self.size})"


class RandomHorizontalFlip:
    """Mirror left-right with probability ``p``.

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.RandomHorizontalFlip(p=1.0)(ember.tensor([[[1.0, 2.0, 3.0]]]))
        tensor([[[3., 2., 1.]]])
    """

    def __init__(self, p: float = 0.5, *, generator: Generator | None = None):
        self.p, self.generator = p, generator

    def __call__(self, image):
        if numpy_generator(self.generator).random() >= self.p:
            return image
        return F.hflip(image)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top-bottom with probability ``p``.

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.RandomVerticalFlip(p=1.0)(ember.tensor([[[1.0], [2.0]]])).flatten().tolist()
        [2.0, 1.0]
    """

    def __call__(self, image):
        if numpy_generator(self.generator).random() >= self.p:
            return image
        return F.vflip(image)


class Resize:
    """Resize to ``(h, w)``, or make the shorter edge ``size`` keeping the aspect ratio (int ``size``).

    Bilinear (the default) and bicubic are antialiased, as torchvision's
    tensor path; integer images come back rounded.

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.Resize(16)(ember.ones(3, 32, 48)).shape
        (3, 16, 24)
    """

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size: int | None = None,
                 antialias: bool | None = True):
        if not isinstance(size, numbers.Number) and len(tuple(size)) not in (1, 2):
            raise EmberValueError(f"Resize: size should be an int or a sequence of 1 or 2 ints, got {size}")
        self.size, self.max_size, self.antialias = size, max_size, antialias
        F._interpolation(interpolation)
        self.interpolation = interpolation

    def __call__(self, image):
        return F.resize(image, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self) -> str:
        mode = F._interpolation(self.interpolation)
        return f"Resize(size={self.size}, interpolation={mode}, max_size={self.max_size}, antialias={self.antialias})"


class RandomResizedCrop:
    """Crop a random area and aspect ratio, then resize it to ``size`` (the ImageNet training crop).

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.RandomResizedCrop(8)(ember.ones(3, 20, 30)).shape
        (3, 8, 8)
    """

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias: bool | None = True, *,
                 generator: Generator | None = None):
        self.size = _size_pair(size, "RandomResizedCrop")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            raise EmberValueError(f"RandomResizedCrop: scale and ratio should be of kind (min, max), got "
                                  f"scale={scale}, ratio={ratio}")
        self.scale, self.ratio, self.interpolation, self.antialias = scale, ratio, interpolation, antialias
        self.generator = generator

    @staticmethod
    def get_params(image, scale: Sequence[float], ratio: Sequence[float], *,
                   generator: Generator | None = None) -> tuple[int, int, int, int]:
        """``(top, left, height, width)`` of the window, drawn as torchvision draws it."""
        _, height, width = size_of(image, "RandomResizedCrop.get_params")
        return _resized_crop_window(height, width, scale, ratio, generator)

    def __call__(self, image):
        array, restore = unpack(image, "RandomResizedCrop")
        top, left, height, width = _resized_crop_window(*array.shape[-2:], self.scale, self.ratio, self.generator)
        return F.resize(restore(array[..., top:top + height, left:left + width]), self.size,
                        self.interpolation, antialias=self.antialias)

    def __repr__(self) -> str:
        return f"RandomResizedCrop(size={self.size}, scale={self.scale}, ratio={self.ratio})"


class RandomRotation:
    """Rotate by an angle drawn uniformly from ``degrees`` (a number d means (-d, d)).

    Pixels the rotated image does not cover get ``fill``; ``expand=True``
    enlarges the output to hold the whole image.

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.RandomRotation(30)(ember.ones(1, 5, 5)).shape
        (1, 5, 5)
    """

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand: bool = False,
                 center: Sequence[int] | None = None, fill: float | Sequence[float] = 0, *,
                 generator: Generator | None = None):
        self.degrees = _degree_range(degrees)
        F._interpolation(interpolation)
        self.interpolation, self.expand, self.center, self.fill = interpolation, expand, center, fill
        self.generator = generator

    @staticmethod
    def get_params(degrees: Sequence[float], *, generator: Generator | None = None) -> float:
        """An angle drawn uniformly from ``[degrees[0], degrees[1]]``."""
        return uniform(generator, degrees[0], degrees[1])

    def __call__(self, image):
        angle = self.get_params(self.degrees, generator=self.generator)
        return F.rotate(image, angle, self.interpolation, self.expand, self.center, self.fill)

    def __repr__(self) -> str:
        return f"RandomRotation(degrees={self.degrees}, expand={self.expand}, fill={self.fill})"


def _random_window(height: int, width: int, output_size, generator) -> tuple[int, int, int, int]:
    crop_height, crop_width = output_size
    if height < crop_height or width < crop_width:
        raise EmberValueError(f"RandomCrop: required crop size {(crop_height, crop_width)} is larger than "
                              f"the input image size {(height, width)}")
    if (height, width) == (crop_height, crop_width):
        return 0, 0, height, width
    random = numpy_generator(generator)
    top = int(random.integers(0, height - crop_height + 1))
    left = int(random.integers(0, width - crop_width + 1))
    return top, left, crop_height, crop_width


def _resized_crop_window(height: int, width: int, scale, ratio, generator) -> tuple[int, int, int, int]:
    """Ten tries at a random area and aspect ratio that fit, then the central fallback (torchvision's)."""
    random = numpy_generator(generator)
    area = height * width
    log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
    for _ in range(10):
        target_area = area * random.uniform(scale[0], scale[1])
        aspect = math.exp(random.uniform(*log_ratio))
        crop_width = int(round(math.sqrt(target_area * aspect)))
        crop_height = int(round(math.sqrt(target_area / aspect)))
        if 0 < crop_width <= width and 0 < crop_height <= height:
            top = int(random.integers(0, height - crop_height + 1))
            left = int(random.integers(0, width - crop_width + 1))
            return top, left, crop_height, crop_width
    return _central_window(height, width, ratio)


def _central_window(height: int, width: int, ratio: Sequence[float]) -> tuple[int, int, int, int]:
    """RandomResizedCrop's fallback: the largest central window whose aspect ratio is within ``ratio``."""
    in_ratio = width / height
    if in_ratio < min(ratio):
        crop_width, crop_height = width, int(round(width / min(ratio)))
    elif in_ratio > max(ratio):
        crop_height, crop_width = height, int(round(height * max(ratio)))
    else:
        crop_width, crop_height = width, height
    return (height - crop_height) // 2, (width - crop_width) // 2, crop_height, crop_width


def _degree_range(degrees) -> tuple[float, float]:
    if isinstance(degrees, numbers.Number):
        if degrees < 0:
            raise EmberValueError(f"RandomRotation: if degrees is a single number, it must be positive, got {degrees}")
        return -float(degrees), float(degrees)
    degrees = tuple(degrees)
    if len(degrees) != 2:
        raise EmberValueError(f"RandomRotation: degrees should be a number or a sequence of length 2, got {degrees}")
    return float(degrees[0]), float(degrees[1])


class RandomAffine:
    """Random rotation, translation, scale and shear about the centre, as torchvision draws them.

    ``degrees`` d means (-d, d); ``translate=(a, b)`` shifts by up to
    ``a * width`` and ``b * height`` pixels (rounded); ``scale=(low, high)``;
    ``shear`` s means an x-shear in (-s, s), two values an x range, four an
    x and a y range. Uncovered pixels get ``fill``.

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.RandomAffine(10, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=5)(ember.ones(1, 28, 28)).shape
        (1, 28, 28)
    """

    def __init__(self, degrees, translate=None, scale=None, shear=None, interpolation=InterpolationMode.NEAREST,
                 fill: float | Sequence[float] = 0, center: Sequence[int] | None = None, *,
                 generator: Generator | None = None):
        self.degrees = _degree_range(degrees)
        if translate is not None and (len(translate) != 2 or not all(0.0 <= t <= 1.0 for t in translate)):
            raise EmberValueError(f"RandomAffine: translate should be two fractions in [0, 1], got {translate}")
        if scale is not None and (len(scale) != 2 or any(s <= 0 for s in scale)):
            raise EmberValueError(f"RandomAffine: scale should be two positive numbers, got {scale}")
        self.translate, self.scale, self.shear = translate, scale, _shear_ranges(shear)
        F._interpolation(interpolation)
        self.interpolation, self.fill, self.center, self.generator = interpolation, fill, center, generator

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size, *, generator: Generator | None = None):
        """``(angle, (tx, ty), scale, (shear_x, shear_y))``; ``img_size`` is (width, height)."""
        angle = uniform(generator, degrees[0], degrees[1])
        shift = (0, 0)
        if translate is not None:
            limit_x, limit_y = translate[0] * img_size[0], translate[1] * img_size[1]
            shift = (int(round(uniform(generator, -limit_x, limit_x))),
                     int(round(uniform(generator, -limit_y, limit_y))))
        scale = 1.0 if scale_ranges is None else uniform(generator, scale_ranges[0], scale_ranges[1])
        shear = [0.0, 0.0]
        if shears is not None:
            shear[0] = uniform(generator, shears[0], shears[1])
            if len(shears) == 4:
                shear[1] = uniform(generator, shears[2], shears[3])
        return angle, shift, scale, tuple(shear)

    def __call__(self, image):
        _, height, width = size_of(image, "RandomAffine")
        angle, shift, scale, shear = self.get_params(self.degrees, self.translate, self.scale, self.shear,
                                                     (width, height), generator=self.generator)
        return F.affine(image, angle, shift, scale, shear, self.interpolation, self.fill, self.center)

    def __repr__(self) -> str:
        return (f"RandomAffine(degrees={self.degrees}, translate={self.translate}, scale={self.scale}, "
                f"shear={self.shear})")


def _shear_ranges(shear):
    if shear is None:
        return None
    if isinstance(shear, numbers.Number):
        if shear < 0:
            raise EmberValueError(f"RandomAffine: if shear is a single number, it must be positive, got {shear}")
        return (-float(shear), float(shear))
    shear = tuple(float(s) for s in shear)
    if len(shear) not in (2, 4):
        raise EmberValueError(f"RandomAffine: shear should be a number or a sequence of 2 or 4 numbers, got {shear}")
    return shear
