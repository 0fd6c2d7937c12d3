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
part at the end. A leaf with a sending peer is a group of its own.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .scenario import Overlay, OverlayArrays

__all__ = ["LeafGroups", "leaf_groups", "spread_over_leaves"]

GROUP_WIDTH = 16  # a leaf with more sending providers than this is a group of its own
_MIX = 0x9E3779B97F4A7C15  # odd multiplier of the row hash (golden ratio, 64 bits)


class LeafGroups(NamedTuple):
    """Groups of leaf vantage points with the same sending providers, as the kernel reads them.

    ``ptr``/``provider``: CSR of each group's providers (ascending); ``vw[g, k]``: the
    members' summed vantage weights per column; ``v0``/``counted``: column 0's summed weight
    and how many members have a positive one; ``solo[g]``: the only member of a group whose
    member a peer sends routes to (counted only in trees where it has no route yet), else -1.
    """

    ptr: np.ndarray  # int64, groups + 1
    provider: np.ndarray  # int32
    vw: np.ndarray  # (groups, K)
    v0: np.ndarray  # (groups,)
    counted: np.ndarray  # (groups,) float
    solo: np.ndarray  # (groups,) int32


class Leaves(NamedTuple):
    """The reduced network without the leaves, the groups, and each grouped leaf's group."""

    net: OverlayArrays
    has_customers: np.ndarray  # bool per AS, of the full network (the reduced one lost some)
    groups: LeafGroups
    member: np.ndarray  # AS index of each grouped leaf
    group_of: np.ndarray  # its group


def _keep_customers(ptr: np.ndarray, idx: np.ndarray, ok: np.ndarray, drop: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A customer CSR without the entries pointing at ``drop`` ASes."""
    keep = ~drop[idx]
    owner = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    new_ptr = np.zeros(len(ptr), dtype=ptr.dtype)
    np.cumsum(np.bincount(owner[keep], minlength=len(ptr) - 1), out=new_ptr[1:])
    return new_ptr, np.ascontiguousarray(idx[keep]), np.ascontiguousarray(ok[keep])


def leaf_groups(overlay: Overlay, vw: np.ndarray, keep: np.ndarray) -> Leaves:
    """The leaves of ``overlay`` (enabled ASes without a customer entry) apart from ``keep`` (bool
    per AS: the run's origins with a vantage weight), dropped from every customer list; those
    with a vantage weight grouped by their sending providers.

    An origin without a vantage weight may be a leaf: as the origin it is the propagation's
    seed, which needs its own lists only, and elsewhere it counts for nothing.
    """
    net = overlay.arrays
    n = len(net.node_ok)
    has_customers = (np.diff(net.customer_ptr) > 0) | (np.diff(net.added_customer_ptr) > 0)
    peer_fed = np.zeros(n, dtype=bool)
    peer_fed[net.peer_idx[net.peer_ok]] = True
    peer_fed[net.added_peer_idx[net.added_peer_ok]] = True
    leaf = net.node_ok & ~has_customers & ~keep
    c_ptr, c_idx, c_ok = _keep_customers(net.customer_ptr, net.customer_idx, net.customer_ok, leaf)
    xc_ptr, xc_idx, xc_ok = _keep_customers(net.added_customer_ptr, net.added_customer_idx, net.added_customer_ok,
                                            leaf)
    still = (np.diff(c_ptr) > 0) | (np.diff(xc_ptr) > 0)
    reduced = net._replace(customer_ptr=c_ptr, customer_idx=c_idx, customer_ok=c_ok, added_customer_ptr=xc_ptr,
                           added_customer_idx=xc_idx, added_customer_ok=xc_ok, order=net.order[still[net.order]])
    # (leaf, provider) for every provider entry that sends to a leaf with a vantage weight
    counted = leaf & vw.any(axis=1)
    pairs_leaf, pairs_provider = [], []
    for ptr, idx, ok in ((net.customer_ptr, net.customer_idx, net.customer_ok),
                         (net.added_customer_ptr, net.added_customer_idx, net.added_customer_ok)):
        owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))
        hit = ok & counted[idx]
        pairs_leaf.append(idx[hit].astype(np.int64))
        pairs_provider.append(owner[hit])
    leaf_of, provider_of = np.concatenate(pairs_leaf), np.concatenate(pairs_provider)
    order = np.lexsort((provider_of, leaf_of))
    leaf_of, provider_of = leaf_of[order], provider_of[order]
    keep_pair = np.ones(len(leaf_of), dtype=bool)
    keep_pair[1:] = (leaf_of[1:] != leaf_of[:-1]) | (provider_of[1:] != provider_of[:-1])
    leaf_of, provider_of = leaf_of[keep_pair], provider_of[keep_pair]  # a link given twice sends once
    first = np.ones(len(leaf_of), dtype=bool)
    first[1:] = leaf_of[1:] != leaf_of[:-1]
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], len(leaf_of))[:len(starts)].astype(np.int64)
    members = leaf_of[starts]
    sizes = ends - starts
    # one row per member: its own number if it must be alone (a peer sends it routes, or its
    # providers are too many for the table), then its providers; equal rows, one group
    alone = peer_fed[members] | (sizes > GROUP_WIDTH)
    table = np.full((len(members), GROUP_WIDTH + 1), -1, dtype=np.int64)
    table[:, 0] = np.where(alone, members, -1)
    row = np.repeat(np.arange(len(members)), sizes)
    col = np.arange(len(leaf_of)) - np.repeat(starts, sizes)
    fits = col < GROUP_WIDTH
    table[row[fits], 1 + col[fits]] = provider_of[fits]
    lead, group_of = _equal_rows(table)
    solo = np.where(peer_fed[members[lead]], members[lead], -1).astype(np.int32)
    ptr = np.zeros(len(lead) + 1, dtype=np.int64)
    np.cumsum(sizes[lead], out=ptr[1:])
    at = np.repeat(starts[lead], sizes[lead]) + (np.arange(int(ptr[-1])) - np.repeat(ptr[:-1], sizes[lead]))
    provider = provider_of[at].astype(np.int32)
    group_vw = np.zeros((len(lead), vw.shape[1]))
    np.add.at(group_vw, group_of, vw[members])
    count = np.bincount(group_of, weights=(vw[members, 0] > 0).astype(np.float64), minlength=len(lead))
    groups = LeafGroups(ptr, provider, group_vw, np.ascontiguousarray(group_vw[:, 0]), count, solo)
    return Leaves(reduced, has_customers, groups, members, group_of)


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
