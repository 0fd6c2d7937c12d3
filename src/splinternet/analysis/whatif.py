"""What if a provider leaves: the same country measured before and after a scenario, side by side."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..sources.asorg import OrgTable
from ..tables.topology import ASGraph
from .country import CountryOrigins
from .results import Result
from .scenario import Overlay
from .transit import TransitReport, _provider_lists
from .transit_evidence import PathEvidence

__all__ = ["WhatIfReport", "compare_scenario", "provider_counts"]


@dataclass(frozen=True, repr=False)
class WhatIfReport(Result):
    """Before/after of a scenario for one country; ``before``/``after`` are full transit reports."""

    _tables: ClassVar[tuple[str, ...]] = ('absorbed', 'lost_networks', 'degraded_networks', 'left_single_homed', 'left_without_provider')

    cc: str
    date: str
    scenario: list[str]
    before: TransitReport
    after: TransitReport
    lost_networks: list[dict[str, Any]]
    lost_ipv4_addresses: float
    lost_share: float
    degraded_networks: list[dict[str, Any]]
    left_single_homed: list[dict[str, Any]]
    left_without_provider: list[dict[str, Any]]
    absorbed: list[dict[str, Any]]
    mean_path_length: dict[str, float]
    reach: dict[str, float]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def provider_counts(graph: ASGraph, asns: np.ndarray, overlay: Overlay | None) -> list[np.ndarray]:
    """The providers (dense indices) each AS of ``asns`` has under ``overlay``."""
    lists = _provider_lists(graph, overlay)
    idx = graph.index_of(asns)
    return [lists(int(i)) if i >= 0 else np.zeros(0, dtype=np.int64) for i in idx]


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
    """Networks that lose all routes, that are left single-homed, who absorbs the lost share."""
    assert base.origin_reach is not None and scen.origin_reach is not None
    before_reach = np.nan_to_num(base.origin_reach)
    after_reach = np.nan_to_num(scen.origin_reach)
    lost = (before_reach > 0) & (after_reach == 0)
    degraded = (after_reach > 0) & (after_reach < before_reach - 0.01)
    names, aut = orgs.names(origins.asns), orgs.aut_names(origins.asns)

    def rows(mask: np.ndarray) -> list[dict[str, Any]]:
        pick = np.flatnonzero(mask)
        pick = pick[np.argsort(-origins.weight[pick], kind="stable")][:top]
        return [{"asn": int(origins.asns[i]), "name": str(names[i]), "as_name": str(aut[i]), "ipv4_addresses": float(origins.v4_addresses[i]),
                 "country_share": float(origins.weight[i]), "reach_before": float(before_reach[i]),
                 "reach_after": float(after_reach[i])} for i in pick]

    domestic = origins.domestic
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

    border_before = {r.asn: r.border_share for r in base_report.providers}
    border_after = {r.asn: r.border_share for r in scen_report.providers}
    full_before = _border_shares(base)
    full_after = _border_shares(scen)
    changed = sorted(set(full_before) | set(full_after),
                     key=lambda a: -(full_after.get(a, 0.0) - full_before.get(a, 0.0)))
    gainers = [a for a in changed if full_after.get(a, 0.0) > full_before.get(a, 0.0)][:top]
    gain_names: np.ndarray | list[str] = orgs.names(np.asarray(gainers, dtype=np.uint32)) if gainers else []
    gain_aut: np.ndarray | list[str] = orgs.aut_names(np.asarray(gainers, dtype=np.uint32)) if gainers else []
    absorbed = [{"asn": int(a), "name": str(nm), "as_name": str(an), "border_before": full_before.get(a, 0.0),
                 "border_after": full_after.get(a, 0.0), "gain": full_after.get(a, 0.0) - full_before.get(a, 0.0),
                 "in_top_before": a in border_before, "in_top_after": a in border_after}
                for a, nm, an in zip(gainers, gain_names, gain_aut, strict=True)]
    return WhatIfReport(
        cc=origins.cc, date=date, scenario=scenario_text, before=base_report, after=scen_report,
        lost_networks=rows(lost), lost_ipv4_addresses=float(origins.v4_addresses[lost].sum()),
        lost_share=float(origins.weight[lost].sum()), degraded_networks=rows(degraded),
        left_single_homed=single[:top * 4], left_without_provider=orphan[:top * 4], absorbed=absorbed,
        mean_path_length={"before": base.mean_path_length(), "after": scen.mean_path_length()},
        reach={"before": base.reach_weight / base.mean_divisor, "after": scen.reach_weight / scen.mean_divisor},
    )


def _border_shares(evidence: PathEvidence) -> dict[int, float]:
    total = evidence.border.sum()
    if total <= 0:
        return {}
    nz = np.flatnonzero(evidence.border)
    return dict(zip(evidence.asns[nz].tolist(), (evidence.border[nz] / total).tolist(), strict=True))
