"""Run-time settings read from the environment when asked, never at import."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DEFAULT_MAX_BAD_SHARE, BadRecords, ParameterError

__all__ = ["DecompressionLimits", "MAX_DECOMPRESSED_ENV", "MAX_RATIO_ENV", "Settings", "env_size"]

_TRUE = {"1", "true", "yes", "on"}

MAX_DECOMPRESSED_ENV = "SPLINTERNET_MAX_DECOMPRESSED_BYTES"
MAX_RATIO_ENV = "SPLINTERNET_MAX_DECOMPRESSION_RATIO"
_DEFAULT_MAX_BYTES = 8 << 30
_DEFAULT_MAX_RATIO = 200.0
_UNITS = {"": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
          "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30, "t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40}


def env_size(name: str, default: int) -> int:
    """A size in bytes from the environment variable ``name`` (``512MiB``, ``8GiB`` or bytes); ``default`` if unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-zA-Z]*)", raw)
    if not m or m.group(2).lower() not in _UNITS:
        raise ParameterError(f"{name}={raw!r} is not a size; expected bytes such as 8589934592, 512MiB or 8GiB "
                             "(0: no limit)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def _env_ratio(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise ParameterError(f"{name}={raw!r} is not a ratio; expected a number such as 200 (0: no limit)")
    return value


@dataclass(frozen=True, slots=True)
class DecompressionLimits:
    """How far one compressed file may expand in memory: a decompression bomb stops here.

    ``max_bytes`` caps the decompressed size of any file (0: no cap). ``max_ratio`` caps it at
    that many times the compressed file's size (0: no cap), but never below ``ratio_floor``
    bytes, so small files of very repetitive text still read. Real archives expand 4-20 times.
    """

    max_bytes: int = _DEFAULT_MAX_BYTES
    max_ratio: float = _DEFAULT_MAX_RATIO
    ratio_floor: int = 64 << 20
    # the settings a message names when a cap is hit (a server sets its own for uploads)
    bytes_setting: str = MAX_DECOMPRESSED_ENV
    ratio_setting: str = MAX_RATIO_ENV

    @classmethod
    def from_env(cls, *, bytes_env: str = MAX_DECOMPRESSED_ENV, ratio_env: str = MAX_RATIO_ENV,
                 default: DecompressionLimits | None = None) -> DecompressionLimits:
        """The limits set by ``bytes_env`` and ``ratio_env``, else those of ``default`` (the library's)."""
        base = default or cls()
        return cls(max_bytes=env_size(bytes_env, base.max_bytes), max_ratio=_env_ratio(ratio_env, base.max_ratio),
                   ratio_floor=base.ratio_floor, bytes_setting=bytes_env, ratio_setting=ratio_env)

    def cap_for(self, compressed_size: int) -> tuple[int | None, str]:
        """The largest decompressed size allowed for a file of ``compressed_size`` bytes, and why."""
        caps: list[tuple[int, str]] = []
        if self.max_bytes > 0:
            caps.append((self.max_bytes, f"the limit of {self.max_bytes:,} bytes ({self.bytes_setting})"))
        if self.max_ratio > 0:
            by_ratio = max(self.ratio_floor, int(self.max_ratio * compressed_size))
            caps.append((by_ratio, f"{self.max_ratio:g} times its compressed size of {compressed_size:,} bytes "
                                   f"({self.ratio_setting}; at least {self.ratio_floor:,} bytes)"))
        if not caps:
            return None, "no limit"
        return min(caps)


@dataclass(frozen=True, slots=True)
class Settings:
    """Where downloads are cached, where they come from, whether the network may be used, and limits.

    ``mirror`` is a directory or base URL laid out as ``<mirror>/<host>/<path>``; when set,
    every download reads from it instead of ``https://<host>/<path>``. ``decompression``
    bounds how far a compressed input may expand (environment: see :class:`DecompressionLimits`).
    """

    cache_dir: Path
    mirror: str | None = None
    offline: bool = False
    # share of a file's records that may be bad before loading stops (SPLINTERNET_MAX_BAD_SHARE)
    max_bad_share: float = DEFAULT_MAX_BAD_SHARE
    decompression: DecompressionLimits = field(default_factory=DecompressionLimits.from_env)

    @classmethod
    def from_env(cls, *, offline: bool | None = None) -> Settings:
        cache = os.environ.get("SPLINTERNET_CACHE") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "splinternet"
        )
        mirror = os.environ.get("SPLINTERNET_MIRROR") or None
        env_offline = os.environ.get("SPLINTERNET_OFFLINE", "").strip().lower() in _TRUE
        return cls(
            cache_dir=Path(cache).expanduser(),
            mirror=mirror,
            offline=env_offline if offline is None else offline,
            max_bad_share=_share_from_env("SPLINTERNET_MAX_BAD_SHARE", DEFAULT_MAX_BAD_SHARE),
            decompression=DecompressionLimits.from_env(),
        )

    def bad_records(self, *, strict: bool = False, allow_damaged: bool = False) -> BadRecords:
        """The skip-or-stop policy for loading files under these settings."""
        return BadRecords(strict=strict, max_share=self.max_bad_share, allow_damaged=allow_damaged)


def _share_from_env(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise ParameterError(f"{name}={text!r} is not a share; expected a number from 0 to 1, such as 0.001 "
                             "(or a percentage such as 0.1%)")
    return value
