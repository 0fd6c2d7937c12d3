"""splinternet: how a country is wired to the rest of the Internet, from public data."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import (
    BadRecords,
    DataNotFoundError,
    DownloadError,
    InputError,
    OfflineError,
    ParameterError,
    SplinternetError,
    UnknownCountryError,
)

try:
    __version__ = version("splinternet")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "__version__",
    "BadRecords",
    "DataNotFoundError",
    "DownloadError",
    "InputError",
    "OfflineError",
    "ParameterError",
    "SplinternetError",
    "UnknownCountryError",
]
