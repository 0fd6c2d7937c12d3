"""Run an ingest plan: in this process, on a local Dask cluster, or on an existing one.

Dask does the scheduling (``workers=N`` starts a LocalCluster of N single-threaded
processes, ``dask_address="tcp://HOST:PORT"`` joins a running scheduler); this module only
submits one task per file, records each finished file in the manifest as it arrives,
and skips files the manifest already holds intact. Every file's Parquet output depends
on that file alone, so the result does not depend on how many workers ran it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cluster import dask_client, executor_name
from ..config import Settings
from ..errors import InputError, SplinternetError
from ..progress import NO_PROGRESS, Progress
from .manifest import FileRecord, Manifest
from .plan import IngestPlan, IngestTask
from .worker import FileFailure, ingest_file

__all__ = ["IngestFailed", "IngestResult", "dask_client", "run_ingest"]

IngestFunction = Callable[[IngestTask, str, Settings, bool], "FileRecord | FileFailure"]


class IngestFailed(SplinternetError):
    """Strict mode: the first file that could not be ingested stops the run."""

    code = "ingest_failed"


@dataclass(frozen=True)
class IngestResult:
    """What one run did; ``skipped`` files were already in the manifest, intact."""

    out_dir: str
    executor: str
    planned: int
    ingested: tuple[FileRecord, ...]
    skipped: tuple[str, ...]
    failed: tuple[FileFailure, ...]
    elements: int
    bad_records: int
    seconds: float
    empty: tuple[str, ...] = ()

    @property
    def files_per_second(self) -> float:
        return len(self.ingested) / self.seconds if self.seconds > 0 else 0.0

    @property
    def elements_per_second(self) -> float:
        return self.elements / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": self.out_dir, "executor": self.executor, "planned": self.planned,
            "ingested": [r.to_dict() for r in self.ingested], "skipped": list(self.skipped),
            "failed": [{"url": f.url, "error": f.error, "code": f.code, "elements": f.elements,
                        "bad_records": f.bad_records} for f in self.failed],
            "elements": self.elements, "bad_records": self.bad_records, "seconds": round(self.seconds, 3),
            "files_per_second": round(self.files_per_second, 3),
            "elements_per_second": round(self.elements_per_second, 1),
            "empty": list(self.empty),
        }


def _remove_stale_temporaries(root: Path, tasks: list[IngestTask]) -> None:
    """Drop temp files a killed run left in the partitions it was writing (never read as data)."""
    for partition in {t.partition for t in tasks}:
        folder = root / partition
        if folder.is_dir():
            for stray in folder.glob(".part-*.parquet.*.part"):
                stray.unlink(missing_ok=True)


def _finish(record: FileRecord | FileFailure, manifest: Manifest, done: list[FileRecord],
            failed: list[FileFailure], strict: bool, files: Progress, elements: Progress) -> None:
    if isinstance(record, FileFailure):
        if strict:
            raise IngestFailed(record.error)
        failed.append(record)
    else:
        manifest.add(record)
        done.append(record)
        elements.advance(record.elements)
    files.advance(1)


def run_ingest(
    plan: IngestPlan,
    out_dir: str | os.PathLike[str],
    *,
    client: Any = None,
    workers: int = 2,
    dask_address: str | None = None,
    settings: Settings | None = None,
    strict: bool = False,
    files_progress: Progress = NO_PROGRESS,
    elements_progress: Progress = NO_PROGRESS,
    function: IngestFunction = ingest_file,
) -> IngestResult:
    """Ingest every planned file not yet in the manifest of ``out_dir``.

    ``client``: a Dask client to use as is; else ``dask_address`` joins a scheduler, else
    ``workers`` > 0 starts a LocalCluster and ``workers=0`` runs everything in this process.
    ``function`` is the per-file work (tests swap it to simulate a crash). If a file raises
    an unexpected exception, files finished before it stay in the manifest, and the
    exception propagates; a later run resumes from there.
    """
    settings = settings or Settings.from_env()
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    if not os.access(root, os.W_OK):
        raise InputError(root, "output directory is not writable", expected="a directory this user can write")
    manifest = Manifest(root)
    todo = [t for t in plan.tasks if not manifest.is_done(t.url)]
    waiting = {t.url for t in todo}
    skipped = tuple(t.url for t in plan.tasks if t.url not in waiting)
    _remove_stale_temporaries(root, list(plan.tasks))
    done: list[FileRecord] = []
    failed: list[FileFailure] = []
    began = time.perf_counter()
    files_progress.start("ingesting files", len(todo))
    elements_progress.start("elements", None)
    if client is None and dask_address is None and workers == 0:
        executor = "in-process"
        for task in todo:
            _finish(function(task, str(root), settings, strict), manifest, done, failed, strict,
                    files_progress, elements_progress)
    elif client is not None:
        executor = f"dask {client.scheduler.address}"
        _run_on(client, todo, root, settings, strict, function, manifest, done, failed, files_progress,
                elements_progress)
    else:
        with dask_client(workers, dask_address) as own:
            executor = executor_name(workers, dask_address)
            _run_on(own, todo, root, settings, strict, function, manifest, done, failed, files_progress,
                    elements_progress)
    files_progress.finish()
    elements_progress.finish()
    seconds = time.perf_counter() - began
    return IngestResult(
        out_dir=str(root), executor=executor, planned=len(plan.tasks), ingested=tuple(done), skipped=skipped,
        failed=tuple(failed), elements=sum(r.elements for r in done), bad_records=sum(r.bad_records for r in done),
        seconds=seconds, empty=plan.empty,
    )


def _run_on(client: Any, todo: list[IngestTask], root: Path, settings: Settings, strict: bool,
            function: IngestFunction, manifest: Manifest, done: list[FileRecord], failed: list[FileFailure],
            files: Progress, elements: Progress) -> None:
    """Submit one Dask task per file; record results in completion order, cancel the rest on error."""
    from distributed import as_completed

    if not todo:
        return
    futures = [client.submit(function, task, str(root), settings, strict, pure=False) for task in todo]
    recorded: set[str] = set()
    try:
        for future in as_completed(futures):
            _finish(future.result(), manifest, done, failed, strict, files, elements)
            recorded.add(future.key)
    except BaseException:
        client.cancel([f for f in futures if not f.done()])
        for future in futures:  # keep what other workers finished before the failure
            if future.key not in recorded and future.status == "finished":
                result = future.result()
                if isinstance(result, FileRecord):
                    _finish(result, manifest, done, failed, False, files, elements)
        raise
