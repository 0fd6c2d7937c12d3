"""What changed for a country between two dates: its international links, shares, single-homed networks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, ClassVar

import numpy as np

from ..sources.asorg import OrgTable
from ..tables.topology import ASGraph
from .country import CountryOrigins
from .results import Result
from .transit import TransitReport
from .whatif import provider_counts

__all__ = ["DiffReport", "SHOWN_CHANGE", "border_links", "compare_dates", "shown_rows"]

SHOWN_CHANGE = 0.0005
"""A share change smaller than this prints as ±0.0 points at one decimal: counted as compared, not as moved."""

_REL = {0: "peer", 1: "provider", 2: "customer"}  # what the foreign AS is to the domestic one


def border_links(graph: ASGraph, domestic: np.ndarray) -> set[tuple[int, int, str]]:
    """Every (domestic AS, foreign AS, role of the foreign AS) link of the graph."""
    is_dom = np.zeros(len(graph), dtype=bool)
    idx = graph.index_of(domestic)
    is_dom[idx[idx >= 0]] = True
    links: set[tuple[int, int, str]] = set()
    for code, (ptr, ind) in ((1, (graph.provider_indptr, graph.provider_indices)),
                             (2, (graph.customer_indptr, graph.customer_indices)),
                             (0, (graph.peer_indptr, graph.peer_indices))):
        src = np.repeat(np.arange(len(graph)), np.diff(ptr))
        keep = is_dom[src] & ~is_dom[ind]
        for d, f in zip(graph.asns[src[keep]].tolist(), graph.asns[ind[keep]].tolist(), strict=True):
            links.add((d, f, _REL[code]))
    return links


@dataclass(frozen=True, repr=False)
class DiffReport(Result):
    """Links lost and gained across the border, shares moved, new single-homed networks.

    Shares are compared over every AS with a share on either date (not only the ranked rows
    of ``before``/``after``, which are cut for display): an AS below the cut keeps its real
    share instead of reading as 0. Every list is cut at the report's depth and its total
    stands beside it: ``links_lost_count``, ``shares_moved_count`` (moved by at least
    :data:`SHOWN_CHANGE`) out of ``shares_compared``, and the same for gateways.
    """

    _tables: ClassVar[tuple[str, ...]] = ('shares_moved', 'gateways_moved', 'links_lost', 'links_gained', 'new_single_homed')

    cc: str
    date_from: str
    date_to: str
    before: TransitReport
    after: TransitReport
    links_lost: list[dict[str, Any]]
    links_gained: list[dict[str, Any]]
    links_lost_count: int
    links_gained_count: int
    shares_moved: list[dict[str, Any]]
    shares_moved_count: int
    shares_compared: int
    gateways_moved: list[dict[str, Any]]
    gateways_moved_count: int
    gateways_compared: int
    new_single_homed: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def shown_rows(report: TransitReport, top: int) -> TransitReport:
    """The report with ``top`` rows per ranking: each is a prefix of the full ranking, figures unchanged."""
    return replace(report, providers=report.providers[:top], gateways=report.gateways[:top],
                   transit=report.transit[:top])


def _single_homed_map(graph: ASGraph, domestic: np.ndarray) -> dict[int, int]:
    providers = provider_counts(graph, domestic, None)
    return {asn: int(graph.asns[ups[0]]) for asn, ups in zip(domestic.tolist(), providers, strict=True)
            if len(ups) == 1}


def compare_dates(
    origins_from: CountryOrigins,
    origins_to: CountryOrigins,
    graph_from: ASGraph,
    graph_to: ASGraph,
    report_from: TransitReport,
    report_to: TransitReport,
    orgs: OrgTable,
    *,
    top: int = 25,
) -> DiffReport:
    """Compare the country on two dates; links use the domestic set of each date.

    ``report_from``/``report_to`` must rank every AS with a share (they are the full
    vectors compared); the result holds them cut to ``top`` rows.
    """
    domestic = np.union1d(origins_from.domestic, origins_to.domestic)
    links_a = border_links(graph_from, domestic)
    links_b = border_links(graph_to, domestic)
    weight: dict[int, float] = {}
    for r in (*report_from.providers, *report_to.providers):  # a link is as important as its AS on either date
        for asn, share in ([(m["asn"], m["border_share"]) for m in r.members or ()] if r.members
                           else [(r.asn, r.border_share)]):
            weight[asn] = max(weight.get(asn, 0.0), share)

    def describe(links: set[tuple[int, int, str]]) -> list[dict[str, Any]]:
        ordered = sorted(links, key=lambda x: (-weight.get(x[1], 0.0), x[1], x[0]))[: top * 4]
        if not ordered:
            return []
        dom = np.array([x[0] for x in ordered], dtype=np.uint32)
        far = np.array([x[1] for x in ordered], dtype=np.uint32)
        dn, da, fn, fa = orgs.names(dom), orgs.aut_names(dom), orgs.names(far), orgs.aut_names(far)
        fc = orgs.countries(far)
        return [{"domestic_asn": d, "domestic_name": str(a), "domestic_as_name": str(a2), "foreign_asn": f,
                 "foreign_name": str(b), "foreign_as_name": str(b2), "foreign_country": str(c), "foreign_role": role}
                for (d, f, role), a, a2, b, b2, c in zip(ordered, dn, da, fn, fa, fc, strict=True)]

    def moved(rows_a: list[Any], rows_b: list[Any], key: str) -> tuple[list[dict[str, Any]], int, int]:
        # an organization's row (by org) is matched by its org id: its leading AS may differ between dates
        a = {getattr(r, "org_id", None) or r.asn: (r.name, getattr(r, key), r.as_name, r.asn) for r in rows_a}
        b = {getattr(r, "org_id", None) or r.asn: (r.name, getattr(r, key), r.as_name, r.asn) for r in rows_b}
        out = []
        for k in set(a) | set(b):
            name, _, as_name, asn = a[k] if k in a else b[k]
            row = {"asn": asn, "name": name, "as_name": as_name, "before": a.get(k, (None, 0.0))[1],
                   "after": b.get(k, (None, 0.0))[1]}
            if isinstance(k, str):
                row["org_id"] = k
            out.append(row)
        for row in out:
            row["change"] = row["after"] - row["before"]
        ranked = sorted(out, key=lambda r: (-abs(r["change"]), r["asn"]))
        return ranked[:top], sum(abs(r["change"]) >= SHOWN_CHANGE for r in ranked), len(ranked)

    single_a = _single_homed_map(graph_from, domestic)
    single_b = _single_homed_map(graph_to, domestic)
    new_single = [(asn, up) for asn, up in single_b.items() if single_a.get(asn) != up]
    singles = np.array([a for a, _ in new_single], dtype=np.uint32)
    uppers = np.array([u for _, u in new_single], dtype=np.uint32)
    names, aut, ups, ups_aut = orgs.names(singles), orgs.aut_names(singles), orgs.names(uppers), orgs.aut_names(uppers)
    shares, shares_count, shares_compared = moved(report_from.providers, report_to.providers, "border_share")
    gates, gates_count, gates_compared = moved(report_from.gateways, report_to.gateways, "gateway_share")
    return DiffReport(
        cc=origins_to.cc, date_from=report_from.date, date_to=report_to.date,
        before=shown_rows(report_from, top), after=shown_rows(report_to, top),
        links_lost=describe(links_a - links_b), links_gained=describe(links_b - links_a),
        links_lost_count=len(links_a - links_b), links_gained_count=len(links_b - links_a),
        shares_moved=shares, shares_moved_count=shares_count, shares_compared=shares_compared,
        gateways_moved=gates, gateways_moved_count=gates_count, gateways_compared=gates_compared,
        new_single_homed=[{"asn": a, "name": str(n), "as_name": str(an), "provider": u, "provider_name": str(un),
                           "provider_as_name": str(ua), "before": single_a.get(a)}
                          for (a, u), n, an, un, ua in zip(new_single, names, aut, ups, ups_aut, strict=True)],
    )
