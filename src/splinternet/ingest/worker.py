"""The work of one archive file, as it runs on a Dask worker: fetch, parse, write Parquet.

The function is self-contained (plain arguments, a plain result) so Dask can ship it to
any worker process or machine. Library errors come back as values, not exceptions:
:class:`InputError` and friends carry keyword arguments that do not survive pickling,
and the client must still be able to say which file failed and why.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..errors import SplinternetError
from ..sources.download import fetch_url
from ..sources.mrt import read_mrt
from .manifest import FileRecord, file_sha256
from .plan import IngestTask

__all__ = ["FileFailure", "ingest_file"]


@dataclass(frozen=True, slots=True)
class FileFailure:
    """An input file that could not be ingested, and the one-line reason."""

    url: str
    error: str
    code: str


def ingest_file(task: IngestTask, out_dir: str, settings: Settings, strict: bool) -> FileRecord | FileFailure:
    """Fetch ``task.url`` (cache, mirror), parse it, write its Parquet file atomically."""
    began = time.perf_counter()
    try:
        cached = fetch_url(task.url, settings=settings)
        result = read_mrt(cached.path, strict=strict)
        target = Path(out_dir) / task.output
        result.table.to_parquet(target)
    except SplinternetError as exc:
        return FileFailure(task.url, str(exc), exc.code)
    return FileRecord(
        url=task.url, collector=task.collector, kind=task.kind, date=f"{task.released:%Y-%m-%d}",
        released=task.released.isoformat(), sha256=cached.sha256, size=cached.size,
        elements=result.stats.elements, records=result.stats.records, bad_records=result.bad.count,
        bad_examples=tuple(str(e) for e in result.bad.examples[:5]), output=task.output,
        output_size=target.stat().st_size, output_sha256=file_sha256(target),
        seconds=round(time.perf_counter() - began, 3),
    )
