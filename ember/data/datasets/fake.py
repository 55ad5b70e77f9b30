"""Random images for trying a pipeline without data (torchvision's ``FakeData``)."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy

from ...errors import EmberIndexError
from ..dataset import Dataset


class FakeData(Dataset):
    """``size`` random ``image_size`` (C x H x W) images with random labels below ``num_classes``.

    Item ``i`` is the same every time: it is drawn from a generator seeded
    with ``i + random_offset``. Images are ``H x W x C`` uint8 arrays here
    (``ember.vision.datasets.FakeData`` gives PIL images, as torchvision).

    Example:
        >>> from ember.data.datasets import FakeData
        >>> image, label = FakeData(size=4, image_size=(3, 8, 8))[0]
        >>> image.shape, image.dtype.name, 0 <= label < 10
        ((8, 8, 3), 'uint8', True)
    """

    def __init__(self, size: int = 1000, image_size: Sequence[int] = (3, 224, 224), num_classes: int = 10,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 random_offset: int = 0):
        self.size, self.image_size, self.num_classes = size, tuple(image_size), num_classes
        self.transform, self.target_transform, self.random_offset = transform, target_transform, random_offset

    def __len__(self) -> int:
        return self.size

    def _item_image(self, image: numpy.ndarray):
        return image

    def __getitem__(self, index: int):
        if not -self.size <= index < self.size:
            raise EmberIndexError(f"FakeData: index {index} is out of range for {self.size} items")
        random = numpy.random.default_rng(index % self.size + self.random_offset)
        chw = numpy.clip(random.standard_normal(self.image_size) * 64 + 128, 0, 255).astype(numpy.uint8)
        image = self._item_image(numpy.ascontiguousarray(chw.transpose(1, 2, 0)))
        target = int(random.integers(0, self.num_classes))
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target
