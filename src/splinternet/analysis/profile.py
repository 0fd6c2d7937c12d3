"""One AS at a glance: who runs it, and where it sits in the AS graph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..sources.asorg import OrgTable
from ..tables.topology import ASGraph
from .results import Result

__all__ = ["AsProfile", "profile_as"]


@dataclass(frozen=True, repr=False)
class AsProfile(Result):
    """Name, organization, country and relationship counts of an AS on one date."""

    _tables: ClassVar[tuple[str, ...]] = ('top_providers', 'top_customers')

    asn: int
    name: str
    org_name: str
    org_id: str
    country: str
    in_graph: bool
    providers: int
    customers: int
    peers: int
    customer_cone: int
    top_providers: list[dict[str, Any]]
    top_customers: list[dict[str, Any]]
    sources: tuple[dict[str, object], ...] = ()  # the releases it was read from (set by the api)
    notes: tuple[str, ...] = ()  # damaged inputs, substituted releases (set by the api)

    def to_dict(self) -> dict[str, object]:
        return {
            "asn": self.asn, "name": self.name, "org_name": self.org_name, "org_id": self.org_id,
            "country": self.country, "in_graph": self.in_graph, "providers": self.providers,
            "customers": self.customers, "peers": self.peers, "customer_cone_size": self.customer_cone,
            "top_providers": self.top_providers, "top_customers": self.top_customers,
            "sources": list(self.sources),
            "notes": list(self.notes),
        }


def _neighbours(asns: np.ndarray, cones: np.ndarray, graph: ASGraph, orgs: OrgTable, limit: int) -> list[dict[str, object]]:
    if len(asns) == 0:
        return []
    sizes = cones[graph.index_of(asns)]
    order = np.lexsort((asns, -sizes))[:limit]
    names = orgs.names(asns[order])
    countries = orgs.countries(asns[order])
    return [
        {"asn": int(asns[i]), "name": str(n), "country": str(c), "customer_cone_size": int(sizes[i])}
        for i, n, c in zip(order, names, countries, strict=True)
    ]


def profile_as(asn: int, graph: ASGraph, orgs: OrgTable, *, cone_sizes: np.ndarray | None = None,
               neighbours: int = 5) -> AsProfile:
    """Describe ``asn``; ``cone_sizes`` (from ``graph.customer_cone_sizes()``) may be passed to reuse it."""
    info = orgs.get(asn)
    index = int(graph.index_of(asn)[0])
    cones = cone_sizes if cone_sizes is not None else graph.customer_cone_sizes()
    if index < 0:
        providers = customers = peers = cone = 0
        top_p: list[dict[str, object]] = []
        top_c: list[dict[str, object]] = []
    else:
        providers = int(graph.provider_counts[index])
        customers = int(graph.customer_counts[index])
        peers = int(graph.peer_counts[index])
        cone = int(cones[index])
        top_p = _neighbours(graph.providers_of(asn), cones, graph, orgs, neighbours)
        top_c = _neighbours(graph.customers_of(asn), cones, graph, orgs, neighbours)
    return AsProfile(
        asn=asn,
        name=info.name if info else "",
        org_name=info.org_name if info else "",
        org_id=info.org_id if info else "",
        country=info.country if info else "",
        in_graph=index >= 0,
        providers=providers,
        customers=customers,
        peers=peers,
        customer_cone=cone,
        top_providers=top_p,
        top_customers=top_c,
    )
