"""Slow, obvious flow sums: enumerate every tied best path of every vantage point, one AS at a time."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from splinternet.analysis.country import CountryOrigins
from splinternet.analysis.simulate import ROUTE_CUSTOMER, ROUTE_PEER, propagate
from splinternet.tables.topology import ASGraph

_M64 = (1 << 64) - 1


def tie_key(seed: int, w: int, u: int) -> int:
    """AS index w's rank of neighbour index u in its own random order: splitmix64, as the kernel computes it."""
    x = (seed * 0x9E3779B97F4A7C15 + w * 0xBF58476D1CE4E5B9 + u) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _paths(routes, asn: int, rule: str, graph: ASGraph) -> list[tuple[list[int], float]]:
    """Every path from ``asn`` to the origin with the share of ``asn``'s traffic it carries under ``rule``.

    ``rule`` "random:SEED": each AS takes the tied next hop first in its own random order.
    """
    hops = [int(h) for h in routes.tied_next_hops(asn)]
    if not hops:
        return [([asn], 1.0)]
    if rule == "lowest-asn":
        hops, share = [min(hops)], 1.0
    elif rule == "highest-asn":
        hops, share = [max(hops)], 1.0
    elif rule.startswith("random:"):
        seed, w = int(rule.split(":")[1]), graph.require_index(asn)
        index = {h: graph.require_index(h) for h in hops}
        hops, share = [max(hops, key=lambda h: (tie_key(seed, w, index[h]), index[h]))], 1.0
    else:
        share = 1.0 / len(hops)
    return [([asn, *rest], share * f) for h in hops for rest, f in _paths(routes, h, rule, graph)]


def reference_flows(graph: ASGraph, origins: CountryOrigins, vantage_weight: dict[int, float], rule: str,
                    scenario=None) -> dict[str, dict[int, float]]:
    """Per measure, per AS: the origin- and vantage-weighted sums (before dividing by the totals);
    "pairs" per (border AS, gateway AS)."""
    domestic = set(origins.domestic.tolist())
    removed = set(scenario.removed_ases) if scenario is not None else set()
    sums = {k: defaultdict(float) for k in ("transit", "downhill", "cti", "cti_peers", "border", "gateway", "pairs",
                                            "retail", "wholesale", "backbone", "totals", "reach")}
    kmi = (origins.kmi_v4 + origins.kmi_v6).tolist()
    for origin, weight, prefix_weight in zip(origins.asns.tolist(), origins.weight.tolist(), kmi, strict=True):
        if int(graph.index_of(origin)[0]) < 0 or origin in removed:
            continue
        routes = propagate(graph, origin, scenario=scenario, keep_all_ties=True)
        for v, vw in vantage_weight.items():
            if vw == 0 or v in domestic or v in removed or routes.relationship[graph.require_index(v)] < 0:
                continue
            sums["totals"]["length"] += weight * vw * int(routes.path_length[graph.require_index(v)])
            sums["totals"]["reach"] += weight * vw
            sums["totals"]["paths"] += 1
            sums["reach"][origin] += vw
            for path, f in _paths(routes, v, rule, graph):
                share = weight * vw * f
                for pos, x in enumerate(path):
                    if x == origin:
                        continue
                    if pos > 0:
                        sums["transit"][x] += share
                    hops = len(path) - 1 - pos
                    position = "retail" if hops == 1 else "wholesale" if hops == 2 else "backbone"
                    sums[position][x] += prefix_weight * vw * f
                    i = graph.require_index(x)
                    if routes.relationship[i] == ROUTE_CUSTOMER:
                        sums["downhill"][x] += share
                        sums["cti"][x] += share / int(routes.path_length[i])
                    if routes.relationship[i] == ROUTE_CUSTOMER or (
                            routes.relationship[i] == ROUTE_PEER and routes.path_length[i] == 1
                            and len(customers_of(graph, x)) > 0):
                        sums["cti_peers"][x] += share / int(routes.path_length[i])
                first = next((i for i, x in enumerate(path) if x in domestic), None)
                if first is not None and first > 0:
                    sums["border"][path[first - 1]] += share
                    sums["gateway"][path[first]] += share
                    sums["pairs"][(path[first - 1], path[first])] += share
    return sums


def customers_of(graph: ASGraph, asn: int) -> list[int]:
    """Customers in the graph as loaded (CTI tests "provider of anyone" on the whole AS-relationship file)."""
    i = graph.require_index(asn)
    return graph.asns[graph.customer_indices[graph.customer_indptr[i]:graph.customer_indptr[i + 1]]].tolist()


def as_array(graph: ASGraph, table: dict[int, float]) -> np.ndarray:
    out = np.zeros(len(graph))
    for asn, value in table.items():
        out[graph.require_index(asn)] = value
    return out
