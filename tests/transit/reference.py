"""Slow, obvious transit sums: walk every (vantage, origin) path one AS at a time."""

from __future__ import annotations

from collections import defaultdict

from splinternet.analysis.country import CountryOrigins
from splinternet.analysis.simulate import propagate
from splinternet.tables.topology import ASGraph


def reference_sums(graph: ASGraph, origins: CountryOrigins, candidates: list[int], scenario=None) -> dict:
    domestic = set(origins.domestic.tolist())
    removed = set(scenario.removed_ases) if scenario is not None else set()
    vantages = [int(a) for a in graph.asns if int(a) not in domestic and int(a) not in removed]
    sums = {k: defaultdict(float) for k in ("transit", "border", "gateway", "retail", "wholesale", "backbone")}
    shares = defaultdict(float)
    pairs = defaultdict(float)
    reach = 0.0
    length_sum = 0.0
    origin_reach = {}
    for origin, weight, k4, k6 in zip(origins.asns.tolist(), origins.weight.tolist(), origins.kmi_v4.tolist(),
                                      origins.kmi_v6.tolist(), strict=True):
        if int(graph.index_of(origin)[0]) < 0:
            continue
        routes = propagate(graph, origin, scenario=scenario)
        reached = 0
        for v in vantages:
            path = [int(a) for a in routes.path(v)]
            if not path:
                continue
            reached += 1
            reach += weight
            length_sum += weight * (len(path) - 1)
            for pos, x in enumerate(path):
                d = len(path) - 1 - pos  # hops from x to the origin
                if x == origin:
                    continue
                if pos > 0:
                    sums["transit"][x] += weight
                    if x in candidates:
                        shares[(v, x)] += weight
                key = "retail" if d == 1 else "wholesale" if d == 2 else "backbone"
                sums[key][x] += k4 + k6
            first = next((i for i, x in enumerate(path) if x in domestic), None)
            if first is not None and first > 0:
                sums["border"][path[first - 1]] += weight
                sums["gateway"][path[first]] += weight
                pairs[(path[first - 1], path[first])] += weight
        origin_reach[origin] = reached / max(len(vantages), 1)
    return {"sums": sums, "shares": shares, "pairs": pairs, "reach": reach, "length_sum": length_sum,
            "vantages": vantages, "origin_reach": origin_reach}
