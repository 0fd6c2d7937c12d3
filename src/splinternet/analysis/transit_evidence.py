"""Path evidence towards a country's origins, reduced to per-AS sums.

Two sources give the same :class:`PathEvidence`: routes simulated on the AS graph
(every foreign AS, or a chosen set, as vantage point) and paths observed in MRT
archives (each full-feed peer AS a vantage point). The measures in ``transit.py`` are
computed from these sums only.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ..progress import NO_PROGRESS, Progress, compile_note
from ..tables.topology import ASGraph
from .country import CountryOrigins
from .scenario import Overlay, Scenario
from .simulate import as_overlay
from .transit_kernels import DOMESTIC, MASK_WORDS, run_origins

__all__ = ["PathEvidence", "pick_candidates", "simulate_evidence"]

MAX_CANDIDATES = 64 * MASK_WORDS


@dataclass(frozen=True, eq=False)
class PathEvidence:
    """Per-AS sums over (vantage, origin) paths, weighted by the origins' country shares.

    Arrays indexed by ``asns`` positions. ``shares[v, c]`` is, for vantage ``v``, the
    weight of the country's space whose path crosses candidate ``candidates[c]``.
    ``pairs`` are border hand-offs (foreign AS, first domestic AS, weighted paths).
    """

    kind: str  # "simulated" or "observed"
    asns: np.ndarray  # uint32
    vantages: np.ndarray  # uint32, AS numbers of the vantage points
    transit: np.ndarray
    border: np.ndarray
    gateway: np.ndarray
    retail: np.ndarray
    wholesale: np.ndarray
    backbone: np.ndarray
    candidates: np.ndarray  # uint32 AS numbers
    shares: np.ndarray  # (vantages, candidates) float64
    pair_from: np.ndarray  # uint32 AS numbers
    pair_to: np.ndarray
    pair_weight: np.ndarray
    reach_weight: float  # sum over vantages of the country weight they reach
    path_length_sum: float
    origins_used: np.ndarray  # uint32
    origins_missing: np.ndarray  # uint32: domestic origins absent from the topology
    weight_missing: float
    paths: int = 0
    origin_reach: np.ndarray | None = None  # per domestic origin: share of vantages reaching it
    mean_divisor: float = 1.0  # per-AS sums / mean_divisor = mean share over vantage points
    shares_divisor: float = 1.0  # shares / shares_divisor = each vantage point's share
    details: dict[str, object] = field(default_factory=dict)

    @property
    def vantage_count(self) -> int:
        return len(self.vantages)

    def mean_path_length(self) -> float:
        return self.path_length_sum / self.reach_weight if self.reach_weight else float("nan")


def _vantage_slots(graph: ASGraph, overlay: Overlay, domestic: np.ndarray,
                   vantages: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    n = len(graph)
    if vantages is None:
        eligible = ~domestic & overlay.node_enabled
    else:
        eligible = np.zeros(n, dtype=bool)
        idx = graph.index_of(vantages)
        eligible[idx[idx >= 0]] = True
        eligible &= overlay.node_enabled
    slot = np.full(n, -1, dtype=np.int64)
    members = np.flatnonzero(eligible)
    slot[members] = np.arange(len(members))
    return slot, graph.asns[members]


def simulate_evidence(
    graph: ASGraph,
    origins: CountryOrigins,
    *,
    scenario: Scenario | Overlay | None = None,
    vantages: np.ndarray | None = None,
    candidates: np.ndarray | None = None,
    origin_subset: np.ndarray | None = None,
    workers: int = 2,
    progress: Progress = NO_PROGRESS,
) -> PathEvidence:
    """Propagate a route from every domestic origin and sum what the vantage points' paths cross.

    ``vantages`` (AS numbers) defaults to every foreign AS of the graph. ``candidates``
    (at most 128 AS numbers) are the ASes whose per-vantage shares are kept for the
    trimmed mean. ``origin_subset`` restricts the origins (a quick pilot run).
    """
    overlay = as_overlay(graph, scenario)
    n = len(graph)
    domestic = np.zeros(n, dtype=bool)
    d_idx = graph.index_of(origins.domestic)
    domestic[d_idx[d_idx >= 0]] = True
    vantage_slot, vantage_asns = _vantage_slots(graph, overlay, domestic, vantages)
    cand = np.zeros(0, dtype=np.uint32) if candidates is None else np.asarray(candidates, dtype=np.uint32)
    if len(cand) > MAX_CANDIDATES:
        raise ValueError(f"at most {MAX_CANDIDATES} candidates")
    cand_slot = np.full(n, -1, dtype=np.int64)
    c_idx = graph.index_of(cand)
    cand_slot[c_idx[c_idx >= 0]] = np.flatnonzero(c_idx >= 0)

    o_idx = graph.index_of(origins.asns)
    chosen = np.ones(len(o_idx), dtype=bool)
    if origin_subset is not None:
        chosen &= np.isin(origins.asns, origin_subset)
    missing = chosen & (o_idx < 0)
    run = np.flatnonzero(chosen & (o_idx >= 0))
    reps, rep_weight, rep_kmi, rep_of = _merge_equivalent_stubs(
        overlay, o_idx[run], origins.weight[run], (origins.kmi_v4 + origins.kmi_v6)[run]
    )
    k = max(len(cand), 1)
    batches = _batches(len(reps), workers)
    progress.start(compile_note(run_origins) + "simulating routes to domestic origins", len(reps))

    reached = np.zeros(len(reps), dtype=np.int64)

    info = np.empty((n, 2), dtype=np.int64)
    info[:, 0] = np.where(domestic, DOMESTIC, vantage_slot)
    info[:, 1] = cand_slot

    def work(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, float]]:
        acc = np.zeros((n, 6))
        shares = np.zeros((k, len(vantage_asns)))
        totals = np.zeros(3)
        pairs: dict[int, float] = {}
        for piece in np.array_split(batch, max(1, len(batch) // 64)):
            out = np.zeros(len(piece), dtype=np.int64)
            got = run_origins(reps[piece].astype(np.int32), rep_weight[piece], rep_kmi[piece], overlay.arrays,
                              info, acc, shares, totals, out)
            reached[piece] = out
            for key, value in got.items():
                pairs[key] = pairs.get(key, 0.0) + value
            progress.advance(len(piece))
        return acc, shares, totals, pairs

    if len(batches) > 1:
        with ThreadPoolExecutor(max_workers=len(batches)) as pool:
            results = list(pool.map(work, batches))
    else:
        results = [work(b) for b in batches]
    progress.finish()
    acc = np.ascontiguousarray(sum((r[0] for r in results), np.zeros((n, 6))).T)
    shares = sum((r[1] for r in results), np.zeros((k, len(vantage_asns))))
    totals = sum((r[2] for r in results), np.zeros(3))
    merged: dict[int, float] = {}
    for r in results:
        for key, value in r[3].items():
            merged[key] = merged.get(key, 0.0) + value
    _split_merged_gateways(acc[2], merged, n, o_idx[run], origins.weight[run], reps, rep_of, rep_weight)
    keys = np.fromiter(merged.keys(), dtype=np.int64, count=len(merged))
    values = np.fromiter(merged.values(), dtype=np.float64, count=len(merged))
    order = np.argsort(keys)
    keys, values = keys[order], values[order]
    return PathEvidence(
        kind="simulated",
        asns=graph.asns,
        vantages=vantage_asns,
        candidates=cand,
        shares=shares[: len(cand)].T,
        pair_from=graph.asns[keys // n],
        pair_to=graph.asns[keys % n],
        pair_weight=values,
        reach_weight=float(totals[1]),
        path_length_sum=float(totals[0]),
        origins_used=origins.asns[run],
        origins_missing=origins.asns[missing],
        weight_missing=float(origins.weight[missing].sum()),
        paths=int(totals[2]),
        transit=acc[0], border=acc[1], gateway=acc[2], retail=acc[3], wholesale=acc[4], backbone=acc[5],
        origin_reach=_origin_reach(len(origins.asns), run, rep_of, reached, len(vantage_asns)),
        mean_divisor=max(len(vantage_asns), 1) * float(origins.weight[run].sum() or 1.0),
        shares_divisor=float(origins.weight[run].sum() or 1.0),
        details={"routing_trees": len(reps), "origins": len(run)},
    )


def _batches(count: int, workers: int) -> list[np.ndarray]:
    """Interleaved batches so that each worker gets a similar mix of origins."""
    workers = max(1, min(workers, count))
    return [np.arange(w, count, workers) for w in range(workers)] if count else []


def _merge_equivalent_stubs(overlay: Overlay, idx: np.ndarray, weight: np.ndarray,
                            kmi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One routing tree per class of stub origins with the same enabled providers and peers.

    A stub origin has no customers, so the route every other AS picks towards it depends
    only on its neighbours: stubs with identical neighbour sets have the same tree (the
    other stubs of the class hang off it as leaves that export nothing), and since every
    measure is linear in the origin's weight, their weights can be summed.
    """
    net = overlay.arrays
    p_ptr, p_idx, p_ok = net.provider_ptr, net.provider_idx, net.provider_ok
    c_ptr, c_ok = net.customer_ptr, net.customer_ok
    q_ptr, q_idx, q_ok = net.peer_ptr, net.peer_idx, net.peer_ok
    xp_ptr, xp_idx, xp_ok = net.added_provider_ptr, net.added_provider_idx, net.added_provider_ok
    xc_ptr, xc_ok = net.added_customer_ptr, net.added_customer_ok
    xq_ptr, xq_idx, xq_ok = net.added_peer_ptr, net.added_peer_idx, net.added_peer_ok
    groups: dict[object, int] = {}
    reps: list[int] = []
    rep_of = np.empty(len(idx), dtype=np.int64)
    w_out: list[float] = []
    k_out: list[float] = []
    for i, o in enumerate(idx):
        stub = not (c_ok[c_ptr[o]:c_ptr[o + 1]].any() or xc_ok[xc_ptr[o]:xc_ptr[o + 1]].any())
        key: object
        if stub:
            providers = np.concatenate((p_idx[p_ptr[o]:p_ptr[o + 1]][p_ok[p_ptr[o]:p_ptr[o + 1]]],
                                        xp_idx[xp_ptr[o]:xp_ptr[o + 1]][xp_ok[xp_ptr[o]:xp_ptr[o + 1]]]))
            peers = np.concatenate((q_idx[q_ptr[o]:q_ptr[o + 1]][q_ok[q_ptr[o]:q_ptr[o + 1]]],
                                    xq_idx[xq_ptr[o]:xq_ptr[o + 1]][xq_ok[xq_ptr[o]:xq_ptr[o + 1]]]))
            key = (np.sort(providers).tobytes(), np.sort(peers).tobytes())
        else:
            key = int(o)
        slot = groups.get(key)
        rep_of[i] = len(reps) if slot is None else slot
        if slot is None:
            groups[key] = len(reps)
            reps.append(int(o))
            w_out.append(float(weight[i]))
            k_out.append(float(kmi[i]))
        else:
            w_out[slot] += float(weight[i])
            k_out[slot] += float(kmi[i])
    return np.asarray(reps, dtype=np.int64), np.asarray(w_out), np.asarray(k_out), rep_of


def _split_merged_gateways(gateway: np.ndarray, pairs: dict[int, float], n: int, idx: np.ndarray,
                           weight: np.ndarray, reps: np.ndarray, rep_of: np.ndarray, rep_weight: np.ndarray) -> None:
    """Give each merged stub origin its own gateway credit back.

    A stub origin is the first domestic AS only on paths towards itself (it exports no
    route to anyone else), so the credit its class representative received splits over
    the class members in proportion to their weights.
    """
    members: dict[int, list[int]] = {}
    for i, c in enumerate(rep_of):
        members.setdefault(int(c), []).append(i)
    by_to: dict[int, list[int]] = {}
    for key in pairs:
        by_to.setdefault(key % n, []).append(key)
    for c, rows in members.items():
        if len(rows) < 2 or rep_weight[c] <= 0:
            continue
        rep = int(reps[c])
        credit = gateway[rep]
        gateway[rep] = 0.0
        for i in rows:
            gateway[idx[i]] += credit * weight[i] / rep_weight[c]
        for key in by_to.get(rep, []):
            total = pairs.pop(key)
            source = key // n
            for i in rows:
                new_key = source * n + int(idx[i])
                pairs[new_key] = pairs.get(new_key, 0.0) + total * weight[i] / rep_weight[c]


def _origin_reach(count: int, run: np.ndarray, rep_of: np.ndarray, reached: np.ndarray,
                  vantages: int) -> np.ndarray:
    """Share of vantage points with a route to each origin (NaN for origins not simulated)."""
    out = np.full(count, np.nan)
    out[run] = reached[rep_of] / max(vantages, 1)
    return out


def pick_candidates(evidence: PathEvidence, limit: int = MAX_CANDIDATES) -> np.ndarray:
    """The ASes worth a trimmed mean: the largest by mean transit or border sums."""
    score = evidence.transit / max(evidence.transit.max(), 1e-300) + evidence.border / max(evidence.border.max(), 1e-300)
    order = np.argsort(-score, kind="stable")
    order = order[score[order] > 0][:limit]
    return evidence.asns[order]
