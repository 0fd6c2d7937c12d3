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

from ..progress import COMPILE_STEP, NO_PROGRESS, Progress, compile_note
from ..sources.pfx2as import Pfx2As
from ..tables.topology import ASGraph
from .country import CountryOrigins, _per_origin
from .flow_handoffs import book_pairs, border_slots, new_book
from .flow_leaves import LeafGroups, leaf_groups, no_leaves, spread_over_leaves
from .scenario import Overlay, OverlayArrays, Scenario
from .simulate import as_overlay
from .transit_evidence import PathEvidence, _batches, _merge_equivalent_stubs
from .transit_flows import (
    BACKBONE,
    BORDER,
    GATEWAY,
    MEASURES,
    RETAIL,
    TIE_HIGHEST,
    TIE_LOWEST,
    TIE_RANDOM,
    TIE_SPLIT,
    TRANSIT,
    WHOLESALE,
    run_flow_origins,
)

__all__ = [
    "DEFAULT_TIES",
    "DEFAULT_VANTAGES",
    "FlowMeasures",
    "GRAPH_SCHEMES",
    "TieRule",
    "VantageScheme",
    "flow_evidence",
    "flow_measures",
    "headline_flows",
    "originated_space",
    "vantage_weights",
    "warm_kernels",
]


class TieRule(StrEnum):
    LOWEST = "lowest-asn"
    SPLIT = "split"
    HIGHEST = "highest-asn"


_TIE_CODE = {TieRule.LOWEST: TIE_LOWEST, TieRule.SPLIT: TIE_SPLIT, TieRule.HIGHEST: TIE_HIGHEST}


def _seed(seed: int) -> int:
    """A tie seed as the kernels take it (added to TIE_RANDOM in one int64)."""
    if not 0 <= seed < 1 << 40:
        raise ValueError(f"tie seed {seed}: expected 0 <= seed < 2**40")
    return seed


class VantageScheme(StrEnum):
    ALL = "all"  # every foreign AS, equally
    SPACE = "space"  # every foreign AS, weighted by the address space it originates
    TRANSIT = "transit"  # foreign ASes with customers, equally
    CONE = "cone"  # foreign ASes weighted by their customer cone (ASes)
    COLLECTORS = "collectors"  # foreign ASes feeding route collectors (CTI's monitors), equally: read from MRT files


# the schemes worked out from the AS graph and the prefix table alone (collectors need MRT archives)
GRAPH_SCHEMES = (VantageScheme.ALL, VantageScheme.SPACE, VantageScheme.TRANSIT, VantageScheme.CONE)


@dataclass(frozen=True, eq=False)
class FlowMeasures:
    """``values[x, measure, k]``: mean over column k's vantage weight of the origin-weighted flow.

    Measures are those of ``transit_flows``; each is a share of the country's (routed)
    weight, in [0, 1], except the customer-base scores (RETAIL, WHOLESALE, BACKBONE), which
    are prefix weights averaged over the vantage weight.
    """

    asns: np.ndarray
    schemes: tuple[str, ...]
    ties: TieRule
    values: np.ndarray  # (n, MEASURES, K)
    pair_from: np.ndarray  # border hand-offs of column 0: foreign AS, first domestic AS, share
    pair_to: np.ndarray
    pair_weight: np.ndarray
    vantage_totals: np.ndarray  # (K,) total vantage weight per column
    origins_used: np.ndarray
    routing_trees: int
    vantages: np.ndarray  # AS numbers with a positive weight in column 0
    origins_missing: np.ndarray  # origins absent from the topology
    weight_missing: float
    origin_reach: np.ndarray  # per origin: share of column 0's vantage weight with a route to it (NaN if not run)
    reach: float  # column 0: share of the country reachable from the average (weighted) vantage point
    path_length_sum: float  # column 0, same units as reach: mean path length = path_length_sum / reach
    paths: int  # column 0: (vantage point, routing tree) pairs with a route

    def ranking(self, measure: int, column: int = 0) -> list[tuple[int, float]]:
        """(ASN, share) of every AS with a positive share, largest first."""
        col = self.values[:, measure, column]
        order = np.argsort(-col, kind="stable")
        order = order[col[order] > 0]
        return list(zip(self.asns[order].tolist(), col[order].tolist(), strict=True))


def originated_space(graph: ASGraph, pfx4: Pfx2As) -> np.ndarray:
    """IPv4 addresses each AS originates worldwide (most-specific prefix only, MOAS split), graph order."""
    from .country import origin_index, scoped_exclusive_space

    family = pfx4.table.v4
    per_row = np.zeros(len(pfx4), dtype=np.float64)
    np.add.at(per_row, family.row, scoped_exclusive_space(family, None))
    asns, space = _per_origin(origin_index(pfx4, everywhere=False), per_row)
    out = np.zeros(len(graph), dtype=np.float64)
    idx = graph.index_of(asns)
    out[idx[idx >= 0]] = space[idx >= 0]
    return out


def vantage_weights(graph: ASGraph, origins: CountryOrigins, schemes: tuple[str, ...], *,
                    space: np.ndarray | None = None, cone: np.ndarray | None = None,
                    collectors: np.ndarray | None = None) -> np.ndarray:
    """(n, K) vantage weights, zero on domestic ASes; ``space``/``cone`` per AS in graph order when needed,
    ``collectors`` the AS numbers feeding the route collectors (``observed.collector_peer_asns``)."""
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
        elif s is VantageScheme.COLLECTORS:
            if collectors is None:
                raise ValueError("the collectors scheme needs the AS numbers feeding the route collectors")
            col = np.zeros(n)
            idx = graph.index_of(np.asarray(collectors, dtype=np.uint32))
            col[idx[idx >= 0]] = 1.0
        else:
            col = cone if cone is not None else graph.customer_cone_sizes().astype(np.float64)
        out[:, k] = np.where(foreign, col, 0.0)
    return out


LEAVES = leaf_groups  # leaf vantage points routed in groups (a test swaps in flow_leaves.no_leaves)
PIECE = 64  # routing trees per kernel call: progress moves, and the border dict stays small


def _merge_by_side(overlay: Overlay, idx: np.ndarray, weight: np.ndarray, kmi: np.ndarray, is_domestic: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stub classes as ``_merge_equivalent_stubs`` makes them, domestic and foreign origins apart.

    A class's border credit is split over its members afterwards; a foreign stub (an
    origin of the country's space registered abroad) must not receive a domestic stub's
    gateway credit, nor the other way round, so the two never share a class.
    """
    reps_parts, kmi_parts = [], []
    rep_of = np.empty(len(idx), dtype=np.int64)
    offset = 0
    for side in (True, False):
        members = np.flatnonzero(is_domestic == side)
        if len(members) == 0:
            continue
        reps, _, rep_kmi, of = _merge_equivalent_stubs(overlay, idx[members], weight[members], kmi[members])
        reps_parts.append(reps)
        kmi_parts.append(rep_kmi)
        rep_of[members] = of + offset
        offset += len(reps)
    if not reps_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0), rep_of
    return np.concatenate(reps_parts), np.concatenate(kmi_parts), rep_of


def _stub_families(overlay: Overlay, reps: np.ndarray, classes: int, domestic: np.ndarray) -> np.ndarray:
    """For each routing tree: the tree that can carry it as a stub family, or -1.

    A stub with one enabled provider p and no peers exports nothing, so every AS's route to
    it is its route to p plus the link p -> stub: the stub's flows are p's. When p and the
    stubs are domestic (so paths enter the country at or before p) and p has a tree of its
    own, the stubs are counted on p's tree, one hop further (``transit_flows``), and their
    class needs no propagation. Only classes of merged stubs (the first ``classes`` trees)
    qualify.
    """
    net = overlay.arrays
    node_ok = overlay.node_enabled
    tree_at = {int(r): t for t, r in enumerate(reps.tolist())}
    host = np.full(len(reps), -1, dtype=np.int64)
    for c in range(classes):
        s = int(reps[c])
        if not (domestic[s] and node_ok[s]):
            continue
        if net.customer_ok[net.customer_ptr[s]:net.customer_ptr[s + 1]].any() or \
                net.added_customer_ok[net.added_customer_ptr[s]:net.added_customer_ptr[s + 1]].any():
            continue
        if net.peer_ok[net.peer_ptr[s]:net.peer_ptr[s + 1]].any() or \
                net.added_peer_ok[net.added_peer_ptr[s]:net.added_peer_ptr[s + 1]].any():
            continue
        lo, hi = net.provider_ptr[s], net.provider_ptr[s + 1]
        ups = net.provider_idx[lo:hi][net.provider_ok[lo:hi]]
        xlo, xhi = net.added_provider_ptr[s], net.added_provider_ptr[s + 1]
        extra = net.added_provider_idx[xlo:xhi][net.added_provider_ok[xlo:xhi]]
        if len(ups) + len(extra) != 1:
            continue
        p = int(ups[0]) if len(ups) else int(extra[0])
        t = tree_at.get(p)
        if t is None or not (domestic[p] and node_ok[p]) or not _sends_to(net, p, s):
            continue
        host[c] = t
    return host


def _sends_to(net: OverlayArrays, provider: int, customer: int) -> bool:
    """Whether ``provider`` exports routes to ``customer`` (its send flag sits in its customer lists)."""
    lo, hi = net.customer_ptr[provider], net.customer_ptr[provider + 1]
    at = lo + int(np.searchsorted(net.customer_idx[lo:hi], customer))  # the graph's lists are sorted
    if at < hi and net.customer_idx[at] == customer and net.customer_ok[at]:
        return True
    lo, hi = net.added_customer_ptr[provider], net.added_customer_ptr[provider + 1]
    hits = np.flatnonzero(net.added_customer_idx[lo:hi] == customer)
    return bool(len(hits) and net.added_customer_ok[lo + hits].any())


def _renumbered_groups(groups: LeafGroups, position: np.ndarray) -> LeafGroups:
    """The leaf groups with their ASes at their places in the pass's numbering (``flow_layout``)."""
    solo = np.where(groups.solo >= 0, position[np.maximum(groups.solo, 0)], -1).astype(np.int32)
    return groups._replace(provider=position[groups.provider].astype(np.int32), solo=solo)


def _split_gateways(acc: np.ndarray, pairs: dict[int, float], n: int, reps: np.ndarray, rep_weight: np.ndarray,
                    rep_of: np.ndarray, idx: np.ndarray, weight: np.ndarray) -> None:
    """A merged stub origin is the first domestic AS only towards itself: its class's credit (and its
    border hand-offs, column 0) split over the class by weight."""
    sizes = np.bincount(rep_of, minlength=len(reps))
    by_to: dict[int, list[int]] = {}
    for key in pairs:
        by_to.setdefault(key % n, []).append(key)
    for c in np.flatnonzero(sizes > 1):
        rep = int(reps[c])
        members = np.flatnonzero(rep_of == c)
        share = np.divide(weight[members], rep_weight[c], out=np.zeros_like(weight[members]),
                          where=rep_weight[c] > 0)
        credit = acc[rep, GATEWAY].copy()
        acc[rep, GATEWAY] = 0.0
        moved = {key: pairs.pop(key) for key in by_to.get(rep, [])}
        for i, row in zip(members, share, strict=True):
            acc[idx[i], GATEWAY] += credit * row
            for key, total in moved.items():
                new_key = (key // n) * n + int(idx[i])
                pairs[new_key] = pairs.get(new_key, 0.0) + total * row[0]


def flow_measures(graph: ASGraph, origins: CountryOrigins, weights: np.ndarray, *, schemes: tuple[str, ...],
                  ties: TieRule = TieRule.SPLIT, scenario: Scenario | Overlay | None = None,
                  origin_weights: np.ndarray | None = None, origin_subset: np.ndarray | None = None,
                  eligible: np.ndarray | None = None, workers: int = 2, threads: int | None = None,
                  tie_seed: int | None = None, progress: Progress = NO_PROGRESS) -> FlowMeasures:
    """Every measure of ``transit_flows`` for the country, one column per vantage scheme.

    ``origin_weights`` (origins x columns) gives each column its own origin weights
    (default: ``origins.weight`` in every column), so one propagation serves them all.
    ``eligible`` (bool per AS, graph order) restricts the vantage points further: a
    what-if passes the scenario's enabled ASes to its "before" run too, so that both runs
    are seen from the same vantage points. The sums are split into ``workers`` parts (their
    order of addition depends on it), ``threads`` of which run at once (default: all; the
    figures do not depend on it). ``tie_seed`` replaces ``ties`` by random tie orders,
    each AS its own (an experiment: the split is their expectation; ``transit_flows.TIE_RANDOM``).
    """
    overlay = as_overlay(graph, scenario)
    n = len(graph)
    domestic = np.zeros(n, dtype=np.bool_)
    d_idx = graph.index_of(origins.domestic)
    domestic[d_idx[d_idx >= 0]] = True
    # domestic ASes and removed ones are never vantage points, whatever the weights say
    allowed = overlay.node_enabled & ~domestic
    if eligible is not None:
        allowed &= eligible
    vw = np.ascontiguousarray(np.where(allowed[:, None], weights, 0.0))
    o_idx = graph.index_of(origins.asns)
    chosen = o_idx >= 0
    if origin_subset is not None:
        chosen &= np.isin(origins.asns, origin_subset)
    run = np.flatnonzero(chosen)
    ow = np.repeat(origins.weight[:, None], vw.shape[1], axis=1) if origin_weights is None else \
        np.asarray(origin_weights, dtype=np.float64)
    # stubs with the same neighbours share a tree only if none is a vantage point: a vantage
    # stub sends its own flow through the others' trees, and the weights may differ
    silent = ~vw[o_idx[run]].any(axis=1)
    kmi = (origins.kmi_v4 + origins.kmi_v6)[run]
    merged_idx, merged_weight = o_idx[run][silent], ow[run][silent]
    reps, rep_kmi, rep_of = _merge_by_side(overlay, merged_idx, merged_weight[:, 0], kmi[silent],
                                           domestic[merged_idx])
    rep_weight = np.zeros((len(reps), vw.shape[1]))
    np.add.at(rep_weight, rep_of, merged_weight)
    merged = (reps, rep_weight, rep_of, merged_idx, merged_weight)
    classes = len(reps)
    # origin j of ``run`` is simulated by tree tree_of[j]
    tree_of = np.empty(len(run), dtype=np.int64)
    tree_of[np.flatnonzero(silent)] = rep_of
    tree_of[np.flatnonzero(~silent)] = len(reps) + np.arange(int((~silent).sum()))
    reps = np.concatenate((reps, o_idx[run][~silent].astype(np.int64)))
    rep_weight = np.ascontiguousarray(np.concatenate((rep_weight, ow[run][~silent])))
    rep_kmi = np.concatenate((rep_kmi, kmi[~silent]))
    # a class of domestic stubs whose only neighbour is a domestic origin rides on that origin's tree
    host = _stub_families(overlay, reps, classes, domestic)
    children = np.zeros_like(rep_weight)
    children_kmi = np.zeros(len(reps))
    absorbed = np.flatnonzero(host >= 0)
    np.add.at(children, host[absorbed], rep_weight[absorbed])
    np.add.at(children_kmi, host[absorbed], rep_kmi[absorbed])
    active = np.flatnonzero(host < 0)
    renumber = np.full(len(reps), -1, dtype=np.int64)
    renumber[active] = np.arange(len(active))
    tree_of = renumber[np.where(host[tree_of] >= 0, host[tree_of], tree_of)]
    reps, rep_weight, rep_kmi = reps[active], np.ascontiguousarray(rep_weight[active]), rep_kmi[active]
    children, children_kmi = np.ascontiguousarray(children[active]), children_kmi[active]
    code = _TIE_CODE[TieRule(ties)] if tie_seed is None else TIE_RANDOM + _seed(tie_seed)
    net = overlay.arrays
    check_send = not all(ok.all() for ok in (net.provider_ok, net.customer_ok, net.peer_ok, net.added_provider_ok,
                                             net.added_customer_ok, net.added_peer_ok))  # some link may not send
    reached = np.zeros(len(reps))
    # an origin that is a vantage point is the origin of its own tree and a leaf of its own elsewhere
    origin_vantage = np.zeros(n, dtype=np.bool_)
    origin_vantage[o_idx[o_idx >= 0]] = True
    origin_vantage &= vw.any(axis=1)
    # a random order is each AS's own, so leaves cannot share a group's choice
    leaves = (LEAVES if tie_seed is None else no_leaves)(overlay, vw, origin_vantage)
    group_count, entries = len(leaves.groups.v0), len(leaves.groups.provider)

    slots = border_slots(leaves.net, domestic, leaves.ends)
    # the pass runs on the renumbered network (flow_layout): per-AS inputs in its order, sums back after
    layout = leaves.layout
    at, node = layout.position, layout.node
    pass_inputs = (layout.net, leaves.has_customers[node], _renumbered_groups(leaves.groups, at), code, check_send,
                   domestic[node], np.ascontiguousarray(vw[node]), slots.slot[layout.entry], len(slots.giver))
    pass_origins = at[reps].astype(np.int32)

    def work(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        acc = np.zeros((n, MEASURES, vw.shape[1]))
        totals = np.zeros(3)
        positions = np.zeros((group_count, 3))
        handed = np.zeros((entries, vw.shape[1]))
        book = new_book(len(slots.giver))
        for piece in np.array_split(batch, max(1, len(batch) // PIECE)):
            got = np.zeros(len(piece))
            book += run_flow_origins(pass_origins[piece], rep_weight[piece], rep_kmi[piece], children[piece],
                                     children_kmi[piece], *pass_inputs, acc, totals, got, positions, handed)
            reached[piece] = got
            progress.advance(len(piece))
        return acc, book, totals, positions, handed

    batches = _batches(len(reps), workers)
    progress.start(compile_note(run_flow_origins) + "simulating routes to the country's networks", len(reps))
    at_once = len(batches) if threads is None else max(1, min(threads, len(batches)))
    if at_once > 1:
        with ThreadPoolExecutor(max_workers=at_once) as pool:
            parts = list(pool.map(work, batches))
    else:
        parts = [work(b) for b in batches]
    progress.finish()
    acc = sum((p[0] for p in parts), np.zeros((n, MEASURES, vw.shape[1])))[at]
    path_totals = sum((p[2] for p in parts), np.zeros(3))
    pairs = book_pairs(sum((p[1] for p in parts), new_book(len(slots.giver))), slots, n)
    spread_over_leaves(leaves, vw, acc, pairs, sum((p[3] for p in parts), np.zeros((group_count, 3))),
                       sum((p[4] for p in parts), np.zeros((entries, vw.shape[1]))), RETAIL, BORDER)
    _split_gateways(acc, pairs, n, *merged)
    keys = np.fromiter(pairs.keys(), dtype=np.int64, count=len(pairs))
    order = np.argsort(keys)
    keys, pair_weight = keys[order], np.fromiter(pairs.values(), dtype=np.float64, count=len(pairs))[order]
    totals = vw.sum(axis=0)
    routed = ow[run].sum(axis=0)
    norm = np.maximum(totals, 1e-300) * np.where(routed > 0, routed, 1.0)
    values = acc / norm
    values[:, RETAIL:BACKBONE + 1] *= np.where(routed > 0, routed, 1.0)  # customer-base scores: mean over vantages
    origin_reach = np.full(len(origins.asns), np.nan)
    origin_reach[run] = reached[tree_of] / max(float(totals[0]), 1e-300)
    return FlowMeasures(asns=graph.asns, schemes=tuple(schemes), ties=TieRule(ties), values=values,
                        pair_from=graph.asns[keys // n], pair_to=graph.asns[keys % n], pair_weight=pair_weight / norm[0],
                        vantage_totals=totals, origins_used=origins.asns[run], routing_trees=len(reps),
                        vantages=graph.asns[vw[:, 0] > 0], origins_missing=origins.asns[(o_idx < 0)],
                        weight_missing=float(origins.weight[o_idx < 0].sum()), origin_reach=origin_reach,
                        reach=float(path_totals[1] / norm[0]), path_length_sum=float(path_totals[0] / norm[0]),
                        paths=int(path_totals[2]))


def flow_evidence(flows: FlowMeasures, origins: CountryOrigins) -> PathEvidence:
    """Column 0 of ``flows`` as the :class:`PathEvidence` that ``transit_report`` reads (no per-vantage
    shares: the trimmed mean is not computed), so a report needs no second propagation."""
    pick = (TRANSIT, BORDER, GATEWAY, RETAIL, WHOLESALE, BACKBONE)
    transit, border, gateway, retail, wholesale, backbone = (flows.values[:, m, 0] for m in pick)
    count = max(len(flows.vantages), 1)
    return PathEvidence(
        kind="simulated", asns=flows.asns, vantages=flows.vantages, transit=transit, border=border,
        gateway=gateway, retail=retail * count, wholesale=wholesale * count, backbone=backbone * count,
        candidates=np.zeros(0, dtype=np.uint32), shares=np.zeros((count, 0)), pair_from=flows.pair_from,
        pair_to=flows.pair_to, pair_weight=flows.pair_weight, reach_weight=flows.reach,
        path_length_sum=flows.path_length_sum, origins_used=flows.origins_used,
        origins_missing=flows.origins_missing, weight_missing=flows.weight_missing, paths=flows.paths,
        origin_reach=flows.origin_reach, mean_divisor=1.0, shares_divisor=1.0,
        details={"routing_trees": flows.routing_trees, "origins": len(flows.origins_used)},
    )


DEFAULT_TIES = TieRule.SPLIT
DEFAULT_VANTAGES = VantageScheme.SPACE


def headline_flows(graph: ASGraph, origins: CountryOrigins, pfx4: Pfx2As | None, *,
                   vantages: VantageScheme | str = DEFAULT_VANTAGES, ties: TieRule | str = DEFAULT_TIES,
                   scenario: Scenario | Overlay | None = None, space: np.ndarray | None = None,
                   chosen_vantages: np.ndarray | None = None, eligible: np.ndarray | None = None,
                   origin_subset: np.ndarray | None = None, more_vantages: tuple[VantageScheme, ...] = (),
                   collectors: np.ndarray | None = None, workers: int = 2, threads: int | None = None,
                   tie_seed: int | None = None, progress: Progress = NO_PROGRESS) -> FlowMeasures:
    """The flows behind the report's headline figures: docs/methodology.md gives the defaults' reasons.

    ``pfx4`` (the IPv4 prefix-to-AS table) is needed for the ``space`` vantage scheme only,
    unless ``space`` (from :func:`originated_space`, computed once for many countries) is
    given. ``chosen_vantages`` (AS numbers) replaces the scheme: those ASes, equally.
    ``more_vantages`` adds one column per further scheme to the same propagation (the
    headline stays column 0), so alternatives cost no second run. ``collectors``: the AS numbers
    feeding the route collectors, for the ``collectors`` scheme. ``tie_seed``: random tie
    orders, each AS its own, instead of ``ties`` (see :func:`flow_measures`).
    """
    if more_vantages and chosen_vantages is not None and len(chosen_vantages):
        raise ValueError("further vantage schemes go with a scheme, not with chosen vantage points")
    if chosen_vantages is not None and len(chosen_vantages):
        picked = np.zeros(len(graph), dtype=np.float64)
        idx = graph.index_of(np.asarray(chosen_vantages, dtype=np.uint32))
        picked[idx[idx >= 0]] = 1.0
        weights = picked[:, None]
        label: tuple[str, ...] = ("chosen",)
    else:
        schemes = tuple(VantageScheme(s).value for s in (vantages, *more_vantages))
        if VantageScheme.SPACE in schemes and space is None:
            if pfx4 is None:
                raise ValueError("space-weighted vantage points need the IPv4 prefix-to-AS table")
            space = originated_space(graph, pfx4)
        weights = vantage_weights(graph, origins, schemes, space=space, collectors=collectors)
        label = schemes
    return flow_measures(graph, origins, weights, schemes=label, ties=TieRule(ties), scenario=scenario,
                         origin_subset=origin_subset, eligible=eligible, workers=workers, threads=threads,
                         tie_seed=tie_seed, progress=progress)


def warm_kernels(progress: Progress = NO_PROGRESS) -> None:
    """Compile (first run) or load (later runs) the flow kernel on a two-AS graph, as a progress step.

    numba compiles on the first call and caches the machine code on disk; without this
    step the first real call would sit silent for as long as the compilation takes.
    """
    progress.start(COMPILE_STEP, None)
    try:
        graph = ASGraph.from_links(np.array([1], np.uint32), np.array([2], np.uint32), np.zeros(0, np.uint32),
                                   np.zeros(0, np.uint32))
        overlay = as_overlay(graph, None)
        domestic = np.array([False, True])
        vw = np.array([[1.0], [0.0]])
        leaves = leaf_groups(overlay, vw, np.array([False, True]))
        slots = border_slots(leaves.net, domestic)
        for code in (TIE_LOWEST, TIE_SPLIT):
            run_flow_origins(np.array([1], np.int32), np.ones((1, 1)), np.ones(1), np.zeros((1, 1)), np.zeros(1),
                             leaves.net, leaves.has_customers, leaves.groups, code, False, domestic, vw, slots.slot,
                             len(slots.giver), np.zeros((2, MEASURES, 1)), np.zeros(3), np.zeros(1), np.zeros((len(leaves.groups.v0), 3)),
                             np.zeros((len(leaves.groups.provider), 1)))
    finally:
        progress.finish()
