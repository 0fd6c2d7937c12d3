"""How much of each provider's border share crosses links that the neighbouring months do not confirm.

CAIDA infers AS relationships month by month, and a link inferred in one month alone is
the least certain part of a topology (``ASGraph.confirmed_links``). A provider's border share
is the traffic it hands to the first domestic network, over one link per hand-off; when
most of it crosses a link that neither the previous nor the next month infers with the
same relationship, the figure rests on one month's inference, and the report says so
(RU 2022-03-01: Seabras's lead is one such link, ``docs/validation.md``). Only the hand-off
link is checked, not the links further along the paths.
"""

from __future__ import annotations

import numpy as np

from ..tables.topology import ASGraph

__all__ = ["confirmed_link_keys", "unconfirmed_handoff"]


def _unordered(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lo, hi = np.minimum(a, b).astype(np.uint64), np.maximum(a, b).astype(np.uint64)
    return (lo << np.uint64(32)) | hi


def _in_sorted(keys: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Whether each query is in the sorted ``keys``: a binary search, where ``np.isin`` would sort the
    400,000 keys of a month again for every report."""
    if not len(keys):
        return np.zeros(len(query), dtype=bool)
    return keys[np.minimum(np.searchsorted(keys, query), len(keys) - 1)] == query


def confirmed_link_keys(graph: ASGraph, neighbours: list[ASGraph]) -> np.ndarray:
    """Sorted keys of the links of ``graph`` that some neighbour has with the same relationship.

    Two ASes have one relationship in a CAIDA file, so a link is keyed by its pair of ASes.
    """
    prov, cust, pa, pb = graph.confirmed_links(neighbours)
    return np.unique(np.concatenate([_unordered(prov, cust), _unordered(pa, pb)]))


def unconfirmed_handoff(pair_from: np.ndarray, pair_to: np.ndarray, pair_weight: np.ndarray,
                        confirmed: np.ndarray, groups: list[list[int]]) -> list[float | None]:
    """Per group of ASes (a row: one AS, or an organization's members; no AS in two groups): the share
    of the hand-off weight (``pair_*``, foreign AS -> first domestic AS) of the pairs whose first AS
    is in the group, over links not in ``confirmed`` (sorted, as :func:`confirmed_link_keys` gives it).
    None for a group with no hand-off weight.
    Gateways (the domestic side) pass the pairs reversed; a link is the same either way round.
    """
    known = _in_sorted(confirmed, _unordered(np.asarray(pair_from), np.asarray(pair_to)))
    members = np.array([a for g in groups for a in g], dtype=np.int64)
    row = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    order = np.argsort(members, kind="stable")
    members, row = members[order], row[order]
    frm = np.asarray(pair_from, dtype=np.int64)
    listed = np.isin(frm, members)
    group = row[np.searchsorted(members, frm[listed])]  # each listed pair's row
    weight = np.asarray(pair_weight, dtype=np.float64)[listed]
    total = np.bincount(group, weights=weight, minlength=len(groups))
    shaky = np.bincount(group[~known[listed]], weights=weight[~known[listed]], minlength=len(groups))
    return [float(u / t) if t > 0 else None for u, t in zip(shaky.tolist(), total.tolist(), strict=True)]
