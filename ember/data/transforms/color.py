"""Colour transforms: ColorJitter, Grayscale and RandomGrayscale (torchvision's classes)."""
from __future__ import annotations

import numbers

from ...errors import EmberValueError
from ...ops.random import Generator
from . import _color
from . import functional as F
from ._images import unpack
from ._randomness import numpy_generator


class ColorJitter:
    """Randomly change brightness, contrast, saturation and hue, in a random order.

    Each of ``brightness``, ``contrast`` and ``saturation`` is a number ``b``
    (factor drawn from ``[max(0, 1 - b), 1 + b]``) or a ``(min, max)`` pair;
    ``hue`` is ``h`` in [0, 0.5] (shift drawn from ``[-h, h]``) or a pair in
    [-0.5, 0.5]. The order of the four adjustments is a random permutation,
    as in torchvision.

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> jitter = T.ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1)
        >>> jitter(ember.rand(3, 4, 4)).shape
        (3, 4, 4)
    """

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0, *, generator: Generator | None = None):
        self.brightness = _factor_range(brightness, "brightness")
        self.contrast = _factor_range(contrast, "contrast")
        self.saturation = _factor_range(saturation, "saturation")
        self.hue = _factor_range(hue, "hue", center=0.0, bound=(-0.5, 0.5), clip_first_on_zero=False)
        self.generator = generator

    @staticmethod
    def get_params(brightness, contrast, saturation, hue, *, generator: Generator | None = None):
        """``(order, brightness, contrast, saturation, hue)``: a permutation of 0..3 and factors (None = skip).

        Each argument is a ``(low, high)`` range or None, as torchvision's.
        """
        random = numpy_generator(generator)
        order = [int(i) for i in random.permutation(4)]
        factors = [None if bounds is None else float(random.uniform(bounds[0], bounds[1]))
                   for bounds in (brightness, contrast, saturation, hue)]
        return (order, *factors)

    def __call__(self, image):
        order, *factors = self.get_params(self.brightness, self.contrast, self.saturation, self.hue,
                                          generator=self.generator)
        array, restore = unpack(image, "ColorJitter")  # once, not once per adjustment
        adjustments = (_color.adjust_brightness, _color.adjust_contrast, _color.adjust_saturation,
                       _color.adjust_hue)
        for index in order:
            if factors[index] is not None:
                array = adjustments[index](array, factors[index])
        return restore(array)

    def __repr__(self) -> str:
        return (f"ColorJitter(brightness={self.brightness}, contrast={self.contrast}, "
                f"saturation={self.saturation}, hue={self.hue})")


def _factor_range(value, name: str, center: float = 1.0, bound=(0.0, float("inf")),
                  clip_first_on_zero: bool = True):
    """torchvision's ``_check_input``: a number or a pair -> (low, high), or None when it changes nothing."""
    if isinstance(value, numbers.Number):
        if value < 0:
            raise EmberValueError(f"ColorJitter: if {name} is a single number, it must be non negative, got {value}")
        low, high = center - float(value), center + float(value)
        if clip_first_on_zero:
            low = max(low, 0.0)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        low, high = float(value[0]), float(value[1])
    else:
        raise TypeError(f"ColorJitter: {name} should be a single number or a list/tuple with length 2, got {value!r}")
    if not bound[0] <= low <= high <= bound[1]:
        raise EmberValueError(f"ColorJitter: {name} values should be between {bound}, but got {(low, high)}")
    return None if low == high == center else (low, high)


class Grayscale:
    """Convert to grayscale with 1 or 3 (equal) output channels.

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.Grayscale(num_output_channels=3)(ember.rand(3, 2, 2)).shape
        (3, 2, 2)
    """

    def __init__(self, num_output_channels: int = 1):
        self.num_output_channels = num_output_channels

    def __call__(self, image):
        return F.rgb_to_grayscale(image, self.num_output_channels)

    def __repr__(self) -> str:
        return f"Grayscale(num_output_channels={self.num_output_channels})"


class RandomGrayscale:
    """Make the image grayscale with probability ``p``, keeping its number of channels.

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.RandomGrayscale(p=1.0)(ember.rand(3, 2, 2)).shape
        (3, 2, 2)
    """

    def __init__(self, p: float = 0.1, *, generator: Generator | None = None):
        self.p, self.generator = p, generator

    def __call__(self, image):
        channels = F.get_dimensions(image)[0]
        if numpy_generator(self.generator).random() >= self.p:
            return image
        return F.rgb_to_grayscale(image, num_output_channels=channels)

    def __repr__(self) -> str:
        return f"RandomGrayscale(p={self.p})"
