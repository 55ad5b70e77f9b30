"""CIFAR-10: the real loader on small files written in CIFAR's exact format, checksums, downloads, safety.

There is no network and no CIFAR copy here, so each test writes a tiny
archive the way the official one is made: ``cifar-10-python.tar.gz``
holding ``cifar-10-batches-py/`` with ``data_batch_1``..``5``,
``test_batch`` and ``batches.meta``, each a Python 2 protocol-2 pickle
(strings as BINSTRING, arrays through ``numpy.core.multiarray._reconstruct``)
of the same dict layout, with 3 images per batch instead of 10,000. The
published MD5s are swapped for these files' own.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import io
import os
import pickle
import struct
import sys
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest

import ember
from ember.data import DataLoader
from ember.data.datasets import CorruptDatasetError, DatasetNotFoundError, files
from ember.data.datasets import CIFAR10 as ArrayCIFAR10
from ember.vision import datasets, transforms

PER_BATCH = 3
CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


class _Python2Pickler(pickle._Pickler):
    """Writes the opcodes Python 2's cPickle wrote for CIFAR: str as BINSTRING, NumPy 1's module names."""

    dispatch = dict(pickle._Pickler.dispatch)

    def save_python2_string(self, value):
        data = value.encode("latin1") if isinstance(value, str) else value
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(value)

    dispatch[str] = save_python2_string
    dispatch[bytes] = save_python2_string

    def save_global(self, obj, name=None):
        module = {"_reconstruct": "numpy.core.multiarray", "ndarray": "numpy", "dtype": "numpy"}[obj.__name__]
        self.write(pickle.GLOBAL + f"{module}\n{obj.__name__}\n".encode("ascii"))
        self.memoize(obj)


def _python2_pickle(value) -> bytes:
    buffer = io.BytesIO()
    _Python2Pickler(buffer, protocol=2).dump(value)
    return buffer.getvalue()


def _image(index: int) -> np.ndarray:
    """32 x 32 x 3: red = index, green = 100 + row, blue = 200 + column."""
    rows, columns = np.mgrid[0:32, 0:32]
    return np.stack([np.full((32, 32), index), 100 + rows, 200 + columns], axis=-1).astype(np.uint8)


def _batch(number: int, name: str) -> dict:
    indices = range(number * PER_BATCH, (number + 1) * PER_BATCH)
    rows = np.stack([_image(i).transpose(2, 0, 1).reshape(-1) for i in indices])  # R plane, G plane, B plane
    return {"batch_label": f"{name} of 6", "labels": [i % 10 for i in indices], "data": rows,
            "filenames": [f"image_{i}.png" for i in indices]}


def _write_folder(target: Path) -> Path:
    folder = target / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for number, name in enumerate(BATCHES):
        (folder / name).write_bytes(_python2_pickle(_batch(number, name)))
    meta = {"num_cases_per_batch": PER_BATCH, "label_names": CLASSES, "num_vis": 3072}
    (folder / "batches.meta").write_bytes(_python2_pickle(meta))
    return folder


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _write_archive(target: Path, source: Path) -> Path:
    archive = target / "cifar-10-python.tar.gz"
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    return archive


@pytest.fixture
def made(tmp_path, monkeypatch):
    """A CIFAR folder under tmp_path/made, its archive, and the class checksums set to these files'."""
    monkeypatch.setenv("EMBER_DATA", str(tmp_path / "ember_data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(files, "SYSTEM_DIR", tmp_path / "system")
    folder = _write_folder(tmp_path / "made")
    archive = _write_archive(tmp_path / "archive", tmp_path / "made")
    monkeypatch.setattr(ArrayCIFAR10, "train_list", [[name, _md5(folder / name)] for name in BATCHES[:5]])
    monkeypatch.setattr(ArrayCIFAR10, "test_list", [["test_batch", _md5(folder / "test_batch")]])
    monkeypatch.setattr(ArrayCIFAR10, "meta", {"filename": "batches.meta", "key": "label_names",
                                                "md5": _md5(folder / "batches.meta")})
    monkeypatch.setattr(ArrayCIFAR10, "tgz_md5", _md5(archive))
    return folder, archive


def test_the_test_files_are_what_python2_cpickle_wrote(made):
    folder, _ = made
    raw = (folder / "test_batch").read_bytes()
    assert raw[:2] == b"\x80\x02" and b"cnumpy.core.multiarray\n_reconstruct\n" in raw and b"X" not in raw[:40]
    plain = pickle.loads(raw, encoding="latin1")  # what torchvision does with the real files
    assert sorted(plain) == ["batch_label", "data", "filenames", "labels"] and plain["data"].shape == (3, 3072)


def test_loads_both_splits_in_hwc_layout(made):
    folder, _ = made
    train = ArrayCIFAR10(root=folder.parent)
    assert train.data.shape == (5 * PER_BATCH, 32, 32, 3) and train.data.dtype == np.uint8
    assert train.targets == [i % 10 for i in range(15)] and len(train) == 15
    image, label = train[7]
    np.testing.assert_array_equal(image, _image(7))
    assert label == 7 and train.classes == CLASSES and train.class_to_idx["cat"] == 3
    test = ArrayCIFAR10(root=folder, train=False)  # root may also be the batches folder itself
    np.testing.assert_array_equal(test.data[1], _image(16))
    assert test.root == folder and "Split: Test" in repr(test)


def test_vision_items_are_pil_images_and_transforms_apply(made):
    Image = pytest.importorskip("PIL.Image")
    folder, _ = made
    data = datasets.CIFAR10(str(folder.parent), train=True, transform=transforms.ToTensor(),
                            target_transform=lambda label: label * 10)
    image, label = data[2]
    assert image.shape == (3, 32, 32) and image.dtype == ember.float32 and label == 20
    np.testing.assert_allclose(image.numpy(), _image(2).transpose(2, 0, 1) / np.float32(255))
    raw, _ = datasets.CIFAR10(folder.parent, train=False)[0]
    assert isinstance(raw, Image.Image) and raw.mode == "RGB" and raw.size == (32, 32)
    batches = list(DataLoader(data, batch_size=4))
    assert batches[0][0].shape == (4, 3, 32, 32)
    assert batches[-1][1].tolist() == [20, 30, 40]  # labels 12 % 10 .. 14 % 10, times 10


def test_without_pillow_items_are_arrays(made, monkeypatch):
    folder, _ = made
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    image, _ = datasets.CIFAR10(folder.parent, train=False)[0]
    assert isinstance(image, np.ndarray) and image.shape == (32, 32, 3)


def test_batches_without_transforms_come_as_whole_arrays(made):
    folder, _ = made
    images, labels = next(iter(DataLoader(ArrayCIFAR10(folder.parent), batch_size=4)))
    assert images.shape == (4, 32, 32, 3) and images.dtype == ember.uint8 and labels.tolist() == [0, 1, 2, 3]


def test_a_changed_file_fails_its_checksum(made):
    folder, _ = made
    damaged = bytearray((folder / "data_batch_3").read_bytes())
    damaged[-20] ^= 1
    (folder / "data_batch_3").write_bytes(bytes(damaged))
    with pytest.raises(CorruptDatasetError, match="data_batch_3: checksum mismatch"):
        ArrayCIFAR10(folder.parent)
    ArrayCIFAR10(folder.parent, train=False)  # the test split is still fine


class _RunsCode:
    def __reduce__(self):
        return (os.system, ("touch ran-code",))


def test_a_pickle_that_would_run_code_is_refused_before_running_it(made, monkeypatch, tmp_path):
    folder, _ = made
    monkeypatch.chdir(tmp_path)
    evil = folder / "test_batch"
    evil.write_bytes(pickle.dumps({"data": _RunsCode()}, protocol=2))
    monkeypatch.setattr(ArrayCIFAR10, "test_list", [["test_batch", _md5(evil)]])
    with pytest.raises(CorruptDatasetError, match=r"asks for (posix|os)\.system"):
        ArrayCIFAR10(folder.parent, train=False)
    assert not (tmp_path / "ran-code").exists()


def test_wrong_contents_are_reported(made, monkeypatch):
    folder, _ = made
    odd = folder / "test_batch"
    odd.write_bytes(_python2_pickle({"data": np.zeros((2, 100), np.uint8), "labels": [0, 1]}))
    monkeypatch.setattr(ArrayCIFAR10, "test_list", [["test_batch", _md5(odd)]])
    with pytest.raises(CorruptDatasetError, match="N x 3072 uint8 array"):
        ArrayCIFAR10(folder.parent, train=False)


def test_found_through_ember_data(made, monkeypatch):
    folder, _ = made
    monkeypatch.setenv("EMBER_DATA", str(folder.parent))
    assert ArrayCIFAR10(train=False).root == folder


def test_not_found_says_where_it_looked(made, tmp_path):
    with pytest.raises(DatasetNotFoundError) as info:
        ArrayCIFAR10(root=tmp_path / "nowhere", train=False)
    message = str(info.value)
    assert "test_batch, batches.meta" in message and str(tmp_path / "nowhere" / "cifar-10-batches-py") in message
    assert "download=True" in message


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(_QuietHandler, directory=str(served)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield served, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_download_checks_the_archive_and_unpacks_it(made, server, monkeypatch, tmp_path):
    _, archive = made
    served, url = server
    (served / archive.name).write_bytes(archive.read_bytes())
    monkeypatch.setattr(ArrayCIFAR10, "url", f"{url}/{archive.name}")
    root = tmp_path / "root"
    data = datasets.CIFAR10(root, train=False, download=True)
    assert data.root == root / "cifar-10-batches-py" and (root / archive.name).is_file() and len(data) == 3
    (served / archive.name).unlink()
    assert len(datasets.CIFAR10(root, train=True, download=True)) == 15  # found: nothing fetched


def test_a_download_with_the_wrong_checksum_leaves_nothing(made, server, monkeypatch, tmp_path):
    _, archive = made
    served, url = server
    (served / archive.name).write_bytes(archive.read_bytes()[:-7] + b"corrupt")
    monkeypatch.setattr(ArrayCIFAR10, "url", f"{url}/{archive.name}")
    with pytest.raises(DatasetNotFoundError, match="checksum mismatch: MD5"):
        ArrayCIFAR10(tmp_path / "root", download=True)
    assert [p.name for p in (tmp_path / "root").iterdir()] == []


def test_an_archive_already_there_is_unpacked_without_the_network(made, monkeypatch, tmp_path):
    _, archive = made

    def offline(*args, **kwargs):
        raise OSError("network is unreachable")

    import urllib.request  # ember imports it only when a download starts
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    root = tmp_path / "root"
    root.mkdir()
    (root / archive.name).write_bytes(archive.read_bytes())
    assert len(ArrayCIFAR10(root, train=False, download=True)) == 3
    with pytest.raises(DatasetNotFoundError, match="network is unreachable"):
        ArrayCIFAR10(tmp_path / "elsewhere", download=True)


def test_unpacking_skips_links_and_paths_outside_the_folder(made, monkeypatch, tmp_path):
    folder, _ = made
    archive = tmp_path / "hostile" / "cifar-10-python.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname="cifar-10-batches-py")
        for name, kind in [("cifar-10-batches-py/../escaped", tarfile.REGTYPE), ("outside", tarfile.REGTYPE),
                           ("cifar-10-batches-py/link", tarfile.SYMTYPE)]:
            member = tarfile.TarInfo(name)
            member.type, member.linkname = kind, "/etc/passwd" if kind == tarfile.SYMTYPE else ""
            tar.addfile(member, io.BytesIO(b"") if kind == tarfile.REGTYPE else None)
    monkeypatch.setattr(ArrayCIFAR10, "tgz_md5", _md5(archive))
    assert len(ArrayCIFAR10(archive.parent, train=False, download=True)) == 3
    assert not (archive.parent / "escaped").exists() and not (archive.parent / "outside").exists()
    assert not (archive.parent / "cifar-10-batches-py" / "link").exists()


def test_cifar100_reads_fine_labels_from_its_own_files(tmp_path, monkeypatch):
    """CIFAR-100's layout: cifar-100-python/{train, test, meta}, labels under fine_labels (and coarse_labels)."""
    from ember.data.datasets import CIFAR100
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    for number, name in enumerate(["train", "test"]):
        batch = _batch(number, name)
        batch["fine_labels"], batch["coarse_labels"] = [50 + i for i in range(PER_BATCH)], [1] * PER_BATCH
        del batch["labels"]
        (folder / name).write_bytes(_python2_pickle(batch))
    names = [f"class_{i}" for i in range(100)]
    (folder / "meta").write_bytes(_python2_pickle({"fine_label_names": names, "coarse_label_names": ["a"] * 20}))
    monkeypatch.setattr(CIFAR100, "train_list", [["train", _md5(folder / "train")]])
    monkeypatch.setattr(CIFAR100, "test_list", [["test", _md5(folder / "test")]])
    monkeypatch.setattr(CIFAR100, "meta", {"filename": "meta", "key": "fine_label_names", "md5": _md5(folder / "meta")})
    test = datasets.CIFAR100(tmp_path, train=False)
    assert test.targets == [50, 51, 52] and test.classes[51] == "class_51" and len(test.classes) == 100
    np.testing.assert_array_equal(np.asarray(test[0][0]), _image(PER_BATCH))
