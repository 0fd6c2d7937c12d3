"""What-if topologies as overlays on an unchanged ASGraph: send masks plus a few added links.

A :class:`Scenario` is a small, immutable list of edits (remove an AS, remove links, cut an
AS off from a set of ASes, add a link, stop an AS exporting to some neighbours).
:func:`compile_overlay` turns it into the arrays the propagation kernels read: one boolean
"may send" flag per CSR entry of each relationship (entry ``u -> w`` in the provider list
of ``u`` means "u may announce to its provider w"), small CSR arrays of added links with
their own flags, a node mask, and a provider-before-customer order of the ASes that have
customers. The graph's own arrays are shared, never copied or rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
from numba import njit

from ..errors import ParameterError
from ..tables.topology import ASGraph, build_csr

__all__ = ["Overlay", "OverlayArrays", "Scenario", "compile_overlay", "provider_first_order"]

_KINDS = ("provider", "customer", "peer")


@dataclass(frozen=True)
class Scenario:
    """Edits to the topology, by AS number. Each ``with_*``/``without_*`` returns a new Scenario.

    ``added_links`` holds ``(a, b, kind)`` where kind "provider" means *a is provider of b*
    and "peer" means a settlement-free peering. Adding a link between two ASes that are
    already linked replaces the existing relationship.
    """

    removed_ases: tuple[int, ...] = ()
    removed_links: tuple[tuple[int, int], ...] = ()
    cut_sets: tuple[tuple[int, tuple[int, ...]], ...] = ()
    added_links: tuple[tuple[int, int, str], ...] = ()
    no_export: tuple[tuple[int, tuple[int, ...]], ...] = ()

    def without_as(self, asn: int) -> Scenario:
        """The AS disappears: no links, no route, originates nothing."""
        return replace(self, removed_ases=(*self.removed_ases, int(asn)))

    def without_link(self, a: int, b: int) -> Scenario:
        """Remove the link between a and b (whatever its relationship); it must exist."""
        return replace(self, removed_links=(*self.removed_links, (int(a), int(b))))

    def without_links_to(self, asn: int, others: np.ndarray | list[int]) -> Scenario:
        """Remove every link between ``asn`` and any AS of ``others`` (e.g. a country's ASes).

        ASes of ``others`` that are not in the graph, or not linked to ``asn``, are ignored.
        """
        members = tuple(int(x) for x in np.unique(np.asarray(others, dtype=np.int64)))
        return replace(self, cut_sets=(*self.cut_sets, (int(asn), members)))

    def with_link(self, a: int, b: int, kind: str) -> Scenario:
        """Add a link: kind "provider" (a is provider of b), "customer" (a is customer of b) or "peer"."""
        if kind not in _KINDS:
            raise ParameterError(f"link kind {kind!r}; expected one of {', '.join(_KINDS)}")
        if int(a) == int(b):
            raise ParameterError(f"cannot link AS{a} to itself")
        if kind == "customer":
            a, b, kind = b, a, "provider"
        return replace(self, added_links=(*self.added_links, (int(a), int(b), kind)))

    def without_export(self, asn: int, neighbours: np.ndarray | list[int]) -> Scenario:
        """``asn`` stops announcing any route to these neighbours (it still hears from them)."""
        members = tuple(int(x) for x in np.unique(np.asarray(neighbours, dtype=np.int64)))
        return replace(self, no_export=(*self.no_export, (int(asn), members)))

    @property
    def is_baseline(self) -> bool:
        return not (self.removed_ases or self.removed_links or self.cut_sets
                    or self.added_links or self.no_export)

    def describe(self) -> list[str]:
        """One line per edit, for reports."""
        out = [f"remove AS{a}" for a in self.removed_ases]
        out += [f"remove link AS{a}-AS{b}" for a, b in self.removed_links]
        out += [f"remove AS{a}'s links to any of {len(m)} ASes" for a, m in self.cut_sets]
        out += [f"add link AS{a} {'provider of' if k == 'provider' else 'peer of'} AS{b}"
                for a, b, k in self.added_links]
        out += [f"AS{a} stops exporting to {len(m)} neighbours" for a, m in self.no_export]
        return out or ["baseline"]


class OverlayArrays(NamedTuple):
    """What the propagation kernels read, by name (numba compiles attribute access on a NamedTuple).

    Three CSR triples of the graph's own links (``*_ptr``/``*_idx`` shared with the
    :class:`ASGraph`, ``*_ok`` the "may send" flag per entry), three of the scenario's added
    links, the node mask and the walk order of the down phase. The provider list of ``u``
    holds the ASes ``u`` announces its customer routes to; an entry ``u -> w`` of the
    customer list means ``w`` is a customer of ``u``.
    """

    provider_ptr: np.ndarray  # int64, n + 1
    provider_idx: np.ndarray  # int32
    provider_ok: np.ndarray  # bool, one per provider_idx entry
    customer_ptr: np.ndarray
    customer_idx: np.ndarray
    customer_ok: np.ndarray
    peer_ptr: np.ndarray
    peer_idx: np.ndarray
    peer_ok: np.ndarray
    added_provider_ptr: np.ndarray  # links the scenario adds, same layout
    added_provider_idx: np.ndarray
    added_provider_ok: np.ndarray
    added_customer_ptr: np.ndarray
    added_customer_idx: np.ndarray
    added_customer_ok: np.ndarray
    added_peer_ptr: np.ndarray
    added_peer_idx: np.ndarray
    added_peer_ok: np.ndarray
    node_ok: np.ndarray  # bool per AS: False for a removed AS
    order: np.ndarray  # int32: ASes that have customers, providers before customers


@dataclass(frozen=True, eq=False)
class Overlay:
    """Kernel-ready arrays for one graph and one scenario; ``arrays`` is what the kernels take."""

    graph: ASGraph
    scenario: Scenario
    arrays: OverlayArrays

    @property
    def node_enabled(self) -> np.ndarray:
        return self.arrays.node_ok

    @property
    def order(self) -> np.ndarray:
        """ASes that have customers, providers before customers (the down phase's walk)."""
        return self.arrays.order


@njit(cache=True)
def _kahn_order(n, c_ptr, c_idx, xc_ptr, xc_idx):
    """Providers before customers (Kahn on the customer edges); -1 filled when there is a cycle."""
    indeg = np.zeros(n, dtype=np.int32)
    for k in range(c_idx.shape[0]):
        indeg[c_idx[k]] += 1
    for k in range(xc_idx.shape[0]):
        indeg[xc_idx[k]] += 1
    order = np.full(n, -1, dtype=np.int32)
    tail = 0
    for v in range(n):
        if indeg[v] == 0:
            order[tail] = v
            tail += 1
    head = 0
    while head < tail:
        v = order[head]
        head += 1
        for k in range(c_ptr[v], c_ptr[v + 1]):
            c = c_idx[k]
            indeg[c] -= 1
            if indeg[c] == 0:
                order[tail] = c
                tail += 1
        for k in range(xc_ptr[v], xc_ptr[v + 1]):
            c = xc_idx[k]
            indeg[c] -= 1
            if indeg[c] == 0:
                order[tail] = c
                tail += 1
    return order, tail


def provider_first_order(graph: ASGraph, extra_c_ptr: np.ndarray | None = None,
                         extra_c_idx: np.ndarray | None = None) -> np.ndarray:
    """A topological order of the provider->customer DAG; ParameterError on a p2c cycle."""
    n = len(graph)
    if extra_c_ptr is None:
        extra_c_ptr = np.zeros(n + 1, dtype=np.int64)
        extra_c_idx = np.zeros(0, dtype=np.int32)
    order, done = _kahn_order(n, graph.customer_indptr, graph.customer_indices, extra_c_ptr, extra_c_idx)
    if done != n:
        raise ParameterError(f"provider-customer links form a cycle ({n - done} ASes on or under it); "
                             "routes cannot be propagated by Gao-Rexford ranks")
    return order


def _entry_sources(indptr: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(indptr.shape[0] - 1, dtype=np.int64), np.diff(indptr))


def _index_or_fail(graph: ASGraph, asn: int) -> int:
    return graph.require_index(asn)


def compile_overlay(graph: ASGraph, scenario: Scenario | None = None) -> Overlay:
    """Masks and added-link arrays for ``scenario`` on ``graph`` (all links enabled if None)."""
    scenario = scenario or Scenario()
    n = len(graph)
    node_ok = np.ones(n, dtype=np.bool_)
    for asn in scenario.removed_ases:
        node_ok[_index_or_fail(graph, asn)] = False

    # directed (src, dst) pairs that may not carry announcements; a removed link blocks both ways
    blocked: list[np.ndarray] = []
    replaced: list[np.ndarray] = []

    def pairs(src: int, dsts: np.ndarray, both: bool) -> None:
        d = dsts[dsts >= 0].astype(np.int64)
        s = np.full(d.shape, src, dtype=np.int64)
        blocked.append(s * n + d)
        if both:
            blocked.append(d * n + s)

    for a, b in scenario.removed_links:
        ia, ib = _index_or_fail(graph, a), _index_or_fail(graph, b)
        linked = any(ib in idx[ptr[ia]:ptr[ia + 1]] for ptr, idx in (
            (graph.provider_indptr, graph.provider_indices), (graph.customer_indptr, graph.customer_indices),
            (graph.peer_indptr, graph.peer_indices)))
        if not linked:
            raise ParameterError(f"AS{a} and AS{b} are not linked in the AS graph")
        pairs(ia, np.array([ib]), True)
    for a, members in scenario.cut_sets:
        ia = _index_or_fail(graph, a)
        pairs(ia, graph.index_of(np.asarray(members, dtype=np.int64)), True)
    for a, members in scenario.no_export:
        ia = _index_or_fail(graph, a)
        pairs(ia, graph.index_of(np.asarray(members, dtype=np.int64)), False)

    add_src: dict[str, list[int]] = {k: [] for k in _KINDS}
    add_dst: dict[str, list[int]] = {k: [] for k in _KINDS}
    # a later edit of the same pair replaces an earlier one, as it replaces a link of the graph
    latest = {(min(a, b), max(a, b)): (a, b, kind) for a, b, kind in scenario.added_links}
    for a, b, kind in latest.values():
        ia, ib = _index_or_fail(graph, a), _index_or_fail(graph, b)
        replaced.append(np.array([ia * n + ib, ib * n + ia], dtype=np.int64))
        if kind == "peer":
            add_src["peer"] += [ia, ib]
            add_dst["peer"] += [ib, ia]
        else:  # a provider of b: b lists a among its providers, a lists b among its customers
            add_src["provider"].append(ib)
            add_dst["provider"].append(ia)
            add_src["customer"].append(ia)
            add_dst["customer"].append(ib)

    blocked_keys = np.unique(np.concatenate(blocked)) if blocked else np.zeros(0, np.int64)
    replaced_keys = np.unique(np.concatenate(replaced)) if replaced else np.zeros(0, np.int64)

    def send_mask(src: np.ndarray, dst: np.ndarray, base: bool) -> np.ndarray:
        keys = src * n + dst
        ok = node_ok[src] & node_ok[dst]
        if blocked_keys.size:
            ok &= ~np.isin(keys, blocked_keys)
        if base and replaced_keys.size:
            ok &= ~np.isin(keys, replaced_keys)
        return ok

    masks = []
    for ptr, idx in ((graph.provider_indptr, graph.provider_indices),
                     (graph.customer_indptr, graph.customer_indices),
                     (graph.peer_indptr, graph.peer_indices)):
        if scenario.is_baseline:
            masks.append(np.ones(idx.shape[0], dtype=np.bool_))
        else:
            masks.append(send_mask(_entry_sources(ptr), idx.astype(np.int64), True))
    added: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for kind in _KINDS:
        src = np.asarray(add_src[kind], dtype=np.int64)
        dst = np.asarray(add_dst[kind], dtype=np.int64)
        ptr, idx = build_csr(src, dst, n)
        added[kind] = (ptr, idx, send_mask(np.repeat(np.arange(n), np.diff(ptr)), idx.astype(np.int64), False))
    added_c_ptr, added_c_idx, _ = added["customer"]
    order = provider_first_order(graph, added_c_ptr, added_c_idx)
    # only ASes with customers export downwards; dropping stubs from the walk halves its cost
    has_customers = (np.diff(graph.customer_indptr) > 0) | (np.diff(added_c_ptr) > 0)
    order = order[has_customers[order]]
    arrays = OverlayArrays(
        graph.provider_indptr, graph.provider_indices, masks[0],
        graph.customer_indptr, graph.customer_indices, masks[1],
        graph.peer_indptr, graph.peer_indices, masks[2],
        *added["provider"], *added["customer"], *added["peer"],
        node_ok, order)
    return Overlay(graph=graph, scenario=scenario, arrays=arrays)
