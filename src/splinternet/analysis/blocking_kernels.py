"""numba kernels that count blocked addresses per group, on 128-bit (hi, lo) interval keys.

IPv4 uses the same kernels with ``hi == 0``. Counts come back as two uint64 words per
group (``hi``, ``lo``) so IPv6 sizes stay exact; :func:`to_counts` turns them into
numbers. Every kernel has a slow reference twin in ``tests/blocking/reference.py`` and a
hypothesis test showing they agree.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..tables.lpm_kernels import le128, lt128

__all__ = ["grouped_overlap", "label_overlap", "paint_first", "to_counts", "to_float"]

_TOP = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True, inline="always")
def _add_span(acc_hi, acc_lo, k, sh, sl, eh, el):
    """acc[k] += (e - s + 1), 128-bit with carry (a full-space span wraps to 0: never given)."""
    d_lo = el - sl
    borrow = np.uint64(1) if el < sl else np.uint64(0)
    d_hi = eh - sh - borrow
    d_lo1 = d_lo + np.uint64(1)
    if d_lo1 == np.uint64(0):
        d_hi += np.uint64(1)
    new_lo = acc_lo[k] + d_lo1
    if new_lo < acc_lo[k]:
        acc_hi[k] += np.uint64(1)
    acc_lo[k] = new_lo
    acc_hi[k] += d_hi


@njit(cache=True)
def label_overlap(b_sh, b_sl, b_eh, b_el, seg_hi, seg_lo, seg_label, n_labels):
    """Addresses of the merged blocked intervals falling in each segment label.

    ``seg_*`` are sorted segment starts covering the whole space from 0 (as built by
    the prefix table's LPM flattening); a segment ends where the next starts. Label -1
    (no covering prefix) is counted in slot ``n_labels``.
    """
    acc_hi = np.zeros(n_labels + 1, np.uint64)
    acc_lo = np.zeros(n_labels + 1, np.uint64)
    n_seg = len(seg_lo)
    j = 0
    for i in range(len(b_sl)):
        sh, sl, eh, el = b_sh[i], b_sl[i], b_eh[i], b_el[i]
        # last segment starting at or before s
        while j + 1 < n_seg and le128(seg_hi[j + 1], seg_lo[j + 1], sh, sl):
            j += 1
        k = j
        ch, cl = sh, sl
        while True:
            label = seg_label[k]
            slot = n_labels if label < 0 else label
            if k + 1 < n_seg and le128(seg_hi[k + 1], seg_lo[k + 1], eh, el):
                nh, nl = seg_hi[k + 1], seg_lo[k + 1]
                ph, pl = (nh, nl - np.uint64(1)) if nl > np.uint64(0) else (nh - np.uint64(1), _TOP)
                _add_span(acc_hi, acc_lo, slot, ch, cl, ph, pl)
                ch, cl = nh, nl
                k += 1
            else:
                _add_span(acc_hi, acc_lo, slot, ch, cl, eh, el)
                break
        j = k
    return acc_hi, acc_lo


@njit(cache=True)
def grouped_overlap(group, s_hi, s_lo, e_hi, e_lo, n_groups, b_sh, b_sl, b_eh, b_el):
    """Per group: addresses in (union of the group's intervals) AND (the merged blocked set).

    Input intervals must be sorted by (group, start). Passing one blocked interval that
    spans the whole space gives the plain union size of each group.
    """
    acc_hi = np.zeros(n_groups, np.uint64)
    acc_lo = np.zeros(n_groups, np.uint64)
    n = len(group)
    nb = len(b_sl)
    i = 0
    while i < n:
        g = group[i]
        # merge this group's run of intervals one merged piece at a time
        while i < n and group[i] == g:
            ph, pl, qh, ql = s_hi[i], s_lo[i], e_hi[i], e_lo[i]
            i += 1
            while i < n and group[i] == g:
                top = qh == _TOP and ql == _TOP
                if top:
                    i += 1
                    continue
                nh, nl = (qh, ql + np.uint64(1)) if ql != _TOP else (qh + np.uint64(1), np.uint64(0))
                if le128(s_hi[i], s_lo[i], nh, nl):
                    if lt128(qh, ql, e_hi[i], e_lo[i]):
                        qh, ql = e_hi[i], e_lo[i]
                    i += 1
                else:
                    break
            # intersect merged piece [p, q] with the blocked set
            lo_i = 0
            hi_i = nb
            while lo_i < hi_i:  # first blocked interval ending at or after p
                mid = (lo_i + hi_i) >> 1
                if lt128(b_eh[mid], b_el[mid], ph, pl):
                    lo_i = mid + 1
                else:
                    hi_i = mid
            k = lo_i
            while k < nb and le128(b_sh[k], b_sl[k], qh, ql):
                xh, xl = (ph, pl) if lt128(b_sh[k], b_sl[k], ph, pl) else (b_sh[k], b_sl[k])
                yh, yl = (qh, ql) if lt128(qh, ql, b_eh[k], b_el[k]) else (b_eh[k], b_el[k])
                _add_span(acc_hi, acc_lo, g, xh, xl, yh, yl)
                k += 1
    return acc_hi, acc_lo


@njit(cache=True)
def paint_first(lo_idx, hi_idx, order, n_segments):
    """Owner of each elementary segment: the first interval, in ``order``, that covers it.

    Interval r covers segments ``lo_idx[r]..hi_idx[r]`` (inclusive). A "next unpainted"
    forest with path halving keeps the total work near-linear. -1 = covered by none.
    """
    owner = np.full(n_segments, -1, np.int64)
    nxt = np.arange(n_segments + 1)
    for r in order:
        a = lo_idx[r]
        b = hi_idx[r]
        # find first unpainted segment >= a
        x = a
        while nxt[x] != x:
            nxt[x] = nxt[nxt[x]]
            x = nxt[x]
        while x <= b:
            owner[x] = r
            nxt[x] = x + 1
            y = x + 1
            while nxt[y] != y:
                nxt[y] = nxt[nxt[y]]
                y = nxt[y]
            x = y
        # compress the start of this run too
        nxt[a] = x if a < x else nxt[a]
    return owner


def to_counts(acc_hi: np.ndarray, acc_lo: np.ndarray) -> list[int]:
    """Exact Python ints from the two 64-bit words of each count."""
    return [(int(h) << 64) | int(lo) for h, lo in zip(acc_hi.tolist(), acc_lo.tolist(), strict=True)]


def to_float(acc_hi: np.ndarray, acc_lo: np.ndarray) -> np.ndarray:
    """Counts as float64 (exact below 2**53; IPv4 counts always are)."""
    return acc_hi.astype(np.float64) * 18446744073709551616.0 + acc_lo.astype(np.float64)
