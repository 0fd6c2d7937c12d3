"""Run-time settings read from the environment when asked, never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import DEFAULT_MAX_BAD_SHARE, BadRecords, ParameterError

__all__ = ["Settings"]

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    """Where downloads are cached, where they come from, and whether the network may be used.

    ``mirror`` is a directory or base URL laid out as ``<mirror>/<host>/<path>``; when set,
    every download reads from it instead of ``https://<host>/<path>``.
    """

    cache_dir: Path
    mirror: str | None = None
    offline: bool = False
    # share of a file's records that may be bad before loading stops (SPLINTERNET_MAX_BAD_SHARE)
    max_bad_share: float = DEFAULT_MAX_BAD_SHARE

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
