"""A scenario against the baseline, origin by origin: lost routes, length changes, moved next hops.

Both propagations run in one numba loop per origin and only the differences are kept:
counters per origin and per AS, a histogram of path-length changes, and (up to a cap)
the individual changed (origin, AS) pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from ..progress import NO_PROGRESS, Progress
from ..tables.topology import ASGraph
from .scenario import Overlay, Scenario
from .simulate import MAX_LENGTH, as_overlay, default_threads, propagate_keyed, route_keys

__all__ = [
    "CHANGE_GAINED", "CHANGE_LENGTH", "CHANGE_LOST", "CHANGE_MOVED", "CHANGE_NAMES", "ScenarioComparison",
    "compare_scenario",
]

NO_CHANGE, CHANGE_LOST, CHANGE_GAINED, CHANGE_MOVED, CHANGE_LENGTH = 0, 1, 2, 3, 4
CHANGE_NAMES = {CHANGE_LOST: "lost", CHANGE_GAINED: "gained", CHANGE_MOVED: "next_hop_moved",
                CHANGE_LENGTH: "length_changed"}


@njit(cache=True)
def _compare(origins, base, scen, n, per_origin, lost_per_as, moved_per_as, delta_hist,
             d_origin, d_as, d_kind, d_old_nh, d_new_nh, d_old_len, d_new_len, filled, seen):
    """per_origin columns: lost, gained, moved, longer, shorter. Returns (details filled, changes seen)."""
    rel_a = np.empty(n, dtype=np.int8)
    len_a = np.empty(n, dtype=np.int32)
    nh_a = np.empty(n, dtype=np.int32)
    rel_b = np.empty(n, dtype=np.int8)
    len_b = np.empty(n, dtype=np.int32)
    nh_b = np.empty(n, dtype=np.int32)
    queue = np.empty(n, dtype=np.int32)
    key = route_keys(n)
    cap = d_origin.shape[0]
    for j in range(origins.shape[0]):
        o = origins[j]
        propagate_keyed(o, base, key, rel_a, len_a, nh_a, queue)
        propagate_keyed(o, scen, key, rel_b, len_b, nh_b, queue)
        for v in range(n):
            had = rel_a[v] >= 0
            has = rel_b[v] >= 0
            kind = NO_CHANGE
            if had and not has:
                kind = CHANGE_LOST
                per_origin[j, 0] += 1
                lost_per_as[v] += 1
            elif has and not had:
                kind = CHANGE_GAINED
                per_origin[j, 1] += 1
            elif had and has:
                delta = len_b[v] - len_a[v]
                delta_hist[min(max(delta, -MAX_LENGTH), MAX_LENGTH) + MAX_LENGTH] += 1
                if nh_a[v] != nh_b[v]:
                    kind = CHANGE_MOVED
                    per_origin[j, 2] += 1
                    moved_per_as[v] += 1
                elif delta != 0:
                    kind = CHANGE_LENGTH
                if delta > 0:
                    per_origin[j, 3] += 1
                elif delta < 0:
                    per_origin[j, 4] += 1
            if kind != NO_CHANGE:
                seen += 1
            if kind != NO_CHANGE and filled < cap:
                d_origin[filled] = o
                d_as[filled] = v
                d_kind[filled] = kind
                d_old_nh[filled] = nh_a[v]
                d_new_nh[filled] = nh_b[v]
                d_old_len[filled] = len_a[v]
                d_new_len[filled] = len_b[v]
                filled += 1
    return filled, seen


@njit(cache=True, parallel=True)
def _compare_threads(origins, base, scen, n, per_origin, lost_per_as, moved_per_as, delta_hist,
                     d_origin, d_as, d_kind, d_old_nh, d_new_nh, d_old_len, d_new_len, threads):
    """_compare over thread slices; each thread owns a slice of the detail arrays.

    Returns per-thread (filled, seen) so the caller can stitch the detail slices together.
    """
    m = origins.shape[0]
    cap = d_origin.shape[0] // threads
    lost_t = np.zeros((threads, n), dtype=np.int64)
    moved_t = np.zeros((threads, n), dtype=np.int64)
    hist_t = np.zeros((threads, delta_hist.shape[0]), dtype=np.int64)
    counts = np.zeros((threads, 2), dtype=np.int64)
    for t in prange(threads):
        lo, hi = m * t // threads, m * (t + 1) // threads
        a, b = cap * t, cap * (t + 1)
        filled, seen = _compare(origins[lo:hi], base, scen, n, per_origin[lo:hi], lost_t[t], moved_t[t],
                                hist_t[t], d_origin[a:b], d_as[a:b], d_kind[a:b], d_old_nh[a:b], d_new_nh[a:b],
                                d_old_len[a:b], d_new_len[a:b], 0, 0)
        counts[t, 0] = filled
        counts[t, 1] = seen
    for t in range(threads):
        lost_per_as += lost_t[t]
        moved_per_as += moved_t[t]
        delta_hist += hist_t[t]
    return counts


@dataclass(frozen=True, eq=False)
class ScenarioComparison:
    """Differences between baseline and scenario routes for a set of origins.

    Per origin (aligned with ``origins``): ``lost`` (ASes that had a route and lose it),
    ``gained``, ``moved`` (still routed, different next hop), ``longer``/``shorter`` paths.
    Per AS (aligned with ``graph.asns``): ``lost_per_as``/``moved_per_as`` count origins.
    ``length_delta_hist[d + 64]``: routed-in-both pairs whose length changed by d.
    Detail arrays list each changed (origin, AS) pair as AS numbers (next hop -1 = none,
    length -1 = no route), kind in CHANGE_NAMES; ``details_truncated`` when the cap was hit.
    """

    graph: ASGraph
    scenario: Scenario
    origins: np.ndarray
    lost: np.ndarray
    gained: np.ndarray
    moved: np.ndarray
    longer: np.ndarray
    shorter: np.ndarray
    lost_per_as: np.ndarray
    moved_per_as: np.ndarray
    length_delta_hist: np.ndarray
    detail_origin: np.ndarray
    detail_as: np.ndarray
    detail_kind: np.ndarray
    detail_old_next_hop: np.ndarray
    detail_new_next_hop: np.ndarray
    detail_old_length: np.ndarray
    detail_new_length: np.ndarray
    details_truncated: bool

    def totals(self) -> dict[str, int]:
        return {"origins": int(self.origins.shape[0]), "lost": int(self.lost.sum()),
                "gained": int(self.gained.sum()), "next_hop_moved": int(self.moved.sum()),
                "longer": int(self.longer.sum()), "shorter": int(self.shorter.sum())}


def compare_scenario(graph: ASGraph, scenario: Scenario | Overlay, origins: Iterable[int] | np.ndarray | None = None,
                     *, baseline: Scenario | Overlay | None = None, max_details: int = 1_000_000,
                     progress: Progress = NO_PROGRESS, chunk: int = 512,
                     threads: int | None = None) -> ScenarioComparison:
    """Compare ``scenario`` with ``baseline`` (the unchanged graph by default) for each origin.

    At most ``max_details`` changed (origin, AS) pairs are kept (``details_truncated`` says
    when more existed); the counters always cover every pair. Origins run on ``threads``.
    """
    scen = as_overlay(graph, scenario)
    base = as_overlay(graph, baseline)
    n = len(graph)
    asns = graph.asns.copy() if origins is None else np.unique(np.asarray(
        origins if isinstance(origins, np.ndarray) else list(origins), dtype=np.int64)).astype(np.uint32)
    idx = graph.index_of(asns)
    if (idx < 0).any():
        graph.require_index(int(asns[np.argmax(idx < 0)]))
    per_origin = np.zeros((idx.shape[0], 5), dtype=np.int64)
    lost_per_as = np.zeros(n, dtype=np.int64)
    moved_per_as = np.zeros(n, dtype=np.int64)
    delta_hist = np.zeros(2 * MAX_LENGTH + 1, dtype=np.int64)
    cap = max(int(max_details), 0)
    threads = threads or default_threads()
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("origin", "as", "kind", "old_nh", "new_nh", "old_len", "new_len")}
    room, seen = cap, 0
    progress.start("comparing scenario", int(idx.shape[0]))
    try:
        for s in range(0, idx.shape[0], chunk):
            part = idx[s:s + chunk]
            t = min(threads, max(1, part.shape[0]))
            size = (room // t) * t
            bufs = (np.empty(size, np.int32), np.empty(size, np.int32), np.empty(size, np.int8),
                    np.empty(size, np.int32), np.empty(size, np.int32), np.empty(size, np.int32),
                    np.empty(size, np.int32))
            counts = _compare_threads(part, base.arrays, scen.arrays, n, per_origin[s:s + chunk], lost_per_as,
                                      moved_per_as, delta_hist, *bufs, t)
            per = size // t
            for k in range(t):
                got = int(counts[k, 0])
                for name, buf in zip(cols, bufs, strict=True):
                    cols[name].append(buf[k * per:k * per + got])
                room -= got
            seen += int(counts[:, 1].sum())
            progress.advance(int(part.shape[0]))
    finally:
        progress.finish()
    detail = {k: (np.concatenate(v) if v else np.zeros(0, np.int32)) for k, v in cols.items()}
    filled = int(detail["origin"].shape[0])
    truncated = seen > filled

    def to_asn(dense: np.ndarray) -> np.ndarray:
        return np.where(dense >= 0, graph.asns[np.maximum(dense, 0)].astype(np.int64), -1)

    return ScenarioComparison(
        graph=graph, scenario=scen.scenario, origins=asns,
        lost=per_origin[:, 0], gained=per_origin[:, 1], moved=per_origin[:, 2],
        longer=per_origin[:, 3], shorter=per_origin[:, 4],
        lost_per_as=lost_per_as, moved_per_as=moved_per_as, length_delta_hist=delta_hist,
        detail_origin=graph.asns[detail["origin"]], detail_as=graph.asns[detail["as"]],
        detail_kind=detail["kind"].astype(np.int8), detail_old_next_hop=to_asn(detail["old_nh"]),
        detail_new_next_hop=to_asn(detail["new_nh"]), detail_old_length=detail["old_len"],
        detail_new_length=detail["new_len"], details_truncated=bool(truncated),
    )
