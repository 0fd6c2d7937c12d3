"""Vantage-weighted path flows towards one origin, with tied best routes split or broken.

``transit_kernels`` follows one best route per AS (the lowest next-hop ASN, as BGPy).
Real routers break ties on things the AS graph does not have (IGP cost, router ID,
age), so a ranking that changes with the tie rule is decided by an arbitrary choice.
Here every AS's unit of traffic (its vantage weight) flows down the routing DAG
towards the origin; at an AS with several equally good next hops it goes to the lowest
ASN, to the highest, or splits equally over all of them (``TIE_*``); or, as an experiment
on how far unknown tie-breakers move a figure, to the first in a random order of the AS's
own (``TIE_RANDOM``: each AS its own order, independent of the others, seeded). The split
is the expected flow of such independent random choices.

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

from .flow_handoffs import entry_down, entry_peer, entry_to, entry_up, new_book
from .simulate import propagate_keyed, route_keys

__all__ = [
    "BACKBONE",
    "BORDER",
    "CTI",
    "CTI_PEERS",
    "DOWNHILL",
    "GATEWAY",
    "MEASURES",
    "RETAIL",
    "TIE_HIGHEST",
    "TIE_LOWEST",
    "TIE_RANDOM",
    "TIE_SPLIT",
    "TRANSIT",
    "WHOLESALE",
    "flow_origin",
    "run_flow_origins",
]

TIE_LOWEST, TIE_SPLIT, TIE_HIGHEST = 0, 1, 2
TIE_RANDOM = 3  # and up: each AS's own random order of its neighbours, seed = mode - TIE_RANDOM (no leaf groups)
TRANSIT, DOWNHILL, CTI, BORDER, GATEWAY, CTI_PEERS, RETAIL, WHOLESALE, BACKBONE = range(9)
MEASURES = 9
# a tree's per-AS state, one row per AS so that a hop reads one cache line, not three arrays:
# the vantage flow arriving at x, the part of it that came through foreign ASes only
# (``run``), and x's own vantage weight (fixed for the run)
FLOW, RUN, VANTAGE = range(3)


@njit(cache=True, nogil=True, inline="always")
def _hand_off(w, u, e, k, handed, weight, acc, book):
    """Foreign AS w hands ``handed`` of column k's flow to domestic next hop u: w's border and u's gateway
    credit, and in column 0 the link's ``book`` slot e (``flow_handoffs``); ``weight[k]``: the origin's."""
    acc[w, BORDER, k] += weight[k] * handed
    acc[u, GATEWAY, k] += weight[k] * handed
    if k == 0 and handed > 0.0:
        book[e] += weight[0] * handed


@njit(cache=True, nogil=True)
def _push(w, hops, hop_slot, count, weight, domestic, state, acc, book):
    """Each of w's ``count`` next hops ``hops`` receives 1/count of the flow arriving at (and starting
    from) w; ``hop_slot[t]``: the book slot of the link to hops[t] (any value when it is no border).

    w's row is read once per column, not once per hop: the stores into the hops' rows would
    otherwise make the compiled loop read it again (RU's trees: 1.90 -> 1.76 ms).
    """
    f = 1.0 / count
    for k in range(state.shape[2]):
        if domestic[w]:
            flow = state[w, FLOW, k]
            for t in range(count):
                state[hops[t], FLOW, k] += f * flow
            continue
        flow = state[w, FLOW, k] + state[w, VANTAGE, k]
        run = state[w, RUN, k] + state[w, VANTAGE, k]
        for t in range(count):
            u = hops[t]
            state[u, FLOW, k] += f * flow
            if domestic[u]:
                _hand_off(w, u, hop_slot[t], k, f * run, weight, acc, book)
            else:
                state[u, RUN, k] += f * run


@njit(cache=True, inline="always")
def tie_key(seed, w, u):
    """AS w's rank of its neighbour u in a random order of its own (splitmix64 of seed, w, u)."""
    x = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(w) * np.uint64(0xBF58476D1CE4E5B9) + np.uint64(u)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@njit(cache=True, inline="always")
def _prefers(tie_mode, w, u, held):
    """Whether AS w, breaking a tie by ``tie_mode``, takes next hop u over ``held`` (-1: none yet).

    ``TIE_HIGHEST``: the higher index; ``TIE_RANDOM + seed``: the higher key in w's own order.
    """
    if held < 0:
        return True
    if tie_mode >= TIE_RANDOM:
        a, b = tie_key(tie_mode - TIE_RANDOM, w, u), tie_key(tie_mode - TIE_RANDOM, w, held)
        return a > b or (a == b and u > held)
    return u > held


@njit(cache=True, nogil=True)
def _side_ties(u, cand, cls, ptr, idx, ok, base, slot, rel, length, ntie, hi, tie_mode, tie_to, tie_slot, written):
    """The ties of next hop u over one of its lists (class ``cls`` routes of length ``cand``):
    see :func:`_upward_ties`; ``base``: the list's first hand-off entry. Returns the new count.
    """
    for j in range(ptr[u], ptr[u + 1]):
        w = idx[j]
        if ok[j] and rel[w] == cls and length[w] == cand:
            ntie[w] += 1
            if _prefers(tie_mode, w, u, hi[w]):
                hi[w] = u
            tie_to[written] = w
            tie_slot[written] = slot[base + j]
            written += 1
    return written


@njit(cache=True, nogil=True)
def _upward_ties(seq, net, slot, rel, length, ntie, hi, tie_to, tie_slot, tie_mode):
    """ntie/hi of every AS holding a customer or peer route: how many equally good next hops, and the one
    ``tie_mode`` takes when it takes one (``_prefers``: the highest index, or the first in a random order).

    Those next hops hold origin or customer routes: a few ASes above the origin. Scanning
    their provider and peer lists finds every tie without walking the long peer lists of
    the ASes that received the routes (the propagation's phase 2 walks the same lists).
    Each tie found (next hop u, AS w) is appended to ``tie_to`` in ``seq`` order of u, each
    u's ties closed by -1, so the flow pass reads them back in that order instead of
    scanning the lists again; ``tie_slot``: the link's hand-off slot (``flow_handoffs``).
    Returns the number of entries written.
    """
    p_ptr, p_idx, p_ok = net.provider_ptr, net.provider_idx, net.provider_ok
    q_ptr, q_idx, q_ok = net.peer_ptr, net.peer_idx, net.peer_ok
    xp_ptr, xp_idx, xp_ok = net.added_provider_ptr, net.added_provider_idx, net.added_provider_ok
    xq_ptr, xq_idx, xq_ok = net.added_peer_ptr, net.added_peer_idx, net.added_peer_ok
    for i in range(seq.shape[0]):
        w = seq[i]
        ntie[w] = 0
        hi[w] = -1
    written = 0
    for i in range(seq.shape[0]):
        u = seq[i]
        if rel[u] > 1:
            continue
        cand = length[u] + 1
        bases = (entry_down(net, 0, False), entry_down(net, 0, True), entry_peer(net, 0, False),
                 entry_peer(net, 0, True))
        written = _side_ties(u, cand, 1, p_ptr, p_idx, p_ok, bases[0], slot, rel, length, ntie, hi, tie_mode, tie_to,
                             tie_slot, written)
        written = _side_ties(u, cand, 1, xp_ptr, xp_idx, xp_ok, bases[1], slot, rel, length, ntie, hi, tie_mode,
                             tie_to, tie_slot, written)
        written = _side_ties(u, cand, 2, q_ptr, q_idx, q_ok, bases[2], slot, rel, length, ntie, hi, tie_mode, tie_to,
                             tie_slot, written)
        written = _side_ties(u, cand, 2, xq_ptr, xq_idx, xq_ok, bases[3], slot, rel, length, ntie, hi, tie_mode,
                             tie_to, tie_slot, written)
        tie_to[written] = -1  # end of u's ties
        written += 1
    return written


@njit(cache=True, nogil=True)
def _pull_upward(u, start, tie_to, tie_slot, tie_mode, ntie, hi, weight, domestic, state, acc, book):
    """u (an origin or customer route) takes its share of the flow of every AS it is a best next hop for
    by a customer or peer route: the ties ``_upward_ties`` recorded for u, from ``tie_to[start]`` on.
    The same additions as :func:`_push` tie by tie, in the same order, but u's flow and run are
    summed in locals, column by column: written back at every tie, they made this loop a chain
    of stores and reloads (RU's trees: 2.24 -> 1.89 ms each).

    Returns where u's ties end (the next one's start).
    """
    end = start
    while tie_to[end] >= 0:  # u's ties end at a -1
        end += 1
    home = domestic[u]
    for k in range(state.shape[2]):
        flow = state[u, FLOW, k]
        run = state[u, RUN, k]
        for j in range(start, end):
            w = tie_to[j]
            if tie_mode == TIE_SPLIT:
                f = 1.0 / ntie[w]
            elif hi[w] == u:
                f = 1.0
            else:
                continue
            if domestic[w]:
                flow += f * state[w, FLOW, k]
                continue
            flow += f * (state[w, FLOW, k] + state[w, VANTAGE, k])
            handed = f * (state[w, RUN, k] + state[w, VANTAGE, k])
            if home:
                _hand_off(w, u, tie_slot[j], k, handed, weight, acc, book)
            else:
                run += handed
        state[u, FLOW, k] = flow
        state[u, RUN, k] = run
    return end + 1


@njit(cache=True, nogil=True)
def _leaf_groups_push(groups, tie_mode, weight, kmi_weight, child, child_kmi, rel, length, domestic, state, acc,
                      positions, handed, totals):
    """Route and push the leaf groups (``flow_leaves``): each group's best providers are those whose
    route is shortest (every provider route is of one class), the group's summed vantage weight
    goes to them by the tie rule; what each member gets is spread over it at the end of the run.
    A leaf that got a peer route in the propagation is one of the tree's ASes and skipped here.

    Returns column 0's vantage weight of the groups with a route.
    """
    ptr, provider, gvw = groups.ptr, groups.provider, groups.vw
    if tie_mode >= TIE_RANDOM and ptr.shape[0] > 1:  # each leaf has its own order: no group can share one
        raise ValueError("random tie orders need every AS in the propagation (flow_leaves.no_leaves)")
    kk = gvw.shape[1]
    families = child_kmi > 0.0 or child[0] > 0.0
    reached = 0.0
    for g in range(ptr.shape[0] - 1):
        if groups.solo[g] >= 0 and rel[groups.solo[g]] >= 0:  # a peer sent it a route: it is in the tree
            continue
        best = -1
        count = 0
        low = -1
        high = -1
        for e in range(ptr[g], ptr[g + 1]):
            u = provider[e]
            d = length[u]  # -1: no route
            if d < 0:
                continue
            if best < 0 or d < best:
                best, count, low, high = d, 1, u, u
            elif d == best:
                count += 1
                if u < low:
                    low = u
                if u > high:
                    high = u
        if count == 0:
            continue
        d = best + 1  # the leaves' own distance from the origin
        positions[g, 0 if d == 1 else 1 if d == 2 else 2] += kmi_weight
        if families:  # the family's stubs: one hop further
            positions[g, 1 if d == 1 else 2] += child_kmi
        v0 = groups.v0[g]
        reached += v0
        totals[0] += weight[0] * v0 * d + child[0] * v0
        totals[2] += groups.counted[g] * (2.0 if families else 1.0)
        for e in range(ptr[g], ptr[g + 1]):
            u = provider[e]
            if length[u] != best:
                continue
            if tie_mode == TIE_SPLIT:
                f = 1.0 / count
            elif (tie_mode == TIE_LOWEST and u == low) or (tie_mode == TIE_HIGHEST and u == high):
                f = 1.0
            else:
                continue
            for k in range(kk):
                a = f * gvw[g, k]
                state[u, FLOW, k] += a
                if domestic[u]:  # leaves are foreign: the hand-off enters the country here
                    handed[e, k] += weight[k] * f
                    acc[u, GATEWAY, k] += weight[k] * a
                else:
                    state[u, RUN, k] += a
    return reached


@njit(cache=True, inline="always")
def _sends(ptr, idx, ok, u, w):
    """Whether provider u sends its routes to customer w: the flag sits in u's sorted customer list."""
    lo, top = ptr[u], ptr[u + 1]
    at = lo + np.searchsorted(idx[lo:top], w)
    return at < top and idx[at] == w and ok[at]


@njit(cache=True, nogil=True)
def flow_origin(origin, weight, kmi_weight, child, child_kmi, net, has_customers, groups, tie_mode, check_send, domestic,
                state, slot, key, rel, length, nh, queue, seq, hops, hop_slot, ntie, hi, tie_to, tie_slot, acc, book,
                totals, positions, handed):
    """Propagate routes to ``origin`` and add its weighted measures into ``acc[x, measure, column]``.

    ``state[x, VANTAGE, k]``: vantage weight of AS x in column k (zero for domestic ASes and non-vantages);
    ``state[x, FLOW | RUN, k]``: the tree's work, set here.
    ``weight[k]``: the origin's weight in column k; ``kmi_weight``: its Kentik prefix weight.
    ``child[k]``, ``child_kmi``: the summed weights of domestic stubs whose only neighbour is
    this (domestic) origin, their provider. Every route to such a stub is the route to its
    provider plus one hop (the stub exports nothing), so their flows are this tree's flows
    and they are counted here, one hop further from each AS, instead of in trees of their own.
    ``book``: border hand-offs of column 0 per border link, ``slot``: each link entry's (``flow_handoffs``).
    ``net`` lacks the leaves of ``groups`` (``flow_leaves``; ``has_customers`` is of the full
    network): they are routed and counted per group, into ``positions`` and ``handed``.
    ``totals`` += column 0's (weight x vantage weight x path length, weight x vantage weight,
    vantage points with a route). Returns column 0's vantage weight with a route.
    """
    p_ptr, p_idx = net.provider_ptr, net.provider_idx
    c_idx, c_ok = net.customer_idx, net.customer_ok
    xp_ptr, xp_idx = net.added_provider_ptr, net.added_provider_idx
    c_ptr = net.customer_ptr
    xc_ptr, xc_idx, xc_ok = net.added_customer_ptr, net.added_customer_idx, net.added_customer_ok
    n = rel.shape[0]
    front, stubs = propagate_keyed(origin, net, key, rel, length, nh, queue)
    total = front + stubs
    if total == 0:
        return 0.0
    kk = state.shape[2]
    for i in range(total):  # dependents before their next hops
        x = queue[i] if i < front else queue[n - stubs + (i - front)]
        seq[total - 1 - i] = x
        for k in range(kk):
            state[x, FLOW, k] = 0.0
            state[x, RUN, k] = 0.0
    if tie_mode != TIE_LOWEST:
        _upward_ties(seq[:total], net, slot, rel, length, ntie, hi, tie_to, tie_slot, tie_mode)
    border = np.empty(kk)
    for k in range(kk):  # the stubs' paths enter the country where their provider's do
        border[k] = weight[k] + child[k]
    # the leaves send first: nobody sends through them
    reached = _leaf_groups_push(groups, tie_mode, border, kmi_weight, child, child_kmi, rel, length, domestic, state,
                                acc, positions, handed, totals)
    cursor = 0
    for i in range(total):  # each AS's flow is final when its turn comes: push it on
        w = seq[i]
        if tie_mode != TIE_LOWEST and rel[w] <= 1:
            cursor = _pull_upward(w, cursor, tie_to, tie_slot, tie_mode, ntie, hi, border, domestic, state, acc,
                                  book)
        if w == origin:
            continue
        if tie_mode == TIE_LOWEST:
            u = nh[w]
            hops[0] = u
            hop_slot[0] = slot[entry_to(net, w, u, rel[w])] if domestic[u] and not domestic[w] else -1
            _push(w, hops, hop_slot, 1, border, domestic, state, acc, book)
        elif rel[w] == 3:  # customer and peer routes were pulled by their next hops
            # providers one hop closer (provider lists are short); a provider's send flag
            # towards w sits in its customer list: searched only when some link is disabled
            want = length[w] - 1
            count = 0
            for j in range(p_ptr[w], p_ptr[w + 1]):
                u = p_idx[j]
                if rel[u] >= 0 and length[u] == want and (not check_send or _sends(c_ptr, c_idx, c_ok, u, w)):
                    hops[count] = u
                    hop_slot[count] = slot[entry_up(net, j, False)]
                    count += 1
            for j in range(xp_ptr[w], xp_ptr[w + 1]):
                u = xp_idx[j]
                if rel[u] >= 0 and length[u] == want and (not check_send or _sends(xc_ptr, xc_idx, xc_ok, u, w)):
                    hops[count] = u
                    hop_slot[count] = slot[entry_up(net, j, True)]
                    count += 1
            if tie_mode != TIE_SPLIT:  # one of them: moved to the front, pushed alone
                best = 0
                for t in range(1, count):
                    if _prefers(tie_mode, w, hops[t], hops[best]):
                        best = t
                hops[0], hop_slot[0], count = hops[best], hop_slot[best], 1
            _push(w, hops, hop_slot, count, border, domestic, state, acc, book)
    families = child_kmi > 0.0 or child[0] > 0.0
    vantages = 0.0
    for i in range(total):  # every flow is final: count them
        x = seq[i]
        v = state[x, VANTAGE, 0]
        if v > 0.0:
            reached += v
            vantages += 1.0
            totals[0] += border[0] * v * length[x] + child[0] * v  # the stubs' paths: one hop longer
        if x == origin:
            if families:  # the provider is a transit AS, one hop from the stubs, on a customer route
                for k in range(kk):
                    crossing = child[k] * state[x, FLOW, k]
                    acc[x, TRANSIT, k] += crossing
                    acc[x, RETAIL, k] += child_kmi * state[x, FLOW, k]
                    acc[x, DOWNHILL, k] += crossing
                    acc[x, CTI, k] += crossing
                    acc[x, CTI_PEERS, k] += crossing
            continue
        downhill = rel[x] == 1
        # CTI's published code also keeps a peer of the origin that has customers (it tests the
        # last link against "provider of anyone", the origin being replaced by a country label)
        peer_of_origin = rel[x] == 2 and length[x] == 1 and has_customers[x]
        d = length[x]
        position = RETAIL if d == 1 else WHOLESALE if d == 2 else BACKBONE
        for k in range(kk):
            here = state[x, FLOW, k] + (0.0 if domestic[x] else state[x, VANTAGE, k])
            acc[x, TRANSIT, k] += border[k] * state[x, FLOW, k]
            acc[x, position, k] += kmi_weight * here
            if downhill or peer_of_origin:
                crossing = weight[k] * here
                acc[x, CTI_PEERS, k] += crossing / d
                if downhill:
                    acc[x, DOWNHILL, k] += crossing
                    acc[x, CTI, k] += crossing / d
        if families:  # the same ASes seen from the stubs: one hop further, a peer of the provider no more
            farther = WHOLESALE if d == 1 else BACKBONE
            for k in range(kk):
                here = state[x, FLOW, k] + (0.0 if domestic[x] else state[x, VANTAGE, k])
                acc[x, farther, k] += child_kmi * here
                if downhill:
                    crossing = child[k] * here
                    acc[x, DOWNHILL, k] += crossing
                    acc[x, CTI, k] += crossing / (d + 1)
                    acc[x, CTI_PEERS, k] += crossing / (d + 1)
    totals[1] += border[0] * reached
    totals[2] += vantages * (2.0 if families else 1.0)
    return reached


@njit(cache=True, nogil=True)
def run_flow_origins(origins, weights, kmi, children, children_kmi, net, has_customers, groups, tie_mode, check_send,
                     domestic, vw, slot, slots, acc, totals, reached, positions, handed):
    """:func:`flow_origin` over a batch of origins (one batch per thread, without the GIL); ``children[j]``,
    ``children_kmi[j]``: origin j's stub family (zero when it has none). ``net``, ``has_customers``,
    ``groups``, ``positions``, ``handed``: see :func:`flow_origin`; ``slot``: each link entry's
    border slot (``flow_handoffs.border_slots``), of ``slots`` in all.

    Returns the border hand-offs of column 0 of the batch, a book (``flow_handoffs``).
    """
    n = domestic.shape[0]
    kk = vw.shape[1]
    key = route_keys(n)
    rel = np.empty(n, dtype=np.int8)
    length = np.empty(n, dtype=np.int32)
    nh = np.empty(n, dtype=np.int32)
    queue = np.empty(n, dtype=np.int32)
    seq = np.empty(n, dtype=np.int32)
    hops = np.empty(n, dtype=np.int32)
    hop_slot = np.empty(n, dtype=np.int64)
    ntie = np.zeros(n, dtype=np.int32)
    hi = np.zeros(n, dtype=np.int32)
    # ties recorded per origin: at most one per provider or peer entry, plus one end mark per AS
    tie_to = np.empty(net.provider_idx.shape[0] + net.peer_idx.shape[0] + net.added_provider_idx.shape[0]
                      + net.added_peer_idx.shape[0] + n, dtype=np.int32)
    state = np.zeros((n, 3, kk))  # FLOW and RUN are set per tree, VANTAGE is vw
    state[:, VANTAGE, :] = vw
    tie_slot = np.empty(tie_to.shape[0], dtype=np.int64)
    book = new_book(slots)
    for j in range(origins.shape[0]):
        reached[j] = flow_origin(origins[j], weights[j, :], kmi[j], children[j, :], children_kmi[j], net,
                                 has_customers, groups, tie_mode, check_send, domestic, state, slot, key, rel, length, nh,
                                 queue, seq, hops, hop_slot, ntie, hi, tie_to, tie_slot, acc, book, totals,
                                 positions, handed)
    return book
