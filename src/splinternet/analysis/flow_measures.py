"""Transit measures from vantage-weighted flows: ties split, vantage points weighted.

:func:`flow_measures` propagates a route from every domestic origin (stub origins with
the same neighbours share one routing tree, as in ``transit_evidence``) and runs the
kernel of ``transit_flows`` with one column of vantage weights per vantage scheme.
:func:`vantage_weights` builds those columns: who is assumed to send traffic into the
country (docs/methodology.md says why each scheme exists and which is the default).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from ..sources.pfx2as import Pfx2As
from ..tables.topology import ASGraph
from .country import CountryOrigins, _per_origin
from .scenario import Overlay, Scenario
from .simulate import as_overlay
from .transit_evidence import _batches, _merge_equivalent_stubs
from .transit_flows import GATEWAY, MEASURES, TIE_HIGHEST, TIE_LOWEST, TIE_SPLIT, run_flow_origins

__all__ = ["TieRule", "VantageScheme", "FlowMeasures", "flow_measures", "vantage_weights", "originated_space", "customer_cone_sizes"]


class TieRule(StrEnum):
    LOWEST = "lowest-asn"
    SPLIT = "split"
    HIGHEST = "highest-asn"


_TIE_CODE = {TieRule.LOWEST: TIE_LOWEST, TieRule.SPLIT: TIE_SPLIT, TieRule.HIGHEST: TIE_HIGHEST}


class VantageScheme(StrEnum):
    ALL = "all"  # every foreign AS, equally
    SPACE = "space"  # every foreign AS, weighted by the address space it originates
    TRANSIT = "transit"  # foreign ASes with customers, equally
    CONE = "cone"  # foreign ASes weighted by their customer cone (ASes)


@dataclass(frozen=True, eq=False)
class FlowMeasures:
    """``values[x, measure, k]``: mean over column k's vantage weight of the origin-weighted flow.

    Measures are those of ``transit_flows`` (TRANSIT, DOWNHILL, CTI, BORDER, GATEWAY);
    each is a share of the country's (routed) weight, in [0, 1].
    """

    asns: np.ndarray
    schemes: tuple[str, ...]
    ties: TieRule
    values: np.ndarray  # (n, MEASURES, K)
    vantage_totals: np.ndarray  # (K,) total vantage weight per column
    origins_used: np.ndarray
    routing_trees: int

    def ranking(self, measure: int, column: int = 0) -> list[tuple[int, float]]:
        """(ASN, share) of every AS with a positive share, largest first."""
        col = self.values[:, measure, column]
        order = np.argsort(-col, kind="stable")
        order = order[col[order] > 0]
        return list(zip(self.asns[order].tolist(), col[order].tolist(), strict=True))


def originated_space(graph: ASGraph, pfx4: Pfx2As) -> np.ndarray:
    """IPv4 addresses each AS originates worldwide (most-specific prefix only, MOAS split), graph order."""
    from .country import scoped_exclusive_space

    family = pfx4.table.v4
    per_row = np.zeros(len(pfx4), dtype=np.float64)
    np.add.at(per_row, family.row, scoped_exclusive_space(family, None))
    asns, space = _per_origin(pfx4, per_row)
    out = np.zeros(len(graph), dtype=np.float64)
    idx = graph.index_of(asns)
    out[idx[idx >= 0]] = space[idx >= 0]
    return out


def customer_cone_sizes(graph: ASGraph) -> np.ndarray:
    """Customer cone size (ASes reachable by provider-to-customer links, itself included)."""
    n = len(graph)
    ptr, idx = graph.customer_indptr, graph.customer_indices
    out = np.ones(n, dtype=np.float64)
    has = np.flatnonzero(np.diff(ptr) > 0)
    seen = np.zeros(n, dtype=np.int64) - 1
    for a in has:
        stack = [int(a)]
        seen[a] = a
        count = 0
        while stack:
            x = stack.pop()
            count += 1
            for c in idx[ptr[x]:ptr[x + 1]]:
                if seen[c] != a:
                    seen[c] = a
                    stack.append(int(c))
        out[a] = count
    return out


def vantage_weights(graph: ASGraph, origins: CountryOrigins, schemes: tuple[str, ...], *,
                    space: np.ndarray | None = None, cone: np.ndarray | None = None) -> np.ndarray:
    """(n, K) vantage weights, zero on domestic ASes; ``space``/``cone`` per AS in graph order when needed."""
    n = len(graph)
    foreign = np.ones(n, dtype=bool)
    d = graph.index_of(origins.domestic)
    foreign[d[d >= 0]] = False
    has_customers = np.diff(graph.customer_indptr) > 0
    out = np.zeros((n, len(schemes)), dtype=np.float64)
    for k, scheme in enumerate(schemes):
        s = VantageScheme(scheme)
        if s is VantageScheme.ALL:
            col = np.ones(n)
        elif s is VantageScheme.SPACE:
            if space is None:
                raise ValueError("the space scheme needs the space each AS originates")
            col = space
        elif s is VantageScheme.TRANSIT:
            col = has_customers.astype(np.float64)
        else:
            col = cone if cone is not None else customer_cone_sizes(graph)
        out[:, k] = np.where(foreign, col, 0.0)
    return out


def _split_gateways(acc: np.ndarray, reps: np.ndarray, rep_weight: np.ndarray, rep_of: np.ndarray,
                    idx: np.ndarray, weight: np.ndarray) -> None:
    """A merged stub origin is the first domestic AS only towards itself: its class's credit splits by weight."""
    sizes = np.bincount(rep_of, minlength=len(reps))
    for c in np.flatnonzero(sizes > 1):
        if rep_weight[c] <= 0:
            continue
        credit = acc[reps[c], GATEWAY].copy()
        acc[reps[c], GATEWAY] = 0.0
        for i in np.flatnonzero(rep_of == c):
            acc[idx[i], GATEWAY] += credit * weight[i] / rep_weight[c]


def flow_measures(graph: ASGraph, origins: CountryOrigins, weights: np.ndarray, *, schemes: tuple[str, ...],
                  ties: TieRule = TieRule.SPLIT, scenario: Scenario | Overlay | None = None,
                  origin_subset: np.ndarray | None = None, workers: int = 2) -> FlowMeasures:
    """Every measure of ``transit_flows`` for the country, one column per vantage scheme."""
    overlay = as_overlay(graph, scenario)
    n = len(graph)
    domestic = np.zeros(n, dtype=np.bool_)
    d_idx = graph.index_of(origins.domestic)
    domestic[d_idx[d_idx >= 0]] = True
    # domestic ASes and removed ones are never vantage points, whatever the weights say
    vw = np.ascontiguousarray(np.where((overlay.node_enabled & ~domestic)[:, None], weights, 0.0))
    o_idx = graph.index_of(origins.asns)
    chosen = o_idx >= 0
    if origin_subset is not None:
        chosen &= np.isin(origins.asns, origin_subset)
    run = np.flatnonzero(chosen)
    # stubs with the same neighbours share a tree only if none is a vantage point: a vantage
    # stub sends its own flow through the others' trees, and the weights may differ
    silent = ~vw[o_idx[run]].any(axis=1)
    merged_idx, merged_weight = o_idx[run][silent], origins.weight[run][silent]
    reps, rep_weight, _, rep_of = _merge_equivalent_stubs(overlay, merged_idx, merged_weight,
                                                          np.zeros(int(silent.sum())))
    merged = (reps, rep_weight, rep_of, merged_idx, merged_weight)
    reps = np.concatenate((reps, o_idx[run][~silent].astype(np.int64)))
    rep_weight = np.concatenate((rep_weight, origins.weight[run][~silent]))
    code = _TIE_CODE[TieRule(ties)]

    def work(batch: np.ndarray) -> np.ndarray:
        acc = np.zeros((n, MEASURES, vw.shape[1]))
        reached = np.zeros(len(batch), dtype=np.int64)
        run_flow_origins(reps[batch].astype(np.int32), rep_weight[batch], overlay.arrays, code, domestic, vw, acc,
                         reached)
        return acc

    batches = _batches(len(reps), workers)
    if len(batches) > 1:
        with ThreadPoolExecutor(max_workers=len(batches)) as pool:
            parts = list(pool.map(work, batches))
    else:
        parts = [work(b) for b in batches]
    acc = sum(parts) if parts else np.zeros((n, MEASURES, vw.shape[1]))
    _split_gateways(acc, *merged)
    totals = vw.sum(axis=0)
    norm = np.maximum(totals, 1e-300) * float(origins.weight[run].sum() or 1.0)
    return FlowMeasures(asns=graph.asns, schemes=tuple(schemes), ties=TieRule(ties), values=acc / norm,
                        vantage_totals=totals, origins_used=origins.asns[run], routing_trees=len(reps))
