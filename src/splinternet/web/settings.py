"""How the web app runs: where registers may be read from, default prefixes date, limits."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings

__all__ = ["WebSettings"]


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


@dataclass(frozen=True)
class WebSettings:
    """Limits and locations of one web app; read from the environment or set by ``splinternet serve``.

    ``data_dir`` is the only directory whose files a request may name (blocking registers);
    ``timeout_s`` bounds the computation of one result; ``max_upload_bytes`` bounds uploads.
    """

    data: Settings = field(default_factory=Settings.from_env)
    data_dir: Path | None = None
    cloud_dir: Path | None = None
    prefixes_date: str | None = None
    timeout_s: float = 300.0
    max_upload_bytes: int = 64 * 1024 * 1024
    memory_cache_entries: int = 64
    disk_cache: bool = True
    workers: int = 1
    max_pending: int = 8

    @classmethod
    def from_env(cls, **overrides: object) -> WebSettings:
        data_dir = os.environ.get("SPLINTERNET_WEB_DATA")
        cloud_dir = os.environ.get("SPLINTERNET_WEB_CLOUD")
        values: dict[str, object] = {
            "data": Settings.from_env(),
            "data_dir": Path(data_dir).expanduser() if data_dir else None,
            "cloud_dir": Path(cloud_dir).expanduser() if cloud_dir else None,
            "prefixes_date": os.environ.get("SPLINTERNET_WEB_PREFIXES_DATE") or None,
            "timeout_s": _env_float("SPLINTERNET_WEB_TIMEOUT", 300.0),
            "max_upload_bytes": int(_env_float("SPLINTERNET_WEB_MAX_UPLOAD", 64 * 1024 * 1024)),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def result_dir(self) -> Path:
        """Where finished results are kept as JSON between runs of the server."""
        return self.data.cache_dir / "web-results"
