"""CIFAR-10 and CIFAR-100 from their official "python version" archives (torchvision's classes).

The archive ``cifar-10-python.tar.gz`` unpacks to ``cifar-10-batches-py/``
holding ``data_batch_1`` .. ``data_batch_5`` (training), ``test_batch`` and
``batches.meta``: pickled dicts, each batch with a ``data`` array of
``N x 3072`` uint8 (the red, green and blue 32 x 32 planes of each image in
turn) and ``labels``. Every file's MD5 is checked against the published
value before it is read, and the pickles are read by a restricted
unpickler that cannot run code (see :mod:`.batches`).
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
from .batches import load_batch, images_and_labels, md5_of
from .errors import CorruptDatasetError, DatasetNotFoundError


class CIFAR10(Dataset):
    """The CIFAR-10 images: 50,000 training and 10,000 test 32 x 32 colour images in ten classes.

    Arguments are torchvision's. The folder ``cifar-10-batches-py`` is looked
    for in ``root`` (or ``root`` itself), ``$EMBER_DATA``, ``~/.cache/ember/datasets``
    and ``/usr/share/datasets``. ``download=True`` fetches the archive from
    the official URL into ``root`` (or the cache), checks its MD5 and
    unpacks it; an archive already there is unpacked without fetching.

    ``data`` is the ``N x 32 x 32 x 3`` uint8 NumPy array and ``targets`` the
    list of labels, as in torchvision. ``dataset[i]`` gives ``(image, label)``
    with the image as that ``32 x 32 x 3`` uint8 array (``ember.vision.datasets.CIFAR10``
    gives a PIL image instead, when Pillow is installed).

    Example:
        >>> from ember.data.datasets import CIFAR10
        >>> test_set = CIFAR10(root="data", train=False)  # doctest: +SKIP
        >>> test_set.data.shape, test_set.classes[:2]  # doctest: +SKIP
        ((10000, 32, 32, 3), ['airplane', 'automobile'])
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [["data_batch_1", "c99cafc152244af753f735de768cd75f"],
                  ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
                  ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
                  ["data_batch_4", "634d18415352ddfa80567beed471001a"],
                  ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"]]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names", "md5": "5ff9c542aee3614f3951f8cda6e48888"}

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False):
        self.train, self.transform, self.target_transform = train, transform, target_transform
        batches = self.train_list if train else self.test_list
        names = [name for name, _ in batches] + [self.meta["filename"]]
        self.root = self._locate(names, root, download)
        images, labels = [], []
        for name, md5 in batches:
            path = self.root / name
            batch_images, batch_labels = images_and_labels(load_batch(path, md5), path)
            images.append(batch_images)
            labels += batch_labels
        self.data = numpy.concatenate(images)
        self.targets = labels
        self._load_meta()

    def _load_meta(self) -> None:
        path = self.root / self.meta["filename"]
        classes = load_batch(path, self.meta["md5"]).get(self.meta["key"])
        if not isinstance(classes, list) or not all(isinstance(name, str) for name in classes):
            raise CorruptDatasetError(f"{path}: '{self.meta['key']}' should be a list of class names")
        self.classes = classes
        self.class_to_idx = {name: index for index, name in enumerate(classes)}

    def _locate(self, names: list[str], root, download: bool) -> Path:
        places = files.candidate_dirs(self.base_folder, root)
        for place in places:
            if all((place / name).is_file() for name in names):
                return place
        note = "download=False, so nothing was fetched (pass download=True to fetch it)."
        if download:
            import tarfile  # only a download needs it: keep it out of `import ember`
            target = Path(root) if root is not None else files.cache_dir()
            try:
                return self._download_and_extract(target)
            except (OSError, CorruptDatasetError, tarfile.TarError) as error:
                note = f"Downloading {self.url} into {target} failed: {error}"
        raise DatasetNotFoundError(files.not_found_message(type(self).__name__, names, places, note, suffix=""))

    def _download_and_extract(self, target: Path) -> Path:
        archive = target / self.filename
        if not (archive.is_file() and md5_of(archive) == self.tgz_md5):  # one already there is reused
            files.fetch_with_md5(self.url, archive, self.tgz_md5)
        _extract(archive, target, self.base_folder)
        return target / self.base_folder

    def __len__(self) -> int:
        return len(self.data)

    def _item_image(self, image: numpy.ndarray):
        """The image as ``dataset[i]`` gives it (an array here; subclasses may convert it)."""
        return image

    def __getitem__(self, index: int):
        image, target = self._item_image(self.data[index]), self.targets[index]
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def _get_batch(self, indices: numpy.ndarray):
        if self.transform is not None or self.target_transform is not None:
            return NotImplemented  # transforms are per sample: take the general path
        labels = numpy.asarray(self.targets, dtype=numpy.int64)[indices]
        return (Tensor._make(backend.namespace_for(None).asarray(self.data[indices]), None, False),
                Tensor._make(backend.namespace_for(None).asarray(labels), None, False))

    def __repr__(self) -> str:
        split = "Train" if self.train else "Test"
        return (f"Dataset {type(self).__name__}\n    Number of datapoints: {len(self)}\n"
                f"    Root location: {self.root}\n    Split: {split}")


class CIFAR100(CIFAR10):
    """CIFAR-100: CIFAR-10's format with 100 classes (``fine_labels``), one training and one test file.

    Example:
        >>> from ember.data.datasets import CIFAR100
        >>> CIFAR100(root="data", train=False).classes[:2]  # doctest: +SKIP
        ['apple', 'aquarium_fish']
    """

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names", "md5": "7973b15100ade9c7d40fb424638fde48"}


def _extract(archive: Path, target: Path, folder: str) -> None:
    """Unpack only the regular files under ``folder/``: no links, no absolute or ``..`` paths."""
    import tarfile
    with tarfile.open(archive, "r:gz") as tar:
        members = [member for member in tar.getmembers()
                   if member.isfile() and member.name.startswith(folder + "/")
                   and ".." not in Path(member.name).parts]
        if not members:
            raise CorruptDatasetError(f"{archive}: holds no files under {folder}/")
        if hasattr(tarfile, "data_filter"):
            tar.extractall(target, members=members, filter="data")
        else:  # Python before 3.11.4: the member list above is the whole safety check
            tar.extractall(target, members=members)
