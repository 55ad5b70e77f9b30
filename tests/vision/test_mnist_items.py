"""MNIST and Fashion-MNIST under torchvision's spelling: PIL items, transforms, the shared IDX loader."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

import ember
from ember.data import DataLoader
from ember.data import datasets as data_datasets
from ember.vision import datasets, transforms

SHARED = Path(os.environ["EMBER_DATA"]) if os.environ.get("EMBER_DATA") else None
needs_data = pytest.mark.skipif(SHARED is None or not (SHARED / "mnist").is_dir(),
                                reason="the real MNIST files are not available: set $EMBER_DATA to "
                                       "a folder with mnist/ and fashion-mnist/ (see shared/data/README.md)")


def test_the_vision_loaders_are_the_data_loaders():
    assert issubclass(datasets.MNIST, data_datasets.MNIST)
    assert issubclass(datasets.FashionMNIST, data_datasets.FashionMNIST)
    assert datasets.MNIST.sha256 == data_datasets.MNIST.sha256  # same files, same checksums
    assert datasets.DatasetNotFoundError is data_datasets.DatasetNotFoundError


@needs_data
def test_mnist_items_are_mode_l_pil_images_as_in_torchvision():
    Image = pytest.importorskip("PIL.Image")
    test = datasets.MNIST(str(SHARED), train=False)
    image, label = test[0]
    assert isinstance(image, Image.Image) and image.mode == "L" and image.size == (28, 28) and label == 7
    np.testing.assert_array_equal(np.asarray(image), test.data[0].numpy())


@needs_data
def test_the_official_example_pipeline():
    pipeline = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train = datasets.FashionMNIST(SHARED, train=False, download=False, transform=pipeline)
    images, labels = next(iter(DataLoader(train, batch_size=64, shuffle=True)))
    assert images.shape == (64, 1, 28, 28) and images.dtype == ember.float32 and labels.dtype == ember.int64
    expected = (train.data[:2].numpy() / np.float32(255) - np.float32(0.1307)) / np.float32(0.3081)
    np.testing.assert_allclose(np.stack([train[i][0].numpy()[0] for i in range(2)]), expected, atol=1e-6)


@needs_data
def test_without_pillow_items_stay_arrays(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    image, _ = datasets.MNIST(SHARED, train=False)[1]
    assert isinstance(image, np.ndarray) and image.shape == (28, 28) and image.dtype == np.uint8
