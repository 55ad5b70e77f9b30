"""Where data set files are looked for, and how they are downloaded.

Search order: the ``root`` argument, ``$EMBER_DATA``, the per-user cache
(``$XDG_CACHE_HOME/ember/datasets`` or ``~/.cache/ember/datasets``), then
Debian's ``/usr/share/datasets``. Each place is tried as is and with the
data set's folder name below it. Downloads go to the cache (or below
``root`` when one is given) through a temporary file, checked against the
published SHA-256 before the atomic rename, so no partial or wrong file is
ever left where a later search would find it.
"""
from __future__ import annotations

import hashlib
import os
import zlib
from pathlib import Path
from typing import Sequence

from ...io.atomic import atomic_write
from .errors import CorruptDatasetError

SYSTEM_DIR = Path("/usr/share/datasets")
_TIMEOUT_SECONDS = 30


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ember" / "datasets"


def candidate_dirs(folder: str, root: str | os.PathLike | None, extra: Sequence[str] = ()) -> list[Path]:
    """Every directory searched, in order, without duplicates."""
    places: list[Path] = []
    if root is not None:
        places += [Path(root), Path(root) / folder, *(Path(root) / name for name in extra)]
    if os.environ.get("EMBER_DATA"):
        places += [Path(os.environ["EMBER_DATA"]) / folder, Path(os.environ["EMBER_DATA"])]
    places += [cache_dir() / folder, SYSTEM_DIR / folder]
    return list(dict.fromkeys(places))


def find(names: Sequence[str], places: Sequence[Path]) -> dict[str, Path] | None:
    """The first place holding every file in ``names`` (each gzipped or raw)."""
    for place in places:
        found = {name: _variant(place, name) for name in names}
        if all(found.values()):
            return found
    return None


def _variant(place: Path, name: str) -> Path | None:
    for candidate in (place / f"{name}.gz", place / name):
        if candidate.is_file():
            return candidate
    return None


def download(names: Sequence[str], target: Path, mirrors: Sequence[str],
             sha256: dict[str, str]) -> dict[str, Path]:
    """Fetch ``<mirror><name>.gz`` for each name into ``target``, trying mirrors in order."""
    target.mkdir(parents=True, exist_ok=True)
    paths, failures = {}, []
    for name in names:
        path = target / f"{name}.gz"
        for mirror in mirrors:
            url = f"{mirror}{name}.gz"
            try:
                atomic_write(path, lambda file: _fetch(url, file, sha256.get(name)))
                paths[name] = path
                break
            except (OSError, ValueError, zlib.error, _http_error(), CorruptDatasetError) as error:
                failures.append(f"{url}: {error}")
        else:
            raise DownloadError(failures)
    return paths


class DownloadError(Exception):
    """Every mirror failed for some file; ``failures`` says why for each URL."""

    def __init__(self, failures: list[str]):
        super().__init__("; ".join(failures))
        self.failures = failures


def _fetch(url: str, file, expected_sha256: str | None) -> None:
    """Stream ``url`` into ``file``, checking the SHA-256 of the decompressed bytes on the way."""
    inflater = zlib.decompressobj(wbits=31)  # 31: expect a gzip header
    digest = hashlib.sha256()
    import urllib.request  # loaded when a download happens, not with ember
    with urllib.request.urlopen(url, timeout=_TIMEOUT_SECONDS) as response:
        while chunk := response.read(1 << 20):
            file.write(chunk)
            digest.update(inflater.decompress(chunk))
    digest.update(inflater.flush())
    if not inflater.eof:
        raise CorruptDatasetError("the download ended early (incomplete gzip stream)")
    if expected_sha256 is not None and digest.hexdigest() != expected_sha256:
        raise CorruptDatasetError(f"checksum mismatch: SHA-256 {digest.hexdigest()} of the decompressed "
                                  f"data, expected {expected_sha256}")


def fetch_with_md5(url: str, path: Path, expected_md5: str) -> None:
    """Download ``url`` to ``path`` as is (no decompression), checking the MD5 before the rename."""
    def write(file) -> None:
        digest = hashlib.md5()
        import urllib.request
        with urllib.request.urlopen(url, timeout=_TIMEOUT_SECONDS) as response:
            while chunk := response.read(1 << 20):
                file.write(chunk)
                digest.update(chunk)
        if digest.hexdigest() != expected_md5:
            raise CorruptDatasetError(f"checksum mismatch: MD5 {digest.hexdigest()}, expected {expected_md5}")

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, write)


def not_found_message(title: str, names: Sequence[str], places: Sequence[Path],
                      download_note: str, suffix: str = "[.gz]") -> str:
    looked = "\n".join(f"  - {place}" for place in places)
    files = ", ".join(f"{name}{suffix}" for name in names)
    return (f"{title} not found: looked for {files} in\n{looked}\n{download_note}\n"
            "Pass root=DIR, or set $EMBER_DATA to a folder holding the files (or a "
            "subfolder named as above).")


def _http_error():
    """http.client's exception base, imported only when a download is attempted."""
    import http.client
    return http.client.HTTPException
