"""Run-time settings read from the environment when asked, never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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
        )
