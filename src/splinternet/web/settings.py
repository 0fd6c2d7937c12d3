"""How the web app runs: where registers may be read from, default prefixes date, limits."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..config import DecompressionLimits, Settings, env_size
from ..errors import ParameterError

__all__ = ["UPLOAD_DECOMPRESSION", "WebSettings"]

# Uploads come from anyone who can reach the server: they may expand far less than the
# operator's own archives (registers and resolution lists expand 3-10 times in gzip/bzip2/xz).
UPLOAD_DECOMPRESSION = DecompressionLimits(max_bytes=512 << 20, max_ratio=30.0, ratio_floor=16 << 20,
                                           bytes_setting="SPLINTERNET_WEB_MAX_DECOMPRESSED_BYTES",
                                           ratio_setting="SPLINTERNET_WEB_MAX_DECOMPRESSION_RATIO")


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ParameterError(f"{name}={raw!r} is not a positive number")
    return value


@dataclass(frozen=True)
class WebSettings:
    """Limits and locations of one web app; read from the environment or set by ``splinternet serve``.

    ``data_dir`` is the only directory whose files a request may name (blocking registers);
    ``world_dirs`` hold world datasets (``splinternet world``; one per date, or directories of
    them): the home page's map and the country pages of their dates are served from them;
    ``timeout_s`` bounds the computation of one result; ``max_upload_bytes`` bounds the body
    of an upload request (every file in it together); ``upload_decompression`` how far an
    uploaded file may expand. The rest bound what one client or a slow connection can hold:
    see docs/web.md, "Limits".
    """

    data: Settings = field(default_factory=Settings.from_env)
    data_dir: Path | None = None
    cloud_dir: Path | None = None
    prefixes_date: str | None = None
    world_dirs: tuple[Path, ...] = ()
    timeout_s: float = 300.0
    max_upload_bytes: int = 64 * 1024 * 1024
    memory_cache_entries: int = 64
    disk_cache: bool = True
    workers: int = 1
    max_pending: int = 8
    upload_decompression: DecompressionLimits = UPLOAD_DECOMPRESSION
    max_uploads: int = 2            # upload requests in progress at once (503 beyond)
    jobs_per_client: int = 3        # queued or running computations one client address may hold
    max_searches: int = 2           # AS searches computed at once (others wait, briefly)
    header_timeout_s: float = 10.0  # a connection must send a request's headers within this
    body_timeout_s: float = 60.0    # ... and its body within this
    keep_alive_s: int = 5           # an idle connection is closed after this
    max_connections: int = 100      # open connections and requests at once (503 beyond)

    @classmethod
    def from_env(cls, **overrides: object) -> WebSettings:
        data_dir = os.environ.get("SPLINTERNET_WEB_DATA")
        cloud_dir = os.environ.get("SPLINTERNET_WEB_CLOUD")
        worlds = [p for p in os.environ.get("SPLINTERNET_WEB_WORLD", "").split(os.pathsep) if p.strip()]
        values: dict[str, object] = {
            "data": Settings.from_env(),
            "data_dir": Path(data_dir).expanduser() if data_dir else None,
            "cloud_dir": Path(cloud_dir).expanduser() if cloud_dir else None,
            "prefixes_date": os.environ.get("SPLINTERNET_WEB_PREFIXES_DATE") or None,
            "world_dirs": tuple(Path(p).expanduser() for p in worlds),
            "timeout_s": _env_number("SPLINTERNET_WEB_TIMEOUT", 300.0),
            "max_upload_bytes": env_size("SPLINTERNET_WEB_MAX_UPLOAD", 64 * 1024 * 1024),
            "upload_decompression": DecompressionLimits.from_env(
                bytes_env=UPLOAD_DECOMPRESSION.bytes_setting, ratio_env=UPLOAD_DECOMPRESSION.ratio_setting,
                default=UPLOAD_DECOMPRESSION),
            "max_uploads": int(_env_number("SPLINTERNET_WEB_MAX_UPLOADS", 2)),
            "jobs_per_client": int(_env_number("SPLINTERNET_WEB_JOBS_PER_CLIENT", 3)),
            "max_searches": int(_env_number("SPLINTERNET_WEB_MAX_SEARCHES", 2)),
            "header_timeout_s": _env_number("SPLINTERNET_WEB_HEADER_TIMEOUT", 10.0),
            "body_timeout_s": _env_number("SPLINTERNET_WEB_BODY_TIMEOUT", 60.0),
            "keep_alive_s": int(_env_number("SPLINTERNET_WEB_KEEP_ALIVE", 5)),
            "max_connections": int(_env_number("SPLINTERNET_WEB_MAX_CONNECTIONS", 100)),
        }
        values.update({k: v for k, v in overrides.items() if v is not None and v != ()})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def result_dir(self) -> Path:
        """Where finished results are kept as JSON between runs of the server."""
        return self.data.cache_dir / "web-results"

    @property
    def upload_dir(self) -> Path:
        """Where uploads are spooled while a request or its job uses them."""
        return self.data.cache_dir / "web-uploads"
