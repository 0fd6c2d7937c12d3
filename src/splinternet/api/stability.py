"""A simulated transit report with how robust its headline ranks are (``TransitOptions(stability=True)``).

``api.providers.transit`` calls :func:`stability_report` with a runner of its own
simulation (so this module does not import the one that calls it).

The variants are the honest alternatives docs/methodology.md lists: the other tie rules
(one propagation each), random tie orders with each AS its own (two seeds, one
propagation each), the other vantage schemes (extra columns of the headline's own
propagation, so free of a second run), the CAIDA AS relationships of the previous and
next month (one propagation each), and the month's own links less those neither
neighbouring month infers the same (one propagation). The headline itself is column 0
of the first run, so it is exactly the report a plain run gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..analysis.country import CountryOrigins
from ..analysis.flow_measures import (
    GRAPH_SCHEMES,
    FlowMeasures,
    TieRule,
    VantageScheme,
    originated_space,
)
from ..analysis.org_merge import Grouping
from ..analysis.org_stability import org_stability
from ..analysis.stability import TABLES, Ranking, flow_rankings, headline_stability
from ..analysis.transit import TransitReport, transit_report
from ..analysis.transit_evidence import PathEvidence
from ..errors import DataNotFoundError, DownloadError, InputError, IntegrityError
from ..sources.asorg import OrgTable
from ..sources.catalog import list_releases
from ..sources.snapshot import DatasetChoice, Snapshot
from ..tables.topology import ASGraph

__all__ = ["CONFIRMED", "FlowRunner", "NeighbourGraphs", "RANDOM_TIE_SEEDS", "neighbour_graphs", "neighbour_snapshots",
           "stability_report"]

# (graph, tie rule, further vantage schemes, originated space or None, random tie seed or None)
# -> the flows of the caller's options with that tie rule (or those random tie orders) on
# that graph, and the evidence a report reads
FlowRunner = Callable[[ASGraph, TieRule, tuple[VantageScheme, ...], np.ndarray | None, int | None],
                      tuple[PathEvidence, FlowMeasures]]
RANDOM_TIE_SEEDS = (1, 2)  # each AS its own random tie order: two draws of unknown tie-breakers
CONFIRMED = "links: confirmed by a neighbouring month"

_ASREL = "caida-asrel"
_UNREADABLE = (DataNotFoundError, DownloadError, InputError, IntegrityError)


def stability_report(snapshot: Snapshot, origins: CountryOrigins, run: FlowRunner, *, ties: TieRule,
                     vantages: VantageScheme | None, top: int, rows: int, by: Grouping = Grouping.AS
                     ) -> tuple[TransitReport, PathEvidence]:
    """The simulated report of ``run`` with ``evidence["stability"]``: rank ranges over the variants.

    ``ties`` and ``vantages`` are the caller's (``vantages`` None: vantage points chosen by
    AS number, so there is no scheme to vary); ``rows`` top rows of each table are followed,
    per AS or, ``by`` org, per organization (every variant merged as the org report merges).
    """
    graph, pfx4, orgs = snapshot.graph(), snapshot.pfx2as(4), snapshot.orgs()
    space = originated_space(graph, pfx4)
    # the collectors scheme needs the date's MRT archives: a variant only when it is the headline's own
    others = () if vantages is None else tuple(s for s in GRAPH_SCHEMES if s is not vantages)
    evidence, flows = run(graph, ties, others, space, None)
    report = transit_report(evidence, origins, orgs, graph, date=snapshot.date_text, top=top, flows=flows,
                            by=by)
    variants: dict[str, dict[str, Ranking]] = {f"vantages: {s.value}": flow_rankings(flows, k)
                                               for k, s in enumerate(others, 1)}
    left_out = [] if others else ["vantages: none, the vantage points were chosen by the caller"]
    for rule in TieRule:
        if rule is not ties:
            variants[f"ties: {rule.value}"] = flow_rankings(run(graph, rule, (), space, None)[1])
    for seed in RANDOM_TIE_SEEDS:
        variants[f"ties: random per AS {seed}"] = flow_rankings(run(graph, ties, (), space, seed)[1])
    found = neighbour_graphs(snapshot)
    left_out += found.left_out
    inputs = list(found.inputs)
    months = [other for _, other in found.graphs]
    for label, other in found.graphs:
        variants[label] = flow_rankings(run(other, ties, (), None, None)[1])
    if months:  # the month's own links, less those no neighbouring month infers the same; the same ASes, so space
        variants[CONFIRMED] = flow_rankings(run(graph.confirmed_by(months), ties, (), space, None)[1])
    else:
        left_out.append(f"{CONFIRMED}: no neighbouring month to confirm links with")
    default = flow_rankings(flows)
    if Grouping(by) is Grouping.ORG:
        stability = org_stability(default, variants, orgs, rows=rows, left_out=left_out, inputs=inputs)
    else:
        stability = headline_stability(default, variants, rows=rows, names=_names(orgs, default, variants, rows),
                                       left_out=left_out, inputs=inputs)
    report.evidence["stability"] = stability.to_dict()
    return report, evidence


@dataclass(frozen=True)
class NeighbourGraphs:
    """The AS relationships of the neighbouring months that could be read, and why the others could not."""

    graphs: list[tuple[str, ASGraph]]  # (label, graph): "month: 2022-02-01"
    left_out: list[str]  # "label: why", and the damage notes of the files read
    inputs: list[dict[str, object]]  # provenance rows of the files read, each with its label as "variant"


def neighbour_graphs(snapshot: Snapshot) -> NeighbourGraphs:
    """The neighbouring months' AS relationships (:func:`neighbour_snapshots`), read once per snapshot."""
    def read() -> NeighbourGraphs:
        graphs: list[tuple[str, ASGraph]] = []
        left_out: list[str] = []
        inputs: list[dict[str, object]] = []
        for label, neighbour, why in neighbour_snapshots(snapshot):
            if neighbour is None:
                left_out.append(f"{label}: {why}")
                continue
            try:
                graphs.append((label, neighbour.graph()))
            except _UNREADABLE as exc:
                left_out.append(f"{label}: its AS relationships could not be read: {exc}")
                continue
            inputs += [{**row, "variant": label} for row in neighbour.provenance() if row["dataset"] == _ASREL]
            left_out += [f"{label}: {note}" for note in neighbour.damage_notes()]
        return NeighbourGraphs(graphs, left_out, inputs)

    return snapshot.derived("neighbour-graphs", read)


def neighbour_snapshots(snapshot: Snapshot) -> list[tuple[str, Snapshot | None, str]]:
    """(label, snapshot, why not) for the AS relationships of the month before and after the snapshot's.

    Each neighbour is the snapshot with only the CAIDA AS relationships moved (its other
    tables are shared). A month the archive lacks, or one not published yet, comes back
    as None with the reason, so the caller says so instead of failing.
    """
    choice = snapshot.choices.get(_ASREL)
    if choice is not None and choice.path is not None:
        return [("months", None, "the AS relationships were given as a file, so there is no neighbouring month")]
    try:
        released = snapshot.release(_ASREL).released
    except _UNREADABLE as exc:
        return [("months", None, f"the snapshot's own AS relationships have no release: {exc}")]
    month = dt.datetime(released.year, released.month, 1)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    shared = {k: v for k, v in snapshot.date_wide_tables().items() if k != "graph"}
    out: list[tuple[str, Snapshot | None, str]] = []
    for side, start in (("previous", _add_months(month, -1)), ("next", _add_months(month, 1))):
        label = f"month: {start:%Y-%m}"
        if start > now:
            out.append((label, None, f"the {side} month's AS relationships are not published yet"))
            continue
        try:
            found = [stamp for stamp, _ in list_releases(_ASREL, start, _add_months(start, 1),
                                                         settings=snapshot.settings)]
        except _UNREADABLE as exc:
            out.append((label, None, f"the {side} month's releases could not be listed: {exc}"))
            continue
        if not found:
            out.append((label, None, f"no CAIDA AS-relationship release of the {side} month in the archive"))
            continue
        stamp = min(found)
        neighbour = Snapshot.for_date(snapshot.date, settings=snapshot.settings, strict=snapshot.strict,
                                      allow_damaged=snapshot.allow_damaged, progress=snapshot.progress,
                                      choices={**snapshot.choices, _ASREL: DatasetChoice(date=stamp)})
        neighbour.adopt_tables(shared)
        out.append((f"month: {stamp:%Y-%m-%d}", neighbour, ""))
    return out


def _add_months(month: dt.datetime, count: int) -> dt.datetime:
    index = month.year * 12 + month.month - 1 + count
    return dt.datetime(index // 12, index % 12 + 1, 1)


def _names(orgs: OrgTable, default: dict[str, Ranking], variants: dict[str, dict[str, Ranking]],
           rows: int) -> dict[int, str]:
    """Organization names of every AS a table's top ``rows`` holds in the default or any variant."""
    asns: set[int] = set()
    for ranking in (default, *variants.values()):
        for table in TABLES:
            r = ranking[table]
            asns.update(r.asns[np.argsort(-r.shares, kind="stable")[:rows]].tolist())
    ordered = np.array(sorted(asns), dtype=np.uint32)
    return dict(zip(ordered.tolist(), (str(n) for n in orgs.names(ordered)), strict=True))

