"""Simulated path evidence for many countries in one run, each equal to its own ``transit`` run.

A country's transit evidence is a pilot run over its 200 largest origins (which picks
the trimmed-mean candidates), then a run over every origin (docs/methodology.md). Both
are sums over routing trees, and a tree does not depend on the country: the tree of an
origin whose space lies in several countries, and the trees of a country's largest
origins (used by its pilot, then by its full run), are needed more than once. This
module plans every country's runs up front, keeps the trees that will be needed again in
a bounded store (:class:`TreeStore`), and accumulates each run with
:func:`world_kernels.run_trees` — the transit kernel's accumulation, fed stored trees.

Each run reproduces ``simulate_evidence`` step by step (the same stub merging, the same
split of routing trees over workers and pieces, the same order of sums), so a country's
evidence is the one ``transit`` computes for it, to the last bit.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ..progress import NO_PROGRESS, Progress
from ..tables.topology import ASGraph
from .country import CountryOrigins
from .scenario import Overlay
from .simulate import as_overlay
from .transit_evidence import (
    PathEvidence,
    _batches,
    _merge_equivalent_stubs,
    _origin_reach,
    _split_merged_gateways,
    _vantage_slots,
    pick_candidates,
)
from .transit_kernels import DOMESTIC
from .world_kernels import run_trees

__all__ = ["PILOT_ORIGINS", "TreeStore", "WorldPlan", "plan_world", "warm_kernels", "world_evidence"]

PILOT_ORIGINS = 200  # as api.simulated_evidence: the pilot run covers this many of the largest origins
PIECE = 64  # simulate_evidence's piece size: the order of sums follows it


@dataclass(frozen=True, eq=False)
class _Run:
    """One evidence run of one country (its pilot, or all its origins): routing trees and their weights."""

    origins: CountryOrigins
    o_idx: np.ndarray
    run: np.ndarray  # positions in origins of the simulated origins
    missing: np.ndarray  # bool per origin: chosen but absent from the graph
    reps: np.ndarray  # dense index of each routing tree's origin
    rep_weight: np.ndarray
    rep_kmi: np.ndarray
    rep_of: np.ndarray


def _prepare(overlay: Overlay, graph: ASGraph, origins: CountryOrigins, subset: np.ndarray | None) -> _Run:
    o_idx = graph.index_of(origins.asns)
    chosen = np.ones(len(o_idx), dtype=bool)
    if subset is not None:
        chosen &= np.isin(origins.asns, subset)
    missing = chosen & (o_idx < 0)
    run = np.flatnonzero(chosen & (o_idx >= 0))
    reps, rep_weight, rep_kmi, rep_of = _merge_equivalent_stubs(
        overlay, o_idx[run], origins.weight[run], (origins.kmi_v4 + origins.kmi_v6)[run])
    return _Run(origins, o_idx, run, missing, reps, rep_weight, rep_kmi, rep_of)


@dataclass(frozen=True, eq=False)
class _Country:
    origins: CountryOrigins
    pilot: _Run
    full: _Run
    subset: np.ndarray | None  # the largest origins when the run is limited (max_origins)


@dataclass(frozen=True, eq=False)
class WorldPlan:
    """Every country's pilot and full runs, in the order they will run, and the trees each needs."""

    graph: ASGraph
    overlay: Overlay
    countries: tuple[_Country, ...]

    @property
    def trees(self) -> int:
        """Routing-tree accumulations the plan makes (pilot and full runs of every country)."""
        return sum(len(c.pilot.reps) + len(c.full.reps) for c in self.countries)

    @property
    def distinct_trees(self) -> int:
        """Routing trees that differ: what propagating each tree once would cost."""
        every = [r for c in self.countries for r in (c.pilot.reps, c.full.reps)]
        return len(np.unique(np.concatenate(every))) if every else 0


def plan_world(graph: ASGraph, countries: Sequence[CountryOrigins], *, max_origins: int | None = None,
               overlay: Overlay | None = None) -> WorldPlan:
    """The runs of every country as ``api.simulated_evidence`` makes them (pilot on the largest 200 origins)."""
    overlay = as_overlay(graph, overlay)
    planned = []
    for origins in countries:
        largest = origins.asns[np.argsort(-origins.weight, kind="stable")]
        subset = largest[:max_origins] if max_origins else None
        planned.append(_Country(origins, _prepare(overlay, graph, origins, largest[:PILOT_ORIGINS]),
                                _prepare(overlay, graph, origins, subset), subset))
    return WorldPlan(graph, overlay, tuple(planned))


@dataclass(eq=False)
class TreeStore:
    """Routing trees kept for a later run, in ``slots`` preallocated rows (next hops and path lengths).

    A tree is kept only if some later run needs it and a slot is free; trees needed by the
    very next run (a pilot's trees, for its country's full run) may use every slot, others
    leave ``reserve`` slots free for them. A slot is freed once its tree's last run is done.
    """

    nodes: int
    slots: int
    reserve: int = 256
    nh: np.ndarray = field(init=False)
    length: np.ndarray = field(init=False)
    ok: np.ndarray = field(init=False)
    slot_of: dict[int, int] = field(default_factory=dict)
    free: list[int] = field(init=False)
    hits: int = 0
    propagated: int = 0

    def __post_init__(self) -> None:
        self.nh = np.empty((self.slots, self.nodes), dtype=np.int32)
        self.length = np.empty((self.slots, self.nodes), dtype=np.int32)
        self.ok = np.zeros(self.slots, dtype=bool)
        self.free = list(range(self.slots - 1, -1, -1))

    @classmethod
    def with_budget(cls, nodes: int, budget_bytes: int) -> TreeStore:
        """As many slots as ``budget_bytes`` holds (8 bytes per AS and tree), at least none."""
        return cls(nodes, max(0, budget_bytes // max(8 * nodes, 1)))

    def schedule(self, reps: np.ndarray, phase: int, uses: dict[int, list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Slots to read each tree from (or -1), and slots to keep each new tree in (or -1)."""
        slot_in = np.full(len(reps), -1, dtype=np.int64)
        slot_out = np.full(len(reps), -1, dtype=np.int64)
        for j, r in enumerate(reps.tolist()):
            held = self.slot_of.get(r)
            if held is not None:
                slot_in[j] = held
                self.hits += 1
                continue
            self.propagated += 1
            later = _next_use(uses[r], phase)
            if later is None or not self.free:
                continue
            if later != phase + 1 and len(self.free) <= self.reserve:
                continue
            slot_out[j] = self.free.pop()
            self.slot_of[r] = int(slot_out[j])
        return slot_in, slot_out

    def release(self, reps: np.ndarray, phase: int, uses: dict[int, list[int]]) -> None:
        """Free the slots of trees no later run needs."""
        for r in reps.tolist():
            if _next_use(uses[r], phase) is None and r in self.slot_of:
                self.free.append(self.slot_of.pop(r))


def _next_use(phases: list[int], phase: int) -> int | None:
    k = bisect.bisect_right(phases, phase)
    return phases[k] if k < len(phases) else None


def world_evidence(plan: WorldPlan, *, vantages: np.ndarray | None = None, workers: int = 2,
                   store_bytes: int = 512 << 20, store: TreeStore | None = None, progress: Progress = NO_PROGRESS
                   ) -> Iterator[tuple[CountryOrigins, PathEvidence]]:
    """Each country's simulated evidence, as ``api.simulated_evidence`` gives it, country after country.

    ``store_bytes`` bounds the memory kept for trees reused by later runs (or pass a
    ``store``, whose ``hits`` and ``propagated`` count the reuse). Yields as soon as a
    country is done, so the caller can write it and drop it.
    """
    graph = plan.graph
    runs = [r for c in plan.countries for r in (c.pilot, c.full)]
    uses: dict[int, list[int]] = {}
    for phase, run in enumerate(runs):
        for r in run.reps.tolist():
            uses.setdefault(r, []).append(phase)
    store = store if store is not None else TreeStore.with_budget(len(graph), store_bytes)
    progress.start("simulating routes to every country's origins", sum(len(r.reps) for r in runs))
    try:
        for k, country in enumerate(plan.countries):
            pilot = _evidence(plan, country.pilot, None, vantages, workers, store, 2 * k, uses, progress)
            candidates = pick_candidates(pilot)
            full = _evidence(plan, country.full, candidates, vantages, workers, store, 2 * k + 1, uses, progress)
            if country.subset is not None:
                skipped = ~np.isin(country.origins.asns, country.subset)
                full.details["origins_skipped_by_limit"] = int(skipped.sum())
                full.details["weight_skipped_by_limit"] = float(country.origins.weight[skipped].sum())
            yield country.origins, full
    finally:
        progress.finish()


def _evidence(plan: WorldPlan, prepared: _Run, candidates: np.ndarray | None, vantages: np.ndarray | None,
              workers: int, store: TreeStore, phase: int, uses: dict[int, list[int]], progress: Progress
              ) -> PathEvidence:
    """``simulate_evidence`` for one prepared run, reading and keeping trees in ``store``."""
    graph, overlay, origins = plan.graph, plan.overlay, prepared.origins
    n = len(graph)
    domestic = np.zeros(n, dtype=bool)
    d_idx = graph.index_of(origins.domestic)
    domestic[d_idx[d_idx >= 0]] = True
    vantage_slot, vantage_asns = _vantage_slots(graph, overlay, domestic, vantages)
    cand = np.zeros(0, dtype=np.uint32) if candidates is None else np.asarray(candidates, dtype=np.uint32)
    cand_slot = np.full(n, -1, dtype=np.int64)
    c_idx = graph.index_of(cand)
    cand_slot[c_idx[c_idx >= 0]] = np.flatnonzero(c_idx >= 0)
    reps, rep_weight, rep_kmi, rep_of = prepared.reps, prepared.rep_weight, prepared.rep_kmi, prepared.rep_of
    run, o_idx, missing = prepared.run, prepared.o_idx, prepared.missing
    slot_in, slot_out = store.schedule(reps, phase, uses)
    k = max(len(cand), 1)
    batches = _batches(len(reps), workers)
    reached = np.zeros(len(reps), dtype=np.int64)
    info = np.empty((n, 2), dtype=np.int64)
    info[:, 0] = np.where(domestic, DOMESTIC, vantage_slot)
    info[:, 1] = cand_slot

    def work(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, float]]:
        acc = np.zeros((n, 6))
        shares = np.zeros((k, len(vantage_asns)))
        totals = np.zeros(3)
        pairs: dict[int, float] = {}
        for piece in np.array_split(batch, max(1, len(batch) // PIECE)):
            out = np.zeros(len(piece), dtype=np.int64)
            got = run_trees(reps[piece].astype(np.int32), rep_weight[piece], rep_kmi[piece], slot_in[piece],
                            slot_out[piece], store.nh, store.length, store.ok, overlay.arrays, info, acc, shares,
                            totals, out)
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
    store.release(reps, phase, uses)
    acc_sum = np.zeros((n, 6))
    shares = np.zeros((k, len(vantage_asns)))
    totals = np.zeros(3)
    for r in results:  # added in batch order, as transit's own evidence does
        acc_sum = acc_sum + r[0]
        shares = shares + r[1]
        totals = totals + r[2]
    acc = np.ascontiguousarray(acc_sum.T)
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
        kind="simulated", asns=graph.asns, vantages=vantage_asns, candidates=cand, shares=shares[: len(cand)].T,
        pair_from=graph.asns[keys // n], pair_to=graph.asns[keys % n], pair_weight=values,
        reach_weight=float(totals[1]), path_length_sum=float(totals[0]), origins_used=origins.asns[run],
        origins_missing=origins.asns[missing], weight_missing=float(origins.weight[missing].sum()),
        paths=int(totals[2]), transit=acc[0], border=acc[1], gateway=acc[2], retail=acc[3], wholesale=acc[4],
        backbone=acc[5], origin_reach=_origin_reach(len(origins.asns), run, rep_of, reached, len(vantage_asns)),
        mean_divisor=max(len(vantage_asns), 1) * float(origins.weight[run].sum() or 1.0),
        shares_divisor=float(origins.weight[run].sum() or 1.0),
        details={"routing_trees": len(reps), "origins": len(run)},
    )


def warm_kernels(progress: Progress = NO_PROGRESS) -> None:
    """Compile (first run) or load (later runs) the world kernel on a two-AS graph, as a progress step.

    numba compiles on the first call and caches the machine code on disk; without this
    step the first real call would sit silent for as long as the compilation takes.
    """
    progress.start("preparing compiled kernels (compiled on the first run only; may take a minute)", None)
    try:
        graph = ASGraph.from_links(np.array([1], np.uint32), np.array([2], np.uint32), np.zeros(0, np.uint32),
                                   np.zeros(0, np.uint32))
        overlay = as_overlay(graph, None)
        n = len(graph)
        info = np.full((n, 2), -1, dtype=np.int64)
        info[:, 0] = [0, DOMESTIC]
        store = TreeStore(n, 1, reserve=0)
        run_trees(np.array([1], np.int32), np.ones(1), np.ones(1), np.array([-1]), np.array([0]), store.nh,
                  store.length, store.ok, overlay.arrays, info, np.zeros((n, 6)), np.zeros((1, 1)), np.zeros(3),
                  np.zeros(1, np.int64))
    finally:
        progress.finish()
