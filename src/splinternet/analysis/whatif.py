"""What if a provider leaves: the same country measured before and after a scenario, side by side."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..sources.asorg import OrgTable
from ..tables.topology import ASGraph
from .country import CountryOrigins
from .results import Result
from .scenario import Overlay, Scenario
from .transit import TransitReport, _provider_lists
from .transit_evidence import PathEvidence

__all__ = ["WhatIfReport", "compare_scenario", "provider_counts", "removal_kind"]

WORLDWIDE = "worldwide"
LINKS_TO_COUNTRY = "links_to_country"
MIXED = "mixed"


@dataclass(frozen=True, repr=False)
class WhatIfReport(Result):
    """Before/after of a scenario for one country; ``before``/``after`` are full transit reports.

    ``removal`` says what was simulated (``worldwide``: the ASes leave the AS graph;
    ``links_to_country``: only their links to the country's networks are cut) and
    ``removal_text`` says it in a sentence. The ASes the scenario names are in
    ``scenario_ases`` and never among the victims (``lost_networks`` and the other lists):
    a removed AS "losing its routes" is the scenario, not its consequence. Each list is cut
    at the report's depth; its ``*_count`` field holds the full number.
    """

    _tables: ClassVar[tuple[str, ...]] = ('absorbed', 'lost_networks', 'degraded_networks', 'left_single_homed', 'left_without_provider')

    cc: str
    date: str
    scenario: list[str]
    removal: str
    removal_text: str
    scenario_ases: list[dict[str, Any]]
    before: TransitReport
    after: TransitReport
    lost_networks: list[dict[str, Any]]
    lost_networks_count: int
    lost_ipv4_addresses: float
    lost_share: float
    degraded_networks: list[dict[str, Any]]
    degraded_networks_count: int
    left_single_homed: list[dict[str, Any]]
    left_single_homed_count: int
    left_without_provider: list[dict[str, Any]]
    left_without_provider_count: int
    absorbed: list[dict[str, Any]]
    absorbed_count: int
    mean_path_length: dict[str, float]
    reach: dict[str, float]
    notes: list[str] = field(default_factory=list)
    # organizations removed as a whole (CAIDA org id, name, and every AS of theirs the scenario removed)
    organizations: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def provider_counts(graph: ASGraph, asns: np.ndarray, overlay: Overlay | None) -> list[np.ndarray]:
    """The providers (dense indices) each AS of ``asns`` has under ``overlay``."""
    lists = _provider_lists(graph, overlay)
    idx = graph.index_of(asns)
    return [lists(int(i)) if i >= 0 else np.zeros(0, dtype=np.int64) for i in idx]


def removal_kind(scenario: Scenario) -> str:
    """``worldwide`` (ASes removed), ``links_to_country`` (only links cut) or ``mixed``."""
    if scenario.removed_ases and not (scenario.cut_sets or scenario.removed_links):
        return WORLDWIDE
    if scenario.cut_sets and not (scenario.removed_ases or scenario.removed_links):
        return LINKS_TO_COUNTRY
    return MIXED


def _removal_text(kind: str, cc: str, named: list[dict[str, Any]]) -> str:
    """The plain sentence that says which removal was simulated, so no reader mistakes one for the other."""
    who = ", ".join(f"AS{r['asn']}" + (f" ({r['name']})" if r["name"] else "") for r in named)
    one = len(named) == 1
    if kind == WORLDWIDE:
        return (f"Removed worldwide: {who} {'disappears' if one else 'disappear'} from the AS graph with all "
                f"{'its' if one else 'their'} links, so no network anywhere routes through {'it' if one else 'them'}; "
                f"the address space {'it originates' if one else 'they originate'} in {cc} goes with "
                f"{'it' if one else 'them'} and is counted apart, not among the networks that lose every route.")
    if kind == LINKS_TO_COUNTRY:
        cut = sum(int(r["links_cut"]) for r in named)
        return (f"Links to {cc} only: the {cut:,} links between {who} and {cc}'s networks are cut; "
                f"{'it stays' if one else 'they stay'} in the AS graph and still {'carries' if one else 'carry'} "
                f"traffic elsewhere, so {cc}'s networks can still be reached through {'it' if one else 'them'} "
                f"by way of other networks.")
    return f"A combined scenario: {who} removed or cut off as listed; see each line of the scenario."


def _named_ases(scenario: Scenario) -> np.ndarray:
    """The ASes a scenario removes or cuts off: set apart from the victims."""
    named = [*scenario.removed_ases, *(a for a, _ in scenario.cut_sets)]
    return np.unique(np.asarray(named, dtype=np.uint32))


def _links_cut(graph: ASGraph, asn: int, scenario: Scenario) -> int:
    """How many of the AS's links the scenario takes away: all of them when it is removed."""
    neighbours = np.concatenate([graph.providers_of(asn), graph.customers_of(asn), graph.peers_of(asn)])
    if asn in scenario.removed_ases:
        return int(len(neighbours))
    members = np.concatenate([np.asarray(m, dtype=np.int64) for a, m in scenario.cut_sets if a == asn] or
                             [np.zeros(0, dtype=np.int64)])
    return int(np.isin(neighbours, members).sum())


def compare_scenario(
    origins: CountryOrigins,
    graph: ASGraph,
    orgs: OrgTable,
    base: PathEvidence,
    scen: PathEvidence,
    base_report: TransitReport,
    scen_report: TransitReport,
    overlay: Overlay,
    scenario_text: list[str],
    *,
    date: str,
    top: int = 25,
) -> WhatIfReport:
    """Networks that lose all routes, that are left single-homed, who absorbs the lost share.

    The ASes the scenario names (removed, or cut off from the country) are reported in
    ``scenario_ases`` with the space they originate themselves, and left out of every victim list.
    """
    assert base.origin_reach is not None and scen.origin_reach is not None
    scenario = overlay.scenario
    named = _named_ases(scenario)
    is_named = np.isin(origins.asns, named)
    before_reach = np.nan_to_num(base.origin_reach)
    after_reach = np.nan_to_num(scen.origin_reach)
    lost = (before_reach > 0) & (after_reach == 0) & ~is_named
    degraded = (after_reach > 0) & (after_reach < before_reach - 0.01) & ~is_named
    names, aut = orgs.names(origins.asns), orgs.aut_names(origins.asns)

    def rows(mask: np.ndarray) -> list[dict[str, Any]]:
        pick = np.flatnonzero(mask)
        pick = pick[np.argsort(-origins.weight[pick], kind="stable")][:top]
        return [{"asn": int(origins.asns[i]), "name": str(names[i]), "as_name": str(aut[i]), "ipv4_addresses": float(origins.v4_addresses[i]),
                 "country_share": float(origins.weight[i]), "reach_before": float(before_reach[i]),
                 "reach_after": float(after_reach[i])} for i in pick]

    domestic = origins.domestic[~np.isin(origins.domestic, named)]
    before_up = provider_counts(graph, domestic, None)
    after_up = provider_counts(graph, domestic, overlay)
    dom_names, dom_aut = orgs.names(domestic), orgs.aut_names(domestic)
    single: list[dict[str, Any]] = []
    orphan: list[dict[str, Any]] = []
    for asn, name, as_name, b, a in zip(domestic.tolist(), dom_names, dom_aut, before_up, after_up, strict=True):
        if len(b) >= 2 and len(a) == 1:
            single.append({"asn": asn, "name": str(name), "as_name": str(as_name), "providers_before": len(b),
                           "remaining_provider": int(graph.asns[a[0]])})
        elif len(b) >= 1 and len(a) == 0:
            orphan.append({"asn": asn, "name": str(name), "as_name": str(as_name), "providers_before": len(b)})
    if single:  # the remaining provider named, not a bare number
        remaining = np.array([row["remaining_provider"] for row in single], dtype=np.uint32)
        for row, name in zip(single, orgs.names(remaining), strict=True):
            row["remaining_provider_name"] = str(name)

    border_before = {r.asn: r.border_share for r in base_report.providers}
    border_after = {r.asn: r.border_share for r in scen_report.providers}
    full_before = _border_shares(base)
    full_after = _border_shares(scen)
    changed = sorted(set(full_before) | set(full_after),
                     key=lambda a: -(full_after.get(a, 0.0) - full_before.get(a, 0.0)))
    every_gainer = [a for a in changed if full_after.get(a, 0.0) > full_before.get(a, 0.0)]
    gainers = every_gainer[:top]
    gain_names: np.ndarray | list[str] = orgs.names(np.asarray(gainers, dtype=np.uint32)) if gainers else []
    gain_aut: np.ndarray | list[str] = orgs.aut_names(np.asarray(gainers, dtype=np.uint32)) if gainers else []
    absorbed = [{"asn": int(a), "name": str(nm), "as_name": str(an), "border_before": full_before.get(a, 0.0),
                 "border_after": full_after.get(a, 0.0), "gain": full_after.get(a, 0.0) - full_before.get(a, 0.0),
                 "in_top_before": a in border_before, "in_top_after": a in border_after}
                for a, nm, an in zip(gainers, gain_names, gain_aut, strict=True)]
    named_rows = _scenario_rows(named, origins, graph, orgs, scenario, before_reach, after_reach)
    kind = removal_kind(scenario)
    return WhatIfReport(
        cc=origins.cc, date=date, scenario=scenario_text, removal=kind,
        removal_text=_removal_text(kind, origins.cc, named_rows), scenario_ases=named_rows,
        before=base_report, after=scen_report,
        lost_networks=rows(lost), lost_networks_count=int(lost.sum()),
        lost_ipv4_addresses=float(origins.v4_addresses[lost].sum()),
        lost_share=float(origins.weight[lost].sum()), degraded_networks=rows(degraded),
        degraded_networks_count=int(degraded.sum()),
        left_single_homed=single[:top * 4], left_single_homed_count=len(single),
        left_without_provider=orphan[:top * 4], left_without_provider_count=len(orphan),
        absorbed=absorbed, absorbed_count=len(every_gainer),
        mean_path_length={"before": base.mean_path_length(), "after": scen.mean_path_length()},
        reach={"before": base.reach_weight / base.mean_divisor, "after": scen.reach_weight / scen.mean_divisor},
    )


def _scenario_rows(named: np.ndarray, origins: CountryOrigins, graph: ASGraph, orgs: OrgTable, scenario: Scenario,
                   before_reach: np.ndarray, after_reach: np.ndarray) -> list[dict[str, Any]]:
    """One row per AS the scenario names: how it was removed, the links it lost, the country space it originates."""
    position = {int(a): i for i, a in enumerate(origins.asns.tolist())}
    names, aut = orgs.names(named), orgs.aut_names(named)
    out = []
    for asn, name, as_name in zip(named.tolist(), names, aut, strict=True):
        i = position.get(asn)
        out.append({"asn": asn, "name": str(name), "as_name": str(as_name),
                    "removal": WORLDWIDE if asn in scenario.removed_ases else LINKS_TO_COUNTRY,
                    "links_cut": _links_cut(graph, asn, scenario),
                    "ipv4_addresses": float(origins.v4_addresses[i]) if i is not None else 0.0,
                    "country_share": float(origins.weight[i]) if i is not None else 0.0,
                    "reach_before": float(before_reach[i]) if i is not None else None,
                    "reach_after": float(after_reach[i]) if i is not None else None})
    return out


def _border_shares(evidence: PathEvidence) -> dict[int, float]:
    total = evidence.border.sum()
    if total <= 0:
        return {}
    nz = np.flatnonzero(evidence.border)
    return dict(zip(evidence.asns[nz].tolist(), (evidence.border[nz] / total).tolist(), strict=True))
