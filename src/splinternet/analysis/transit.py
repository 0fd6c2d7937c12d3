"""Who carries a country to the world: the measures of docs/methodology.md from path evidence.

``transit_report`` turns :class:`PathEvidence` into ranked tables: international
transit providers (foreign ASes handing traffic to the first domestic network), domestic
gateways (the first domestic networks), and transit shares with a 10% trimmed mean over
vantage points, after the AS hegemony method.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..sources.asorg import OrgTable
from ..tables.topology import ASGraph
from .country import CountryOrigins
from .org_merge import Grouping, ReportVectors, org_groups, org_tables
from .results import Result
from .scenario import Overlay
from .transit_evidence import PathEvidence

if TYPE_CHECKING:
    from .flow_measures import FlowMeasures

__all__ = ["GatewayRow", "ORG_ROW_FIELDS", "ProviderRow", "SHAKY_HANDOFF", "TransitReport", "rests_on_one_month", "single_homed",
           "summarize", "transit_report", "trimmed_mean"]

TRIM = 0.10
ORG_ROW_FIELDS = ("org_id", "members", "transit_bounds")  # set on organizations' rows only


def trimmed_mean(values: np.ndarray, trim: float = TRIM) -> np.ndarray:
    """Column-wise mean after dropping the lowest and highest ``trim`` share of rows."""
    if values.shape[0] == 0:
        return np.full(values.shape[1], np.nan)
    cut = int(np.floor(values.shape[0] * trim))
    ordered = np.sort(values, axis=0)
    kept = ordered[cut: values.shape[0] - cut] if values.shape[0] - 2 * cut > 0 else ordered
    return kept.mean(axis=0)


def single_homed(graph: ASGraph, domestic: np.ndarray, overlay: Overlay | None = None, *,
                 group: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per AS (graph order): domestic networks whose only provider is it, and whose only foreign provider is it.

    Counts use the providers each domestic AS still has under ``overlay`` (a scenario).
    With ``group`` (a group index per AS, graph order: its organization), counts are per
    group: a network whose (foreign) providers all belong to one group counts for it.
    """
    n = len(graph)
    of = np.arange(n, dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
    size = int(of.max()) + 1 if len(of) else 0
    only = np.zeros(size, dtype=np.int64)
    only_foreign = np.zeros(size, dtype=np.int64)
    is_dom = np.zeros(n, dtype=bool)
    d_idx = graph.index_of(domestic)
    is_dom[d_idx[d_idx >= 0]] = True
    providers = _provider_lists(graph, overlay)
    for d in np.flatnonzero(is_dom):
        up_idx = providers(d)
        ups = of[up_idx]
        if len(ups) and np.all(ups == ups[0]):
            only[ups[0]] += 1
        foreign = ups[~is_dom[up_idx]]
        if len(foreign) and np.all(foreign == foreign[0]):
            only_foreign[foreign[0]] += 1
    return only, only_foreign


def _single_homed_by_org(graph: ASGraph, orgs: OrgTable, domestic: np.ndarray, overlay: Overlay | None
                         ) -> dict[str, tuple[int, int]]:
    """Org id -> (networks whose providers all belong to it, networks whose foreign providers all do)."""
    groups = org_groups(orgs, graph.asns)
    only, only_foreign = single_homed(graph, domestic, overlay, group=groups.group)
    return {str(k): (int(only[g]), int(only_foreign[g])) for g, k in enumerate(groups.ids.tolist())
            if only[g] or only_foreign[g]}


def _provider_lists(graph: ASGraph, overlay: Overlay | None):  # noqa: ANN202 - closure over CSR arrays
    if overlay is None:
        return lambda d: graph.provider_indices[graph.provider_indptr[d]:graph.provider_indptr[d + 1]]
    net = overlay.arrays
    p_ptr, p_idx, p_ok = net.provider_ptr, net.provider_idx, net.provider_ok
    xp_ptr, xp_idx, xp_ok = net.added_provider_ptr, net.added_provider_idx, net.added_provider_ok
    node_ok = overlay.node_enabled

    def providers(d: int) -> np.ndarray:
        if not node_ok[d]:
            return np.zeros(0, dtype=np.int64)
        base = p_idx[p_ptr[d]:p_ptr[d + 1]][p_ok[p_ptr[d]:p_ptr[d + 1]]]
        extra = xp_idx[xp_ptr[d]:xp_ptr[d + 1]][xp_ok[xp_ptr[d]:xp_ptr[d + 1]]]
        ups = np.concatenate((base, extra)).astype(np.int64)
        return ups[node_ok[ups]]

    return providers


@dataclass(frozen=True)
class ProviderRow:
    """A foreign network that hands the country's inbound traffic to a domestic network."""

    asn: int
    name: str
    as_name: str  # the AS's own name (CAIDA aut_name); ``name`` is its organization's
    country: str
    border_share: float
    transit_share: float | None  # trimmed mean over vantages; None if not among the candidates (or an org row)
    transit_mean: float | None  # None on an organization's row: see transit_bounds
    networks_served: int
    served: list[dict[str, Any]]
    single_homed: int
    single_foreign_upstream: int
    customer_base: dict[str, float]  # empty on an organization's row: each member has its own
    # an organization's row (``by`` org): its CAIDA org id, its ASes with a share (each with its
    # own figures) and the bounds of its transit share (largest member, sum of members)
    org_id: str | None = None
    members: list[dict[str, Any]] | None = None
    transit_bounds: dict[str, float] | None = None
    # share of its border share handed over on links neither neighbouring month's CAIDA relationships
    # confirm (analysis/handoff_links); None when not checked (observed paths, no neighbouring month)
    unconfirmed_handoff: float | None = None


@dataclass(frozen=True)
class GatewayRow:
    """A domestic network that receives the country's inbound traffic from abroad."""

    asn: int
    name: str
    as_name: str
    gateway_share: float
    transit_share: float | None
    transit_mean: float | None
    foreign_providers: int
    origin_share: float
    org_id: str | None = None  # an organization's row: as on ProviderRow
    members: list[dict[str, Any]] | None = None
    transit_bounds: dict[str, float] | None = None
    unconfirmed_handoff: float | None = None  # as on ProviderRow: of the share it receives from abroad


@dataclass(frozen=True, repr=False)
class TransitReport(Result):
    """The answer to "who carries this country to the world", with its evidence and inputs."""

    _tables: ClassVar[tuple[str, ...]] = ('providers', 'gateways', 'transit')

    cc: str
    date: str
    evidence: dict[str, Any]
    membership: dict[str, Any]
    providers: list[ProviderRow]
    gateways: list[GatewayRow]
    transit: list[dict[str, Any]]
    summary: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # rows each table had before the ``top`` cut (providers, gateways, transit), so a cut list says "N of M"
    row_counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


class _NameBook:
    """Display name, AS name and country of a set of ASes, looked up in one batch (a report names hundreds)."""

    def __init__(self, orgs: OrgTable, asns: np.ndarray) -> None:
        distinct = np.unique(np.asarray(asns, dtype=np.uint32))
        keys = distinct.tolist()
        self.name = dict(zip(keys, (str(x) for x in orgs.names(distinct)), strict=True))
        self.aut = dict(zip(keys, (str(x) for x in orgs.aut_names(distinct)), strict=True))
        self.country = dict(zip(keys, (str(x) for x in orgs.countries(distinct)), strict=True))


def _positions(asns: np.ndarray, wanted: list[int]) -> list[int]:
    """Where each of ``wanted`` (all present) sits in ``asns``: a search when ``asns`` is sorted, as a
    graph's are (a dict over every AS cost more than the report's rows), else a dict."""
    keys = np.asarray(wanted, dtype=asns.dtype)
    at = np.searchsorted(asns, keys)
    if len(asns) and np.all(asns[:-1] <= asns[1:]) and np.array_equal(asns[np.minimum(at, len(asns) - 1)], keys):
        return at.tolist()
    position = dict(zip(asns.tolist(), range(len(asns)), strict=True))
    return [position[a] for a in wanted]


def transit_report(
    evidence: PathEvidence,
    origins: CountryOrigins,
    orgs: OrgTable,
    graph: ASGraph,
    *,
    date: str,
    overlay: Overlay | None = None,
    top: int = 25,
    served_per_provider: int = 10,
    flows: FlowMeasures | None = None,
    by: Grouping | str = Grouping.AS,
) -> TransitReport:
    """Rank providers, gateways and transit ASes; every share is in [0, 1].

    With ``flows`` (column 0 of :func:`flow_measures.flow_measures`, on the same graph),
    border, gateway and transit figures come from it (tied routes split, vantage points
    weighted) and transit ASes are ranked by influence, the CTI-style share; ``evidence``
    then only supplies the customer-base scores and the path statistics.
    ``by`` org merges sibling ASes into their organization (``org_merge``) in every table,
    from the full per-AS figures, before the ``top`` cut.
    """
    asns = evidence.asns
    v = max(evidence.vantage_count, 1)
    norm = evidence.mean_divisor
    transit_mean = evidence.transit / norm
    border_raw, gateway_raw = evidence.border, evidence.gateway
    pair_from, pair_to, pair_weight = evidence.pair_from, evidence.pair_to, evidence.pair_weight
    influence = None
    if flows is not None:
        from .transit_flows import BORDER, CTI, GATEWAY, TRANSIT

        transit_mean = flows.values[:, TRANSIT, 0]
        influence = flows.values[:, CTI, 0]
        border_raw, gateway_raw = flows.values[:, BORDER, 0], flows.values[:, GATEWAY, 0]
        pair_from, pair_to, pair_weight = flows.pair_from, flows.pair_to, flows.pair_weight
    border_total = border_raw.sum()
    border = border_raw / border_total if border_total > 0 else border_raw
    gateway = gateway_raw / border_total if border_total > 0 else gateway_raw
    trimmed = dict(zip(evidence.candidates.tolist(), trimmed_mean(evidence.shares / evidence.shares_divisor).tolist(),
                       strict=True))
    if flows is not None:  # no trimmed mean over weighted vantage points: the transit share is the weighted mean
        carrying = np.flatnonzero(transit_mean > 0)
        trimmed = dict(zip(asns[carrying].tolist(), transit_mean[carrying].tolist(), strict=True))
    only, only_foreign = single_homed(graph, origins.domestic, overlay)
    origin_share = dict(zip(origins.asns.tolist(), origins.weight.tolist(), strict=True))

    provider_at = np.argsort(-border, kind="stable")[:top]
    provider_at = provider_at[border[provider_at] > 0]
    gateway_at = np.argsort(-gateway, kind="stable")[:top]
    gateway_at = gateway_at[gateway[gateway_at] > 0]
    # each provider's links, heaviest first (input order among equal weights), found by slicing
    by_link = np.lexsort((-pair_weight, pair_from))
    link_from, link_to, link_weight = pair_from[by_link], pair_to[by_link], pair_weight[by_link]
    link_lo = np.searchsorted(link_from, asns[provider_at], side="left")
    link_hi = np.searchsorted(link_from, asns[provider_at], side="right")
    served_rows = [np.arange(lo, min(hi, lo + served_per_provider)) for lo, hi in zip(link_lo, link_hi, strict=True)]
    if influence is not None:
        order = np.argsort(-influence, kind="stable")[:top]
        order = order[influence[order] > 0]
        ranked = list(zip(asns[order].tolist(), influence[order].tolist(), strict=True))
        transit_count = int(np.count_nonzero(influence > 0))
    else:
        ranked = sorted(trimmed.items(), key=lambda kv: -kv[1])[:top]
        transit_count = len(trimmed)
    row_counts = {"providers": int(np.count_nonzero(border > 0)), "gateways": int(np.count_nonzero(gateway > 0)),
                  "transit": transit_count}
    named = _NameBook(orgs, np.concatenate([asns[provider_at], asns[gateway_at],
                                            np.array([a for a, _ in ranked], dtype=np.uint32),
                                            *(link_to[r] for r in served_rows)]))

    providers: list[ProviderRow] = []
    for i, lo, hi, rows in zip(provider_at.tolist(), link_lo.tolist(), link_hi.tolist(), served_rows, strict=True):
        asn = int(asns[i])
        served = [{"asn": a, "name": named.name[a], "as_name": named.aut[a],
                   "share": float(x / border_total) if border_total > 0 else 0.0}
                  for a, x in zip(link_to[rows].tolist(), link_weight[rows], strict=True)]
        kmi = {k: float(getattr(evidence, k)[i] / v) for k in ("retail", "wholesale", "backbone")}
        providers.append(ProviderRow(
            asn=asn, name=named.name[asn], as_name=named.aut[asn], country=named.country[asn],
            border_share=float(border[i]),
            transit_share=trimmed.get(asn), transit_mean=float(transit_mean[i]), networks_served=hi - lo,
            served=served, single_homed=int(only[i]), single_foreign_upstream=int(only_foreign[i]),
            customer_base=kmi,
        ))

    foreign_up: dict[int, set[int]] = {}
    for a, b in zip(pair_to.tolist(), pair_from.tolist(), strict=True):
        foreign_up.setdefault(a, set()).add(b)
    gateways: list[GatewayRow] = []
    for i in gateway_at.tolist():
        asn = int(asns[i])
        gateways.append(GatewayRow(
            asn=asn, name=named.name[asn], as_name=named.aut[asn],
            gateway_share=float(gateway[i]), transit_share=trimmed.get(asn),
            transit_mean=float(transit_mean[i]), foreign_providers=len(foreign_up.get(asn, ())),
            origin_share=float(origin_share.get(asn, 0.0)),
        ))

    dom = set(origins.domestic.tolist())
    transit_rows = [
        {"asn": a, "name": named.name[a], "as_name": named.aut[a], "country": named.country[a], "domestic": a in dom,
         "influence": None if influence is None else float(influence[i]),
         "transit_share": trimmed.get(a), "transit_mean": float(transit_mean[i]),
         "border_share": float(border[i]), "gateway_share": float(gateway[i])}
        for (a, _), i in zip(ranked, _positions(asns, [a for a, _ in ranked]), strict=True)
    ]
    if Grouping(by) is Grouping.ORG:
        vectors = ReportVectors(
            asns=asns, border=border, gateway=gateway, transit_mean=transit_mean, influence=influence,
            pair_from=pair_from, pair_to=pair_to,
            pair_share=pair_weight / border_total if border_total > 0 else pair_weight,
            origin_share=np.array([origin_share.get(int(a), 0.0) for a in asns.tolist()]),
            domestic=origins.domestic,
            customer_base={k: getattr(evidence, k) / v for k in ("retail", "wholesale", "backbone")},
            single_homed=_single_homed_by_org(graph, orgs, origins.domestic, overlay))
        org_providers, org_gateways, transit_rows, row_counts = org_tables(vectors, orgs, top=top,
                                                                           served_per_provider=served_per_provider)
        providers = [ProviderRow(**row) for row in org_providers]
        gateways = [GatewayRow(**row) for row in org_gateways]
    evidence_info = {
        "kind": evidence.kind, "vantage_points": evidence.vantage_count, "paths": evidence.paths,
        "origins_used": len(evidence.origins_used), "origins_missing_from_paths": len(evidence.origins_missing),
        "weight_missing_from_paths": evidence.weight_missing,
        "reach": evidence.reach_weight / norm if norm and evidence.kind == "simulated" else None,
        "mean_path_length": evidence.mean_path_length(), **evidence.details,
    }
    if flows is not None:
        evidence_info.update({"ties": flows.ties.value, "vantage_weights": flows.schemes[0],
                              "transit_ranked_by": "influence"})
    if Grouping(by) is Grouping.ORG:
        evidence_info["by"] = Grouping.ORG.value
        evidence_info["transit_ranked_by"] = ("influence, upper bound (sum of members)" if flows is not None
                                              else "transit, upper bound (sum of members)")
    report = TransitReport(
        cc=origins.cc, date=date, evidence=evidence_info, membership=origins.to_dict(), providers=providers,
        gateways=gateways, transit=transit_rows, summary="", row_counts=row_counts,
    )
    return replace(report, summary=summarize(report))


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


_VANTAGE_TEXT = {"space": "vantage points weighted by the IPv4 space they originate",
                 "cone": "vantage points weighted by their customer cones",
                 "transit": "only networks with customers as vantage points", "chosen": "only the chosen vantage points",
                 "all": "every foreign network an equal vantage point",
                 "collectors": "the networks feeding the route collectors as vantage points, equally"}
_TIE_TEXT = {"split": "tied routes split equally", "lowest-asn": "ties to the lowest next-hop ASN",
             "highest-asn": "ties to the highest next-hop ASN"}


def _vantage_text(evidence: dict[str, Any]) -> str:
    if "vantage_weights" not in evidence:
        return ""
    return f" ({_VANTAGE_TEXT.get(evidence['vantage_weights'], '')}; {_TIE_TEXT.get(evidence['ties'], '')})"


def _asns_text(row: ProviderRow | GatewayRow, shown: int = 4) -> str:
    """``AS3356``, or for an organization's row its members: ``AS3356+AS3549``."""
    if not row.members:
        return f"AS{row.asn}"
    more = len(row.members) - shown
    return "+".join(f"AS{m['asn']}" for m in row.members[:shown]) + (f" and {more} more" if more > 0 else "")


SHAKY_HANDOFF = 0.5  # the summary names a top provider when at least this share of it crosses unconfirmed links


def rests_on_one_month(share: float | None) -> bool:
    """Whether a row's ``unconfirmed_handoff`` is large enough for the summary and the tables to say so."""
    return share is not None and share >= SHAKY_HANDOFF


def summarize(report: TransitReport) -> str:
    """One plain paragraph that says what the figures say."""
    m, e = report.membership, report.evidence
    parts = [
        f"{report.cc} on {report.date}: {m['origins']:,} networks originate the country's address space "
        f"({m['view']} view; {_pct(m.get('ipv4_coverage'))} of its IPv4 space is routed), seen from "
        f"{e['vantage_points']:,} {e['kind']} vantage points over {e['paths']:,} paths{_vantage_text(e)}."
    ]
    if report.providers:
        p = report.providers[:3]
        lead = ", ".join(f"{r.name or 'AS' + str(r.asn)} ({_asns_text(r)}, {r.country or '??'}, {_pct(r.border_share)})"
                         for r in p)
        top3 = sum(r.border_share for r in p)
        parts.append(f"The largest international transit providers are {lead}; together the top three hand over "
                     f"{_pct(top3)} of inbound paths to the first domestic network.")
        for r in p:
            if rests_on_one_month(r.unconfirmed_handoff):
                parts.append(f"{r.name or 'AS' + str(r.asn)} hands over {_pct(r.unconfirmed_handoff)} of its share on "
                             f"links that neither neighbouring month's AS relationships confirm, so that figure "
                             f"rests on one month's inference.")
        singles = [r for r in report.providers if r.single_foreign_upstream]
        if singles:
            s = max(singles, key=lambda r: r.single_foreign_upstream)
            parts.append(f"{s.name or 'AS' + str(s.asn)} is the only foreign upstream of {s.single_foreign_upstream} "
                         f"domestic networks.")
    if report.gateways:
        g = report.gateways[0]
        parts.append(f"The main gateway is {g.name or 'AS' + str(g.asn)} ({_asns_text(g)}), first domestic network on "
                     f"{_pct(g.gateway_share)} of inbound paths.")
        if rests_on_one_month(g.unconfirmed_handoff):
            parts.append(f"It receives {_pct(g.unconfirmed_handoff)} of that on links that neither neighbouring "
                         f"month's AS relationships confirm.")
    if e.get("coverage"):
        cov = e["coverage"]
        parts.append("The observed paths cover " + " and ".join(f"{_pct(v)} of its {k.upper().replace('IPV', 'IPv')} space"
                                                               for k, v in cov.items()) + ".")
    if e.get("origins_skipped_by_limit"):
        parts.append(f"Only the largest origins were analysed: {e['origins_skipped_by_limit']:,} smaller ones "
                     f"({_pct(e['weight_skipped_by_limit'])} of the weight) were skipped.")
    if e.get("origins_missing_from_paths"):
        parts.append(f"{e['origins_missing_from_paths']:,} origins ({_pct(e['weight_missing_from_paths'])} of the weight) "
                     f"have no path in this evidence and are left out.")
    return " ".join(parts)
