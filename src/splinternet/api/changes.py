"""What changed for a country between two dates: border links, provider shares, single-homed networks."""

from __future__ import annotations

import datetime as dt

from ..analysis.diff import DiffReport, compare_dates
from ..config import Settings
from ..errors import ParameterError
from ..progress import NO_PROGRESS, Progress
from ..sources.snapshot import DatasetChoices, Snapshot
from . import params
from .providers import TransitOptions, country_membership, simulated_report, with_sources

__all__ = ["diff"]


def diff(cc: str, date_from: str | dt.date, date_to: str | dt.date, *, options: TransitOptions = TransitOptions(),
         prefixes_date: str | dt.date | None = None, settings: Settings | None = None,
         progress: Progress = NO_PROGRESS, strict: bool = False, allow_damaged: bool = False,
         uses: DatasetChoices | None = None) -> DiffReport:
    """Transit of ``cc`` on two dates and what moved between them; the dates must be a release apart.

    ``uses`` replaces the catalog's release of single datasets on both dates (never the AS
    relationships: they are what is compared).
    """
    params.topology_not_chosen(uses, "a diff compares the AS relationships of two dates")
    snaps = [Snapshot.for_date(d, settings=settings, prefixes_date=prefixes_date, progress=progress, strict=strict,
                               allow_damaged=allow_damaged, choices=uses)
             for d in (date_from, date_to)]
    first, second = snaps[0].date, snaps[1].date
    if first and second and first >= second:
        raise ParameterError(f"the first date ({snaps[0].date_text}) must come before the second "
                             f"({snaps[1].date_text})", parameter="date_from")
    # refused before minutes of computing: the same graph twice has nothing to compare
    asrel = [s.release("caida-asrel") for s in snaps]
    if asrel[0].url == asrel[1].url:
        raise ParameterError(f"both dates resolve to the same AS-relationship release ({asrel[0].released:%Y-%m-%d}); "
                             "pick dates a release apart")
    results = []
    for snap in snaps:
        membership = country_membership(snap, cc, view=options.view, weighting=options.weighting)
        graph = snap.graph()
        # every AS with a share is ranked (len(graph) rows at most): the shares are compared in full, cut after
        report, _ = simulated_report(snap, membership.origins, options, top=len(graph), progress=progress)
        report = with_sources(report, snap, membership.notes)
        results.append((membership.origins, graph, report))
    (o1, g1, r1), (o2, g2, r2) = results
    return compare_dates(o1, o2, g1, g2, r1, r2, snaps[1].orgs(), top=options.top)
