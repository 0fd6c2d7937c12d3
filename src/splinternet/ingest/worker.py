"""The work of one archive file, as it runs on a Dask worker: fetch, parse, write Parquet.

The function is self-contained (plain arguments, a plain result) so Dask can ship it to
any worker process or machine. Library errors come back as values, not exceptions:
:class:`InputError` and friends carry keyword arguments that do not survive pickling,
and the client must still be able to say which file failed and why.

A file that was not read whole (its compressed stream broke, or its record framing was cut)
is a failure too, never a smaller file marked done: no Parquet is written for it, its
cached copy is dropped so the next run fetches it again, and the failure carries how much
was salvageable. Bad records inside a complete file are the archive's own content: they
are skipped, counted in the manifest and shown, as for any other input.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..errors import InputError, SplinternetError
from ..sources.download import fetch_url
from ..sources.mrt import MrtResult, read_mrt
from .manifest import FileRecord, file_sha256
from .plan import IngestTask

__all__ = ["FileFailure", "ingest_file"]


@dataclass(frozen=True, slots=True)
class FileFailure:
    """An input file that could not be ingested, the one-line reason, and what a damaged file still held."""

    url: str
    error: str
    code: str
    elements: int = 0
    bad_records: int = 0


def _forget_cached(cached_path: Path, settings: Settings) -> None:
    """Drop a cached copy that did not read whole, so the next run fetches it again (a cut download is the
    usual cause)."""
    if cached_path.resolve().is_relative_to(settings.cache_dir.resolve()):
        cached_path.unlink(missing_ok=True)


def _damaged(task: IngestTask, cached_path: Path, result: MrtResult, settings: Settings) -> FileFailure:
    stats = result.stats
    why = (stats.stream_damage if stats.stream_damage is not None else
           f"MRT record framing breaks at decompressed byte {stats.stopped_early_at:,}")
    first = f"; first problem: {result.bad.examples[0]}" if result.bad.examples else ""
    _forget_cached(cached_path, settings)
    return FileFailure(task.url, f"{cached_path.name} is damaged ({why}): {stats.elements:,} elements readable, "
                       f"{result.bad.count:,} bad record(s); not recorded, the next run retries it{first}",
                       "damaged_input", stats.elements, result.bad.count)


def ingest_file(task: IngestTask, out_dir: str, settings: Settings, strict: bool) -> FileRecord | FileFailure:
    """Fetch ``task.url`` (cache, mirror), parse it, write its Parquet file atomically."""
    began = time.perf_counter()
    target = Path(out_dir) / task.output
    try:
        cached = fetch_url(task.url, settings=settings)
        try:
            result = read_mrt(cached.path, strict=strict, limits=settings.decompression)
        except InputError:
            _forget_cached(cached.path, settings)
            raise
        if not result.stats.complete:
            target.unlink(missing_ok=True)  # an older output must not stay queryable under a failed file
            return _damaged(task, cached.path, result, settings)
        result.table.to_parquet(target)
    except SplinternetError as exc:
        target.unlink(missing_ok=True)
        return FileFailure(task.url, str(exc), exc.code)
    return FileRecord(
        url=task.url, collector=task.collector, kind=task.kind, date=f"{task.released:%Y-%m-%d}",
        released=task.released.isoformat(), sha256=cached.sha256, size=cached.size,
        elements=result.stats.elements, records=result.stats.records, bad_records=result.bad.count,
        bad_examples=tuple(str(e) for e in result.bad.examples[:5]), output=task.output,
        output_size=target.stat().st_size, output_sha256=file_sha256(target),
        seconds=round(time.perf_counter() - began, 3),
    )
