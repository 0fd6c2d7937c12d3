"""Observed border crossings of a country's routes in ingested archives, over time.

For every distinct route whose origin AS is domestic, the path is walked from the origin
towards the collector; the first foreign AS met is the *border provider* and the
domestic AS after it the *gateway*. A provider's border share in a time bin is the share
of the bin's domestic-origin routes that cross the border through it; the number of
routes (not address space) is the weight, since a path says nothing about how many
addresses it carries beyond its prefix. Routes seen only inside the country (the
collector peer is domestic) have no crossing and are left out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from numba import njit

from ..errors import DataNotFoundError
from ..progress import NO_PROGRESS, Progress
from .timeline import ShareTimeline, _assemble, _Point, step_dates

__all__ = ["archive_timeline", "border_crossings"]


@njit(cache=True)
def _member(sorted_values, x):
    k = np.searchsorted(sorted_values, x)
    return k < sorted_values.shape[0] and sorted_values[k] == x


@njit(cache=True)
def border_crossings(path_offsets, path_asns, domestic_sorted):
    """Per path: (border provider, gateway) ASNs, or (0, 0) if the origin is foreign or no AS is foreign."""
    n = path_offsets.shape[0] - 1
    provider = np.zeros(n, np.uint32)
    gateway = np.zeros(n, np.uint32)
    for i in range(n):
        lo = path_offsets[i]
        k = path_offsets[i + 1] - 1
        if k < lo or not _member(domestic_sorted, path_asns[k]):
            continue
        while k >= lo and _member(domestic_sorted, path_asns[k]):
            k -= 1
        if k >= lo:
            provider[i] = path_asns[k]
            gateway[i] = path_asns[k + 1]
    return provider, gateway


def _links_of(pairs: np.ndarray):  # noqa: ANN202 - closure: providers -> (provider, gateway, 3) rows
    def links(providers: np.ndarray) -> np.ndarray:
        rows = pairs[np.isin(pairs[:, 0], providers.astype(np.int64))] if pairs.size else pairs
        return np.concatenate([rows, np.full((rows.shape[0], 1), 3, np.int64)], axis=1)

    return links


def archive_timeline(cc: str, data_dir: Any, start: str | dt.date, end: str | dt.date, *, step: str = "1d",
                     snapshot_date: str | dt.date | None = None, prefixes_date: str | dt.date | None = None,
                     threshold: float = 0.05, top: int = 10, settings: Any = None,
                     progress: Progress = NO_PROGRESS) -> ShareTimeline:
    """Observed border shares of ``cc``'s providers per step, from archives ingested under ``data_dir``.

    Each step covers [step, next step). The domestic networks come from the country
    membership (address view) of the snapshot at ``snapshot_date`` (default: ``start``).
    Events: a provider's share dropping by more than ``threshold``, and an observed
    border link (provider -> gateway) of a top provider seen in one step and not the next.
    """
    from .. import api
    from ..config import Settings
    from ..ingest.query import load_observed_paths
    from ..sources.catalog import parse_when
    from ..sources.snapshot import Snapshot

    settings = settings or Settings.from_env()
    lo, hi = parse_when(start), parse_when(end)
    if lo is None or hi is None:
        from ..errors import ParameterError

        raise ParameterError("a timeline needs both --from and --to dates")
    steps = step_dates(lo.date(), hi.date(), step)
    after_last = step_dates(steps[-1], steps[-1] + dt.timedelta(days=400), step)
    edges = [d.isoformat() for d in steps] + [(after_last[1] if len(after_last) > 1 else
                                              steps[-1] + dt.timedelta(days=1)).isoformat()]
    progress.start(f"observed timeline {cc}", 3)
    snapshot = Snapshot.for_date(snapshot_date or lo.date(), settings=settings, prefixes_date=prefixes_date)
    origins = api.country_membership(snapshot, cc)
    domestic = np.unique(np.asarray(origins.domestic, np.uint32))
    orgs = snapshot.orgs()
    progress.advance(1)
    observed = load_observed_paths(data_dir, edges)
    progress.advance(1)
    provider, gateway = border_crossings(observed.path_offsets, observed.path_asns, domestic)
    crossed = provider > 0
    points: list[_Point] = []
    step_point = np.full(len(steps), -1, np.int64)
    empty: list[str] = []
    for i, day in enumerate(observed.bins):
        here = crossed & (observed.bin == i)
        total = int(here.sum())
        if total == 0:
            empty.append(day)
            continue
        asns, counts = np.unique(provider[here], return_counts=True)
        pairs = np.unique(np.stack([provider[here], gateway[here]], axis=1).astype(np.int64), axis=0)
        names = orgs.names(asns)
        feeds = ", ".join(f"{c} ({n:,} routes)" for c, n in sorted(observed.routes_per_collector[i].items()))
        step_point[i] = len(points)
        points.append(_Point(
            date=day, release=f"{edges[i]} .. {edges[i + 1]}: {feeds}",
            values={"border_share": dict(zip(asns.tolist(), (counts / total).tolist(), strict=True))},
            complete=True, names=dict(zip(asns.tolist(), map(str, names), strict=True)), links=_links_of(pairs),
            sources=[{"bin": day, "until": edges[i + 1], "domestic_routes": total,
                      "routes_per_collector": observed.routes_per_collector[i]}],
            notes=[],
        ))
    progress.advance(1)
    progress.finish()
    if not points:
        raise DataNotFoundError("ingested archives", f"{cc} {edges[0]} .. {edges[-1]}",
                                reason="no route with a domestic origin crosses the border in the archives")
    notes = [f"{len(domestic):,} domestic origin ASes from the {cc.upper()} membership of "
             f"{snapshot.date:%Y-%m-%d}" if snapshot.date else "domestic origins from the newest snapshot",
             "weights are distinct routes (collector, peer, prefix, path) per step, not address space; collectors "
             "differ between steps when the ingested archives do"]
    if empty:
        notes.append(f"{len(empty)} steps have no observed crossing and are left out: {', '.join(empty[:5])}"
                     f"{' ...' if len(empty) > 5 else ''}")
    timeline = _assemble(f"{cc.upper()} border providers observed in archives", steps, step_point, points, top,
                         threshold, notes, "border_share")
    return ShareTimeline(**{**timeline.__dict__, "sources": tuple(timeline.sources) + tuple(snapshot.provenance())})
