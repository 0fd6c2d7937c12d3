"""The links that cross a country's border, and what became of them on another date.

A link is a row (foreign AS, domestic AS, relation). ``diff`` compares every such link of two
AS graphs, the timelines the links of the top providers at consecutive points; both ask the
same questions here. CAIDA lists an AS pair once per release, so a pair linked on both dates
under another relationship has *changed*: it is neither lost nor gained.
"""

from __future__ import annotations

import numpy as np

from ..tables.topology import ASGraph

__all__ = ["CUSTOMER", "OBSERVED", "PEER", "PROVIDER", "border_links", "changed_links", "lost_links"]

# what the link is, seen from the foreign AS: its customer's provider, a peer, seen in a
# collector's paths (archive timelines), or the domestic AS's customer
PROVIDER, PEER, OBSERVED, CUSTOMER = 1, 2, 3, 4


def border_links(graph: ASGraph, domestic: np.ndarray, foreign: np.ndarray | None = None) -> np.ndarray:
    """(foreign AS, domestic AS, relation) for each link of ``graph`` between a domestic AS and
    another: any AS outside ``domestic``, or only the ASes of ``foreign`` when given."""
    n = len(graph)
    is_domestic = np.zeros(n, dtype=bool)
    at = graph.index_of(np.asarray(domestic, np.uint32))
    is_domestic[at[at >= 0]] = True
    if foreign is None:
        is_foreign = ~is_domestic
    else:
        is_foreign = np.zeros(n, dtype=bool)
        at = graph.index_of(np.asarray(foreign, np.uint32))
        is_foreign[at[at >= 0]] = True
    parts = [np.zeros((0, 3), np.int64)]
    for relation, ptr, neighbours in ((PROVIDER, graph.customer_indptr, graph.customer_indices),
                                      (PEER, graph.peer_indptr, graph.peer_indices),
                                      (CUSTOMER, graph.provider_indptr, graph.provider_indices)):
        far = np.repeat(np.arange(n), np.diff(ptr))
        keep = is_foreign[far] & is_domestic[neighbours]
        parts.append(np.stack([graph.asns[far[keep]].astype(np.int64), graph.asns[neighbours[keep]].astype(np.int64),
                               np.full(int(keep.sum()), relation, np.int64)], axis=1))
    return np.concatenate(parts)


def _pair_keys(links: np.ndarray) -> np.ndarray:
    return (links[:, 0].astype(np.uint64) << np.uint64(32)) | links[:, 1].astype(np.uint64)


def lost_links(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Rows of ``before`` (foreign, domestic, relation) whose AS pair is in no row of ``after``.

    A pair still linked under another relationship is not lost (see :func:`changed_links`).
    """
    if before.size == 0:
        return before.reshape(0, 3)
    if after.size == 0:
        return before
    return before[~np.isin(_pair_keys(before), _pair_keys(after))]


def changed_links(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """(foreign, domestic, relation before, relation after) for each pair of ``before`` that ``after``
    links under another relationship."""
    if before.size == 0 or after.size == 0:
        return np.zeros((0, 4), np.int64)
    keys_a = _pair_keys(after)
    order = np.argsort(keys_a, kind="stable")
    at = np.searchsorted(keys_a[order], _pair_keys(before))
    found = at < len(order)
    at = order[np.minimum(at, len(order) - 1)]
    found &= keys_a[at] == _pair_keys(before)
    moved = found & (after[at, 2] != before[:, 2])
    return np.concatenate([before[moved], after[at[moved], 2:3]], axis=1).astype(np.int64)
