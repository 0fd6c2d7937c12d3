"""What if ASes left (or only their links into the country): routes re-selected, before and after compared."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from ..analysis.scenario import Scenario, compile_overlay
from ..analysis.whatif import WhatIfReport, compare_scenario
from ..errors import ParameterError
from ..progress import NO_PROGRESS, Progress
from ..sources.snapshot import Snapshot
from .providers import TransitOptions, country_membership, simulated_report, with_sources

__all__ = ["whatif"]


def whatif(cc: str, date: str | dt.date | None, without: Sequence[int], *, links_only: bool = False,
           options: TransitOptions = TransitOptions(), snapshot: Snapshot | None = None,
           progress: Progress = NO_PROGRESS) -> WhatIfReport:
    """Remove ASes (or only their links into the country), re-run route selection, compare with before."""
    if not without:
        raise ParameterError("name at least one AS to remove")
    snapshot = snapshot or Snapshot.for_date(date, progress=progress)
    membership = country_membership(snapshot, cc, view=options.view, weighting=options.weighting)
    origins = membership.origins
    graph = snapshot.graph()
    orgs = snapshot.orgs()
    scenario = Scenario()
    for asn in without:
        graph.require_index(asn)
        scenario = scenario.without_links_to(asn, origins.domestic) if links_only else scenario.without_as(asn)
    overlay = compile_overlay(graph, scenario)
    # the same vantage points before and after: removed ASes are not vantage points in either
    eligible = overlay.node_enabled.copy()
    base_report, base = simulated_report(snapshot, origins, options, eligible=eligible, progress=progress)
    scen_report, scen = simulated_report(snapshot, origins, options, overlay=overlay, eligible=eligible,
                                         progress=progress)
    day = snapshot.date_text
    report = compare_scenario(origins, graph, orgs, base, scen, base_report, scen_report, overlay,
                              scenario.describe(), date=day, top=options.top)
    sourced = with_sources(base_report, snapshot, membership.notes)
    return replace(report, before=sourced, after=replace(scen_report, sources=sourced.sources), notes=sourced.notes)
