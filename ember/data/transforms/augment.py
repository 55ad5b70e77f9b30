"""Other augmentations: GaussianBlur and RandomErasing (torchvision's classes)."""
from __future__ import annotations

import math
import numbers
from typing import Sequence

import numpy

from ...errors import EmberValueError
from ...ops.random import Generator
from ...tensor import Tensor
from . import functional as F
from ._randomness import numpy_generator, uniform


class GaussianBlur:
    """Blur with a Gaussian whose sigma is drawn uniformly from ``sigma`` (a number means exactly it).

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.GaussianBlur(5, sigma=(0.1, 2.0))(ember.rand(3, 16, 16)).shape
        (3, 16, 16)
    """

    def __init__(self, kernel_size: int | Sequence[int], sigma: float | Sequence[float] = (0.1, 2.0), *,
                 generator: Generator | None = None):
        sizes = (kernel_size, kernel_size) if isinstance(kernel_size, numbers.Number) else tuple(kernel_size)
        if len(sizes) != 2 or any(k <= 0 or k % 2 == 0 for k in sizes):
            raise EmberValueError(f"GaussianBlur: kernel size values should be positive odd numbers, "
                                  f"got {kernel_size}")
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise EmberValueError(f"GaussianBlur: if sigma is a single number, it must be positive, got {sigma}")
            sigma = (float(sigma), float(sigma))
        elif len(sigma) != 2 or not 0 < sigma[0] <= sigma[1]:
            raise EmberValueError(f"GaussianBlur: sigma values should be positive and of the form (min, max), "
                                  f"got {sigma}")
        self.kernel_size, self.sigma, self.generator = sizes, tuple(sigma), generator

    @staticmethod
    def get_params(sigma_min: float, sigma_max: float, *, generator: Generator | None = None) -> float:
        return uniform(generator, sigma_min, sigma_max)

    def __call__(self, image):
        sigma = self.get_params(self.sigma[0], self.sigma[1], generator=self.generator)
        return F.gaussian_blur(image, self.kernel_size, [sigma, sigma])

    def __repr__(self) -> str:
        return f"GaussianBlur(kernel_size={self.kernel_size}, sigma={self.sigma})"


class RandomErasing:
    """With probability ``p``, blank a random rectangle of a tensor image (after ToTensor).

    The rectangle covers a ``scale`` share of the area with an aspect ratio
    in ``ratio``; it is filled with ``value`` (a number, one per channel, or
    ``"random"`` for standard-normal noise).

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.RandomErasing(p=1.0)(ember.ones(3, 32, 32)).sum().item() < 3 * 32 * 32
        True
    """

    def __init__(self, p: float = 0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace: bool = False, *,
                 generator: Generator | None = None):
        if isinstance(value, str) and value != "random" or not isinstance(value, (numbers.Number, str, tuple, list)):
            raise EmberValueError(f"RandomErasing: value should be a number, a sequence or 'random', got {value!r}")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            raise EmberValueError(f"RandomErasing: scale and ratio should be of kind (min, max), got {scale}, {ratio}")
        if not 0 <= p <= 1:
            raise EmberValueError(f"RandomErasing: the probability p should be in [0, 1], got {p}")
        self.p, self.scale, self.ratio, self.value, self.inplace = p, scale, ratio, value, inplace
        self.generator = generator

    @staticmethod
    def get_params(image: Tensor, scale, ratio, value=None, *, generator: Generator | None = None):
        """``(top, left, height, width, fill)``; the whole image and itself when ten tries all miss."""
        channels, height, width = image.shape[-3:]
        random = numpy_generator(generator)
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            area = height * width * random.uniform(scale[0], scale[1])
            aspect = math.exp(random.uniform(*log_ratio))
            erase_height, erase_width = int(round(math.sqrt(area * aspect))), int(round(math.sqrt(area / aspect)))
            if not (erase_height < height and erase_width < width):
                continue
            if value is None:
                fill = random.standard_normal((channels, erase_height, erase_width)).astype(numpy.float32)
            else:
                fill = numpy.asarray(value, numpy.float32)[:, None, None]
            top = int(random.integers(0, height - erase_height + 1))
            left = int(random.integers(0, width - erase_width + 1))
            return top, left, erase_height, erase_width, fill
        return 0, 0, height, width, image

    def __call__(self, image: Tensor) -> Tensor:
        if not isinstance(image, Tensor) or image.ndim < 3:
            raise TypeError(f"RandomErasing: expected a ... x C x H x W tensor image (apply ToTensor first), "
                            f"got {type(image).__name__}")
        if numpy_generator(self.generator).random() >= self.p:
            return image
        value = (None if isinstance(self.value, str) else
                 [float(self.value)] if isinstance(self.value, numbers.Number) else [float(v) for v in self.value])
        if value is not None and len(value) not in (1, image.shape[-3]):
            raise EmberValueError(f"RandomErasing: value should have 1 or {image.shape[-3]} (channels) values, "
                                  f"got {len(value)}")
        top, left, height, width, fill = self.get_params(image, self.scale, self.ratio, value,
                                                         generator=self.generator)
        if fill is image:
            return image
        return F.erase(image, top, left, height, width, fill, self.inplace)

    def __repr__(self) -> str:
        return f"RandomErasing(p={self.p}, scale={self.scale}, ratio={self.ratio}, value={self.value})"
