"""MNIST / Fashion-MNIST: parsing the real files, the search order, checks, and downloads."""
from __future__ import annotations

import functools
import gzip
import http.server
import os
import shutil
import struct
import threading
from pathlib import Path

import numpy as np
import pytest

import ember
from ember.data import DataLoader
from ember.data.datasets import MNIST, CorruptDatasetError, DatasetNotFoundError, FashionMNIST
from ember.data.datasets import files

SHARED = Path(os.environ["EMBER_DATA"]) if os.environ.get("EMBER_DATA") else None
needs_data = pytest.mark.skipif(SHARED is None or not (SHARED / "mnist").is_dir(),
                                reason="the real MNIST files are not available: set $EMBER_DATA to "
                                       "a folder with mnist/ and fashion-mnist/ (see shared/data/README.md)")
TEST_FILES = ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No data anywhere: empty $EMBER_DATA, cache and system folder under tmp_path."""
    monkeypatch.setenv("EMBER_DATA", str(tmp_path / "ember_data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(files, "SYSTEM_DIR", tmp_path / "system")
    return tmp_path


def _copy_test_split(source: Path, target: Path, compressed: bool = True) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in TEST_FILES:
        if compressed:
            shutil.copy(source / f"{name}.gz", target / f"{name}.gz")
        else:
            (target / name).write_bytes(gzip.decompress((source / f"{name}.gz").read_bytes()))


# --- the real files -----------------------------------------------------------
@needs_data
def test_mnist_train_matches_the_published_counts():
    train = MNIST(train=True)
    assert train.data.shape == (60000, 28, 28) and train.data.dtype == ember.uint8
    assert train.targets.dtype == ember.int64
    assert np.bincount(train.targets.numpy()).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@needs_data
def test_mnist_test_split_items_and_counts():
    test = MNIST(train=False)
    assert len(test) == 10000
    assert np.bincount(test.targets.numpy()).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    image, label = test[0]
    assert image.shape == (28, 28) and image.dtype == np.uint8 and label == 7
    assert test.root == SHARED / "mnist"


@needs_data
def test_fashion_mnist_has_balanced_classes():
    test = FashionMNIST(train=False)
    assert np.bincount(test.targets.numpy()).tolist() == [1000] * 10
    assert test.classes[9] == "Ankle boot" and test.root == SHARED / "fashion-mnist"


@needs_data
def test_loader_batches_mnist_arrays_directly_or_through_transforms():
    test = MNIST(train=False)
    images, labels = next(iter(DataLoader(test, batch_size=5)))
    assert images.shape == (5, 28, 28) and labels.tolist() == test.targets[:5].tolist()
    transformed = MNIST(train=False, transform=ember.data.transforms.ToTensor(), target_transform=lambda y: y + 10)
    images, labels = next(iter(DataLoader(transformed, batch_size=5)))
    assert images.shape == (5, 1, 28, 28) and images.dtype == ember.float32
    assert labels.tolist() == [y + 10 for y in test.targets[:5].tolist()]


# --- where files are found ----------------------------------------------------
@needs_data
@pytest.mark.parametrize("layout", ["root", "root/mnist", "root/MNIST/raw", "ember_data/mnist",
                                    "ember_data", "cache/ember/datasets/mnist", "system/mnist"])
def test_every_search_place_is_used(isolated, layout):
    _copy_test_split(SHARED / "mnist", isolated / layout)
    root = isolated / "root" if layout.startswith("root") else None
    found = MNIST(root=root, train=False)
    assert found.root == isolated / layout and len(found) == 10000


@needs_data
def test_root_comes_first_and_raw_files_work(isolated):
    _copy_test_split(SHARED / "mnist", isolated / "ember_data" / "mnist")
    _copy_test_split(SHARED / "mnist", isolated / "mine", compressed=False)
    found = MNIST(root=isolated / "mine", train=False)
    assert found.root == isolated / "mine" and found.files[TEST_FILES[0]].suffix != ".gz"
    assert found.targets[:3].tolist() == [7, 2, 1]


def test_absent_data_lists_every_place_it_looked(isolated):
    with pytest.raises(DatasetNotFoundError) as info:
        MNIST(root=isolated / "root", train=False)
    message = str(info.value)
    for place in [isolated / "root", isolated / "root" / "mnist", isolated / "ember_data" / "mnist",
                  isolated / "ember_data", isolated / "cache" / "ember" / "datasets" / "mnist",
                  isolated / "system" / "mnist"]:
        assert f"  - {place}\n" in message
    assert "t10k-images-idx3-ubyte[.gz]" in message and "download=True" in message


# --- damaged files ------------------------------------------------------------
def _labels_file(path: Path, magic=2049, count=10000, payload=None) -> None:
    payload = bytes(count) if payload is None else payload
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(struct.pack(">II", magic, count) + payload))


@needs_data
def test_a_wrong_checksum_is_reported_with_both_digests(isolated):
    folder = isolated / "root"
    _copy_test_split(SHARED / "mnist", folder)
    _labels_file(folder / "t10k-labels-idx1-ubyte.gz")  # right header, wrong labels
    with pytest.raises(CorruptDatasetError, match=r"t10k-labels-idx1-ubyte.gz: checksum mismatch.*expected ff7bcfd4"):
        MNIST(root=folder, train=False)


@needs_data
@pytest.mark.parametrize("damage, message", [
    (dict(magic=1234), "bad IDX magic number 1234"),
    (dict(count=999, payload=bytes(999)), "header says 999 items, expected 10000"),
    (dict(payload=bytes(500)), "truncated"),
    (dict(payload=bytes(10001)), "more data than"),
])
def test_a_corrupt_header_or_size_is_reported(isolated, damage, message):
    folder = isolated / "root"
    _copy_test_split(SHARED / "mnist", folder)
    _labels_file(folder / "t10k-labels-idx1-ubyte.gz", **damage)
    with pytest.raises(CorruptDatasetError, match=message):
        MNIST(root=folder, train=False)


@needs_data
def test_a_truncated_gzip_is_reported(isolated):
    folder = isolated / "root"
    _copy_test_split(SHARED / "mnist", folder)
    images = folder / "t10k-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:100_000])
    with pytest.raises(CorruptDatasetError, match="damaged or truncated|truncated"):
        MNIST(root=folder, train=False)


# --- downloads from a local HTTP server ----------------------------------------
@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/served; yields its base URL."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@needs_data
def test_download_tries_mirrors_in_order_and_fills_the_cache(isolated, server, monkeypatch):
    served, url = server
    _copy_test_split(SHARED / "mnist", served / "good")
    monkeypatch.setattr(MNIST, "mirrors", [f"{url}/missing/", f"{url}/good/"])
    downloaded = MNIST(train=False, download=True)
    cache = isolated / "cache" / "ember" / "datasets" / "mnist"
    assert downloaded.root == cache and len(downloaded) == 10000
    assert sorted(p.name for p in cache.iterdir()) == [f"{name}.gz" for name in TEST_FILES]
    assert MNIST(train=False).root == cache  # found offline afterwards


@needs_data
def test_download_with_root_goes_below_root(isolated, server, monkeypatch):
    served, url = server
    _copy_test_split(SHARED / "fashion-mnist", served)
    monkeypatch.setattr(FashionMNIST, "mirrors", [f"{url}/"])
    downloaded = FashionMNIST(root=isolated / "root", train=False, download=True)
    assert downloaded.root == isolated / "root" / "fashion-mnist"


def test_failed_downloads_explain_each_url_and_leave_nothing(isolated, server, monkeypatch):
    served, url = server
    _labels_file(served / "t10k-images-idx3-ubyte.gz")  # served, but not the official bytes
    monkeypatch.setattr(MNIST, "mirrors", [f"{url}/", "http://127.0.0.1:9/unreachable/"])
    with pytest.raises(DatasetNotFoundError) as info:
        MNIST(train=False, download=True)
    message = str(info.value)
    assert f"{url}/t10k-images-idx3-ubyte.gz: checksum mismatch" in message
    assert "http://127.0.0.1:9/unreachable/t10k-images-idx3-ubyte.gz:" in message
    assert "Downloading into" in message and "looked for" in message
    cache = isolated / "cache" / "ember" / "datasets" / "mnist"
    assert not cache.exists() or list(cache.iterdir()) == []


def test_downloads_go_through_urlopen(isolated, monkeypatch):
    """The offline path by monkeypatching: a network error becomes a clear not-found error."""
    calls = []

    def offline(url, timeout):
        calls.append(url)
        raise OSError("network is unreachable")

    import urllib.request  # ember imports it only when a download starts
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DatasetNotFoundError, match="network is unreachable"):
        FashionMNIST(train=False, download=True)
    assert calls == [m + "t10k-images-idx3-ubyte.gz" for m in FashionMNIST.mirrors]
