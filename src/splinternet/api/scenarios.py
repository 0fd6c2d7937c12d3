"""What if ASes left (or only their links into the country): routes re-selected, before and after compared."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..analysis.org_merge import find_organization
from ..analysis.scenario import Scenario, compile_overlay
from ..analysis.whatif import WhatIfReport, compare_scenario
from ..errors import ParameterError
from ..progress import NO_PROGRESS, Progress
from ..sources.asorg import OrgTable
from ..sources.snapshot import DatasetChoices, Snapshot, snapshot_for
from ..tables.topology import ASGraph
from .providers import TransitOptions, country_membership, simulated_report, with_sources

__all__ = ["whatif"]


def whatif(cc: str, date: str | dt.date | None, without: Sequence[int] = (), *, without_orgs: Sequence[str] = (),
           links_only: bool = False, options: TransitOptions = TransitOptions(), snapshot: Snapshot | None = None,
           uses: DatasetChoices | None = None, progress: Progress = NO_PROGRESS) -> WhatIfReport:
    """Remove ASes (or only their links into the country), re-run route selection, compare with before.

    ``without_orgs`` names organizations (CAIDA org id, or name: see ``find_organization``)
    whose every AS in the AS graph is removed too; the report lists them and those ASes.
    """
    if not without and not without_orgs:
        raise ParameterError("name at least one AS or organization to remove")
    snapshot = snapshot_for(date, snapshot, uses=uses, progress=progress)
    membership = country_membership(snapshot, cc, view=options.view, weighting=options.weighting)
    origins = membership.origins
    graph = snapshot.graph()
    orgs = snapshot.orgs()
    removed_orgs = _organizations(graph, orgs, without_orgs)
    every = list(dict.fromkeys([*(int(a) for a in without), *(a for o in removed_orgs for a in o["asns"])]))
    scenario = Scenario()
    for asn in every:
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
    if removed_orgs:
        report = replace(report, organizations=removed_orgs, removal_text=_orgs_text(removed_orgs, links_only)
                         + " " + report.removal_text)
    notes = list(sourced.notes)
    if not links_only:  # a reader comparing "before" with the transit report must learn why they differ
        notes.append(SAME_VANTAGES_NOTE)
    return replace(report, before=sourced, after=replace(scen_report, sources=sourced.sources), notes=notes)


SAME_VANTAGES_NOTE = ("before and after are seen from the same vantage points, so the removed ASes are not "
                      "vantage points in either: the shares before differ slightly from the country's transit "
                      "report, which counts them")


def _organizations(graph: ASGraph, orgs: OrgTable, queries: Sequence[str]) -> list[dict[str, Any]]:
    """Each named organization with the ASes of it that the AS graph holds (the others cannot be removed)."""
    out: list[dict[str, Any]] = []
    for query in queries:
        org = find_organization(orgs, query)
        present = org.asns[graph.index_of(org.asns) >= 0]
        if not len(present):
            raise ParameterError(f"none of the {len(org.asns)} ASes of {org.name} ({org.org_id}) is in the AS graph "
                                 "of this date", parameter="without_orgs")
        out.append({**org.to_dict(), "asns": [int(a) for a in present.tolist()],
                    "asns_not_in_graph": int(len(org.asns) - len(present))})
    return out


def _orgs_text(rows: list[dict[str, Any]], links_only: bool) -> str:
    """Which organizations the scenario takes away, and through which of their ASes."""
    how = "cut off from the country" if links_only else "removed"
    return " ".join(f"Organization {r['name']} ({r['org_id']}): its {len(r['asns'])} AS"
                    f"{'' if len(r['asns']) == 1 else 'es'} in the AS graph {how} "
                    f"({', '.join(f'AS{a}' for a in r['asns'])})." for r in rows)
