"""Compiled accumulation of transit measures over one origin's routing tree.

With one best route per AS, the next hops towards an origin form a tree. Every measure
of ``docs/methodology.md`` is then a sum over subtrees, computed in one pass from the
deepest ASes up (counts) and one pass from the origin down (per-path labels):

- ``below[x]``: vantage ASes whose path to the origin crosses x, x excluded;
- ``foreign_run[x]``: vantage ASes whose path reaches the foreign AS x through foreign
  ASes only (x included): when x hands traffic to a domestic next hop, those are exactly
  the paths for which x is the border provider;
- ``mask[x]``: the candidate ASes strictly between x and the origin, as a bitset, so the
  per-vantage shares needed for a trimmed mean cost one word operation per hop.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .simulate import _propagate_into

__all__ = ["accumulate_origin", "run_origins", "MASK_WORDS"]

MASK_WORDS = 2  # 128 candidate ASes for the trimmed mean


@njit(cache=True, nogil=True)
def _order_by_length(length, order, counts):
    """ASes with a route, by path length ascending (counting sort); returns how many."""
    n = length.shape[0]
    maxlen = 0
    for i in range(n):
        if length[i] > maxlen:
            maxlen = length[i]
    for k in range(maxlen + 2):
        counts[k] = 0
    total = 0
    for i in range(n):
        if length[i] >= 0:
            counts[length[i] + 1] += 1
            total += 1
    for k in range(1, maxlen + 2):
        counts[k] += counts[k - 1]
    for i in range(n):
        if length[i] >= 0:
            order[counts[length[i]]] = i
            counts[length[i]] += 1
    return total


@njit(cache=True, nogil=True)
def accumulate_origin(
    origin, weight, kmi_weight, nh, length, is_domestic, vantage_slot, cand_slot,
    order, counts, below, foreign_run, mask,
    transit, border, gateway, retail, wholesale, backbone, path_len_sum, reach_sum,
    shares, pair_from, pair_to, pair_weight,
):
    """Add one origin's tree to the running sums; returns the number of border pairs written.

    ``weight``: the origin's share of the country; ``kmi_weight``: its Kentik prefix weight.
    Per-AS accumulators (``transit`` .. ``backbone``) are in vantage-path units (divide by
    the number of vantages). ``shares[vantage, candidate]`` gets the origin's weight for
    every candidate on that vantage's path. ``pair_*`` receive (border AS, gateway AS,
    weighted path count) hand-offs of this origin.
    """
    total = _order_by_length(length, order, counts)
    for k in range(total):
        x = order[k]
        below[x] = 0
        foreign_run[x] = 0
        for w in range(MASK_WORDS):
            mask[x, w] = 0
    # downward pass: candidate masks (ASes strictly between x and the origin)
    for k in range(total):
        x = order[k]
        p = nh[x]
        if p < 0:
            continue
        for w in range(MASK_WORDS):
            mask[x, w] = mask[p, w]
        c = cand_slot[p]
        if c >= 0 and p != origin:
            mask[x, c // 64] |= np.uint64(1) << np.uint64(c % 64)
    # upward pass: subtree counts, deepest first
    pairs = 0
    for k in range(total - 1, -1, -1):
        x = order[k]
        v = vantage_slot[x]
        if v >= 0:
            path_len_sum[0] += weight * length[x]
            reach_sum[0] += weight
            for w in range(MASK_WORDS):
                bits = mask[x, w]
                while bits:
                    low = bits & (~bits + np.uint64(1))
                    c = int(math.log2(float(low)) + 0.5)  # exact: low is a power of two
                    shares[v, w * 64 + c] += weight
                    bits ^= low
            if not is_domestic[x]:
                foreign_run[x] += 1
        if x != origin:
            transit[x] += weight * below[x]
            crossing = below[x] + (1 if v >= 0 else 0)
            d = length[x]
            if d == 1:
                retail[x] += kmi_weight * crossing
            elif d == 2:
                wholesale[x] += kmi_weight * crossing
            elif d >= 3:
                backbone[x] += kmi_weight * crossing
        p = nh[x]
        if p < 0:
            continue
        below[p] += below[x] + (1 if v >= 0 else 0)
        if not is_domestic[x]:
            if is_domestic[p]:
                if foreign_run[x] > 0:
                    handed = weight * foreign_run[x]
                    border[x] += handed
                    gateway[p] += handed
                    pair_from[pairs] = x
                    pair_to[pairs] = p
                    pair_weight[pairs] = handed
                    pairs += 1
            else:
                foreign_run[p] += foreign_run[x]
    return pairs


@njit(cache=True, nogil=True)
def run_origins(
    origins, weights, kmi, net, is_domestic, vantage_slot, cand_slot, acc, shares, totals, reached_out,
):
    """Propagate and accumulate a batch of origins without the GIL (one batch per thread).

    ``acc`` rows: transit, border, gateway, retail, wholesale, backbone. ``totals``:
    path-length sum, reached weight, paths. ``reached_out[j]``: vantages with a route to
    origin j. Returns the border pairs as a dict
    ``from * n + to -> weighted paths``.
    """
    n = is_domestic.shape[0]
    rel = np.empty(n, dtype=np.int8)
    length = np.empty(n, dtype=np.int32)
    nh = np.empty(n, dtype=np.int32)
    queue = np.empty(n, dtype=np.int32)
    order = np.empty(n, dtype=np.int64)
    counts = np.empty(n + 2, dtype=np.int64)
    below = np.zeros(n, dtype=np.int64)
    foreign_run = np.zeros(n, dtype=np.int64)
    mask = np.zeros((n, MASK_WORDS), dtype=np.uint64)
    pf = np.empty(n, dtype=np.int64)
    pt = np.empty(n, dtype=np.int64)
    pw = np.empty(n, dtype=np.float64)
    path_len = np.zeros(1)
    reach = np.zeros(1)
    pairs = dict()
    pairs[np.int64(-1)] = 0.0
    for j in range(origins.shape[0]):
        origin = origins[j]
        if _propagate_into(origin, net, rel, length, nh, queue) == 0:
            continue
        written = accumulate_origin(
            origin, weights[j], kmi[j], nh, length, is_domestic, vantage_slot, cand_slot,
            order, counts, below, foreign_run, mask,
            acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], path_len, reach, shares, pf, pt, pw,
        )
        for k in range(written):
            key = pf[k] * n + pt[k]
            if key in pairs:
                pairs[key] += pw[k]
            else:
                pairs[key] = pw[k]
        routed = 0
        for i in range(n):
            if length[i] >= 0 and vantage_slot[i] >= 0:
                routed += 1
        totals[2] += routed
        reached_out[j] = routed
    totals[0] += path_len[0]
    totals[1] += reach[0]
    del pairs[np.int64(-1)]
    return pairs
