"""Leaf vantage points taken out of the propagation and counted in groups.

Five in six ASes of the graph are leaves: they have no customers. A leaf that is not the
origin is nobody's next hop (it exports only provider or peer routes, and only customers
take those), and when no peer sends it a route its route is the best of its providers'
plus one hop. So the propagation need not visit it: the leaves are dropped from every
customer list, which removes most of the down phase's work, and the flow kernel works
out their provider routes from their providers' afterwards. A leaf that a peer sends
routes to keeps its peer route through the propagation (the peer phase still offers it),
and is worked out afterwards only in the trees where it got none.

Leaves with the same sending providers and no sending peer choose alike in every routing
tree, so they are grouped: a tree costs one pass per group over its providers instead of
one per leaf. What differs between the members (their vantage weights) is linear in every
measure, so the kernel sums per group and :func:`spread_over_leaves` hands each member its
part at the end. A leaf with a sending peer is a group of its own, and so is a leaf that
is also one of the run's origins: in its own tree it is the origin, not a leaf.

The leaves, the network without them and the grouping of every leaf are the overlay's,
worked out once per overlay (a world run asks for the baseline's once per country); a
run only picks the groups of its own vantage points.
"""

from __future__ import annotations

import weakref
from typing import NamedTuple

import numpy as np

from .flow_handoffs import EntryEnds, entry_ends
from .flow_layout import Layout, compact_layout, identity_layout
from .scenario import Overlay, OverlayArrays

__all__ = ["LeafGroups", "Leaves", "leaf_groups", "no_leaves", "spread_over_leaves"]

GROUP_WIDTH = 16  # a leaf with more sending providers than this is a group of its own
_MIX = 0x9E3779B97F4A7C15  # odd multiplier of the row hash (golden ratio, 64 bits)


class LeafGroups(NamedTuple):
    """Groups of leaf vantage points with the same sending providers, as the kernel reads them.

    ``ptr``/``provider``: CSR of each group's providers (ascending); ``vw[g, k]``: the
    members' summed vantage weights per column; ``v0``/``counted``: column 0's summed weight
    and how many members have a positive one; ``solo[g]``: the only member of a group that
    may have a route of its own in a tree (a peer sends it routes, or it is an origin of the
    run): counted only in trees where it has none; else -1.
    """

    ptr: np.ndarray  # int64, groups + 1
    provider: np.ndarray  # int32
    vw: np.ndarray  # (groups, K)
    v0: np.ndarray  # (groups,)
    counted: np.ndarray  # (groups,) float
    solo: np.ndarray  # (groups,) int32


class Leaves(NamedTuple):
    """The reduced network without the leaves, the groups, each grouped leaf's group, and the
    reduced network as the flow pass reads it (``flow_layout``)."""

    net: OverlayArrays
    has_customers: np.ndarray  # bool per AS, of the full network (the reduced one lost some)
    groups: LeafGroups
    member: np.ndarray  # AS index of each grouped leaf
    group_of: np.ndarray  # its group
    layout: Layout
    ends: EntryEnds  # of ``net``, for its border slots (``flow_handoffs``)


class _LeafNetwork(NamedTuple):
    """What an overlay's leaves are, once: the network without them and every leaf's grouping."""

    net: OverlayArrays  # without the leaves in any customer list
    has_customers: np.ndarray
    peer_fed: np.ndarray  # bool per AS: some peer sends it routes
    routed: np.ndarray  # bool per AS: a leaf with at least one sending provider
    provider_ptr: np.ndarray  # per AS (n + 1): its sending providers if it is a leaf
    provider: np.ndarray
    group: np.ndarray  # per AS: the leaf's group among all leaves (-1 for others)
    group_ptr: np.ndarray  # CSR of each group's providers
    group_provider: np.ndarray
    layout: Layout  # ``net`` renumbered for the flow pass
    ends: EntryEnds


_NETWORKS: weakref.WeakKeyDictionary[Overlay, _LeafNetwork] = weakref.WeakKeyDictionary()


def _keep_customers(ptr: np.ndarray, idx: np.ndarray, ok: np.ndarray, drop: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A customer CSR without the entries pointing at ``drop`` ASes."""
    keep = ~drop[idx]
    owner = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    new_ptr = np.zeros(len(ptr), dtype=ptr.dtype)
    np.cumsum(np.bincount(owner[keep], minlength=len(ptr) - 1), out=new_ptr[1:])
    return new_ptr, np.ascontiguousarray(idx[keep]), np.ascontiguousarray(ok[keep])


def _has_customers(net: OverlayArrays) -> np.ndarray:
    """Per AS: whether it has a customer entry at all (the graph's or the scenario's)."""
    return (np.diff(net.customer_ptr) > 0) | (np.diff(net.added_customer_ptr) > 0)


def _csr_rows(ptr: np.ndarray, values: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR of ``rows`` picked from (``ptr``, ``values``), in that order."""
    sizes = ptr[rows + 1] - ptr[rows]
    out_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(sizes, out=out_ptr[1:])
    at = np.repeat(ptr[rows], sizes) + (np.arange(int(out_ptr[-1])) - np.repeat(out_ptr[:-1], sizes))
    return out_ptr, values[at]


def _leaf_network(overlay: Overlay) -> _LeafNetwork:
    """The overlay's leaves (enabled ASes without a customer entry), worked out once per overlay."""
    found = _NETWORKS.get(overlay)
    if found is not None:
        return found
    net = overlay.arrays
    n = len(net.node_ok)
    has_customers = _has_customers(net)
    peer_fed = np.zeros(n, dtype=bool)
    peer_fed[net.peer_idx[net.peer_ok]] = True
    peer_fed[net.added_peer_idx[net.added_peer_ok]] = True
    leaf = net.node_ok & ~has_customers
    c_ptr, c_idx, c_ok = _keep_customers(net.customer_ptr, net.customer_idx, net.customer_ok, leaf)
    xc_ptr, xc_idx, xc_ok = _keep_customers(net.added_customer_ptr, net.added_customer_idx, net.added_customer_ok,
                                            leaf)
    still = (np.diff(c_ptr) > 0) | (np.diff(xc_ptr) > 0)
    reduced = net._replace(customer_ptr=c_ptr, customer_idx=c_idx, customer_ok=c_ok, added_customer_ptr=xc_ptr,
                           added_customer_idx=xc_idx, added_customer_ok=xc_ok, order=net.order[still[net.order]])
    # leaf * n + provider for every provider entry that sends to a leaf: sorted by leaf, then
    # provider, each link once
    links = []
    for ptr, idx, ok in ((net.customer_ptr, net.customer_idx, net.customer_ok),
                         (net.added_customer_ptr, net.added_customer_idx, net.added_customer_ok)):
        owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))
        hit = ok & leaf[idx]
        links.append(idx[hit].astype(np.int64) * n + owner[hit])
    keys = np.unique(np.concatenate(links))
    leaf_of, provider_of = keys // n, (keys % n).astype(np.int32)
    provider_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(leaf_of, minlength=n), out=provider_ptr[1:])
    routed = np.diff(provider_ptr) > 0
    # one row per routed leaf: its own number if its providers are too many for the table, then
    # its providers; equal rows, one group
    members = np.flatnonzero(routed)
    starts, sizes = provider_ptr[members], provider_ptr[members + 1] - provider_ptr[members]
    table = np.full((len(members), GROUP_WIDTH + 1), -1, dtype=np.int64)
    table[:, 0] = np.where(sizes > GROUP_WIDTH, members, -1)
    row = np.repeat(np.arange(len(members)), sizes)
    col = np.arange(len(leaf_of)) - np.repeat(starts, sizes)
    fits = col < GROUP_WIDTH
    table[row[fits], 1 + col[fits]] = provider_of[fits]
    lead, group_of = _equal_rows(table)
    group = np.full(n, -1, dtype=np.int64)
    group[members] = group_of
    group_ptr, group_provider = _csr_rows(provider_ptr, provider_of, members[lead])
    found = _LeafNetwork(reduced, has_customers, peer_fed, routed, provider_ptr, provider_of, group, group_ptr,
                         group_provider, compact_layout(reduced), entry_ends(reduced))
    _NETWORKS[overlay] = found
    return found


def leaf_groups(overlay: Overlay, vw: np.ndarray, alone: np.ndarray) -> Leaves:
    """The overlay's network without its leaves, and the groups of the leaves with a vantage weight.

    ``alone`` (bool per AS): leaves that get a group of their own, on top of those a peer
    sends routes to: the run's origins with a vantage weight. The shared groups come in the
    order of their providers whoever their members are, the lone ones after them by AS: a
    column of weights added to vw (zero for the others) then leaves the other columns' sums
    in the same order, bit for bit.
    """
    found = _leaf_network(overlay)
    members = np.flatnonzero(found.routed & vw.any(axis=1))
    lone = found.peer_fed[members] | alone[members]
    used, shared_of = np.unique(found.group[members[~lone]], return_inverse=True)
    solo_members = members[lone]
    ptr_a, prov_a = _csr_rows(found.group_ptr, found.group_provider, used)
    ptr_b, prov_b = _csr_rows(found.provider_ptr, found.provider, solo_members)
    ptr = np.concatenate((ptr_a, ptr_a[-1] + ptr_b[1:]))
    provider = np.ascontiguousarray(np.concatenate((prov_a, prov_b)), dtype=np.int32)
    group_of = np.empty(len(members), dtype=np.int64)
    group_of[~lone] = shared_of.reshape(-1)
    group_of[lone] = len(used) + np.arange(len(solo_members))
    solo = np.concatenate((np.full(len(used), -1), solo_members)).astype(np.int32)
    groups_n = len(used) + len(solo_members)
    group_vw = np.zeros((groups_n, vw.shape[1]))
    np.add.at(group_vw, group_of, vw[members])
    counted = np.bincount(group_of, weights=(vw[members, 0] > 0).astype(np.float64), minlength=groups_n)
    groups = LeafGroups(ptr, provider, group_vw, np.ascontiguousarray(group_vw[:, 0]), counted, solo)
    return Leaves(found.net, found.has_customers, groups, members, group_of, found.layout, found.ends)


def no_leaves(overlay: Overlay, vw: np.ndarray, alone: np.ndarray) -> Leaves:
    """Every AS in the propagation and no group: what :func:`leaf_groups` must equal (tests)."""
    net = overlay.arrays
    empty = LeafGroups(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros((0, vw.shape[1])),
                       np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int32))
    return Leaves(net, _has_customers(net), empty, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
                  identity_layout(net), entry_ends(net))


def _equal_rows(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Groups of equal rows: the first row of each group, and each row's group.

    The groups come in an order that depends on the rows' contents only, not on which
    other rows are present: a column of weights added to vw (zero for the others) then
    leaves the other columns' sums in the same order, bit for bit. Rows are grouped by a
    64-bit hash and then compared in full; on a collision the exact (slower) sort decides.
    """
    mixed = np.zeros(len(table), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in range(table.shape[1]):
            mixed = (mixed ^ table[:, c].astype(np.uint64)) * np.uint64(_MIX)
            mixed ^= mixed >> np.uint64(29)
    _, lead, group_of = np.unique(mixed, return_index=True, return_inverse=True)
    group_of = group_of.reshape(-1)
    if np.array_equal(table, table[lead[group_of]]):
        return lead, group_of
    _, lead, group_of = np.unique(table, axis=0, return_index=True, return_inverse=True)
    return lead, group_of.reshape(-1)


def spread_over_leaves(leaves: Leaves, vw: np.ndarray, acc: np.ndarray, pairs: dict[int, float], positions: np.ndarray,
                       handed: np.ndarray, first_position: int, border: int) -> None:
    """Each grouped leaf's part of its group's sums, into ``acc`` and ``pairs`` (in place).

    ``positions[g, p]``: the origin weights summed over the trees in which group g sits p
    positions from ``first_position`` on; ``handed[e, k]``: the origin weights times the share
    of traffic that group-provider entry e handed to a domestic provider (column k). A
    member's own figure is its vantage weight times these.
    """
    n = acc.shape[0]
    member, group_of, groups = leaves.member, leaves.group_of, leaves.groups
    mine = vw[member]  # (members, K)
    spots = positions.shape[1]
    for p in range(spots):
        acc[member, first_position + p, :] += mine * positions[group_of, p][:, None]
    sizes = np.diff(groups.ptr)
    entries = np.flatnonzero(handed.any(axis=1))
    if len(entries) == 0:
        return
    entry_group = np.repeat(np.arange(len(sizes)), sizes)
    order = np.argsort(group_of, kind="stable")
    first = np.searchsorted(group_of[order], np.arange(len(sizes) + 1))
    for e in entries.tolist():
        g = int(entry_group[e])
        u = int(groups.provider[e])
        for i in order[first[g]:first[g + 1]].tolist():
            w = int(member[i])
            acc[w, border, :] += vw[w] * handed[e]
            amount = float(vw[w, 0] * handed[e, 0])
            if amount > 0.0:
                key = w * n + u
                pairs[key] = pairs.get(key, 0.0) + amount
