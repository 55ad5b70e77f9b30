"""ImageFolder (class folders of image files) and FakeData (seeded random images)."""
from __future__ import annotations

import numpy as np
import pytest

from ember.data import DataLoader
from ember.data import datasets as data_datasets
from ember.vision import datasets, transforms

Image = pytest.importorskip("PIL.Image", reason="Pillow (the 'vision' extra) decodes the image files")


@pytest.fixture
def photos(tmp_path):
    """root/cats (2 PNGs, one in a subfolder), root/dogs (1 JPEG in capitals, 1 text file), an empty root/zebras."""
    rng = np.random.default_rng(0)
    for relative in ["cats/b.png", "cats/deeper/a.png", "dogs/c.JPG"]:
        path = tmp_path / "root" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)).save(path)
    (tmp_path / "root" / "dogs" / "notes.txt").write_text("not an image")
    (tmp_path / "root" / "zebras").mkdir()
    return tmp_path / "root"


def test_classes_samples_and_items(photos):
    with pytest.raises(FileNotFoundError, match="no valid file for the class .zebras."):
        datasets.ImageFolder(photos)
    folder = datasets.ImageFolder(photos, transform=transforms.ToTensor(), allow_empty=True)
    assert folder.classes == ["cats", "dogs", "zebras"] and folder.class_to_idx["dogs"] == 1
    assert [(p.replace(str(photos), ""), t) for p, t in folder.samples] == [
        ("/cats/b.png", 0), ("/cats/deeper/a.png", 0), ("/dogs/c.JPG", 1)]
    assert folder.targets == [0, 0, 1] and folder.imgs is folder.samples
    image, label = folder[1]
    assert image.shape == (3, 6, 5) and label == 0
    stored = np.asarray(Image.open(photos / "cats/deeper/a.png"))
    np.testing.assert_array_equal(image.numpy(), stored.transpose(2, 0, 1) / np.float32(255))
    images, labels = next(iter(DataLoader(folder, batch_size=3)))
    assert images.shape == (3, 3, 6, 5) and labels.tolist() == [0, 0, 1]


def test_item_kinds_and_custom_validity(photos):
    raw, _ = datasets.ImageFolder(photos, allow_empty=True)[0]
    assert isinstance(raw, Image.Image) and raw.mode == "RGB"
    array, _ = data_datasets.ImageFolder(photos, allow_empty=True)[0]
    assert isinstance(array, np.ndarray) and array.shape == (6, 5, 3)
    only_png = datasets.ImageFolder(photos, is_valid_file=lambda path: path.endswith(".png"), allow_empty=True)
    assert len(only_png) == 2
    with pytest.raises(data_datasets.DatasetNotFoundError, match="not a folder"):
        datasets.ImageFolder(photos / "missing")


def test_fake_data_is_repeatable_per_index():
    fake = datasets.FakeData(size=5, image_size=(3, 8, 6), num_classes=4, transform=transforms.ToTensor())
    first, label = fake[2]
    again, label_again = fake[2]
    assert first.shape == (3, 8, 6) and 0 <= label < 4 and label == label_again
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    assert not np.array_equal(first.numpy(), fake[3][0].numpy())
    assert isinstance(datasets.FakeData(size=1)[0][0], Image.Image)
    shifted, plain = data_datasets.FakeData(size=1, random_offset=1)[0][0], data_datasets.FakeData(size=1)[0][0]
    assert not np.array_equal(shifted, plain)
    assert len(list(DataLoader(fake, batch_size=2))) == 3
    with pytest.raises(IndexError, match="out of range"):
        fake[5]
