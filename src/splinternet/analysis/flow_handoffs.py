"""Border hand-offs of the flow pass, summed per border link instead of in a hash map.

A hand-off is flow that a foreign AS passes to a domestic one, and the report needs it
per (foreign, domestic) pair. Summed in a hash map it cost about a quarter of a routing
tree (RU 2022-03-01: thousands of hand-offs a tree, each a lookup). Every hand-off
crosses one link, and the flow pass reads that link's list entry anyway, so each entry
that can carry a hand-off gets a *slot* in a small array (a *book*), read next to the
entry itself.

Entry numbers (``entry_bases``): entry j of AS x's provider list is counted twice, as x
handing to its provider (``j``) and as the provider handing to x (``P + j``); entry j
of x's peer list is the peer handing to x (``2P + j``). The overlay's added provider
and peer lists follow in the same way.

A book starts at -0.0 in every slot: adding to it gives what adding to 0.0 gives, and a
slot that was never added to keeps its sign, so a pair exists exactly when a hand-off
crossed it (as with the hash map, a zero-weight origin's hand-off included).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from .scenario import OverlayArrays

__all__ = ["BorderSlots", "EntryEnds", "book_pairs", "border_slots", "entry_bases", "entry_down", "entry_ends",
           "entry_peer", "entry_to", "entry_up", "new_book"]


class BorderSlots(NamedTuple):
    """``slot[entry]``: the book slot of a link entry that hands from a foreign AS to a domestic one,
    else -1; ``giver``/``taker``: each slot's two ASes."""

    slot: np.ndarray
    giver: np.ndarray
    taker: np.ndarray


@njit(cache=True, inline="always")
def entry_bases(net):
    """Start of each kind of entry: provider-up, provider-down, peer, added up, added down, added peer, end."""
    p, q = net.provider_idx.shape[0], net.peer_idx.shape[0]
    xp, xq = net.added_provider_idx.shape[0], net.added_peer_idx.shape[0]
    return 0, p, 2 * p, 2 * p + q, 2 * p + q + xp, 2 * p + q + 2 * xp, 2 * p + q + 2 * xp + xq


@njit(cache=True, inline="always")
def entry_up(net, j, added):
    """Entry j of an AS's (added) provider list: the AS hands to that provider."""
    return j if not added else entry_bases(net)[3] + j


@njit(cache=True, inline="always")
def entry_down(net, j, added):
    """Entry j of an AS's (added) provider list: that provider hands to the AS."""
    return entry_bases(net)[1] + j if not added else entry_bases(net)[4] + j


@njit(cache=True, inline="always")
def entry_peer(net, j, added):
    """Entry j of an AS's (added) peer list: that peer hands to the AS."""
    return entry_bases(net)[2] + j if not added else entry_bases(net)[5] + j


@njit(cache=True)
def _find(ptr, idx, ok, x, y, sorted_list, enabled=True):
    """Position of y in x's list (with its flag in ``ok`` set, unless ``enabled`` is False), or -1."""
    lo, hi = ptr[x], ptr[x + 1]
    if sorted_list:
        at = lo + np.searchsorted(idx[lo:hi], y)
        while at < hi and idx[at] == y:
            if ok[at] or not enabled:
                return at - lo
            at += 1
        return -1
    for j in range(lo, hi):
        if idx[j] == y and (ok[j] or not enabled):
            return j - lo
    return -1


@njit(cache=True, nogil=True)
def entry_to(net, w, u, cls):
    """The entry over which AS w, holding a route of class ``cls`` (1 customer, 2 peer, 3 provider),
    hands to its next hop u. The graph's lists are sorted; the overlay's added lists may not be."""
    if cls == 3:  # u is one of w's providers; the link is enabled where u sends to w (u's customer
        # list), not where w sends to u: w may have stopped exporting to u and still use u's route
        if _find(net.customer_ptr, net.customer_idx, net.customer_ok, u, w, True) >= 0:
            j = _find(net.provider_ptr, net.provider_idx, net.provider_ok, w, u, True, False)
            return entry_up(net, net.provider_ptr[w] + j, False)
        j = -1
        if _find(net.added_customer_ptr, net.added_customer_idx, net.added_customer_ok, u, w, False) >= 0:
            j = _find(net.added_provider_ptr, net.added_provider_idx, net.added_provider_ok, w, u, False, False)
        added = entry_up(net, net.added_provider_ptr[w] + j, True)
    elif cls == 1:  # w is one of u's providers
        j = _find(net.provider_ptr, net.provider_idx, net.provider_ok, u, w, True)
        if j >= 0:
            return entry_down(net, net.provider_ptr[u] + j, False)
        j = _find(net.added_provider_ptr, net.added_provider_idx, net.added_provider_ok, u, w, False)
        added = entry_down(net, net.added_provider_ptr[u] + j, True)
    else:  # w is one of u's peers
        j = _find(net.peer_ptr, net.peer_idx, net.peer_ok, u, w, True)
        if j >= 0:
            return entry_peer(net, net.peer_ptr[u] + j, False)
        j = _find(net.added_peer_ptr, net.added_peer_idx, net.added_peer_ok, u, w, False)
        added = entry_peer(net, net.added_peer_ptr[u] + j, True)
    if j < 0:
        raise ValueError("a next hop without an enabled link to it")
    return added


def _owners(ptr: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(ptr) - 1, dtype=np.int64), np.diff(ptr))


class EntryEnds(NamedTuple):
    """Who hands to whom over every link entry, indexed by the receiving AS: worked out once per network,
    so a country's slots cost a look at its own ASes' entries, not at all of them."""

    giver: np.ndarray  # int64 per entry
    by_taker: np.ndarray  # entry numbers grouped by taker, ascending within each
    taker_ptr: np.ndarray  # (n + 1,): taker x's entries are by_taker[taker_ptr[x]:taker_ptr[x + 1]]


def entry_ends(net: OverlayArrays) -> EntryEnds:
    """The giver of every entry and the entries each AS receives over (``entry_bases`` numbering)."""
    own_p, own_q = _owners(net.provider_ptr), _owners(net.peer_ptr)
    own_xp, own_xq = _owners(net.added_provider_ptr), _owners(net.added_peer_ptr)
    p, q = net.provider_idx.astype(np.int64), net.peer_idx.astype(np.int64)
    xp, xq = net.added_provider_idx.astype(np.int64), net.added_peer_idx.astype(np.int64)
    giver = np.concatenate((own_p, p, q, own_xp, xp, xq))
    taker = np.concatenate((p, own_p, own_q, xp, own_xp, own_xq))
    by_taker = np.argsort(taker, kind="stable")
    taker_ptr = np.zeros(len(net.node_ok) + 1, dtype=np.int64)
    np.cumsum(np.bincount(taker, minlength=len(net.node_ok)), out=taker_ptr[1:])
    return EntryEnds(giver, by_taker, taker_ptr)


def border_slots(net: OverlayArrays, domestic: np.ndarray, ends: EntryEnds | None = None) -> BorderSlots:
    """A slot for every link entry over which a foreign AS can hand to a domestic one (entry order).

    ``ends``: :func:`entry_ends` of ``net`` when already worked out.
    """
    ends = entry_ends(net) if ends is None else ends
    takers = np.flatnonzero(domestic)
    lo, hi = ends.taker_ptr[takers], ends.taker_ptr[takers + 1]
    sizes = hi - lo
    picked = np.repeat(lo, sizes) + (np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes))
    received = ends.by_taker[picked]
    in_entry_order = np.argsort(received)
    entries, taker = received[in_entry_order], np.repeat(takers, sizes)[in_entry_order]
    foreign = ~domestic[ends.giver[entries]]
    entries, taker = entries[foreign], taker[foreign]
    slot = np.full(len(ends.giver), -1, dtype=np.int64)
    slot[entries] = np.arange(len(entries))
    return BorderSlots(slot, ends.giver[entries], taker.astype(np.int64))


@njit(cache=True)
def new_book(slots):
    """An empty book: every slot -0.0 (see the module's note)."""
    return np.full(slots, -0.0)


def book_pairs(book: np.ndarray, slots: BorderSlots, n: int) -> dict[int, float]:
    """The book as ``{giver * n + taker: sum}`` over the slots a hand-off crossed (entry order)."""
    crossed = ~np.signbit(book)
    keys = slots.giver[crossed] * n + slots.taker[crossed]
    pairs: dict[int, float] = {}
    for key, value in zip(keys.tolist(), book[crossed].tolist(), strict=True):
        pairs[key] = pairs.get(key, 0.0) + value
    return pairs
