"""Compiled pass for the world run: transit sums of one country from routing trees that may be kept.

The same accumulation as :func:`transit_kernels.run_origins` (it calls the same
``propagate_into`` and ``accumulate_origin``), with one difference: a routing tree can
be taken from a store of trees computed earlier, or written into it after being
computed. Every country that an origin's space lies in needs the same tree (the tree
does not depend on the country, only the sums over it do), and a country's pilot run
needs the trees of its largest origins a second time; keeping trees turns those extra
propagations, three times the cost of an accumulation, into a lookup.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .simulate import propagate_into
from .transit_kernels import MASK_WORDS, accumulate_origin

__all__ = ["run_trees"]


@njit(cache=True, nogil=True)
def run_trees(origins, weights, kmi, slot_in, slot_out, tree_nh, tree_len, tree_ok, net, info, acc, shares, totals,
              reached_out):
    """``run_origins`` over a batch, reading origin j's tree from ``tree_*[slot_in[j]]`` when that is >= 0.

    A tree propagated here is copied into ``tree_*[slot_out[j]]`` when that is >= 0;
    ``tree_ok[s]`` says whether slot s holds a tree with at least one route (an origin
    the scenario disables has none, and is skipped as ``run_origins`` skips it). Returns
    the border pairs as a dict ``from * n + to -> weighted paths``.
    """
    n = info.shape[0]
    rel = np.empty(n, dtype=np.int8)
    length = np.empty(n, dtype=np.int32)
    nh = np.empty(n, dtype=np.int32)
    queue = np.empty(n, dtype=np.int32)
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
        s = slot_in[j]
        if s >= 0:
            if not tree_ok[s]:
                continue
            t_nh = tree_nh[s]
            t_len = tree_len[s]
        else:
            routed = propagate_into(origin, net, rel, length, nh, queue)
            out = slot_out[j]
            if out >= 0:
                tree_nh[out, :] = nh
                tree_len[out, :] = length
                tree_ok[out] = routed > 0
            if routed == 0:
                continue
            t_nh = nh
            t_len = length
        before = totals[2]
        written = accumulate_origin(origin, weights[j], kmi[j], t_nh, t_len, info, order, counts, work, mask, acc,
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
