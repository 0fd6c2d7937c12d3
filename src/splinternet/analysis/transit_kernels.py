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

from .simulate import propagate_keyed, route_keys

__all__ = ["DOMESTIC", "MASK_WORDS", "accumulate_origin", "run_origins"]

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


DOMESTIC = -2  # info[x, 0] of a domestic AS; -1 foreign but not a vantage point; >= 0 vantage slot


@njit(cache=True, nogil=True)
def accumulate_origin(origin, weight, kmi_weight, nh, length, info, order, counts, work, mask, acc, totals,
                      shares, pair_from, pair_to, pair_weight):
    """Add one origin's tree to the running sums; returns the number of border pairs written.

    ``weight``: the origin's share of the country; ``kmi_weight``: its Kentik prefix weight.
    Per-AS data is packed in rows so one visit touches few cache lines: ``info[x]`` =
    (vantage slot or DOMESTIC/-1, candidate slot or -1); ``work[x]`` = (below, foreign_run);
    ``acc[x]`` = (transit, border, gateway, retail, wholesale, backbone), in vantage-path
    units (divide by the number of vantages). ``totals`` += (path-length sum, reached
    weight, routed vantage points). ``shares[candidate, vantage]`` (candidate-major) gets
    the origin's weight for every candidate on that vantage's path. ``pair_*`` receive
    (border AS, gateway AS, weighted path count) hand-offs of this origin.
    """
    total = _order_by_length(length, order, counts)
    # downward pass (parents first): reset, then candidate masks of the ASes strictly between x and the origin
    for k in range(total):
        x = order[k]
        work[x, 0] = 0
        work[x, 1] = 0
        p = nh[x]
        if p < 0:
            for w in range(MASK_WORDS):
                mask[x, w] = 0
            continue
        for w in range(MASK_WORDS):
            mask[x, w] = mask[p, w]
        c = info[p, 1]
        if c >= 0 and p != origin:
            mask[x, c // 64] |= np.uint64(1) << np.uint64(c % 64)
    # upward pass: subtree counts, deepest first
    pairs = 0
    path_len = 0.0
    reached = 0
    for k in range(total - 1, -1, -1):
        x = order[k]
        v = info[x, 0]
        here = 0
        if v >= 0:
            here = 1
            reached += 1
            path_len += length[x]
        domestic = v == DOMESTIC
        if not domestic:
            work[x, 1] += here
        below = work[x, 0]
        if x != origin:
            acc[x, 0] += weight * below
            crossing = below + here
            d = length[x]
            if d == 1:
                acc[x, 3] += kmi_weight * crossing
            elif d == 2:
                acc[x, 4] += kmi_weight * crossing
            elif d >= 3:
                acc[x, 5] += kmi_weight * crossing
        p = nh[x]
        if p < 0:
            continue
        work[p, 0] += below + here
        if not domestic:
            if info[p, 0] == DOMESTIC:
                run = work[x, 1]
                if run > 0:
                    handed = weight * run
                    acc[x, 1] += handed
                    acc[p, 2] += handed
                    pair_from[pairs] = x
                    pair_to[pairs] = p
                    pair_weight[pairs] = handed
                    pairs += 1
            else:
                work[p, 1] += work[x, 1]
    # per-vantage shares: vantage slots grow with the AS index, so this pass walks each
    # candidate's row of ``shares`` (candidate-major) in order instead of jumping around
    for x in range(nh.shape[0]):
        v = info[x, 0]
        if v < 0 or length[x] < 0:
            continue
        for w in range(MASK_WORDS):
            bits = mask[x, w]
            while bits:
                low = bits & (~bits + np.uint64(1))
                c = int(math.log2(float(low)) + 0.5)  # exact: low is a power of two
                shares[w * 64 + c, v] += weight
                bits ^= low
    totals[0] += weight * path_len
    totals[1] += weight * reached
    totals[2] += reached
    return pairs


@njit(cache=True, nogil=True)
def run_origins(origins, weights, kmi, net, info, acc, shares, totals, reached_out):
    """Propagate and accumulate a batch of origins without the GIL (one batch per thread).

    ``info`` and ``acc`` as in :func:`accumulate_origin`; ``totals``: path-length sum,
    reached weight, paths. ``reached_out[j]``: vantages with a route to origin j. Returns
    the border pairs as a dict ``from * n + to -> weighted paths``.
    """
    n = info.shape[0]
    rel = np.empty(n, dtype=np.int8)
    length = np.empty(n, dtype=np.int32)
    nh = np.empty(n, dtype=np.int32)
    queue = np.empty(n, dtype=np.int32)
    route_key = route_keys(n)
    order = np.empty(n, dtype=np.int64)
    counts = np.empty(n + 2, dtype=np.int64)
    work = np.zeros((n, 2), dtype=np.int64)
    mask = np.zeros((n, MASK_WORDS), dtype=np.uint64)
    pf = np.empty(n, dtype=np.int64)
    pt = np.empty(n, dtype=np.int64)
    pw = np.empty(n, dtype=np.float64)
    pairs = dict()
    pairs[np.int64(-1)] = 0.0
    for j in range(origins.shape[0]):
        origin = origins[j]
        front, stubs = propagate_keyed(origin, net, route_key, rel, length, nh, queue)
        if front + stubs == 0:
            continue
        before = totals[2]
        written = accumulate_origin(origin, weights[j], kmi[j], nh, length, info, order, counts, work, mask, acc,
                                    totals, shares, pf, pt, pw)
        reached_out[j] = int(totals[2] - before)
        for k in range(written):
            key = pf[k] * n + pt[k]
            if key in pairs:
                pairs[key] += pw[k]
            else:
                pairs[key] = pw[k]
    del pairs[np.int64(-1)]
    return pairs
