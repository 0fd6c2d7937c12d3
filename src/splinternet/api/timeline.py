"""A country's transit providers (or a blocklist's reach) over time, with the changes worth a look.

Each step is answered by the release in force on that day; steps on the same release are
one point. Topology timelines run one transit analysis per distinct AS-relationship
release; archive timelines read paths ingested into Parquet; blocking timelines analyse a
series of registers, each attributed at its own date.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Literal

import numpy as np

from ..analysis.border_links import border_links
from ..analysis.timeline import (
    ShareTimeline,
    TimelinePoint,
    assemble_timeline,
    blocking_timeline,
    group_steps,
    step_dates,
)
from ..analysis.timeline_archives import observed_timeline
from ..analysis.transit import TransitReport
from ..config import Settings
from ..errors import DataNotFoundError, ParameterError
from ..ingest.query import load_observed_paths
from ..progress import NO_PROGRESS, Progress
from ..sources.registry import Register
from ..sources.snapshot import DatasetChoices, Snapshot
from ..tables.topology import ASGraph
from . import params
from .blocking import AttributionFiles, BlockingOptions, attribution_for, load_registers
from .providers import TransitOptions, country_membership, transit

__all__ = ["archive_timeline", "blocking_register_timeline", "topology_timeline"]


def _window(start: str | dt.date, end: str | dt.date, step: str) -> tuple[list[dt.date], dt.date, dt.date]:
    lo, hi = params.when(start, "first date"), params.when(end, "last date")
    if lo is None or hi is None:
        raise ParameterError("a timeline needs both a first and a last date")
    return step_dates(lo.date(), hi.date(), step), lo.date(), hi.date()


def _links_in(graph: ASGraph, domestic: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """providers -> their (provider, domestic AS, relation) links in ``graph``."""
    def links(providers: np.ndarray) -> np.ndarray:
        return border_links(graph, domestic, foreign=providers)

    return links


def _transit_shares(report: TransitReport) -> dict[int, float]:
    """Each AS's transit share where the report gives one; an AS in neither list has no known value (NaN).

    From simulated flows, a provider without a transit share carries no transit (the flows
    give every AS with a transit mean one): 0. The transit list holds only ASes with
    influence, so an AS missing from both lists is not known to have none.
    """
    from_flows = str(report.evidence.get("transit_ranked_by", "")).startswith("influence")
    shares = {int(row["asn"]): float(row["transit_share"]) for row in report.transit
              if row["transit_share"] is not None}
    shares.update({p.asn: p.transit_share or 0.0 for p in report.providers
                   if p.transit_share is not None or from_flows})
    return shares


def topology_timeline(cc: str, start: str | dt.date, end: str | dt.date, *, step: str = "1d",
                      prefixes_date: str | dt.date | None = None, options: TransitOptions = TransitOptions(),
                      threshold: float = 0.05, top: int = 10, max_age_days: int = 62,
                      settings: Settings | None = None, progress: Progress = NO_PROGRESS, strict: bool = False,
                      allow_damaged: bool = False, uses: DatasetChoices | None = None) -> ShareTimeline:
    """Border and transit shares of ``cc``'s top providers at each step, from AS-topology snapshots.

    ``prefixes_date`` fixes the prefix-to-AS release for every point, ``uses`` any other single
    dataset but the AS relationships. A step whose newest AS-relationship release is more than
    ``max_age_days`` older has no point.
    """
    params.topology_not_chosen(uses, "a topology timeline follows the AS relationships over its dates")
    settings = settings or Settings.from_env()
    steps, lo, hi = _window(start, end, step)

    def release_of(day: dt.date) -> tuple[str, str]:
        release = Snapshot.for_date(day, settings=settings).release("caida-asrel")
        if (day - release.release_date).days > max_age_days:  # a monthly dataset: an old release is not "in force"
            raise DataNotFoundError("caida-asrel", day.isoformat(), nearest=[release.release_date.isoformat()],
                                    reason=f"the newest release is more than {max_age_days} days older")
        return release.url, release.release_date.isoformat()

    grouped, step_point, notes = group_steps(steps, release_of)
    if not grouped:
        raise DataNotFoundError("caida-asrel", f"{lo:%Y-%m-%d} .. {hi:%Y-%m-%d}", reason="no step has a release")
    points: list[TimelinePoint] = []
    progress.start(f"timeline {cc}", len(grouped))
    for day, url, label in grouped:
        snapshot = Snapshot.for_date(day, settings=settings, prefixes_date=prefixes_date, strict=strict,
                                     allow_damaged=allow_damaged, choices=uses)
        graph = snapshot.graph()
        # every provider with a share is ranked (as diff and world do): one absent from the list has none, 0
        every = replace(options, top=len(graph))
        report = transit(cc, day, options=every, snapshot=snapshot)
        domestic = country_membership(snapshot, cc, view=every.view, weighting=every.weighting).origins.domestic
        points.append(TimelinePoint(
            date=label, release=url,
            values={"border_share": {p.asn: p.border_share for p in report.providers},
                    "transit_share": _transit_shares(report)},
            complete=frozenset({"border_share"}),  # every provider with a share is listed (top: every AS)
            names={p.asn: p.name for p in report.providers},
            links=_links_in(graph, domestic), neighbor_names=snapshot.orgs().names,
            sources=list(report.sources), notes=[f"{label}: {n}" for n in report.notes],
        ))
        progress.advance(1)
    progress.finish()
    return assemble_timeline(f"{cc.upper()} international transit providers", steps, step_point, points, top,
                             threshold, notes, "border_share")


def archive_timeline(cc: str, data_dir: str | os.PathLike[str], start: str | dt.date, end: str | dt.date, *,
                     step: str = "1d", snapshot_date: str | dt.date | None = None,
                     prefixes_date: str | dt.date | None = None, threshold: float = 0.05, top: int = 10,
                     settings: Settings | None = None, progress: Progress = NO_PROGRESS, strict: bool = False,
                     allow_damaged: bool = False, uses: DatasetChoices | None = None) -> ShareTimeline:
    """Observed border shares of ``cc``'s providers per step [step, next step), from ingested archives.

    The domestic networks come from the country membership (address view) of the snapshot
    at ``snapshot_date`` (default: the first step).
    """
    settings = settings or Settings.from_env()
    steps, first, _ = _window(start, end, step)
    after_last = step_dates(steps[-1], steps[-1] + dt.timedelta(days=400), step)
    edges = [d.isoformat() for d in steps] + [(after_last[1] if len(after_last) > 1 else
                                              steps[-1] + dt.timedelta(days=1)).isoformat()]
    progress.start(f"observed timeline {cc}", 3)
    snapshot = Snapshot.for_date(snapshot_date or first, settings=settings, prefixes_date=prefixes_date,
                                 strict=strict, allow_damaged=allow_damaged, choices=uses)
    domestic = np.unique(np.asarray(country_membership(snapshot, cc).origins.domestic, np.uint32))
    orgs = snapshot.orgs()
    progress.advance(1)
    observed = load_observed_paths(data_dir, edges)
    progress.advance(1)
    note = (f"{len(domestic):,} domestic origin ASes from the {cc.upper()} membership of {snapshot.date:%Y-%m-%d}"
            if snapshot.date else "domestic origins from the newest snapshot")
    timeline = observed_timeline(cc, steps, edges, observed, domestic, orgs, threshold=threshold, top=top,
                                 notes=[note])
    progress.advance(1)
    progress.finish()
    return replace(timeline, sources=tuple(timeline.sources) + tuple(snapshot.provenance()))


GroupBy = Literal["provider", "organization"]


def blocking_register_timeline(registers: Sequence[str | os.PathLike[str]], *, dates: Sequence[str] = (),
                               group: GroupBy = "provider", files: AttributionFiles = AttributionFiles(),
                               threshold: float = 0.05, top: int = 10, strict: bool = False,
                               settings: Settings | None = None, progress: Progress = NO_PROGRESS,
                               uses: DatasetChoices | None = None) -> ShareTimeline:
    """Blocked IPv4 space by cloud provider or organization over registers, each attributed at its own date.

    ``dates`` gives each register's date (default: the register's own update time).
    """
    if dates and len(dates) != len(registers):
        raise ParameterError(f"{len(dates)} dates given for {len(registers)} registers; give one per register")
    options = BlockingOptions(strict=strict)
    loaded: list[tuple[str, Register, object]] = []
    cache: dict[dt.date, object] = {}
    progress.start("loading registers", len(registers))
    for i, path in enumerate(registers):
        register = load_registers(path, options)
        when = params.when(dates[i]) if dates else register.updated
        if when is None:
            raise ParameterError(f"{path} does not say when it was published; give its date")
        day = when.date()
        if day not in cache:
            cache[day] = attribution_for(day, files, settings=settings, strict=options.strict,
                                         allow_damaged=options.allow_damaged, uses=uses)
        loaded.append((day.isoformat(), register, cache[day]))
        progress.advance(1)
    progress.finish()
    return blocking_timeline(loaded, threshold=threshold, top=top, group=group)
