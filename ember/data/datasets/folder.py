"""Images stored one file each, one folder per class (torchvision's ``ImageFolder``)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import numpy

from ..dataset import Dataset
from ..transforms._images import pil_image_module
from .errors import DatasetNotFoundError

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def pil_loader(path: str):
    """Open an image file as an RGB PIL image (needs Pillow)."""
    Image = pil_image_module(required=True)
    with open(path, "rb") as file:
        return Image.open(file).convert("RGB")


def array_loader(path: str) -> numpy.ndarray:
    """Open an image file as an ``H x W x 3`` uint8 array (decoded by Pillow)."""
    return numpy.asarray(pil_loader(path))


def find_classes(directory: str | os.PathLike) -> tuple[list[str], dict[str, int]]:
    """The sorted sub-folder names of ``directory`` and their indices."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise DatasetNotFoundError(f"ImageFolder: couldn't find any class folder in {directory}")
    return classes, {name: index for index, name in enumerate(classes)}


class ImageFolder(Dataset):
    """``root/<class>/<any depth>/<image>`` as ``(image, class index)`` pairs, classes in sorted order.

    Arguments are torchvision's. Files are kept when their extension is one
    of ``IMG_EXTENSIONS`` (or when ``is_valid_file(path)`` says so).
    Here images load as ``H x W x 3`` uint8 arrays; ``ember.vision.datasets.ImageFolder``
    gives RGB PIL images, as torchvision. Decoding needs Pillow.

    Example:
        >>> from ember.data.datasets import ImageFolder
        >>> photos = ImageFolder("photos")  # doctest: +SKIP
        >>> photos.classes, len(photos)  # doctest: +SKIP
        (['cats', 'dogs'], 250)
    """

    default_loader = staticmethod(array_loader)

    def __init__(self, root: str | os.PathLike, transform: Callable | None = None,
                 target_transform: Callable | None = None, loader: Callable | None = None,
                 is_valid_file: Callable[[str], bool] | None = None, allow_empty: bool = False):
        self.root = str(root)
        if not Path(self.root).is_dir():
            raise DatasetNotFoundError(f"ImageFolder: {self.root} is not a folder")
        self.transform, self.target_transform = transform, target_transform
        self.loader = loader or self.default_loader
        self.classes, self.class_to_idx = find_classes(self.root)
        self.samples = self._samples(is_valid_file, allow_empty)
        self.imgs = self.samples
        self.targets = [target for _, target in self.samples]

    def _samples(self, is_valid_file, allow_empty: bool) -> list[tuple[str, int]]:
        valid = is_valid_file or (lambda path: path.lower().endswith(IMG_EXTENSIONS))
        samples = []
        for name in self.classes:
            found = [os.path.join(folder, file_name)
                     for folder, _, file_names in sorted(os.walk(os.path.join(self.root, name), followlinks=True))
                     for file_name in sorted(file_names)]
            chosen = [path for path in found if valid(path)]
            if not chosen and not allow_empty:
                raise DatasetNotFoundError(f"ImageFolder: found no valid file for the class {name!r} in {self.root} "
                                         f"(extensions: {', '.join(IMG_EXTENSIONS)}); pass allow_empty=True to "
                                         "accept empty classes")
            samples += [(path, self.class_to_idx[name]) for path in chosen]
        return samples

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        path, target = self.samples[index]
        image = self.loader(path)
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self) -> str:
        return f"Dataset {type(self).__name__}\n    Number of datapoints: {len(self)}\n    Root location: {self.root}"
