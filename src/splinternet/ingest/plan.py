"""Which MRT files an ingest reads: collectors and a time window turned into a list of tasks.

The catalog lists the releases; this module only decides, per collector, which datasets
(RIB dumps, update files) to ask for and where each file's Parquet partition goes, so the
plan is the same on the client and on every Dask worker.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..config import Settings
from ..errors import DataNotFoundError, ParameterError
from ..sources.catalog import list_releases, parse_when

__all__ = ["IngestPlan", "IngestTask", "KINDS", "dataset_for", "plan_ingest"]

KINDS = ("ribs", "updates")

_RIS = re.compile(r"rrc\d\d")
_ROUTEVIEWS = re.compile(r"route-views[\w.]*")


def dataset_for(collector: str, kind: str) -> str:
    """The catalog dataset holding ``kind`` ("ribs" or "updates") files of ``collector``."""
    if kind not in KINDS:
        raise ParameterError(f"unknown archive kind {kind!r}; expected ribs or updates")
    if _RIS.fullmatch(collector):
        return "ris-rib" if kind == "ribs" else "ris-updates"
    if _ROUTEVIEWS.fullmatch(collector):
        return "routeviews-rib" if kind == "ribs" else "routeviews-updates"
    raise ParameterError(
        f"unknown collector {collector!r}; expected a RIPE RIS collector (rrc00 .. rrc26) "
        "or a RouteViews one (route-views2, route-views.sydney, ...)")


@dataclass(frozen=True, slots=True)
class IngestTask:
    """One archive file to read and the Parquet file it becomes."""

    collector: str
    kind: str
    dataset: str
    url: str
    released: dt.datetime

    @property
    def partition(self) -> str:
        """Hive-style directory, relative to the output root: ``kind/collector=X/date=YYYY-MM-DD``."""
        return f"{self.kind}/collector={self.collector}/date={self.released:%Y-%m-%d}"

    @property
    def output(self) -> str:
        """The Parquet file of this task, relative to the output root."""
        name = self.url.rstrip("/").rsplit("/", 1)[-1]
        for suffix in (".gz", ".bz2", ".xz"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
        return f"{self.partition}/part-{name}.parquet"


@dataclass(frozen=True)
class IngestPlan:
    """Every file of the request, oldest first; ``empty`` names collector/kind pairs with no file."""

    collectors: tuple[str, ...]
    kinds: tuple[str, ...]
    start: dt.datetime
    end: dt.datetime
    tasks: tuple[IngestTask, ...]
    empty: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.tasks)


def _split_collectors(collectors: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    items = collectors.split(",") if isinstance(collectors, str) else [c for part in collectors
                                                                       for c in part.split(",")]
    names = tuple(dict.fromkeys(c.strip() for c in items if c.strip()))
    if not names:
        raise ParameterError("name at least one collector, e.g. rrc00,route-views2", parameter="collectors")
    return names


def plan_ingest(collectors: str | list[str] | tuple[str, ...], start: str | dt.date | dt.datetime,
                end: str | dt.date | dt.datetime, *, ribs: bool = True, updates: bool = True,
                settings: Settings | None = None) -> IngestPlan:
    """List the files of ``collectors`` released in [start, end) through the catalog.

    Raises :class:`DataNotFoundError` when no file at all matches (a typo in a date or a
    collector should not look like a successful ingest of nothing).
    """
    settings = settings or Settings.from_env()
    names = _split_collectors(collectors)
    kinds = tuple(k for k, wanted in (("ribs", ribs), ("updates", updates)) if wanted)
    if not kinds:
        raise ParameterError("nothing to ingest: ask for RIB dumps, update files or both", parameter="ribs")
    lo, hi = parse_when(start), parse_when(end)
    if lo is None or hi is None or hi <= lo:
        raise ParameterError(f"empty time window {start} .. {end}; its end must come after its start",
                             parameter="end")
    tasks: list[IngestTask] = []
    empty: list[str] = []
    for collector in names:
        for kind in kinds:
            dataset = dataset_for(collector, kind)
            found = list_releases(dataset, lo, hi, settings=settings, collector=collector)
            if not found:
                empty.append(f"{collector} {kind}")
            tasks.extend(IngestTask(collector, kind, dataset, url, stamp) for stamp, url in found)
    if not tasks:
        raise DataNotFoundError("MRT archives", f"{', '.join(names)} from {lo:%Y-%m-%d %H:%M} to {hi:%Y-%m-%d %H:%M}",
                                reason=f"no {' or '.join(kinds)} file in the window")
    tasks.sort(key=lambda t: (t.released, t.collector, t.kind, t.url))
    return IngestPlan(names, kinds, lo, hi, tuple(tasks), tuple(empty))
