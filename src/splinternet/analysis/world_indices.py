"""The figures a world map shows per country, computed from that country's full transit report.

Every index is a function of the report's shares (docs/methodology.md section 3):
concentration is the Herfindahl-Hirschman index (sum of squared shares, 1 = one
provider carries everything); providers are ranked by border share; organizations merge
sibling ASes by their CAIDA AS-organization id (an AS without a known organization is
its own organization).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..sources.asorg import OrgTable
from ..tables.topology import ASGraph
from .org_merge import org_groups
from .transit import TransitReport, single_homed

__all__ = ["CountryIndices", "OrganizationRow", "country_indices", "organizations"]

COVER = 0.9  # the share of inbound paths "providers_for_90" counts providers up to


@dataclass(frozen=True)
class OrganizationRow:
    """A foreign organization (sibling ASes merged) and the border share its ASes hand over together."""

    org_id: str
    name: str
    country: str
    border_share: float
    asns: list[int]


@dataclass(frozen=True)
class CountryIndices:
    """One country's row of the world table (shares in [0, 1]; None where the country has no provider)."""

    cc: str
    origins: int
    routed_ipv4_addresses: float
    ipv4_coverage: float | None
    providers: int
    top_provider_asn: int | None
    top_provider_share: float | None
    top_organization: str | None
    top_organization_share: float | None
    border_hhi: float | None
    providers_for_90: int | None
    gateways: int
    gateway_hhi: float | None
    single_foreign_upstream_networks: int
    reach: float | None
    # "one carrier away": of the top providers removed one at a time (what-if), the one whose
    # removal leaves the largest share of the country's space without any route, and that share
    carriers_removed: int = 0
    one_carrier_away_asn: int | None = None
    one_carrier_away_share: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def organizations(report: TransitReport, orgs: OrgTable) -> list[OrganizationRow]:
    """Providers merged by organization (``org_merge.org_groups``), largest border share first (ties by id).

    Border shares add up exactly over an organization's ASes (docs/methodology.md).
    """
    if not report.providers:
        return []
    asns = np.array([p.asn for p in report.providers], dtype=np.uint32)
    groups = org_groups(orgs, asns)
    shares = groups.sums(np.array([p.border_share for p in report.providers]))
    order = np.argsort(groups.group, kind="stable")  # each organization's ASes in provider order
    members = np.split(asns[order], np.searchsorted(groups.group[order], np.arange(1, len(groups.ids))))
    out = [OrganizationRow(str(key), str(groups.names[g]), str(groups.countries[g]), float(shares[g]),
                           members[g].tolist())
           for g, key in enumerate(groups.ids.tolist())]
    return sorted(out, key=lambda r: (-r.border_share, r.org_id))


def _hhi(shares: list[float]) -> float | None:
    return float(np.sum(np.square(shares))) if shares else None


def country_indices(report: TransitReport, orgs: OrgTable, graph: ASGraph, domestic: np.ndarray,
                    merged: list[OrganizationRow] | None = None) -> CountryIndices:
    """The map figures of one country; ``report`` must hold every provider and gateway (no top limit).

    ``merged``: :func:`organizations` of the report, when already worked out.
    """
    border = [p.border_share for p in report.providers]
    cumulative = np.cumsum(border)
    needed = int(np.searchsorted(cumulative, COVER - 1e-12) + 1) if border else None
    if needed is not None and needed > len(border):
        needed = len(border)
    merged = organizations(report, orgs) if merged is None else merged
    _, only_foreign = single_homed(graph, domestic)
    m = report.membership
    return CountryIndices(
        cc=report.cc, origins=int(m["origins"]), routed_ipv4_addresses=float(m["routed_ipv4_addresses"]),
        ipv4_coverage=m.get("ipv4_coverage"), providers=len(border),
        top_provider_asn=report.providers[0].asn if border else None,
        top_provider_share=border[0] if border else None,
        top_organization=merged[0].name if merged else None,
        top_organization_share=merged[0].border_share if merged else None,
        border_hhi=_hhi(border), providers_for_90=needed, gateways=len(report.gateways),
        gateway_hhi=_hhi([g.gateway_share for g in report.gateways]),
        single_foreign_upstream_networks=int(only_foreign.sum()), reach=report.evidence.get("reach"),
    )
