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
  credited to the foreign AS that hands it over and to the domestic AS receiving it;
- ``CTI_PEERS``: ``CTI`` plus the origin's direct peers that have customers, counted as
  direct providers, as CTI's published code does;
- ``RETAIL``/``WHOLESALE``/``BACKBONE``: Kentik's customer-base positions (1, 2, 3+ hops
  from the origin), flow crossing x (its own included) times the origin's prefix weight.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .simulate import propagate_ordered

__all__ = ["TIE_LOWEST", "TIE_SPLIT", "TIE_HIGHEST", "TRANSIT", "DOWNHILL", "CTI", "BORDER", "GATEWAY", "CTI_PEERS",
           "RETAIL", "WHOLESALE", "BACKBONE",
           "MEASURES", "flow_origin", "run_flow_origins"]

TIE_LOWEST, TIE_SPLIT, TIE_HIGHEST = 0, 1, 2
TRANSIT, DOWNHILL, CTI, BORDER, GATEWAY, CTI_PEERS, RETAIL, WHOLESALE, BACKBONE = range(9)
MEASURES = 9


@njit(cache=True, nogil=True)
def _push(w, u, f, weight, domestic, vw, flow, run, acc, pairs):
    """Next hop u receives share f of the flow arriving at (and starting from) w; ``weight[k]``: the origin's.

    Border hand-offs of column 0 also go to ``pairs[w * n + u]``.
    """
    kk = vw.shape[1]
    if domestic[w]:
        for k in range(kk):
            flow[u, k] += f * flow[w, k]
        return
    for k in range(kk):
        flow[u, k] += f * (flow[w, k] + vw[w, k])
        handed = f * (run[w, k] + vw[w, k])
        if domestic[u]:
            acc[w, BORDER, k] += weight[k] * handed
            acc[u, GATEWAY, k] += weight[k] * handed
            if k == 0 and handed > 0.0:
                key = np.int64(w) * domestic.shape[0] + u
                pairs[key] = pairs.get(key, 0.0) + weight[0] * handed
        else:
            run[u, k] += handed


@njit(cache=True, nogil=True)
def _next_hops(w, net, rel, length, hops, check_send):
    """Every equally good next hop of w, by index (= ASN) order within each list; returns how many.

    w's route class says which neighbours could have sent it: customers (a customer
    route), peers (a peer route) or providers (a provider route); a neighbour is a best
    next hop if it has a route one hop shorter that it may export to w (only origin and
    customer routes go to peers and providers).
    """
    (p_ptr, p_idx, p_ok, c_ptr, c_idx, c_ok, q_ptr, q_idx, q_ok,
     xp_ptr, xp_idx, xp_ok, xc_ptr, xc_idx, xc_ok, xq_ptr, xq_idx, xq_ok, node_ok, order) = net
    r = rel[w]
    want = length[w] - 1
    count = 0
    # a neighbour's send flag sits in its own list: u -> w is "u's provider list holds w" for a
    # customer route of w, and so on; scan w's list of the matching side and check u's flag there
    for extra in range(2):
        if r == 1:
            ptr, idx = (c_ptr, c_idx) if extra == 0 else (xc_ptr, xc_idx)
        elif r == 2:
            ptr, idx = (q_ptr, q_idx) if extra == 0 else (xq_ptr, xq_idx)
        else:
            ptr, idx = (p_ptr, p_idx) if extra == 0 else (xp_ptr, xp_idx)
        for j in range(ptr[w], ptr[w + 1]):
            u = idx[j]
            if length[u] != want or rel[u] < 0 or (r <= 2 and rel[u] > 1):
                continue
            if not check_send or _may_send(u, w, r, extra, net):
                hops[count] = u
                count += 1
    return count


@njit(cache=True, nogil=True)
def _may_send(u, w, r, extra, net):
    """Whether u may announce to w over the link of class r (1: w is u's provider, 2: peer, 3: customer)."""
    (p_ptr, p_idx, p_ok, c_ptr, c_idx, c_ok, q_ptr, q_idx, q_ok,
     xp_ptr, xp_idx, xp_ok, xc_ptr, xc_idx, xc_ok, xq_ptr, xq_idx, xq_ok, node_ok, order) = net
    if r == 1:
        ptr, idx, ok = (p_ptr, p_idx, p_ok) if extra == 0 else (xp_ptr, xp_idx, xp_ok)
    elif r == 2:
        ptr, idx, ok = (q_ptr, q_idx, q_ok) if extra == 0 else (xq_ptr, xq_idx, xq_ok)
    else:
        ptr, idx, ok = (c_ptr, c_idx, c_ok) if extra == 0 else (xc_ptr, xc_idx, xc_ok)
    lo, hi = ptr[u], ptr[u + 1]
    j = lo + np.searchsorted(idx[lo:hi], w)  # neighbour lists are sorted
    return j < hi and idx[j] == w and ok[j]


@njit(cache=True, nogil=True)
def flow_origin(origin, weight, kmi_weight, net, tie_mode, check_send, domestic, vw, rel, length, nh, queue, seq,
                hops, flow, run, acc, pairs, totals):
    """Propagate routes to ``origin`` and add its weighted measures into ``acc[x, measure, column]``.

    ``vw[x, k]``: vantage weight of AS x in column k (zero for domestic ASes and non-vantages);
    ``weight[k]``: the origin's weight in column k; ``kmi_weight``: its Kentik prefix weight.
    ``pairs``: border hand-offs of column 0, ``foreign * n + domestic -> weighted flow``.
    ``totals`` += column 0's (weight x vantage weight x path length, weight x vantage weight,
    vantage points with a route). Returns column 0's vantage weight with a route.
    Returns the number of ASes with a route.
    """
    n = rel.shape[0]
    c_ptr, xc_ptr = net[3], net[12]
    front, stubs = propagate_ordered(origin, net, rel, length, nh, queue)
    total = front + stubs
    if total == 0:
        return 0.0
    for i in range(total):  # dependents before their next hops
        seq[total - 1 - i] = queue[i] if i < front else queue[n - stubs + (i - front)]
    kk = vw.shape[1]
    for i in range(total):
        x = seq[i]
        for k in range(kk):
            flow[x, k] = 0.0
            run[x, k] = 0.0
    for i in range(total):
        w = seq[i]
        if w == origin:
            continue
        if tie_mode == TIE_LOWEST:
            _push(w, nh[w], 1.0, weight, domestic, vw, flow, run, acc, pairs)
            continue
        count = _next_hops(w, net, rel, length, hops, check_send)
        if tie_mode == TIE_HIGHEST:
            best = hops[0]
            for t in range(1, count):
                if hops[t] > best:
                    best = hops[t]
            _push(w, best, 1.0, weight, domestic, vw, flow, run, acc, pairs)
        else:
            for t in range(count):
                _push(w, hops[t], 1.0 / count, weight, domestic, vw, flow, run, acc, pairs)
    for i in range(total):
        x = seq[i]
        if x == origin:
            continue
        downhill = rel[x] == 1
        # CTI's published code also keeps a peer of the origin that has customers (it tests the
        # last link against "provider of anyone", the origin being replaced by a country label)
        peer_of_origin = rel[x] == 2 and length[x] == 1 and (c_ptr[x + 1] > c_ptr[x] or xc_ptr[x + 1] > xc_ptr[x])
        d = length[x]
        position = RETAIL if d == 1 else WHOLESALE if d == 2 else BACKBONE
        for k in range(kk):
            acc[x, TRANSIT, k] += weight[k] * flow[x, k]
            acc[x, position, k] += kmi_weight * (flow[x, k] + (0.0 if domestic[x] else vw[x, k]))
            if downhill or peer_of_origin:
                crossing = weight[k] * (flow[x, k] + (0.0 if domestic[x] else vw[x, k]))
                acc[x, CTI_PEERS, k] += crossing / d
                if downhill:
                    acc[x, DOWNHILL, k] += crossing
                    acc[x, CTI, k] += crossing / d
    reached = 0.0
    for i in range(total):
        x = seq[i]
        v = vw[x, 0]
        if v > 0.0:
            reached += v
            totals[0] += weight[0] * v * length[x]
            totals[2] += 1.0
    totals[1] += weight[0] * reached
    return reached


@njit(cache=True, nogil=True)
def run_flow_origins(origins, weights, kmi, net, tie_mode, check_send, domestic, vw, acc, totals, reached):
    """:func:`flow_origin` over a batch of origins (one batch per thread, without the GIL).

    Returns the border hand-offs of column 0 as a dict ``foreign * n + domestic -> weighted flow``.
    """
    n = domestic.shape[0]
    kk = vw.shape[1]
    rel = np.empty(n, dtype=np.int8)
    length = np.empty(n, dtype=np.int32)
    nh = np.empty(n, dtype=np.int32)
    queue = np.empty(n, dtype=np.int32)
    seq = np.empty(n, dtype=np.int32)
    hops = np.empty(n, dtype=np.int32)
    flow = np.zeros((n, kk))
    run = np.zeros((n, kk))
    pairs = dict()
    pairs[np.int64(-1)] = 0.0
    for j in range(origins.shape[0]):
        reached[j] = flow_origin(origins[j], weights[j, :], kmi[j], net, tie_mode, check_send, domestic, vw, rel,
                                 length, nh, queue, seq, hops, flow, run, acc, pairs, totals)
    del pairs[np.int64(-1)]
    return pairs
