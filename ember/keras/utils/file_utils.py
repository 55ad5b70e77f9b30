"""``keras.utils.get_file``: download a file once into Keras's cache, check its hash, extract archives.

The cache is ``cache_dir/cache_subdir`` (by default ``$KERAS_HOME`` or
``~/.keras``, then ``datasets``), so files real Keras downloaded are reused.
A download goes to a temporary file that is renamed into place only when it
is complete and its hash (SHA-256 for 64 hex digits, else MD5, as Keras)
matches; a cached file whose hash does not match is downloaded again.
``extract=True`` unpacks a tar or zip archive and returns the folder, with
Keras 3's names (``name_extracted`` beside ``name.tar.gz``).

Example:
    >>> import os, pathlib, tempfile
    >>> from ember import keras
    >>> source = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
    >>> _ = source.write_text("hello")
    >>> path = keras.utils.get_file(origin=source.as_uri(), cache_dir=tempfile.mkdtemp(),
    ...                             file_hash="2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
    >>> os.path.basename(path), open(path).read()
    ('hello.txt', 'hello')
"""
from __future__ import annotations

import hashlib
import os
import tarfile
import tempfile
import urllib.parse
import urllib.request
import zipfile

from ember.io.atomic import atomic_write

_TIMEOUT_SECONDS = 60


def _hasher(algorithm: str, file_hash: str | None):
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None and len(file_hash) == 64):
        return hashlib.sha256()
    if algorithm in ("md5", "auto"):
        return hashlib.md5()
    raise ValueError(f"Unknown hash_algorithm {algorithm!r}; expected 'auto', 'sha256' or 'md5'")


def hash_file(path, algorithm: str = "sha256", chunk_size: int = 65535) -> str:
    """The hex digest of the file at ``path`` (``'sha256'`` or ``'md5'``)."""
    digest = _hasher(algorithm, None) if algorithm != "auto" else hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def validate_file(path, file_hash: str, algorithm: str = "auto", chunk_size: int = 65535) -> bool:
    """Whether the file's digest equals ``file_hash``."""
    digest = _hasher(algorithm, file_hash)
    with open(path, "rb") as file:
        while chunk := file.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest() == str(file_hash)


def _cache_folder(cache_dir, cache_subdir: str) -> str:
    base = os.path.expanduser(cache_dir or os.environ.get("KERAS_HOME") or os.path.join("~", ".keras"))
    if not os.access(base, os.W_OK) and os.path.exists(base):
        base = os.path.join(tempfile.gettempdir(), ".keras")  # Keras's fallback for a read-only home
    folder = os.path.join(base, cache_subdir)
    os.makedirs(folder, exist_ok=True)
    return folder


def _targets(folder: str, fname: str | None, origin: str, extract: bool) -> tuple[str, str | None]:
    """Where the download goes and, when extracting, the folder it unpacks into (Keras 3's names)."""
    provided = bool(fname)
    fname = os.fspath(fname) if fname else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'. Please specify "
                         "the `fname` argument.")
    if os.sep in fname:
        raise ValueError("Paths are no longer accepted as the `fname` argument. To specify the file's parent "
                         f"directory, use the `cache_dir` argument. Received: fname={fname}")
    if not extract:
        return os.path.join(folder, fname), None
    if provided and "." in fname:
        return os.path.join(folder, fname), os.path.join(folder, fname[:fname.find(".")] + "_extracted")
    return os.path.join(folder, f"{fname}_archive"), os.path.join(folder, fname)


def _download(origin: str, target: str, file_hash: str | None, algorithm: str) -> None:
    """Fetch ``origin`` into ``target``; a file whose hash is wrong never appears there."""
    def write(file) -> None:
        digest = _hasher(algorithm, file_hash)
        try:
            with urllib.request.urlopen(origin, timeout=_TIMEOUT_SECONDS) as response:
                while chunk := response.read(1 << 20):
                    file.write(chunk)
                    digest.update(chunk)
        except OSError as error:  # URLError and HTTPError are OSErrors
            raise Exception(f"URL fetch failure on {origin}: {error}") from error
        if file_hash is not None and digest.hexdigest() != str(file_hash):
            raise ValueError(f"Incomplete or corrupted file detected. The {digest.name} file hash does not "
                             f"match the provided value of {file_hash}.")
    atomic_write(target, write)


def extract_archive(path: str, destination: str, archive_format="auto") -> bool:
    """Unpack a tar or zip archive at ``path`` into ``destination``; False when it is neither."""
    formats = ["tar", "zip"] if archive_format == "auto" else \
        [archive_format] if isinstance(archive_format, str) else list(archive_format or [])
    for kind in formats:
        if kind == "tar" and tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                archive.extractall(destination, filter="data")  # no paths outside destination
            return True
        if kind == "zip" and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    resolved = os.path.realpath(os.path.join(destination, member))
                    if not resolved.startswith(os.path.realpath(destination) + os.sep):
                        raise ValueError(f"{path}: archive member {member!r} would be written outside "
                                         f"{destination}")
                archive.extractall(destination)
            return True
    return False


def get_file(fname=None, origin: str | None = None, untar: bool = False, md5_hash: str | None = None,
             file_hash: str | None = None, cache_subdir: str = "datasets", hash_algorithm: str = "auto",
             extract: bool = False, archive_format="auto", cache_dir=None, force_download: bool = False) -> str:
    """The local path of ``origin``'s file, downloaded only when the cache lacks it (or its hash is wrong)."""
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    extract = extract or untar
    target, extraction_dir = _targets(_cache_folder(cache_dir, cache_subdir), fname, origin, extract)
    cached = os.path.exists(target) and not force_download
    if cached and file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
        cached = False  # incomplete or outdated: download again
    if not cached:
        _download(origin, target, file_hash, hash_algorithm)
    if extraction_dir is None:
        return target
    if not extract_archive(target, extraction_dir, "tar" if untar else archive_format):
        raise ValueError(f"Could not extract {target}: it is not a {archive_format} archive (tar or zip)")
    return extraction_dir
