"""Fetch a public file into the local cache: mirror-aware, atomic, checksummed, resumable by design.

A URL ``https://<host>/<path>`` is cached at ``<cache>/<host>/<path>`` with a sidecar
``<file>.meta.json`` holding its size and sha256. With ``SPLINTERNET_MIRROR`` set, the
bytes come from ``<mirror>/<host>/<path>`` (a directory or a base URL) instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from ..config import Settings
from ..errors import DownloadError, InputTooLargeError, IntegrityError, OfflineError
from ..progress import NO_PROGRESS, Progress
from .listing import ListedSize, ListingEntry, parse_index

__all__ = [
    "CachedFile",
    "NotFoundAtSource",
    "SmallerThanListedError",
    "atomic_write",
    "cache_path",
    "fetch_url",
    "list_cached",
    "list_directory",
    "list_directory_entries",
    "source_location",
    "verified_sha256",
]

_CHUNK = 1 << 20
_TIMEOUT = 60.0


class NotFoundAtSource(DownloadError):
    """The source answered, but has no such file (HTTP 404, or absent from the mirror)."""

    code = "not_found"


class SmallerThanListedError(DownloadError):
    """A download smaller than its directory listing says: a cut copy, however cleanly its content ends.

    ``fetch_url`` fetches once more before letting it out, so when raised it happened twice.
    """

    code = "smaller_than_listed"

    def __init__(self, url: str, listed: ListedSize, actual: int) -> None:
        self.listed = listed
        self.actual = actual
        super().__init__(url, f"got {actual:,} bytes, fewer than the {listed.describe()} its directory listing "
                              "shows, on two tries; expected the whole file as listed (the source holds a cut copy, "
                              "or the file is being replaced)")


@dataclass(frozen=True, slots=True)
class CachedFile:
    """A file in the cache and what is known of where it came from."""

    path: Path
    url: str
    source: str
    size: int
    sha256: str
    fetched_at: str
    extra: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "url": self.url,
            "source": self.source,
            "size": self.size,
            "sha256": self.sha256,
            "fetched_at": self.fetched_at,
            **self.extra,
        }


def _split(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DownloadError(url, "not an http(s) URL")
    path = parts.path.lstrip("/")
    if ".." in Path(path).parts:
        raise DownloadError(url, "path climbs out of its host")
    return parts.netloc, path


def cache_path(url: str, settings: Settings) -> Path:
    host, path = _split(url)
    return settings.cache_dir / host / path


def source_location(url: str, settings: Settings) -> str:
    """Where the bytes of ``url`` are read from: the URL itself or its place in the mirror."""
    if not settings.mirror:
        return url
    host, path = _split(url)
    if re.match(r"^[a-z][a-z0-9+.-]*://", settings.mirror):
        return settings.mirror.rstrip("/") + f"/{host}/{path}"
    return str(Path(settings.mirror).expanduser() / host / path)


def _mirror_is_local(settings: Settings) -> bool:
    return bool(settings.mirror) and not re.match(r"^[a-z][a-z0-9+.-]*://", settings.mirror or "")


def atomic_write(target: str | os.PathLike[str]) -> _AtomicWriter:
    """Context manager yielding a binary file that replaces ``target`` only when closed cleanly."""
    return _AtomicWriter(target)


class _AtomicWriter:
    def __init__(self, target: str | os.PathLike[str]) -> None:
        self.target = Path(target)
        self._tmp: str | None = None
        self._fh: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        while True:  # like mkstemp, but mode 0666 minus the umask, as open() would create the target
            tmp = str(self.target.parent / f".{self.target.name}.{secrets.token_hex(6)}.part")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            except FileExistsError:
                continue
            break
        self._tmp = tmp
        self._fh = os.fdopen(fd, "wb")
        return self._fh

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        assert self._fh is not None and self._tmp is not None
        try:
            if exc_type is None:
                self._fh.flush()
                os.fsync(self._fh.fileno())
            self._fh.close()
            if exc_type is None:
                os.replace(self._tmp, self.target)
                self._tmp = None
        finally:
            if self._tmp is not None and os.path.exists(self._tmp):
                os.unlink(self._tmp)


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


def _read_meta(path: Path, *, check_size: bool = True) -> dict[str, Any] | None:
    meta = _meta_path(path)
    if not (path.is_file() and meta.is_file()):
        return None
    try:
        data = json.loads(meta.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sha256"), str) or "url" not in data:
        return None
    if check_size and data.get("size") != path.stat().st_size:
        return None  # a file that does not match its record is not trusted
    return data


# sha256 of files already read in this process, by (path, size, mtime): each cached file is
# hashed once when first used, and again only if it changed on disk
_VERIFIED: dict[tuple[str, int, int], str] = {}


def verified_sha256(path: Path) -> str:
    """The sha256 of ``path``, computed once per process while its size and mtime stay the same."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    digest = _VERIFIED.get(key)
    if digest is None:
        hasher = hashlib.sha256()
        for chunk in _read_local(path):
            hasher.update(chunk)
        digest = _VERIFIED[key] = hasher.hexdigest()
    return digest


def _remember(path: Path, sha: str) -> None:
    """A file this process just wrote with a known digest need not be read again to verify it."""
    stat = path.stat()
    _VERIFIED[(str(path), stat.st_size, stat.st_mtime_ns)] = sha


def _to_cached(path: Path, meta: dict[str, Any]) -> CachedFile:
    known = {"url", "source", "size", "sha256", "fetched_at"}
    return CachedFile(
        path=path,
        url=meta["url"],
        source=meta.get("source", meta["url"]),
        size=meta["size"],
        sha256=meta["sha256"],
        fetched_at=meta.get("fetched_at", ""),
        extra={k: v for k, v in meta.items() if k not in known},
    )


def _copy_stream(chunks: Iterator[bytes], out: IO[bytes], progress: Progress) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        out.write(chunk)
        digest.update(chunk)
        size += len(chunk)
        progress.advance(len(chunk))
    return size, digest.hexdigest()


def _read_local(src: Path) -> Iterator[bytes]:
    with open(src, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


def fetch_url(
    url: str,
    *,
    settings: Settings | None = None,
    progress: Progress = NO_PROGRESS,
    extra: dict[str, Any] | None = None,
    refresh: bool = False,
    listed_size: ListedSize | None = None,
) -> CachedFile:
    """The cached copy of ``url``, downloading it first if needed.

    ``extra`` is stored in the sidecar (the catalog records dataset and release there).
    ``listed_size`` is the size the directory listing shows: a copy clearly smaller is
    fetched once more, then refused with :class:`SmallerThanListedError`.
    """
    settings = settings or Settings.from_env()
    if listed_size is not None:
        extra = {**(extra or {}), "listed_size": listed_size.shown}
    target = cache_path(url, settings)
    meta = None if refresh else _read_meta(target, check_size=False)  # a changed size fails the sha256 check
    source = source_location(url, settings)
    local = _mirror_is_local(settings)
    if meta is not None:
        actual = verified_sha256(target)
        short = listed_size is not None and not listed_size.admits(target.stat().st_size)
        if actual == meta.get("sha256") and not short:
            if extra and any(meta.get(k) != v for k, v in extra.items()):
                meta.update(extra)
                _write_meta(target, meta)
            return _to_cached(target, meta)
        if settings.offline and not local:
            if short:
                assert listed_size is not None
                raise SmallerThanListedError(url, listed_size, target.stat().st_size)
            raise IntegrityError(target, str(meta.get("sha256")), actual,
                                 "offline, so it cannot be fetched again; delete it to fetch it when online")
        # a changed (or cut) cached file is fetched again below; the fresh copy is what gets used
    elif settings.offline and not local:
        raise OfflineError(url, "not in the cache and offline mode is on")
    try:
        try:
            size, sha = _fetch_source(url, source, target, local, progress, listed_size)
        except SmallerThanListedError:  # a transfer cut short, or a file caught while being replaced
            size, sha = _fetch_source(url, source, target, local, progress, listed_size)
    except SmallerThanListedError:
        if listed_size is not None and target.is_file() and not listed_size.admits(target.stat().st_size):
            remove_cached(target)  # a cut copy left from before must not be used later either
        raise
    progress.finish()
    meta = {
        "url": url,
        "source": source,
        "size": size,
        "sha256": sha,
        "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **(extra or {}),
    }
    _write_meta(target, meta)
    _remember(target, sha)
    return _to_cached(target, meta)


def _fetch_source(url: str, source: str, target: Path, local: bool, progress: Progress,
                  listed_size: ListedSize | None) -> tuple[int, str]:
    """Copy or download the source of ``url`` into ``target``; a copy smaller than listed never lands."""
    if local:
        src = Path(source)
        if not src.is_file():
            raise NotFoundAtSource(url, f"not in the mirror ({src})")
        progress.start(f"copy {target.name}", src.stat().st_size)
        with atomic_write(target) as out:
            size, sha = _copy_stream(_read_local(src), out, progress)
            _check_listed(url, size, listed_size)
        return size, sha
    return _download_http(source, url, target, progress, listed_size)


def _check_listed(url: str, size: int, listed_size: ListedSize | None) -> None:
    if listed_size is not None and not listed_size.admits(size):
        raise SmallerThanListedError(url, listed_size, size)


def _write_meta(target: Path, meta: dict[str, Any]) -> None:
    with atomic_write(_meta_path(target)) as out:
        out.write(json.dumps(meta, indent=1, sort_keys=True).encode())


def _download_http(source: str, url: str, target: Path, progress: Progress,
                   listed_size: ListedSize | None = None) -> tuple[int, str]:
    import httpx

    try:
        with httpx.stream("GET", source, follow_redirects=True, timeout=_TIMEOUT) as response:
            if response.status_code == 404:
                raise NotFoundAtSource(url, f"HTTP 404 from {source}")
            if response.status_code != 200:
                raise DownloadError(url, f"HTTP {response.status_code} from {source}")
            length = response.headers.get("content-length")
            expected = int(length) if length and length.isdigit() else None
            progress.start(f"download {target.name}", expected)
            with atomic_write(target) as out:
                size, sha = _copy_stream(response.iter_raw(_CHUNK), out, progress)
                if expected is not None and size != expected:
                    raise DownloadError(url, f"got {size} bytes, server announced {expected}")
                # bytes sent with a Content-Encoding are not the file's own, so the listing's
                # size does not apply to them
                if response.headers.get("content-encoding", "identity").lower() in ("", "identity"):
                    _check_listed(url, size, listed_size)
    except httpx.HTTPError as exc:
        raise DownloadError(url, f"{type(exc).__name__}: {exc}") from None
    return size, sha


def _read_index(response: Any, url: str, settings: Settings) -> bytes:
    """An index page as served, Content-Encoding decoded by httpx, within the decompression limits."""
    body = bytearray()
    for chunk in response.iter_bytes(_CHUNK):
        body += chunk
        cap, reason = settings.decompression.cap_for(response.num_bytes_downloaded)
        if cap is not None and len(body) > cap:
            raise InputTooLargeError(url, f"directory index decodes to more than {reason}; stopped there",
                                     expected="an index page within the decompression limits")
    return bytes(body)


def list_directory(url: str, *, settings: Settings | None = None) -> list[str]:
    """Names of the entries in a remote directory (mirror dir, Apache-style index, or cache).

    Returns an empty list if the directory does not exist at the source. In offline mode
    (with a remote source) only the cached entries are listed.
    """
    return [entry.name for entry in list_directory_entries(url, settings=settings)]


def list_directory_entries(url: str, *, settings: Settings | None = None) -> list[ListingEntry]:
    """The entries of a directory as :func:`list_directory` finds them, sorted by name, with listed sizes.

    A size is known only where an index page served over HTTP shows one; entries of a local
    mirror directory or of the cache have none (a local file's size is its own, nothing to
    compare it with).
    """
    settings = settings or Settings.from_env()
    if not url.endswith("/"):
        url += "/"
    entries: dict[str, ListingEntry] = {}
    cached_dir = cache_path(url, settings)
    if cached_dir.is_dir():
        entries.update(
            (p.name, ListingEntry(p.name)) for p in cached_dir.iterdir()
            if not p.name.endswith(".meta.json") and not p.name.startswith(".")
        )
    source = source_location(url, settings)
    if _mirror_is_local(settings):
        src = Path(source)
        if src.is_dir():
            entries.update((p.name, ListingEntry(p.name)) for p in src.iterdir())
        return sorted(entries.values(), key=lambda e: e.name)
    if settings.offline:
        return sorted(entries.values(), key=lambda e: e.name)
    import httpx

    try:
        with httpx.stream("GET", source, follow_redirects=True, timeout=_TIMEOUT) as response:
            if response.status_code == 404:
                return sorted(entries.values(), key=lambda e: e.name)
            if response.status_code != 200:
                raise DownloadError(url, f"cannot list directory: HTTP {response.status_code}")
            page = _read_index(response, url, settings).decode(response.encoding or "utf-8", errors="replace")
    except httpx.HTTPError as exc:
        raise DownloadError(url, f"cannot list directory: {type(exc).__name__}: {exc}") from None
    entries.update((entry.name, entry) for entry in parse_index(page, source))
    return sorted(entries.values(), key=lambda e: e.name)


def list_cached(settings: Settings | None = None) -> list[CachedFile]:
    """Every file in the cache that has an intact sidecar, sorted by URL."""
    settings = settings or Settings.from_env()
    found: list[CachedFile] = []
    if not settings.cache_dir.is_dir():
        return found
    for meta_file in settings.cache_dir.rglob("*.meta.json"):
        path = meta_file.with_name(meta_file.name[: -len(".meta.json")])
        meta = _read_meta(path)
        if meta is not None:
            found.append(_to_cached(path, meta))
    return sorted(found, key=lambda c: c.url)


def remove_cached(path: Path) -> None:
    """Delete a cached file and its sidecar."""
    for p in (path, _meta_path(path)):
        if p.exists():
            p.unlink()


def copy_file_atomic(src: Path, dst: Path) -> None:
    with open(src, "rb") as fin, atomic_write(dst) as fout:
        shutil.copyfileobj(fin, fout, _CHUNK)
