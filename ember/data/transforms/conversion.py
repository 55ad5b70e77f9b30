"""Pipelines and conversions: Compose, RandomApply, Lambda, ToTensor, PILToTensor, ToPILImage,
ConvertImageDtype, Normalize."""
from __future__ import annotations

from typing import Callable, Sequence

from ...errors import EmberValueError
from ...ops.random import Generator
from ...tensor import Tensor
from . import functional as F
from ._randomness import numpy_generator


class Compose:
    """Apply transforms one after another.

    Example:
        >>> import numpy, ember
        >>> from ember.vision import transforms as T
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


class Lambda:
    """Wrap a function as a transform.

    Example:
        >>> from ember.vision import transforms as T
        >>> T.Lambda(lambda x: x * 2)(3)
        6
    """

    def __init__(self, lambd: Callable):
        if not callable(lambd):
            raise TypeError(f"Lambda: argument should be callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, image):
        return self.lambd(image)

    def __repr__(self) -> str:
        return "Lambda()"


class ToTensor:
    """PIL image or ``H x W (x C)`` array -> ``C x H x W`` tensor; uint8 is scaled to floats in [0, 1].

    Example:
        >>> import numpy
        >>> from ember.vision import transforms as T
        >>> T.ToTensor()(numpy.zeros((28, 28), dtype=numpy.uint8)).shape
        (1, 28, 28)
    """

    def __call__(self, pic) -> Tensor:
        return F.to_tensor(pic)

    def __repr__(self) -> str:
        return "ToTensor()"


class ToPILImage:
    """Tensor (``C x H x W``) or array (``H x W (x C)``) -> PIL image (needs Pillow).

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.ToPILImage()(ember.zeros(3, 4, 5)).size  # doctest: +SKIP
        (5, 4)
    """

    def __init__(self, mode: str | None = None):
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self) -> str:
        return f"ToPILImage(mode={self.mode})" if self.mode else "ToPILImage()"


class Normalize:
    """Per-channel ``(x - mean) / std`` on ``... x C x H x W`` float tensors.

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.Normalize([1.0, 2.0], [2.0, 4.0])(ember.ones(2, 1, 1)).flatten().tolist()
        [0.0, -0.25]
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False):
        self.mean, self.std, self.inplace = tuple(mean), tuple(std), inplace
        if any(s == 0 for s in self.std):
            raise EmberValueError(f"std evaluated to zero after conversion to float, leading to division "
                                  f"by zero: {self.std}")

    def __call__(self, tensor: Tensor) -> Tensor:
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


class PILToTensor:
    """PIL image -> ``C x H x W`` tensor of the same dtype, values unchanged.

    Example:
        >>> from ember.vision import transforms as T
        >>> from PIL import Image  # doctest: +SKIP
        >>> T.PILToTensor()(Image.new("L", (3, 2))).shape  # doctest: +SKIP
        (1, 2, 3)
    """

    def __call__(self, pic) -> Tensor:
        return F.pil_to_tensor(pic)

    def __repr__(self) -> str:
        return "PILToTensor()"


class ConvertImageDtype:
    """Change a tensor image's dtype with rescaling (uint8 [0, 255] <-> float [0, 1]).

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.ConvertImageDtype(ember.float32)(ember.tensor([[[255]]], dtype=ember.uint8)).tolist()
        [[[1.0]]]
    """

    def __init__(self, dtype):
        self.dtype = dtype

    def __call__(self, image: Tensor) -> Tensor:
        return F.convert_image_dtype(image, self.dtype)

    def __repr__(self) -> str:
        return f"ConvertImageDtype({self.dtype})"


class RandomApply:
    """Apply a list of transforms, all of them, with probability ``p``.

    Example:
        >>> import ember
        >>> from ember.vision import transforms as T
        >>> T.RandomApply([T.Lambda(lambda x: x + 1)], p=1.0)(ember.zeros(1)).tolist()
        [1.0]
    """

    def __init__(self, transforms: Sequence[Callable], p: float = 0.5, *, generator: Generator | None = None):
        self.transforms, self.p, self.generator = list(transforms), p, generator

    def __call__(self, image):
        if self.p < numpy_generator(self.generator).random():
            return image
        for transform in self.transforms:
            image = transform(image)
        return image

    def __repr__(self) -> str:
        inner = "".join(f"\n    {transform!r}" for transform in self.transforms)
        return f"RandomApply(\n    p={self.p}{inner}\n)"
