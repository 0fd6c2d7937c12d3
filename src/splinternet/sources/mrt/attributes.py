"""BGP path attributes decoded by a numba kernel into one columnar attribute row.

One row per attribute block (an UPDATE, or a RIB entry); elements point at it. The AS4_PATH
merge follows RFC 6793 as bgpdump implements it (AS_PATH prefix kept up to the length
difference, sets count one), so the merged path prints exactly like ``bgpdump -m``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .layout import (
    A_AGG_ADDR,
    A_AGG_AS,
    A_LOCAL_PREF,
    A_MED,
    A_NEXT_HOP,
    A_ORIGIN,
    A_ORIGIN_ASN,
    A_OTC,
    A_PATH_STATUS,
    C_ATTR,
    C_COMM,
    C_LCOMM,
    C_PATH,
    ERR_AS_PATH,
    ERR_ATTR_LENGTH,
    ERR_ATTR_OVERFLOW,
    O_COMM,
    O_LCOMM,
    O_PATH,
    PATH_ABSENT,
    PATH_OK,
    SEG_CONFED_SET,
    SEG_SEQUENCE,
    SEG_SET,
    SEG_START,
)
from .wire import u16, u32

AS_TRANS = 23456
MAX_MP = 8


@njit(cache=True)
def parse_segments(buf, p, end, asn_len, tmp_t, tmp_n, tmp_a, region):
    """Split an AS path attribute into segments in scratch ``region``.

    Returns (ok, n_segments, n_asns, bgpdump_count); the count is RFC 4271 path length
    (a set counts one), which the AS4 merge needs.
    """
    nseg = 0
    nasn = 0
    count = np.int64(0)
    while p < end:
        if p + 2 > end:
            return False, 0, 0, 0
        t = buf[p]
        n = np.int64(buf[p + 1])
        if t < 1 or t > 4 or p + 2 + n * asn_len > end:
            return False, 0, 0, 0
        if nseg >= tmp_t.shape[1] or nasn + n > tmp_a.shape[1]:
            return False, 0, 0, 0
        tmp_t[region, nseg] = t
        tmp_n[region, nseg] = n
        q = p + 2
        for _ in range(n):
            tmp_a[region, nasn] = u16(buf, q) if asn_len == 2 else u32(buf, q)
            nasn += 1
            q += asn_len
        count += 1 if (t == SEG_SET or t == SEG_CONFED_SET) else n  # noqa: SIM109 (numba)
        nseg += 1
        p = q
    return True, nseg, nasn, count


@njit(cache=True, inline="always")
def _write_segment(fill, cnt, PATH_ASN, PATH_SEG, t, asns, a0, n):
    for i in range(n):
        if fill and cnt[C_PATH] < PATH_ASN.shape[0]:
            PATH_ASN[cnt[C_PATH]] = asns[a0 + i]
            PATH_SEG[cnt[C_PATH]] = t | (SEG_START if i == 0 else 0)
        cnt[C_PATH] += 1


@njit(cache=True)
def _write_path(fill, cnt, PATH_ASN, PATH_SEG, tmp_t, tmp_n, tmp_a, nseg_as, cnt_as, nseg_4, cnt_4, merge):
    """Write AS_PATH, or AS_PATH merged with AS4_PATH, to the flat path column.

    Returns the origin ASN (last ASN of a final AS_SEQUENCE, else 0).
    """
    last_t = 0
    last_asn = 0
    if not merge:
        a = 0
        for s in range(nseg_as):
            n = tmp_n[0, s]
            _write_segment(fill, cnt, PATH_ASN, PATH_SEG, tmp_t[0, s], tmp_a[0], a, n)
            if n > 0:
                last_t = tmp_t[0, s]
                last_asn = tmp_a[0, a + n - 1]
            a += n
        return last_asn if last_t == SEG_SEQUENCE else 0
    target = cnt_as - cnt_4
    merged = 0
    s = 0
    a = 0
    while merged < target and s < nseg_as:
        t = tmp_t[0, s]
        n = tmp_n[0, s]
        keep = n
        if t == SEG_SET or t == SEG_CONFED_SET:  # noqa: SIM109 (numba)
            merged += 1
        else:
            merged += n
            if merged > target:
                keep = n - (merged - target)
        _write_segment(fill, cnt, PATH_ASN, PATH_SEG, t, tmp_a[0], a, keep)
        if keep > 0:
            last_t = t
            last_asn = tmp_a[0, a + keep - 1]
        a += n
        s += 1
    a = 0
    for s in range(nseg_4):
        n = tmp_n[1, s]
        _write_segment(fill, cnt, PATH_ASN, PATH_SEG, tmp_t[1, s], tmp_a[1], a, n)
        if n > 0:
            last_t = tmp_t[1, s]
            last_asn = tmp_a[1, a + n - 1]
        a += n
    return last_asn if last_t == SEG_SEQUENCE else 0


@njit(cache=True, inline="always")
def parse_attributes(buf, p, end, asn_len, fill, cnt, AU64, AU32, AI8, AOFF, PATH_ASN, PATH_SEG, COMM, LCOMM,
                     tmp_t, tmp_n, tmp_a, mp_start, mp_end, mp_type, sc):
    """Decode the attribute block buf[p:end] into attribute row cnt[C_ATTR].

    MP_REACH/MP_UNREACH are not decoded here: their value spans go to mp_start/mp_end/
    mp_type (count in sc[0]) for the caller, which knows the record's context.
    Returns an error code (0 = fine); the row index is sc[1].
    """
    row = cnt[C_ATTR]
    sc[1] = row
    n_mp = 0
    flags = np.uint64(0)
    origin = -1
    med = 0
    lp = 0
    agg_as = 0
    agg_addr = 0xFFFFFFFF
    as4_agg_as = 0
    as4_agg_addr = 0xFFFFFFFF
    nh = 0xFFFFFFFF
    otc = 0
    have_as = False
    have_as4 = False
    nseg_as = 0
    cnt_as = 0
    nseg_4 = 0
    cnt_4 = 0
    comm0 = cnt[C_COMM]
    lcomm0 = cnt[C_LCOMM]
    while p < end:
        if p + 3 > end:
            return ERR_ATTR_OVERFLOW
        fl = buf[p]
        t = np.int64(buf[p + 1])
        if fl & 0x10:
            if p + 4 > end:
                return ERR_ATTR_OVERFLOW
            ln = u16(buf, p + 2)
            v = p + 4
        else:
            ln = np.int64(buf[p + 2])
            v = p + 3
        if v + ln > end:
            return ERR_ATTR_OVERFLOW
        if 1 <= t <= 64:
            flags |= np.uint64(1) << np.uint64(t - 1)
        if t == 1:
            if ln != 1:
                return ERR_ATTR_LENGTH
            origin = buf[v]
        elif t == 2:
            ok, nseg_as, nasn, cnt_as = parse_segments(buf, v, v + ln, asn_len, tmp_t, tmp_n, tmp_a, 0)
            if not ok:
                return ERR_AS_PATH
            have_as = True
        elif t == 3:
            if ln != 4:
                return ERR_ATTR_LENGTH
            nh = u32(buf, v)
        elif t == 4:
            if ln != 4:
                return ERR_ATTR_LENGTH
            med = u32(buf, v)
        elif t == 5:
            if ln != 4:
                return ERR_ATTR_LENGTH
            lp = u32(buf, v)
        elif t == 7:
            if ln != asn_len + 4:
                return ERR_ATTR_LENGTH
            agg_as = u16(buf, v) if asn_len == 2 else u32(buf, v)
            agg_addr = u32(buf, v + asn_len)
        elif t == 8:
            if ln % 4 != 0:
                return ERR_ATTR_LENGTH
            for i in range(ln // 4):
                if fill and cnt[C_COMM] < COMM.shape[0]:
                    COMM[cnt[C_COMM]] = u32(buf, v + 4 * i)
                cnt[C_COMM] += 1
        elif t == 14 or t == 15:
            if n_mp < mp_start.shape[0]:
                mp_start[n_mp] = v
                mp_end[n_mp] = v + ln
                mp_type[n_mp] = t
                n_mp += 1
        elif t == 17:
            ok, nseg_4, nasn4, cnt_4 = parse_segments(buf, v, v + ln, 4, tmp_t, tmp_n, tmp_a, 1)
            if not ok:
                return ERR_AS_PATH
            have_as4 = True
        elif t == 18:
            if ln != 8:
                return ERR_ATTR_LENGTH
            as4_agg_as = u32(buf, v)
            as4_agg_addr = u32(buf, v + 4)
        elif t == 32:
            if ln % 12 != 0:
                return ERR_ATTR_LENGTH
            for i in range(ln // 4):
                if fill and cnt[C_LCOMM] < LCOMM.shape[0]:
                    LCOMM[cnt[C_LCOMM]] = u32(buf, v + 4 * i)
                cnt[C_LCOMM] += 1
        elif t == 35:
            if ln != 4:
                return ERR_ATTR_LENGTH
            otc = u32(buf, v)
        p = v + ln
    # RFC 6793 transition, only for 2-byte sessions, in bgpdump's order
    merge = False
    if asn_len == 2:
        skip = False
        if (flags >> np.uint64(6)) & np.uint64(1) and (flags >> np.uint64(17)) & np.uint64(1):
            if agg_as != AS_TRANS:
                skip = True
            else:
                agg_as = as4_agg_as
                agg_addr = as4_agg_addr
        merge = (not skip) and have_as4 and have_as and cnt_as >= cnt_4
    path0 = cnt[C_PATH]
    origin_asn = 0
    if have_as:
        origin_asn = _write_path(fill, cnt, PATH_ASN, PATH_SEG, tmp_t, tmp_n, tmp_a, nseg_as, cnt_as, nseg_4,
                                 cnt_4, merge)
    if fill and row < AU64.shape[1]:
        AU64[0, row] = flags
        AU32[A_MED, row] = med
        AU32[A_LOCAL_PREF, row] = lp
        AU32[A_AGG_AS, row] = agg_as
        AU32[A_AGG_ADDR, row] = agg_addr
        AU32[A_NEXT_HOP, row] = nh
        AU32[A_OTC, row] = otc
        AU32[A_ORIGIN_ASN, row] = origin_asn
        AI8[A_ORIGIN, row] = origin
        AI8[A_PATH_STATUS, row] = PATH_OK if have_as else PATH_ABSENT
        AOFF[O_PATH, row] = path0
        AOFF[O_COMM, row] = comm0
        AOFF[O_LCOMM, row] = lcomm0
        AOFF[O_PATH, row + 1] = cnt[C_PATH]
        AOFF[O_COMM, row + 1] = cnt[C_COMM]
        AOFF[O_LCOMM, row + 1] = cnt[C_LCOMM]
    cnt[C_ATTR] += 1
    sc[0] = n_mp
    return 0
