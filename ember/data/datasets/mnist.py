"""MNIST and Fashion-MNIST from their official IDX files.

The whole split is held as one uint8 tensor (``.data``, ``N x 28 x 28``)
and one int64 tensor (``.targets``), so training code can normalise and
batch the arrays directly; ``dataset[i]`` gives torchvision's
``(image, label)`` pairs with the image as an ``H x W`` uint8 array.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import numpy

from ... import backend
from ...tensor import Tensor
from ..dataset import Dataset
from . import files
from .errors import DatasetNotFoundError
from .idx import read_idx


class MNIST(Dataset):
    """The MNIST digits (torchvision's ``MNIST`` arguments).

    Files are looked for in ``root``, ``$EMBER_DATA``, ``~/.cache/ember/datasets``
    and ``/usr/share/datasets`` (each as is or with a ``mnist/`` subfolder),
    gzipped or not; ``download=True`` fetches missing files from the public
    mirrors into ``root/mnist`` when ``root`` is given, else into the cache.
    Every load checks the headers and the SHA-256 of the decompressed data.

    Example:
        >>> import ember
        >>> test_set = ember.data.datasets.MNIST(train=False)  # doctest: +SKIP
        >>> test_set.data.shape, test_set.targets[:5].tolist()  # doctest: +SKIP
        ((10000, 28, 28), [7, 2, 1, 0, 4])
    """

    folder = "mnist"
    extra_folders = ("MNIST/raw",)  # torchvision's layout under root
    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    splits = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60000),
              "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10000)}
    sha256 = {  # of the decompressed files, as published for the official distribution
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    }
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False):
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        images_name, labels_name, count = self.splits["train" if train else "test"]
        paths = self._locate([images_name, labels_name], root, download)
        self.files = paths
        self.root = paths[images_name].parent
        images = read_idx(paths[images_name], self.sha256.get(images_name), count)
        labels = read_idx(paths[labels_name], self.sha256.get(labels_name), count)
        self.data = Tensor._make(backend.namespace_for(None).asarray(images), None, False)
        self.targets = Tensor._make(backend.namespace_for(None).asarray(labels.astype(numpy.int64)), None, False)

    def _locate(self, names: list[str], root, download: bool) -> dict[str, Path]:
        places = files.candidate_dirs(self.folder, root, self.extra_folders)
        found = files.find(names, places)
        if found is not None:
            return found
        note = "download=False, so nothing was fetched (pass download=True to fetch it)."
        if download:
            target = Path(root) / self.folder if root is not None else files.cache_dir() / self.folder
            try:
                return files.download(names, target, self.mirrors, self.sha256)
            except files.DownloadError as error:
                note = "Downloading into {} failed:\n{}".format(
                    target, "\n".join(f"  - {failure}" for failure in error.failures))
        raise DatasetNotFoundError(files.not_found_message(type(self).__name__, names, places, note))

    def __len__(self) -> int:
        return self.data.shape[0]

    def _item_image(self, image):
        """The image as ``dataset[i]`` gives it (an array here; ``ember.vision`` makes it a PIL image)."""
        return image

    def __getitem__(self, index: int):
        image = self._item_image(self.data._data[index])
        target = int(self.targets._data[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def _get_batch(self, indices: numpy.ndarray):
        if self.transform is not None or self.target_transform is not None:
            return NotImplemented  # transforms are per sample: take the general path
        return (Tensor._make(self.data._data[indices], None, False),
                Tensor._make(self.targets._data[indices], None, False))

    def __repr__(self) -> str:
        split = "Train" if self.train else "Test"
        return (f"Dataset {type(self).__name__}\n    Number of datapoints: {len(self)}\n"
                f"    Split: {split}\n    Root location: {self.root}")


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: MNIST's format and sizes, ten kinds of clothing.

    Searched like :class:`MNIST`, with the folder name ``fashion-mnist``.
    """

    folder = "fashion-mnist"
    extra_folders = ("FashionMNIST/raw",)
    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
               "https://ossci-datasets.s3.amazonaws.com/fashion-mnist/"]
    sha256 = {
        "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    }
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
               "Bag", "Ankle boot"]
