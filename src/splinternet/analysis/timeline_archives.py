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
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit

from ..errors import DataNotFoundError
from ..sources.asorg import OrgTable
from .border_links import OBSERVED
from .timeline import ShareTimeline, TimelinePoint, assemble_timeline

__all__ = ["border_crossings", "observed_timeline"]


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


def _links_of(pairs: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """providers -> their (provider, gateway, OBSERVED) rows."""
    def links(providers: np.ndarray) -> np.ndarray:
        rows = pairs[np.isin(pairs[:, 0], providers.astype(np.int64))] if pairs.size else pairs
        return np.concatenate([rows, np.full((rows.shape[0], 1), OBSERVED, np.int64)], axis=1)

    return links


def observed_timeline(cc: str, steps: list[dt.date], edges: list[str], observed: Any, domestic: np.ndarray,
                      orgs: OrgTable, *, threshold: float = 0.05, top: int = 10,
                      notes: list[str] | None = None) -> ShareTimeline:
    """Observed border shares of ``cc``'s providers per step from paths already read (``observed``).

    ``observed`` has ``path_offsets``, ``path_asns``, ``bin`` (step of each path), ``bins``
    and ``routes_per_collector`` (as ``ingest.query.load_observed_paths`` returns them);
    ``edges`` bound the steps. Events: a provider's share dropping by more than
    ``threshold``, and an observed border link (provider -> gateway) of a top provider seen
    in one step and not the next.
    """
    domestic = np.unique(np.asarray(domestic, np.uint32))
    provider, gateway = border_crossings(observed.path_offsets, observed.path_asns, domestic)
    crossed = provider > 0
    points: list[TimelinePoint] = []
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
        points.append(TimelinePoint(
            date=day, release=f"{edges[i]} .. {edges[i + 1]}: {feeds}",
            values={"border_share": dict(zip(asns.tolist(), (counts / total).tolist(), strict=True))},
            complete=frozenset({"border_share"}), names=dict(zip(asns.tolist(), map(str, names), strict=True)),
            links=_links_of(pairs), neighbor_names=orgs.names,
            sources=[{"bin": day, "until": edges[i + 1], "domestic_routes": total,
                      "routes_per_collector": observed.routes_per_collector[i]}],
            notes=[],
        ))
    if not points:
        raise DataNotFoundError("ingested archives", f"{cc} {edges[0]} .. {edges[-1]}",
                                reason="no route with a domestic origin crosses the border in the archives")
    every = list(notes or []) + ["weights are distinct routes (collector, peer, prefix, path) per step, not address "
                                 "space; collectors differ between steps when the ingested archives do"]
    if empty:
        every.append(f"{len(empty)} steps have no observed crossing and are left out: {', '.join(empty[:5])}"
                     f"{' ...' if len(empty) > 5 else ''}")
    return assemble_timeline(f"{cc.upper()} border providers observed in archives", steps, step_point, points, top,
                             threshold, every, "border_share")
