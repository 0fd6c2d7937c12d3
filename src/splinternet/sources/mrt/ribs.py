"""RIB dump records: TABLE_DUMP (v1, with the bundled-entry framing of early RIS dumps) and TABLE_DUMP_V2."""

from __future__ import annotations

import numpy as np
from numba import njit

from .attributes import parse_attributes
from .elements import emit
from .layout import (
    C_BUNDLED,
    C_OTHER_NLRI,
    ERR_AFI,
    ERR_NO_PEER_TABLE,
    ERR_PEER_INDEX,
    ERR_PREFIX,
    ERR_SHORT_BODY,
    ERR_TRAILING,
    KIND_RIB,
    R_PEER_AFI,
    R_PEER_ASN,
    R_PEER_HI,
    R_PEER_LO,
)
from .wire import be_words, plausible_header, u16, u32


@njit(cache=True)
def rib_next_hop(buf, mp_start, mp_end, mp_type, n_mp, nh4):
    """Next hop bgpdump shows for a RIB entry: an IPv6 MP_REACH one if present, else NEXT_HOP."""
    for i in range(n_mp):
        if mp_type[i] != 14:
            continue
        s = mp_start[i]
        e = mp_end[i]
        if e <= s:
            continue
        if buf[s] != 0:  # abbreviated: length byte then the address
            nb = min(np.int64(buf[s]), e - s - 1, 16)
            hi, lo = be_words(buf, s + 1, nb, 16)
            return 2, hi, lo
        if e - s >= 4 and u16(buf, s) == 2 and buf[s + 2] == 1:
            nb = min(np.int64(buf[s + 3]), e - s - 4, 16)
            hi, lo = be_words(buf, s + 4, nb, 16)
            return 2, hi, lo
    return 1, np.uint64(0), np.uint64(nh4)


@njit(cache=True, inline="always")
def table_dump(buf, p, end, sub, fill, cnt, E64, EU64, EU32, EU8, AU64, AU32, AI8, AOFF, PATH_ASN, PATH_SEG, COMM,
                LCOMM, tmp_t, tmp_n, tmp_a, mp_start, mp_end, mp_type, sc, rc):
    """TABLE_DUMP (v1) entries; returns (error, where, next record offset).

    Early RIS dumps (rrc00, 2000) bundle many entries after one view/sequence pair and
    give a length that leaves out those 4 bytes; such a record ends at ``end + 4``.
    """
    if sub < 1 or sub > 4:
        return ERR_AFI, p, end
    v6 = sub == 2 or sub == 4
    width = 16 if v6 else 4
    asn_len = 4 if sub >= 3 else 2
    afi = 2 if v6 else 1
    limit = min(end + 4, buf.shape[0])
    q = p + 4
    first = True
    while first or q < end:
        first = False
        fixed = width + 1 + 1 + 4 + width + asn_len + 2
        if q + fixed > limit:
            return ERR_SHORT_BODY, q, end
        phi, plo = be_words(buf, q, width, width)
        plen = np.int64(buf[q + width])
        if plen > 8 * width:
            return ERR_PREFIX, q, end
        r = q + width + 6
        hi, lo = be_words(buf, r, width, width)
        r += width
        rc[R_PEER_AFI] = afi
        rc[R_PEER_HI] = hi
        rc[R_PEER_LO] = lo
        rc[R_PEER_ASN] = u16(buf, r) if asn_len == 2 else u32(buf, r)
        r += asn_len
        alen = u16(buf, r)
        a0 = r + 2
        if a0 + alen > limit:
            return ERR_SHORT_BODY, r, end
        err = parse_attributes(buf, a0, a0 + alen, asn_len, fill, cnt, AU64, AU32, AI8, AOFF, PATH_ASN, PATH_SEG, COMM,
                               LCOMM, tmp_t, tmp_n, tmp_a, mp_start, mp_end, mp_type, sc)
        if err:
            return err, a0, end
        row = sc[1]
        nh4 = AU32[4, row] if fill and row < AU32.shape[1] else 0
        nh_afi, nh_hi, nh_lo = rib_next_hop(buf, mp_start, mp_end, mp_type, sc[0], nh4)
        emit(fill, cnt, E64, EU64, EU32, EU8, rc, KIND_RIB, row, 0, afi, 1, plen, phi, plo, nh_afi, nh_hi, nh_lo, 0,
              0)
        q = a0 + alen
    if q == end:
        return 0, q, end
    if q == end + 4 and plausible_header(buf, q):
        cnt[C_BUNDLED] += 1
        return 0, q, q
    return ERR_TRAILING, q, end


@njit(cache=True)
def peer_table(buf, p, end, peer_afi, peer_hi, peer_lo, peer_asn):
    """TABLE_DUMP_V2 PEER_INDEX_TABLE into the peer arrays; returns (error, where, peer count)."""
    if p + 6 > end:
        return ERR_SHORT_BODY, p, -1
    vlen = u16(buf, p + 4)
    q = p + 6 + vlen
    if q + 2 > end:
        return ERR_SHORT_BODY, q, -1
    count = u16(buf, q)
    q += 2
    for i in range(count):
        if q + 1 > end:
            return ERR_SHORT_BODY, q, -1
        pt = buf[q]
        width = 16 if pt & 1 else 4
        asn_len = 4 if pt & 2 else 2
        if q + 5 + width + asn_len > end:
            return ERR_SHORT_BODY, q, -1
        hi, lo = be_words(buf, q + 5, width, width)
        peer_afi[i] = 2 if pt & 1 else 1
        peer_hi[i] = hi
        peer_lo[i] = lo
        r = q + 5 + width
        peer_asn[i] = u16(buf, r) if asn_len == 2 else u32(buf, r)
        q = r + asn_len
    return 0, q, count


@njit(cache=True)
def rib_record(buf, p, end, sub, n_peers, fill, cnt, E64, EU64, EU32, EU8, AU64, AU32, AI8, AOFF, PATH_ASN, PATH_SEG, COMM,
         LCOMM, tmp_t, tmp_n, tmp_a, mp_start, mp_end, mp_type, sc, rc, peer_afi, peer_hi, peer_lo, peer_asn):
    """TABLE_DUMP_V2 RIB_* records (unicast, multicast, generic, and their ADD-PATH forms)."""
    if n_peers < 0:
        return ERR_NO_PEER_TABLE, p
    addpath = sub >= 8
    base = sub - 6 if addpath else sub
    if p + 5 > end:
        return ERR_SHORT_BODY, p
    q = p + 4
    if base == 6:
        afi = u16(buf, q)
        safi = np.int64(buf[q + 2])
        q += 3
        if (afi != 1 and afi != 2) or (safi != 1 and safi != 2):
            cnt[C_OTHER_NLRI] += 1
            return 0, p
    else:
        afi = 1 if base <= 3 else 2
        safi = np.int64(1 if base == 2 or base == 4 else 2)
    width = 4 if afi == 1 else 16
    if q + 1 > end:
        return ERR_SHORT_BODY, q
    plen = np.int64(buf[q])
    nb = (plen + 7) // 8
    if plen > 8 * width or q + 1 + nb + 2 > end:
        return ERR_PREFIX, q
    phi, plo = be_words(buf, q + 1, nb, width)
    q += 1 + nb
    count = u16(buf, q)
    q += 2
    for _ in range(count):
        fixed = 10 if addpath else 6
        if q + fixed + 2 > end:
            return ERR_SHORT_BODY, q
        idx = u16(buf, q)
        if idx >= n_peers:
            return ERR_PEER_INDEX, q
        path_id = u32(buf, q + 6) if addpath else 0
        q += fixed + 2
        alen = u16(buf, q - 2)
        if q + alen > end:
            return ERR_SHORT_BODY, q
        rc[R_PEER_AFI] = peer_afi[idx]
        rc[R_PEER_HI] = peer_hi[idx]
        rc[R_PEER_LO] = peer_lo[idx]
        rc[R_PEER_ASN] = peer_asn[idx]
        err = parse_attributes(buf, q, q + alen, 4, fill, cnt, AU64, AU32, AI8, AOFF, PATH_ASN, PATH_SEG, COMM, LCOMM,
                               tmp_t, tmp_n, tmp_a, mp_start, mp_end, mp_type, sc)
        if err:
            return err, q
        row = sc[1]
        nh4 = AU32[4, row] if fill and row < AU32.shape[1] else 0
        nh_afi, nh_hi, nh_lo = rib_next_hop(buf, mp_start, mp_end, mp_type, sc[0], nh4)
        emit(fill, cnt, E64, EU64, EU32, EU8, rc, KIND_RIB, row, path_id, afi, safi, plen, phi, plo, nh_afi, nh_hi,
              nh_lo, 0, 0)
        q += alen
    return 0, q
