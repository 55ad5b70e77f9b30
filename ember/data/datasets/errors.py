"""Errors raised when a data set can't be found or fails its checks."""
from __future__ import annotations

from ...errors import EmberError


class DatasetNotFoundError(EmberError, FileNotFoundError):
    """The files are in none of the places searched (and could not be downloaded)."""


class CorruptDatasetError(EmberError, RuntimeError):
    """A data file has a bad header, the wrong size, or the wrong checksum."""
