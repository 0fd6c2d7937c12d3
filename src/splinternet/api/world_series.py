"""Every country's world dataset on a series of dates (one task per date, on Dask or in this process), and
the events between consecutive dates.

Each date is an ordinary ``build_world`` run into ``out/<YYYY-MM-DD>/``, so a date is resumable
and idempotent on its own, and its tables do not depend on where it ran. A date whose inputs
are missing or damaged is reported with the reason and the other dates still complete.
Events (``analysis/world_events.py``) are read off the dates this run completed and written
to ``out/events.parquet``; ``world_events`` reads them back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .. import __version__
from ..analysis.results import Result
from ..analysis.world_events import (
    EVENT_KINDS,
    EventThresholds,
    ProviderSeries,
    WorldEvent,
    detect_events,
)
from ..cluster import dask_client, executor_name, run_each
from ..config import Settings
from ..errors import ParameterError, SplinternetError
from ..progress import NO_PROGRESS, Progress
from ..sources.snapshot import DatasetChoice, Snapshot
from ..sources.world_store import WorldStore, read_events, read_series, write_series
from . import params
from .world import WorldOptions, build_world

__all__ = ["WorldEvents", "WorldSeries", "build_world_series", "world_events"]


@dataclass(frozen=True)
class DateTask:
    """What one date's run needs, sent to a worker as is (plain picklable values)."""

    date: str
    out: str
    options: WorldOptions
    prefixes_date: str | None
    choices: tuple[tuple[str, DatasetChoice], ...]
    settings: Settings
    strict: bool
    allow_damaged: bool


def run_date(task: DateTask, progress: Progress = NO_PROGRESS) -> dict[str, Any]:
    """``build_world`` for one date into ``out/<date>``: its summary, or the reason it could not run.

    Only the library's own errors (missing or damaged inputs, a directory of other
    settings) become a failed date; anything else is a bug and propagates.
    """
    began = time.perf_counter()
    snapshot = None
    try:
        snapshot = Snapshot.for_date(task.date, settings=task.settings, prefixes_date=task.prefixes_date,
                                     strict=task.strict, allow_damaged=task.allow_damaged,
                                     choices=dict(task.choices), progress=progress)
        summary = build_world(task.date, Path(task.out) / task.date, options=task.options, snapshot=snapshot,
                              progress=progress)
    except SplinternetError as exc:
        return {"date": task.date, "status": "failed", "code": exc.code, "reason": str(exc),
                "seconds": round(time.perf_counter() - began, 3)}
    finally:
        # a date's graphs sit in reference cycles (a graph and its compiled baseline refer to each
        # other, simulate.as_overlay; build_world's per-country closure holds the graph too), so
        # only the cycle collector frees them, and it may not run before the next date loads its
        # own: a 12-date series held about 90 MiB more, its peak 76 MiB more (measured)
        snapshot = None
        gc.collect()
    return {**summary.to_dict(), "date": task.date, "data_date": summary.date, "status": "done"}


@dataclass(frozen=True, repr=False)
class WorldSeries(Result):
    """What a series run did: each date's world summary (or why it failed), the events, the most eventful countries."""

    _tables: ClassVar[tuple[str, ...]] = ("eventful", "failed")

    out: str
    executor: str
    step: str
    dates: list[dict[str, Any]]  # in date order; status "done" (a WorldSummary's fields) or "failed" (code, reason)
    failed: list[dict[str, Any]]
    events: int
    eventful: list[dict[str, Any]]  # per country: cc, events, and a count per kind; most events first
    seconds: float
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, repr=False)
class WorldEvents(Result):
    """The events of a series (all countries, or one), with the dates and thresholds they were read with."""

    _tables: ClassVar[tuple[str, ...]] = ("events",)

    out: str
    dates: list[str]
    thresholds: dict[str, Any]
    events: list[WorldEvent]

    def to_dict(self) -> dict[str, Any]:
        return {"out": self.out, "dates": self.dates, "thresholds": self.thresholds,
                "events": [asdict(e) for e in self.events]}


def build_world_series(start: str | dt.date, end: str | dt.date, out: str | Path, *, step: str = "1m",
                       options: WorldOptions = WorldOptions(), prefixes_date: str | dt.date | None = None,
                       uses: Mapping[str, DatasetChoice] | None = None, settings: Settings | None = None,
                       strict: bool = False, allow_damaged: bool = False, workers: int = 2,
                       dask_address: str | None = None, processes: bool = True, client: Any = None,
                       thresholds: EventThresholds = EventThresholds(), progress: Progress = NO_PROGRESS,
                       date_progress: Progress = NO_PROGRESS) -> WorldSeries:
    """``build_world`` on every date from ``start`` to ``end`` by ``step``, then the events between them.

    One Dask task per date: ``client`` as given, else ``dask_address`` (a running scheduler),
    else a LocalCluster of ``workers`` processes (threads with ``processes=False``);
    ``workers=0`` runs the dates one after the other in this process. ``progress`` advances
    once per finished date; ``date_progress`` shows the steps inside a date (in this process only).
    """
    began = time.perf_counter()
    days = [d.isoformat() for d in params.step_days(start, end, step)]
    every = params.step(step)
    if workers < 0:
        raise ParameterError(f"workers must be 0 (this process) or more, not {workers}", parameter="workers")
    prefixes = params.day(str(prefixes_date), "prefix-to-AS date") if prefixes_date else None
    settings = settings or Settings.from_env()
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    tasks = [DateTask(date=d, out=str(root), options=options, prefixes_date=prefixes,
                      choices=tuple(sorted((uses or {}).items())), settings=settings, strict=strict,
                      allow_damaged=allow_damaged) for d in days]
    results: dict[str, dict[str, Any]] = {}
    progress.start(f"world on {len(days)} dates", len(days))
    try:
        if client is None and dask_address is None and workers == 0:
            executor = executor_name(0, None)
            for task in tasks:
                results[task.date] = run_date(task, date_progress)
                progress.advance(1)
        else:
            _compile_once(date_progress, local=client is None and dask_address is None)
            cluster = (contextlib.nullcontext(client) if client is not None
                       else dask_client(workers, dask_address, processes=processes))
            with cluster as running:
                executor = (f"dask {running.scheduler.address}" if client is not None
                            else executor_name(workers, dask_address, processes=processes))
                for task, result in run_each(running, run_date, tasks):
                    results[task.date] = result
                    progress.advance(1)
    finally:
        progress.finish()
    ordered = [results[d] for d in days]
    done = [r["date"] for r in ordered if r["status"] == "done"]
    events = detect_events(_provider_series(root, done), thresholds) if done else []
    notes = [] if len(done) > 1 else ["fewer than two dates completed: no events can be read"]
    if done:
        write_series(root, {"dates": done, "step": every, "thresholds": asdict(thresholds),
                            "options": _options_text(options), "prefixes_date": prefixes, "version": __version__},
                     _event_columns(events))
    else:
        notes.append("no date completed: events.parquet and series.json were left as they were")
    failed = [{"date": r["date"], "code": r["code"], "reason": r["reason"]} for r in ordered if r["status"] == "failed"]
    return WorldSeries(out=str(root), executor=executor, step=every, dates=ordered, failed=failed, events=len(events),
                       eventful=_eventful(events), seconds=round(time.perf_counter() - began, 3), notes=notes)


def world_events(out: str | Path, cc: str | None = None) -> WorldEvents:
    """The events a series run wrote under ``out`` (every country's, or only ``cc``'s)."""
    code = params.country_code(cc) if cc is not None else None
    description = read_series(Path(out))
    columns = read_events(Path(out))
    rows = [WorldEvent(**{k: columns[k][i] for k in columns}) for i in range(len(columns["cc"]))
            if code is None or columns["cc"][i] == code]
    return WorldEvents(out=str(out), dates=list(description.get("dates", [])),
                       thresholds=dict(description.get("thresholds", {})), events=rows)


def _compile_once(progress: Progress, *, local: bool) -> None:
    """Compile the flow kernels here before local workers start, so they load them from numba's disk cache.

    Workers of a LocalCluster share this machine's cache (``__pycache__`` beside the code,
    or ``NUMBA_CACHE_DIR``); without this, each would compile the same kernels at once on a
    first run. A remote cluster's workers use their own machines' caches.
    """
    if local:
        from ..analysis.flow_measures import warm_kernels

        warm_kernels(progress)


def _options_text(options: WorldOptions) -> dict[str, Any]:
    """The options as plain JSON values (enums by value, tuples as lists)."""
    values = asdict(options)
    return {k: v.value if isinstance(v, Enum) else list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def _provider_series(root: Path, dates: list[str]) -> ProviderSeries:
    """The done countries' provider tables of each date, as one column table."""
    present_date: list[int] = []
    present_cc: list[str] = []
    parts: dict[str, list[Any]] = {k: [] for k in ("date", "cc", "asn", "name", "share", "rank")}
    for index, day in enumerate(dates):
        store = WorldStore(root / day)
        ccs = sorted(cc for cc, r in store.records().items() if r.get("status") == "done")
        present_date.extend([index] * len(ccs))
        present_cc.extend(ccs)
        table = store.read_countries("providers", ccs, ["asn", "name", "border_share", "rank"])
        parts["date"].extend([index] * len(table["cc"]))
        parts["cc"].extend(table["cc"])
        parts["asn"].extend(table["asn"])
        parts["name"].extend(table["name"])
        parts["share"].extend(table["border_share"])
        parts["rank"].extend(table["rank"])
    return ProviderSeries(dates=tuple(dates), present_date=np.asarray(present_date, np.int64),
                          present_cc=np.asarray(present_cc, dtype=str), date=np.asarray(parts["date"], np.int64),
                          cc=np.asarray(parts["cc"], dtype=str), asn=np.asarray(parts["asn"], np.int64),
                          name=np.asarray(parts["name"], dtype=object), share=np.asarray(parts["share"], np.float64),
                          rank=np.asarray(parts["rank"], np.int64))


def _event_columns(events: list[WorldEvent]) -> dict[str, list[Any]]:
    rows = [asdict(e) for e in events]
    return {k: [r[k] for r in rows] for k in WorldEvent.__dataclass_fields__}


def _eventful(events: list[WorldEvent]) -> list[dict[str, Any]]:
    """Per country: its number of events and of each kind, most events first (then by country code)."""
    per: dict[str, Counter[str]] = {}
    for event in events:
        per.setdefault(event.cc, Counter())[event.kind] += 1
    rows = [{"cc": cc, "events": sum(kinds.values()), **{k: kinds[k] for k in EVENT_KINDS}} for cc, kinds in per.items()]
    return sorted(rows, key=lambda r: (-r["events"], r["cc"]))
