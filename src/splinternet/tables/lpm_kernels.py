"""numba kernels on 128-bit interval keys held as (hi, lo) uint64 pairs.

IPv4 uses the same kernels with ``hi == 0``. Intervals are inclusive ``[start, end]`` so
that ``::/0`` needs no 129th bit. Each kernel has a slow reference twin in
``tests/prefixes/reference.py`` and a property test showing they agree.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "bucket_index", "build_segments", "contains128", "count_addresses", "intersect_sets",
    "lookup_ipv4_bucketed", "lookup_sorted128", "merge_sorted", "subtract_sets",
]

_ONE = np.uint64(1)
_ZERO = np.uint64(0)


@njit(cache=True, inline="always")
def lt128(ah, al, bh, bl):
    return ah < bh or (ah == bh and al < bl)


@njit(cache=True, inline="always")
def le128(ah, al, bh, bl):
    return ah < bh or (ah == bh and al <= bl)


@njit(cache=True, inline="always")
def _inc(h, lw):
    """(h, lw) + 1 (the caller makes sure it does not pass the top)."""
    if lw == np.uint64(0xFFFFFFFFFFFFFFFF):
        return h + np.uint64(1), np.uint64(0)
    return h, lw + np.uint64(1)


@njit(cache=True, inline="always")
def _dec(h, lw):
    if lw == np.uint64(0):
        return h - np.uint64(1), np.uint64(0xFFFFFFFFFFFFFFFF)
    return h, lw - np.uint64(1)


@njit(cache=True)
def build_segments(s_hi, s_lo, e_hi, e_lo, max_hi, max_lo):
    """Flatten nested prefixes into disjoint elementary segments covering [0, max].

    Input: prefixes sorted by start ascending, then end descending, without duplicates
    (prefixes either nest or are disjoint). Output: segment start keys and the index of
    the most specific covering prefix (-1 where none); adjacent equal labels are merged.
    """
    n = len(s_hi)
    cap = 2 * n + 2
    out_hi = np.empty(cap, np.uint64)
    out_lo = np.empty(cap, np.uint64)
    out_lab = np.empty(cap, np.int64)
    stack = np.empty(max(n, 1), np.int64)
    sp = 0
    k = 0
    out_hi[0] = 0
    out_lo[0] = 0
    out_lab[0] = -1
    k = 1
    for i in range(n + 1):
        # close every open prefix that ends before the next one starts (all, at the end)
        while sp > 0 and (i == n or lt128(e_hi[stack[sp - 1]], e_lo[stack[sp - 1]], s_hi[i], s_lo[i])):
            top = stack[sp - 1]
            sp -= 1
            if e_hi[top] == max_hi and e_lo[top] == max_lo:
                continue
            ph, pl = _inc(e_hi[top], e_lo[top])
            lab = stack[sp - 1] if sp > 0 else -1
            if out_hi[k - 1] == ph and out_lo[k - 1] == pl:
                out_lab[k - 1] = lab
            elif out_lab[k - 1] != lab:
                out_hi[k] = ph
                out_lo[k] = pl
                out_lab[k] = lab
                k += 1
        if i == n:
            break
        stack[sp] = i
        sp += 1
        if out_hi[k - 1] == s_hi[i] and out_lo[k - 1] == s_lo[i]:
            out_lab[k - 1] = i
        else:
            out_hi[k] = s_hi[i]
            out_lo[k] = s_lo[i]
            out_lab[k] = i
            k += 1
    # an overwritten label can equal its predecessor: merge those in a final pass
    m = 0
    for j in range(k):
        if m > 0 and out_lab[m - 1] == out_lab[j]:
            continue
        out_hi[m] = out_hi[j]
        out_lo[m] = out_lo[j]
        out_lab[m] = out_lab[j]
        m += 1
    return out_hi[:m].copy(), out_lo[:m].copy(), out_lab[:m].copy()


@njit(cache=True)
def lookup_sorted128(key_hi, key_lo, labels, q_hi, q_lo):
    """Label of the last segment starting at or before each query (binary search)."""
    n = len(key_hi)
    out = np.empty(len(q_hi), np.int64)
    for j in range(len(q_hi)):
        h = q_hi[j]
        ql = q_lo[j]
        lo_i = 0
        hi_i = n  # first key > query lies in [lo_i, hi_i]
        while lo_i < hi_i:
            mid = (lo_i + hi_i) >> 1
            if le128(key_hi[mid], key_lo[mid], h, ql):
                lo_i = mid + 1
            else:
                hi_i = mid
        out[j] = labels[lo_i - 1] if lo_i > 0 else -1
    return out


def bucket_index(keys32: np.ndarray) -> np.ndarray:
    """For each /16 bucket b (0..65536), the first segment whose start is >= b << 16."""
    edges = np.arange(65537, dtype=np.uint64) << np.uint64(16)
    return np.searchsorted(keys32.astype(np.uint64), edges, side="left").astype(np.int64)


@njit(cache=True)
def lookup_ipv4_bucketed(keys, labels, buckets, queries):
    """IPv4 LPM: the /16 bucket narrows the binary search to a few segments."""
    out = np.empty(len(queries), np.int64)
    for j in range(len(queries)):
        q = queries[j]
        b = q >> 16
        lo_i = buckets[b]
        hi_i = buckets[b + 1]
        # the answer is the last key <= q; it is in [lo_i - 1, hi_i - 1]
        while lo_i < hi_i:
            mid = (lo_i + hi_i) >> 1
            if keys[mid] <= q:
                lo_i = mid + 1
            else:
                hi_i = mid
        out[j] = labels[lo_i - 1] if lo_i > 0 else -1
    return out


@njit(cache=True)
def merge_sorted(s_hi, s_lo, e_hi, e_lo):
    """Merge intervals sorted by start into disjoint, non-adjacent ones."""
    n = len(s_hi)
    rs_hi = np.empty(n, np.uint64)
    rs_lo = np.empty(n, np.uint64)
    re_hi = np.empty(n, np.uint64)
    re_lo = np.empty(n, np.uint64)
    m = 0
    for i in range(n):
        if m > 0:
            ch = re_hi[m - 1]
            cl = re_lo[m - 1]
            top = ch == np.uint64(0xFFFFFFFFFFFFFFFF) and cl == np.uint64(0xFFFFFFFFFFFFFFFF)
            if top:
                continue
            nh, nl = _inc(ch, cl)
            if le128(s_hi[i], s_lo[i], nh, nl):  # overlaps or touches
                if lt128(ch, cl, e_hi[i], e_lo[i]):
                    re_hi[m - 1] = e_hi[i]
                    re_lo[m - 1] = e_lo[i]
                continue
        rs_hi[m] = s_hi[i]
        rs_lo[m] = s_lo[i]
        re_hi[m] = e_hi[i]
        re_lo[m] = e_lo[i]
        m += 1
    return rs_hi[:m].copy(), rs_lo[:m].copy(), re_hi[:m].copy(), re_lo[:m].copy()


@njit(cache=True)
def intersect_sets(as_hi, as_lo, ae_hi, ae_lo, bs_hi, bs_lo, be_hi, be_lo):
    """Intersection of two merged interval sets (two-pointer sweep)."""
    na = len(as_hi)
    nb = len(bs_hi)
    cap = na + nb
    rs_hi = np.empty(cap, np.uint64)
    rs_lo = np.empty(cap, np.uint64)
    re_hi = np.empty(cap, np.uint64)
    re_lo = np.empty(cap, np.uint64)
    i = 0
    j = 0
    m = 0
    while i < na and j < nb:
        # start = max of starts, end = min of ends
        if lt128(as_hi[i], as_lo[i], bs_hi[j], bs_lo[j]):
            sh, sl = bs_hi[j], bs_lo[j]
        else:
            sh, sl = as_hi[i], as_lo[i]
        a_first = lt128(ae_hi[i], ae_lo[i], be_hi[j], be_lo[j])
        if a_first:
            eh, el = ae_hi[i], ae_lo[i]
        else:
            eh, el = be_hi[j], be_lo[j]
        if le128(sh, sl, eh, el):
            rs_hi[m] = sh
            rs_lo[m] = sl
            re_hi[m] = eh
            re_lo[m] = el
            m += 1
        if a_first:
            i += 1
        else:
            j += 1
    return rs_hi[:m].copy(), rs_lo[:m].copy(), re_hi[:m].copy(), re_lo[:m].copy()


@njit(cache=True)
def subtract_sets(as_hi, as_lo, ae_hi, ae_lo, bs_hi, bs_lo, be_hi, be_lo):
    """A minus B for merged interval sets."""
    na = len(as_hi)
    nb = len(bs_hi)
    cap = na + nb + 1
    rs_hi = np.empty(cap, np.uint64)
    rs_lo = np.empty(cap, np.uint64)
    re_hi = np.empty(cap, np.uint64)
    re_lo = np.empty(cap, np.uint64)
    m = 0
    j = 0
    for i in range(na):
        ch, cl = as_hi[i], as_lo[i]  # first address of A[i] not yet decided
        eh, el = ae_hi[i], ae_lo[i]
        alive = True
        while j < nb and lt128(be_hi[j], be_lo[j], ch, cl):
            j += 1
        k = j
        while alive and k < nb and le128(bs_hi[k], bs_lo[k], eh, el):
            if lt128(ch, cl, bs_hi[k], bs_lo[k]):
                ph, pl = _dec(bs_hi[k], bs_lo[k])
                rs_hi[m] = ch
                rs_lo[m] = cl
                re_hi[m] = ph
                re_lo[m] = pl
                m += 1
            if lt128(be_hi[k], be_lo[k], eh, el):
                ch, cl = _inc(be_hi[k], be_lo[k])
                k += 1
            else:
                alive = False
        if alive:
            rs_hi[m] = ch
            rs_lo[m] = cl
            re_hi[m] = eh
            re_lo[m] = el
            m += 1
    return rs_hi[:m].copy(), rs_lo[:m].copy(), re_hi[:m].copy(), re_lo[:m].copy()


@njit(cache=True)
def count_addresses(s_hi, s_lo, e_hi, e_lo):
    """Exact sum of (end - start + 1) as three 64-bit words (top, hi, lo), carries kept."""
    top = np.uint64(0)
    acc_hi = np.uint64(0)
    acc_lo = np.uint64(0)
    for i in range(len(s_hi)):
        # size - 1 = end - start (never negative)
        d_lo = e_lo[i] - s_lo[i]
        borrow = np.uint64(1) if e_lo[i] < s_lo[i] else np.uint64(0)
        d_hi = e_hi[i] - s_hi[i] - borrow
        # acc += d + 1
        new_lo = acc_lo + d_lo
        carry = np.uint64(1) if new_lo < acc_lo else np.uint64(0)
        new_lo2 = new_lo + np.uint64(1)
        if new_lo2 < new_lo:
            carry += np.uint64(1)
        acc_lo = new_lo2
        new_hi = acc_hi + d_hi
        if new_hi < acc_hi:
            top += np.uint64(1)
        new_hi2 = new_hi + carry
        if new_hi2 < new_hi:
            top += np.uint64(1)
        acc_hi = new_hi2
    return top, acc_hi, acc_lo


@njit(cache=True)
def contains128(s_hi, s_lo, e_hi, e_lo, q_hi, q_lo):
    """Whether each query lies in a merged interval set."""
    n = len(s_hi)
    out = np.zeros(len(q_hi), np.bool_)
    for j in range(len(q_hi)):
        h = q_hi[j]
        ql = q_lo[j]
        lo_i = 0
        hi_i = n
        while lo_i < hi_i:
            mid = (lo_i + hi_i) >> 1
            if le128(s_hi[mid], s_lo[mid], h, ql):
                lo_i = mid + 1
            else:
                hi_i = mid
        if lo_i > 0:
            out[j] = le128(h, ql, e_hi[lo_i - 1], e_lo[lo_i - 1])
    return out
