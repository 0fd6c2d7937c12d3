"""Vantage-weighted path flows towards one origin, with tied best routes split or broken.

``transit_kernels`` follows one best route per AS (the lowest next-hop ASN, as BGPy).
Real routers break ties on things the AS graph does not have (IGP cost, router ID,
age), so a ranking that changes with the tie rule is decided by an arbitrary choice.
Here every AS's unit of traffic (its vantage weight) flows down the routing DAG
towards the origin; at an AS with several equally good next hops it goes to the lowest
ASN, to the highest, or splits equally over all of them (``TIE_*``).

Each of the K columns of the vantage weights is a separate set of vantage points (e.g.
every foreign AS equally, or each weighted by the space it serves), so one propagation
serves K variants. Per AS x and column k the kernel adds, times the origin's weight:

- ``TRANSIT``: vantage flow crossing x strictly between vantage and origin;
- ``DOWNHILL``: flow crossing x (its own vantage flow included) while x carries a route
  learned from a customer, i.e. x is on the origin's chain of (indirect) providers: the
  part of a path CAIDA's CTI keeps (it cuts each observed path at the first
  provider-to-customer link seen from the monitor);
- ``CTI``: ``DOWNHILL`` discounted by 1/d, d the AS hops from x to the origin (CTI's
  distance discount: a direct provider counts fully, its provider half, ...);
- ``BORDER``/``GATEWAY``: flow that reaches a domestic AS through foreign ASes only,
  credited to the foreign AS that hands it over and to the domestic AS receiving it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .simulate import propagate_ordered

__all__ = ["TIE_LOWEST", "TIE_SPLIT", "TIE_HIGHEST", "TRANSIT", "DOWNHILL", "CTI", "BORDER", "GATEWAY",
           "MEASURES", "flow_origin", "run_flow_origins"]

TIE_LOWEST, TIE_SPLIT, TIE_HIGHEST = 0, 1, 2
TRANSIT, DOWNHILL, CTI, BORDER, GATEWAY = 0, 1, 2, 3, 4
MEASURES = 5


@njit(cache=True, nogil=True, inline="always")
def _tied(w, u, cls, cand, rel, length):
    """True if u is one of w's equally good next hops (w's route is of class ``cls`` and length ``cand``)."""
    return rel[w] == cls and length[w] == cand


@njit(cache=True, nogil=True)
def _count_ties(seq, net, rel, length, ntie, hi):
    """ntie[w]: w's equally good next hops; hi[w]: the highest-index one (the highest ASN)."""
    (p_ptr, p_idx, p_ok, c_ptr, c_idx, c_ok, q_ptr, q_idx, q_ok,
     xp_ptr, xp_idx, xp_ok, xc_ptr, xc_idx, xc_ok, xq_ptr, xq_idx, xq_ok, node_ok, order) = net
    for i in range(seq.shape[0]):
        w = seq[i]
        ntie[w] = 0
        hi[w] = -1
    for i in range(seq.shape[0]):
        u = seq[i]
        cand = length[u] + 1
        for side in range(6):
            if side == 0:
                ptr, idx, ok, cls = p_ptr, p_idx, p_ok, 1
            elif side == 1:
                ptr, idx, ok, cls = xp_ptr, xp_idx, xp_ok, 1
            elif side == 2:
                ptr, idx, ok, cls = q_ptr, q_idx, q_ok, 2
            elif side == 3:
                ptr, idx, ok, cls = xq_ptr, xq_idx, xq_ok, 2
            elif side == 4:
                ptr, idx, ok, cls = c_ptr, c_idx, c_ok, 3
            else:
                ptr, idx, ok, cls = xc_ptr, xc_idx, xc_ok, 3
            if side < 4 and rel[u] > 1:
                continue  # only origin and customer routes go to providers and peers
            for k in range(ptr[u], ptr[u + 1]):
                w = idx[k]
                if ok[k] and _tied(w, u, cls, cand, rel, length):
                    ntie[w] += 1
                    if u > hi[w]:
                        hi[w] = u


@njit(cache=True, nogil=True)
def _pull(u, w, f, weight, domestic, vw, flow, run, acc):
    """u receives share f of the flow arriving at (and starting from) its dependent w."""
    kk = vw.shape[1]
    if domestic[w]:
        for k in range(kk):
            flow[u, k] += f * flow[w, k]
        return
    for k in range(kk):
        through = f * (flow[w, k] + vw[w, k])
        flow[u, k] += through
        handed = f * (run[w, k] + vw[w, k])
        if domestic[u]:
            acc[w, BORDER, k] += weight * handed
            acc[u, GATEWAY, k] += weight * handed
        else:
            run[u, k] += handed


@njit(cache=True, nogil=True)
def flow_origin(origin, weight, net, tie_mode, domestic, vw, rel, length, nh, queue, seq, ntie, hi, flow, run,
                acc):
    """Propagate routes to ``origin`` and add its weighted measures into ``acc[x, measure, column]``.

    ``vw[x, k]``: vantage weight of AS x in column k (zero for domestic ASes and non-vantages).
    Returns the number of ASes with a route.
    """
    (p_ptr, p_idx, p_ok, c_ptr, c_idx, c_ok, q_ptr, q_idx, q_ok,
     xp_ptr, xp_idx, xp_ok, xc_ptr, xc_idx, xc_ok, xq_ptr, xq_idx, xq_ok, node_ok, order) = net
    n = rel.shape[0]
    front, stubs = propagate_ordered(origin, net, rel, length, nh, queue)
    total = front + stubs
    if total == 0:
        return 0
    for i in range(total):  # dependents before their next hops
        seq[total - 1 - i] = queue[i] if i < front else queue[n - stubs + (i - front)]
    kk = vw.shape[1]
    for i in range(total):
        x = seq[i]
        for k in range(kk):
            flow[x, k] = 0.0
            run[x, k] = 0.0
    if tie_mode != TIE_LOWEST:
        _count_ties(seq[:total], net, rel, length, ntie, hi)
    for i in range(total):
        u = seq[i]
        cand = length[u] + 1
        for side in range(6):
            if side == 0:
                ptr, idx, ok, cls = p_ptr, p_idx, p_ok, 1
            elif side == 1:
                ptr, idx, ok, cls = xp_ptr, xp_idx, xp_ok, 1
            elif side == 2:
                ptr, idx, ok, cls = q_ptr, q_idx, q_ok, 2
            elif side == 3:
                ptr, idx, ok, cls = xq_ptr, xq_idx, xq_ok, 2
            elif side == 4:
                ptr, idx, ok, cls = c_ptr, c_idx, c_ok, 3
            else:
                ptr, idx, ok, cls = xc_ptr, xc_idx, xc_ok, 3
            if side < 4 and rel[u] > 1:
                continue
            for j in range(ptr[u], ptr[u + 1]):
                w = idx[j]
                if not (ok[j] and _tied(w, u, cls, cand, rel, length)):
                    continue
                if tie_mode == TIE_SPLIT:
                    f = 1.0 / ntie[w]
                elif tie_mode == TIE_LOWEST:
                    f = 1.0 if nh[w] == u else 0.0
                else:
                    f = 1.0 if hi[w] == u else 0.0
                if f > 0.0:
                    _pull(u, w, f, weight, domestic, vw, flow, run, acc)
    for i in range(total):
        x = seq[i]
        if x == origin:
            continue
        downhill = rel[x] == 1
        d = length[x]
        for k in range(kk):
            acc[x, TRANSIT, k] += weight * flow[x, k]
            if downhill:
                crossing = weight * (flow[x, k] + (0.0 if domestic[x] else vw[x, k]))
                acc[x, DOWNHILL, k] += crossing
                acc[x, CTI, k] += crossing / d
    return total


@njit(cache=True, nogil=True)
def run_flow_origins(origins, weights, net, tie_mode, domestic, vw, acc, reached):
    """:func:`flow_origin` over a batch of origins (one batch per thread, without the GIL)."""
    n = domestic.shape[0]
    kk = vw.shape[1]
    rel = np.empty(n, dtype=np.int8)
    length = np.empty(n, dtype=np.int32)
    nh = np.empty(n, dtype=np.int32)
    queue = np.empty(n, dtype=np.int32)
    seq = np.empty(n, dtype=np.int32)
    ntie = np.zeros(n, dtype=np.int32)
    hi = np.zeros(n, dtype=np.int32)
    flow = np.zeros((n, kk))
    run = np.zeros((n, kk))
    for j in range(origins.shape[0]):
        reached[j] = flow_origin(origins[j], weights[j], net, tie_mode, domestic, vw, rel, length, nh, queue, seq,
                                 ntie, hi, flow, run, acc)
