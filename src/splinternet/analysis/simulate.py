"""Gao-Rexford route propagation on the CSR AS graph, compiled with numba.

Rules (docs/simulation.md has the full text):
- export: routes learned from customers (and the origin's own) go to everyone; routes
  learned from peers or providers go to customers only;
- selection: relationship (customer > peer > provider), then shortest AS path, then the
  lowest next-hop AS number -- BGPy's tie-break, so results can be compared exactly.

The three phases follow BGPy's ranks: up from the origin through providers (a BFS, which
visits ASes in path-length order), one round across peers, then down to customers in a
provider-before-customer topological order. Loops cannot arise under these rules on an
acyclic provider-customer graph (see docs), and cyclic graphs are refused up front.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum

import numba
import numpy as np
from numba import njit, prange

from ..progress import NO_PROGRESS, Progress, compile_note
from ..tables.topology import ASGraph
from .scenario import Overlay, Scenario, compile_overlay

__all__ = [
    "MAX_LENGTH", "NO_ROUTE", "RELATIONSHIP_NAMES", "ROUTE_CUSTOMER", "ROUTE_ORIGIN", "ROUTE_PEER", "ROUTE_PROVIDER",
    "Relationship", "Routes", "TransitSummary", "as_overlay", "default_threads", "propagate", "propagate_each",
    "propagate_into", "propagate_keyed", "route_keys", "transit_summary",
]


class Relationship(IntEnum):
    """How an AS learned its best route: the int8 codes of ``Routes.relationship`` (-1: no route).

    Lower is preferred (Gao-Rexford: customer over peer over provider).
    """

    NONE = -1
    ORIGIN = 0
    CUSTOMER = 1
    PEER = 2
    PROVIDER = 3

    @property
    def label(self) -> str:
        """The word reports use: origin, customer, peer, provider (none: no route)."""
        return self.name.lower()


# plain ints for the kernels (compiled code reads module globals as constants)
NO_ROUTE, ROUTE_ORIGIN, ROUTE_CUSTOMER, ROUTE_PEER, ROUTE_PROVIDER = (int(r) for r in Relationship)
RELATIONSHIP_NAMES = {int(r): r.label for r in Relationship if r is not Relationship.NONE}
_COUNT_TIES, _PULL_SHARES, _WRITE_TIES = 0, 1, 2  # what _dependents_pass does with each dependent
MAX_LENGTH = 64  # bins of the path-length histograms; longer paths land in the last bin


# A route is one int64 key, (relationship << 48) | (length << 32) | next hop index, so that
# the preferred route (customer < peer < provider, then shorter, then the lower next hop:
# BGPy's order) is the smaller key, and an offer reads and writes one array instead of three.
# Measured on the 2022 graph (RU's 2,883 routing trees, one thread): a propagation took
# 2.6 ms with three arrays, 1.3 ms with one key, and 0.55 ms with the offers written out in
# the loops over the graph's own lists: numba compiled the same offer, as an inlined helper
# whose result fed the loop's condition, to much slower code. The helpers below serve the
# overlay's added lists only, which are short or empty.
_REL_SHIFT, _LEN_SHIFT = 48, 32
NO_KEY = np.int64(1) << 62  # no route: larger than every route's key


@njit(cache=True)
def route_keys(n):
    """A key buffer for :func:`propagate_keyed`: every AS without a route, as the kernel expects it."""
    return np.full(n, NO_KEY, dtype=np.int64)


@njit(cache=True, inline="always")
def _key(cls, cand, u):
    return (np.int64(cls) << _REL_SHIFT) | (np.int64(cand) << _LEN_SHIFT) | np.int64(u)


@njit(cache=True, inline="always")
def _offer(w, offer, key, queue, tail):
    """Offer AS w the route ``offer`` (a key); an AS reached for the first time joins ``queue`` at ``tail``.

    Returns the new tail.
    """
    old = key[w]
    if offer < old:
        key[w] = offer
    if old == NO_KEY:
        queue[tail] = w
        tail += 1
    return tail


@njit(cache=True, inline="always")
def _offer_down(c, offer, key, c_ptr, xc_ptr, queue, stubs):
    """Offer customer c a provider route; a stub (no customers) reached for the first time joins
    the back of ``queue``, as stub number ``stubs + 1``. Returns the new stub count."""
    old = key[c]
    if offer < old:
        key[c] = offer
    if old == NO_KEY and c_ptr[c + 1] == c_ptr[c] and xc_ptr[c + 1] == xc_ptr[c]:
        stubs += 1
        queue[queue.shape[0] - stubs] = c
    return stubs


@njit(cache=True)
def propagate_into(origin, net, rel, length, nh, queue):
    """Best route of every AS towards ``origin``; returns the number of ASes with a route.

    Other analyses call this kernel directly; keep its signature. It allocates a key
    buffer per call: loops over many origins use :func:`propagate_keyed`.
    """
    front, stubs = propagate_keyed(origin, net, route_keys(rel.shape[0]), rel, length, nh, queue)
    return front + stubs


@njit(cache=True)
def propagate_keyed(origin, net, key, rel, length, nh, queue):
    """Best route of every AS towards ``origin`` into ``rel``, ``length``, ``nh``; returns (front, stubs).

    ``key``: a work buffer of :func:`route_keys`, every entry ``NO_KEY`` on entry and again
    on return. ``queue[:front]`` then ``queue[n - stubs:]`` list every AS with a route in an
    order where each AS comes after all of its best (and tied) next hops, so one reverse
    pass can push counts from customers of the routing tree up to the origin.
    """
    p_ptr, p_idx, p_ok = net.provider_ptr, net.provider_idx, net.provider_ok
    c_ptr, c_idx, c_ok = net.customer_ptr, net.customer_idx, net.customer_ok
    q_ptr, q_idx, q_ok = net.peer_ptr, net.peer_idx, net.peer_ok
    xp_ptr, xp_idx, xp_ok = net.added_provider_ptr, net.added_provider_idx, net.added_provider_ok
    xc_ptr, xc_idx, xc_ok = net.added_customer_ptr, net.added_customer_idx, net.added_customer_ok
    xq_ptr, xq_idx, xq_ok = net.added_peer_ptr, net.added_peer_idx, net.added_peer_ok
    node_ok, order = net.node_ok, net.order
    n = rel.shape[0]
    rel[:] = NO_ROUTE
    length[:] = -1
    nh[:] = -1
    if not node_ok[origin]:
        return 0, 0
    length_mask = np.int64(0xFFFF)
    key[origin] = _key(ROUTE_ORIGIN, 0, 0)
    queue[0] = origin
    head = 0
    tail = 1
    # 1. up: customer routes, BFS so every AS is first reached at its shortest length
    while head < tail:
        u = queue[head]
        head += 1
        offer = _key(ROUTE_CUSTOMER, ((key[u] >> _LEN_SHIFT) & length_mask) + 1, u)
        for k in range(p_ptr[u], p_ptr[u + 1]):
            if not p_ok[k]:
                continue
            w = p_idx[k]
            old = key[w]
            if offer < old:
                key[w] = offer
            if old == NO_KEY:
                queue[tail] = w
                tail += 1
        for k in range(xp_ptr[u], xp_ptr[u + 1]):
            if xp_ok[k]:
                tail = _offer(xp_idx[k], offer, key, queue, tail)
    # 2. across: customer/origin routes to peers, one round (peer routes are not re-exported)
    up = tail
    for h in range(up):
        u = queue[h]
        offer = _key(ROUTE_PEER, ((key[u] >> _LEN_SHIFT) & length_mask) + 1, u)
        for k in range(q_ptr[u], q_ptr[u + 1]):
            if not q_ok[k]:
                continue
            w = q_idx[k]
            old = key[w]
            if offer < old:
                key[w] = offer
            if old == NO_KEY:
                queue[tail] = w
                tail += 1
        for k in range(xq_ptr[u], xq_ptr[u + 1]):
            if xq_ok[k]:
                tail = _offer(xq_idx[k], offer, key, queue, tail)
    # 3. down: providers before customers, so each AS's route is final when it exports.
    # ASes with customers join the list when they export; stubs (never a next hop) fill
    # the list from the back as soon as they are reached.
    stubs = 0
    for i in range(order.shape[0]):
        v = order[i]
        held = key[v]
        if held == NO_KEY:
            continue
        if (held >> _REL_SHIFT) == ROUTE_PROVIDER:
            queue[tail] = v
            tail += 1
        offer = _key(ROUTE_PROVIDER, ((held >> _LEN_SHIFT) & length_mask) + 1, v)
        for k in range(c_ptr[v], c_ptr[v + 1]):
            if not c_ok[k]:
                continue
            c = c_idx[k]
            old = key[c]
            if offer < old:
                key[c] = offer
            if old == NO_KEY and c_ptr[c + 1] == c_ptr[c] and xc_ptr[c + 1] == xc_ptr[c]:
                stubs += 1
                queue[n - stubs] = c
        for k in range(xc_ptr[v], xc_ptr[v + 1]):
            if xc_ok[k]:
                stubs = _offer_down(xc_idx[k], offer, key, c_ptr, xc_ptr, queue, stubs)
    # the routes out of their keys, and the keys back to "no route" for the next call
    nh_mask = np.int64(0xFFFFFFFF)
    for i in range(tail + stubs):
        x = queue[i] if i < tail else queue[n - stubs + (i - tail)]
        held = key[x]
        rel[x] = held >> _REL_SHIFT
        length[x] = (held >> _LEN_SHIFT) & length_mask
        nh[x] = held & nh_mask if x != origin else -1
        key[x] = NO_KEY
    return tail, stubs


@njit(cache=True, inline="always")
def _visit_side(ptr, idx, ok, cls, u, cand, rel, length, mode, ntie, share, cursor, tie_idx):
    for k in range(ptr[u], ptr[u + 1]):
        w = idx[k]
        if ok[k] and rel[w] == cls and length[w] == cand:
            if mode == _COUNT_TIES:
                ntie[w] += 1
            elif mode == _PULL_SHARES:
                share[u] += share[w] / ntie[w]
            else:
                tie_idx[cursor[w]] = u
                cursor[w] += 1


@njit(cache=True)
def _dependents_pass(seq, net, rel, length, mode, ntie, share, cursor, tie_idx):
    """For each u of ``seq``, every AS w for which u is a best next hop (same class and length).

    _COUNT_TIES counts them (ntie[w] += 1), _PULL_SHARES pulls shares (share[u] += share[w] / ntie[w]),
    _WRITE_TIES writes u into w's slot of the tie CSR. The arrays are taken from ``net`` once per pass.
    """
    p_ptr, p_idx, p_ok = net.provider_ptr, net.provider_idx, net.provider_ok
    c_ptr, c_idx, c_ok = net.customer_ptr, net.customer_idx, net.customer_ok
    q_ptr, q_idx, q_ok = net.peer_ptr, net.peer_idx, net.peer_ok
    xp_ptr, xp_idx, xp_ok = net.added_provider_ptr, net.added_provider_idx, net.added_provider_ok
    xc_ptr, xc_idx, xc_ok = net.added_customer_ptr, net.added_customer_idx, net.added_customer_ok
    xq_ptr, xq_idx, xq_ok = net.added_peer_ptr, net.added_peer_idx, net.added_peer_ok
    for i in range(seq.shape[0]):
        u = seq[i]
        cand = length[u] + 1
        if rel[u] <= ROUTE_CUSTOMER:  # origin or customer route: also announced to providers and peers
            _visit_side(p_ptr, p_idx, p_ok, ROUTE_CUSTOMER, u, cand, rel, length, mode, ntie, share, cursor, tie_idx)
            _visit_side(xp_ptr, xp_idx, xp_ok, ROUTE_CUSTOMER, u, cand, rel, length, mode, ntie, share, cursor, tie_idx)
            _visit_side(q_ptr, q_idx, q_ok, ROUTE_PEER, u, cand, rel, length, mode, ntie, share, cursor, tie_idx)
            _visit_side(xq_ptr, xq_idx, xq_ok, ROUTE_PEER, u, cand, rel, length, mode, ntie, share, cursor, tie_idx)
        _visit_side(c_ptr, c_idx, c_ok, ROUTE_PROVIDER, u, cand, rel, length, mode, ntie, share, cursor, tie_idx)
        _visit_side(xc_ptr, xc_idx, xc_ok, ROUTE_PROVIDER, u, cand, rel, length, mode, ntie, share, cursor, tie_idx)


@njit(cache=True)
def _ties(net, rel, length):
    """CSR of every tied best next hop per AS (sorted by index, i.e. by AS number)."""
    n = rel.shape[0]
    ntie = np.zeros(n, dtype=np.int64)
    share = np.zeros(0, dtype=np.float64)
    routed = np.nonzero(rel >= 0)[0].astype(np.int32)  # ascending, so slot lists come out sorted
    _dependents_pass(routed, net, rel, length, _COUNT_TIES, ntie, share, ntie, np.zeros(0, dtype=np.int32))
    ptr = np.zeros(n + 1, dtype=np.int64)
    for v in range(n):
        ptr[v + 1] = ptr[v] + ntie[v]
    cursor = ptr[:-1].copy()
    tie_idx = np.empty(ptr[n], dtype=np.int32)
    _dependents_pass(routed, net, rel, length, _WRITE_TIES, ntie, share, cursor, tie_idx)
    return ptr, tie_idx


@njit(cache=True)
def _accumulate(origins, net, n, split_ties, reach, routes_per_as, transit, length_hist, rel_hist):
    """Propagate each origin and add its routes into the accumulators (no per-pair storage)."""
    rel = np.empty(n, dtype=np.int8)
    length = np.empty(n, dtype=np.int32)
    nh = np.empty(n, dtype=np.int32)
    queue = np.empty(n, dtype=np.int32)
    key = route_keys(n)
    share = np.zeros(n, dtype=np.float64)
    ntie = np.zeros(n, dtype=np.int64)
    dummy = np.zeros(0, dtype=np.int32)
    seq = np.empty(n, dtype=np.int32)
    for j in range(origins.shape[0]):
        o = origins[j]
        front, stubs = propagate_keyed(o, net, key, rel, length, nh, queue)
        reach[j] = front + stubs
        # per-AS counters in one sequential sweep (cheaper than visiting the routed list)
        for v in range(n):
            r = rel[v]
            share[v] = 1.0
            if r >= 0:
                routes_per_as[v] += 1
                length_hist[min(length[v], MAX_LENGTH)] += 1
                rel_hist[r] += 1
        # routed ASes, each after its next hops: queue[:front] then queue[n - stubs:]
        total = front + stubs
        if split_ties:
            ntie[:] = 0
            for i in range(total):  # from last to first: dependents before their next hops
                seq[total - 1 - i] = queue[i] if i < front else queue[n - stubs + (i - front)]
            _dependents_pass(seq[:total], net, rel, length, _COUNT_TIES, ntie, share, ntie, dummy)
            _dependents_pass(seq[:total], net, rel, length, _PULL_SHARES, ntie, share, ntie, dummy)
            for i in range(total):
                v = seq[i]
                if v != o:
                    transit[v] += share[v] - 1.0
        else:
            for i in range(total - 1, -1, -1):  # dependents before their next hops
                v = queue[i] if i < front else queue[n - stubs + (i - front)]
                if nh[v] >= 0:  # every AS except the origin; share[v] is final here
                    transit[v] += share[v] - 1.0
                    share[nh[v]] += share[v]


@njit(cache=True, parallel=True)
def _accumulate_threads(origins, net, n, split_ties, reach, routes_per_as, transit, length_hist, rel_hist,
                        threads):
    """_accumulate over ``threads`` contiguous slices of the origins, each with its own accumulators."""
    rpa = np.zeros((threads, n), dtype=np.int64)
    tra = np.zeros((threads, n), dtype=np.float64)
    lha = np.zeros((threads, length_hist.shape[0]), dtype=np.int64)
    rha = np.zeros((threads, rel_hist.shape[0]), dtype=np.int64)
    m = origins.shape[0]
    for t in prange(threads):
        lo = m * t // threads
        hi = m * (t + 1) // threads
        _accumulate(origins[lo:hi], net, n, split_ties, reach[lo:hi], rpa[t], tra[t], lha[t], rha[t])
    for t in range(threads):
        routes_per_as += rpa[t]
        transit += tra[t]
        length_hist += lha[t]
        rel_hist += rha[t]


def default_threads() -> int:
    """Threads for many-origin runs: numba's setting (NUMBA_NUM_THREADS), at most 8."""
    return max(1, min(8, numba.get_num_threads()))


_BASELINE = "_splinternet_baseline_overlay"  # where a graph keeps its compiled baseline


def as_overlay(graph: ASGraph, scenario: Scenario | Overlay | None) -> Overlay:
    """The compiled overlay for a scenario (the baseline when None); reuses a compiled one.

    The baseline of a graph is compiled once and kept while the graph lives: a world run
    asks for it once per country. It is kept on the graph itself: an overlay refers to its
    graph, so a table keyed by graphs would keep every graph (and its overlay and leaf
    network) alive for good, which a series of dates in one process measured as memory
    growing with every date. Nothing writes into an overlay's arrays.
    """
    if isinstance(scenario, Overlay):
        return scenario
    if scenario is None or scenario.is_baseline:
        overlay = graph.__dict__.get(_BASELINE)
        if overlay is None:
            overlay = compile_overlay(graph, None)
            graph.__dict__[_BASELINE] = overlay  # a cycle the garbage collector frees with the graph
        return overlay
    return compile_overlay(graph, scenario)


@dataclass(frozen=True, eq=False)
class Routes:
    """Every AS's best route towards one origin (arrays aligned with ``graph.asns``).

    ``relationship``: -1 no route, 0 the origin itself, 1 learned from a customer, 2 from a
    peer, 3 from a provider. ``path_length``: AS hops to the origin (0 at the origin).
    ``next_hop``: dense index of the neighbour the route was learned from (-1 if none).
    ``tie_indptr``/``tie_indices``: with keep_all_ties, every equally good next hop.
    """

    graph: ASGraph
    origin: int
    relationship: np.ndarray
    path_length: np.ndarray
    next_hop: np.ndarray
    tie_indptr: np.ndarray | None = None
    tie_indices: np.ndarray | None = None

    @property
    def has_route(self) -> np.ndarray:
        return self.relationship >= 0

    @property
    def next_hop_asn(self) -> np.ndarray:
        """Next-hop AS numbers (int64), -1 where there is none."""
        return np.where(self.next_hop >= 0, self.graph.asns[np.maximum(self.next_hop, 0)].astype(np.int64), -1)

    def path(self, asn: int) -> np.ndarray:
        """AS path from ``asn`` to the origin (both included), by following next hops; empty if none."""
        i = self.graph.require_index(asn)
        if self.relationship[i] < 0:
            return np.zeros(0, dtype=np.uint32)
        hops = [i]
        while self.next_hop[hops[-1]] >= 0:
            hops.append(int(self.next_hop[hops[-1]]))
        return self.graph.asns[np.asarray(hops, dtype=np.int64)]

    def tied_next_hops(self, asn: int) -> np.ndarray:
        """Every equally good next hop of ``asn`` (AS numbers); needs keep_all_ties=True."""
        if self.tie_indptr is None or self.tie_indices is None:
            raise ValueError("propagate with keep_all_ties=True to get tied next hops")
        i = self.graph.require_index(asn)
        return self.graph.asns[self.tie_indices[self.tie_indptr[i]:self.tie_indptr[i + 1]]]

    def summary(self) -> dict[str, object]:
        """Reachability by relationship and the histogram of path lengths."""
        routed = self.relationship >= 0
        lengths = np.bincount(self.path_length[routed], minlength=1)
        return {
            "origin": self.origin,
            "ases": len(self.graph),
            "with_route": int(routed.sum()),
            "by_relationship": {name: int((self.relationship == code).sum())
                                for code, name in RELATIONSHIP_NAMES.items()},
            "path_length_histogram": {int(L): int(c) for L, c in enumerate(lengths) if c},
        }


def _buffers(n: int) -> tuple[np.ndarray, ...]:
    return (np.empty(n, dtype=np.int8), np.empty(n, dtype=np.int32), np.empty(n, dtype=np.int32),
            np.empty(n, dtype=np.int32))


def _routes(overlay: Overlay, origin_index: int, keep_all_ties: bool) -> Routes:
    graph = overlay.graph
    rel, length, nh, queue = _buffers(len(graph))
    propagate_into(np.int32(origin_index), overlay.arrays, rel, length, nh, queue)
    tie_ptr = tie_idx = None
    if keep_all_ties:
        tie_ptr, tie_idx = _ties(overlay.arrays, rel, length)
    return Routes(graph, int(graph.asns[origin_index]), rel, length, nh, tie_ptr, tie_idx)


def propagate(graph: ASGraph, origin: int, *, scenario: Scenario | Overlay | None = None,
              keep_all_ties: bool = False) -> Routes:
    """Routes of every AS towards ``origin`` (an AS number) under ``scenario`` (baseline if None)."""
    overlay = as_overlay(graph, scenario)
    return _routes(overlay, graph.require_index(origin), keep_all_ties)


def propagate_each(graph: ASGraph, origins: Iterable[int], *, scenario: Scenario | Overlay | None = None,
                   keep_all_ties: bool = False) -> Iterator[Routes]:
    """One :class:`Routes` per origin, streamed: only the current origin's arrays are alive."""
    overlay = as_overlay(graph, scenario)
    for origin in origins:
        yield _routes(overlay, graph.require_index(origin), keep_all_ties)


@dataclass(frozen=True, eq=False)
class TransitSummary:
    """Aggregates over many origins, in memory proportional to the graph, not to pairs.

    ``reach[j]``: ASes with a route to ``origins[j]`` (origin included).
    ``routes_per_as[i]``: origins that AS i has a route to.
    ``transit[i]``: (source AS, origin) pairs whose chosen path crosses AS i as an
    intermediate hop; with split_ties the pair's weight is split equally over tied paths.
    ``length_hist[L]``: routes of length L (last bin: L >= 64); ``by_relationship``:
    routes per class (origin, customer, peer, provider).
    """

    graph: ASGraph
    origins: np.ndarray
    reach: np.ndarray
    routes_per_as: np.ndarray
    transit: np.ndarray
    length_hist: np.ndarray
    by_relationship: np.ndarray
    split_ties: bool


def transit_summary(graph: ASGraph, origins: Iterable[int] | np.ndarray | None = None, *,
                    scenario: Scenario | Overlay | None = None, split_ties: bool = False,
                    progress: Progress = NO_PROGRESS, chunk: int = 1024,
                    threads: int | None = None) -> TransitSummary:
    """Propagate every origin (all ASes when None) and aggregate; never holds per-pair results.

    Origins are split over ``threads`` numba threads (default: :func:`default_threads`); the
    sums do not depend on the split except for float rounding in ``transit`` with split_ties.
    """
    threads = threads or default_threads()
    overlay = as_overlay(graph, scenario)
    n = len(graph)
    if origins is None:
        origin_asns = graph.asns.copy()
    else:
        origin_asns = np.unique(np.asarray(list(origins) if not isinstance(origins, np.ndarray) else origins,
                                           dtype=np.int64)).astype(np.uint32)
    idx = graph.index_of(origin_asns)
    if (idx < 0).any():
        graph.require_index(int(origin_asns[np.argmax(idx < 0)]))
    reach = np.zeros(idx.shape[0], dtype=np.int64)
    routes_per_as = np.zeros(n, dtype=np.int64)
    transit = np.zeros(n, dtype=np.float64)
    length_hist = np.zeros(MAX_LENGTH + 1, dtype=np.int64)
    rel_hist = np.zeros(4, dtype=np.int64)
    progress.start(compile_note(_accumulate_threads) + "propagating origins", int(idx.shape[0]))
    try:
        for s in range(0, idx.shape[0], chunk):
            part = idx[s:s + chunk]
            _accumulate_threads(part, overlay.arrays, n, split_ties, reach[s:s + chunk], routes_per_as,
                                transit, length_hist, rel_hist, min(threads, max(1, part.shape[0])))
            progress.advance(int(part.shape[0]))
    finally:
        progress.finish()
    return TransitSummary(graph, origin_asns, reach, routes_per_as, transit, length_hist, rel_hist, split_ties)
