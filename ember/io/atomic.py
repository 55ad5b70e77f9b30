"""Crash-safe file replacement: write a temporary file beside the target, fsync, rename.

``os.replace`` is atomic on POSIX and Windows, so a reader (or a crash at
any instant) sees either the complete old file or the complete new one.

The temporary file is ``.<target name>.<host>-<pid>.<random>.tmp``. A save
that was killed leaves one behind; the next save of the same target removes
those whose writer is certainly gone (same host, process no longer running),
and, for names it cannot attribute (another host, or the previous version's
``.<target name>.<random>.tmp``), those untouched for an hour. Nothing else
in the folder is ever removed.
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import socket
import tempfile
import time
from typing import BinaryIO, Callable

_UNATTRIBUTED_AGE = 3600.0  # seconds: older temporaries of unknown writers are abandoned


def _current_umask() -> int:
    """The process umask: from /proc where it is shown, else by setting and restoring it."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def host_tag() -> str:
    """Six hex digits naming this machine, so a shared folder's temporaries say whose they are."""
    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(file)`` on a temporary file, make it durable, then move it onto ``path``.

    An ``OSError`` names ``path`` (not the temporary file) and keeps its type and errno.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, f"can't save {path!r}: the folder {directory!r} "
                                "does not exist (create it first, e.g. os.makedirs)")
    remove_stale_temporaries(path)
    try:
        _write_and_replace(path, directory, write)
    except OSError as error:
        raise _naming_target(error, path) from error


def _write_and_replace(path: str, directory: str, write) -> None:
    prefix = f".{os.path.basename(path)}.{host_tag()}-{os.getpid()}."
    handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp's 0600 would surprise users
        os.replace(temporary, path)
    except BaseException:
        _remove(temporary)
        raise
    _fsync_directory(directory)


def _naming_target(error: OSError, path: str) -> OSError:
    reason = error.strerror or str(error)
    message = f"can't save {path!r}: {reason} (the previous file, if any, is unchanged)"
    try:
        return type(error)(error.errno, message) if error.errno is not None else type(error)(message)
    except TypeError:  # an OSError subclass with a constructor of its own
        return error


def remove_stale_temporaries(path: str) -> list[str]:
    """Remove temporaries that earlier, interrupted saves of ``path`` left; return their names."""
    directory = os.path.dirname(os.path.abspath(path))
    pattern = re.compile(r"\." + re.escape(os.path.basename(path))
                         + r"\.(?:(?P<host>[0-9a-f]{6})-(?P<pid>[0-9]+)\.)?[a-z0-9_]{8}\.tmp")
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        match = pattern.fullmatch(name)
        if match and _abandoned(os.path.join(directory, name), match):
            if _remove(os.path.join(directory, name)):
                removed.append(name)
    return removed


def _abandoned(file: str, match: re.Match) -> bool:
    if match["host"] == host_tag() and os.name == "posix":
        return not _running(int(match["pid"]))
    try:
        return time.time() - os.stat(file).st_mtime > _UNATTRIBUTED_AGE
    except OSError:
        return False


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of this process may be saving right now
    try:
        os.kill(pid, 0)  # signal 0 only checks (POSIX)
    except ProcessLookupError:
        return False
    except OSError:
        return True      # e.g. another user's process: leave its file alone
    return True


def _remove(path: str) -> bool:
    try:
        os.unlink(path)
    except OSError:
        return False
    return True


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX only; Windows can't open directories)."""
    if os.name != "posix":
        return
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
