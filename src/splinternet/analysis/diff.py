"""What changed for a country between two dates: its international links, shares, single-homed networks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, ClassVar

import numpy as np

from ..sources.asorg import OrgTable
from ..tables.topology import ASGraph
from .border_links import CUSTOMER, PEER, PROVIDER, border_links, changed_links, lost_links
from .country import CountryOrigins
from .results import Result
from .transit import TransitReport
from .whatif import provider_counts

__all__ = ["DiffReport", "SHOWN_CHANGE", "compare_dates", "shown_rows"]

SHOWN_CHANGE = 0.0005
"""A share change smaller than this prints as ±0.0 points at one decimal: counted as compared, not as moved."""

_ROLE = {PROVIDER: "provider", PEER: "peer", CUSTOMER: "customer"}  # what the foreign AS is to the domestic one


@dataclass(frozen=True, repr=False)
class DiffReport(Result):
    """Links lost, gained and changed across the border, shares moved, new single-homed networks.

    A link is an AS pair: one present on both dates with another relationship (peer on the
    first, provider on the second) is in ``links_changed``, not lost and gained.

    Shares are compared over every AS with a share on either date (not only the ranked rows
    of ``before``/``after``, which are cut for display): an AS below the cut keeps its real
    share instead of reading as 0. Every list is cut at the report's depth and its total
    stands beside it: ``links_lost_count`` (and gained, changed), ``shares_moved_count`` (moved by at least
    :data:`SHOWN_CHANGE`) out of ``shares_compared``, and the same for gateways.
    """

    _tables: ClassVar[tuple[str, ...]] = ('shares_moved', 'gateways_moved', 'links_lost', 'links_gained',
                                             'links_changed', 'new_single_homed')

    cc: str
    date_from: str
    date_to: str
    before: TransitReport
    after: TransitReport
    links_lost: list[dict[str, Any]]
    links_gained: list[dict[str, Any]]
    links_changed: list[dict[str, Any]]
    links_lost_count: int
    links_gained_count: int
    links_changed_count: int
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

    def describe(links: dict[tuple[int, int], dict[str, str]]) -> list[dict[str, Any]]:
        """Rows of the heaviest ``top * 4`` links; ``links`` maps a (foreign, domestic) pair to its role field(s)."""
        ordered = sorted(links, key=lambda x: (-weight.get(x[0], 0.0), x[0], x[1]))[: top * 4]
        if not ordered:
            return []
        far = np.array([x[0] for x in ordered], dtype=np.uint32)
        dom = np.array([x[1] for x in ordered], dtype=np.uint32)
        dn, da, fn, fa = orgs.names(dom), orgs.aut_names(dom), orgs.names(far), orgs.aut_names(far)
        fc = orgs.countries(far)
        return [{"domestic_asn": d, "domestic_name": str(a), "domestic_as_name": str(a2), "foreign_asn": f,
                 "foreign_name": str(b), "foreign_as_name": str(b2), "foreign_country": str(c), **links[(f, d)]}
                for (f, d), a, a2, b, b2, c in zip(ordered, dn, da, fn, fa, fc, strict=True)]

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

    lost = {(f, d): {"foreign_role": _ROLE[r]} for f, d, r in lost_links(links_a, links_b).tolist()}
    gained = {(f, d): {"foreign_role": _ROLE[r]} for f, d, r in lost_links(links_b, links_a).tolist()}
    changed = {(f, d): {"foreign_role_before": _ROLE[r], "foreign_role": _ROLE[after]}
               for f, d, r, after in changed_links(links_a, links_b).tolist()}
    shares, shares_count, shares_compared = moved(report_from.providers, report_to.providers, "border_share")
    gates, gates_count, gates_compared = moved(report_from.gateways, report_to.gateways, "gateway_share")
    return DiffReport(
        cc=origins_to.cc, date_from=report_from.date, date_to=report_to.date,
        before=shown_rows(report_from, top), after=shown_rows(report_to, top),
        links_lost=describe(lost), links_gained=describe(gained), links_changed=describe(changed),
        links_lost_count=len(lost), links_gained_count=len(gained), links_changed_count=len(changed),
        shares_moved=shares, shares_moved_count=shares_count, shares_compared=shares_compared,
        gateways_moved=gates, gateways_moved_count=gates_count, gateways_compared=gates_compared,
        new_single_homed=_new_single_homed(graph_from, graph_to, domestic, origins_to, orgs),
    )


def _new_single_homed(graph_from: ASGraph, graph_to: ASGraph, domestic: np.ndarray, origins_to: CountryOrigins,
                      orgs: OrgTable) -> list[dict[str, Any]]:
    """Networks with one provider on the second date that had none, several or another one on the first.

    Each row says what the network had before (``providers_before``; ``in_graph_before`` false
    for a network new in the AS graph) and the share of the country's space it originates
    on the second date (``country_share``), which orders the rows.
    """
    ups_a = provider_counts(graph_from, domestic, None)
    ups_b = provider_counts(graph_to, domestic, None)
    in_a = graph_from.index_of(domestic) >= 0
    share = dict(zip(origins_to.asns.tolist(), origins_to.weight.tolist(), strict=True))
    rows = []
    for asn, before, after, known in zip(domestic.tolist(), ups_a, ups_b, in_a.tolist(), strict=True):
        if len(after) != 1:
            continue
        providers_before = sorted(int(a) for a in graph_from.asns[before].tolist())
        provider = int(graph_to.asns[after[0]])
        if providers_before != [provider]:
            rows.append({"asn": asn, "provider": provider, "providers_before": providers_before,
                         "in_graph_before": bool(known), "country_share": share.get(asn, 0.0)})
    rows.sort(key=lambda r: (-r["country_share"], r["asn"]))
    singles = np.array([r["asn"] for r in rows], dtype=np.uint32)
    uppers = np.array([r["provider"] for r in rows], dtype=np.uint32)
    names, aut, ups, ups_aut = orgs.names(singles), orgs.aut_names(singles), orgs.names(uppers), orgs.aut_names(uppers)
    return [{"asn": r["asn"], "name": str(n), "as_name": str(an), "country_share": r["country_share"],
             "provider": r["provider"], "provider_name": str(un), "provider_as_name": str(ua),
             "providers_before": r["providers_before"], "in_graph_before": r["in_graph_before"]}
            for r, n, an, un, ua in zip(rows, names, aut, ups, ups_aut, strict=True)]
