"""The MRT record walker: one numba kernel over the decompressed bytes, run twice.

The first run (``fill=False``) only counts elements, attribute rows, path ASNs and
communities; the caller then allocates exact arrays and the second run fills them.
A record that does not parse is rolled back whole and reported (offset + code), so the
table never holds half a record. Element order within an UPDATE follows bgpdump:
withdrawals (plain, then MP_UNREACH by AFI/SAFI), then announcements (plain, then MP_REACH).

The per-record helpers (BGP4MP, UPDATE, attributes, TABLE_DUMP) are inlined at numba IR
level: a compiled call that passes two dozen arrays updates each one's reference count,
which made the walker twice as slow. The price is a longer first compile (about 15 s more
on a cold JIT cache, once per machine).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .attributes import MAX_MP, parse_attributes
from .elements import emit, nlri
from .layout import (
    C_ATTR,
    C_BGP_OTHER,
    C_COMM,
    C_ERR,
    C_LCOMM,
    C_OTHER_NLRI,
    C_PATH,
    C_PEERS,
    C_REC,
    C_STOP,
    C_UNSUPPORTED,
    ERR_AFI,
    ERR_BGP_LENGTH,
    ERR_CORRUPT_HEADER,
    ERR_MARKER,
    ERR_PREFIX,
    ERR_SHORT_BODY,
    ERR_SHORT_HEADER,
    ERR_STATE_LENGTH,
    ERR_TRUNCATED,
    ERR_UNKNOWN_TYPE,
    KIND_ANNOUNCE,
    KIND_STATE,
    KIND_WITHDRAW,
    R_LOCAL_ASN,
    R_LOCAL_HI,
    R_LOCAL_LO,
    R_OFFSET,
    R_PEER_AFI,
    R_PEER_ASN,
    R_PEER_HI,
    R_PEER_LO,
    R_SUBTYPE,
    R_TIME,
    R_TYPE,
    R_USEC,
)
from .ribs import peer_table, rib_record, table_dump
from .wire import be_words, known_type, plausible_header, u16, u32


@njit(cache=True)
def parse_mrt(buf, fill, cnt, E64, EU64, EU32, EU8, AU64, AU32, AI8, AOFF, PATH_ASN, PATH_SEG, COMM, LCOMM, err_off,
              err_at, err_code, peer_afi, peer_hi, peer_lo, peer_asn):
    """Walk every MRT record of ``buf``; counts (fill=False) or fills (fill=True) the columns.

    Filling writes only within the arrays' sizes but always counts, so a caller can allocate
    a guess, and on overflow re-run with the exact counts.
    """
    n = buf.shape[0]
    tmp_t = np.zeros((2, 16384), np.uint8)
    tmp_n = np.zeros((2, 16384), np.int64)
    tmp_a = np.zeros((2, 32768), np.uint32)
    mp_start = np.zeros(MAX_MP, np.int64)
    mp_end = np.zeros(MAX_MP, np.int64)
    mp_type = np.zeros(MAX_MP, np.int64)
    order = np.zeros(MAX_MP, np.int64)
    sc = np.zeros(4, np.int64)
    rc = np.zeros(12, np.uint64)
    saved = np.zeros(5, np.int64)
    n_peers = -1
    pos = 0
    while pos < n:
        if n - pos < 12:
            _error(cnt, err_off, err_at, err_code, pos, pos, ERR_SHORT_HEADER)
            break
        ts = u32(buf, pos)
        typ = u16(buf, pos + 4)
        sub = u16(buf, pos + 6)
        ln = u32(buf, pos + 8)
        body = pos + 12
        end = body + ln
        if typ != 12 and typ != 13 and typ != 16 and typ != 17:
            if end <= n and known_type(typ) and plausible_header(buf, end):
                cnt[C_UNSUPPORTED] += 1
                pos = end
                continue
            if end <= n and plausible_header(buf, end):
                _error(cnt, err_off, err_at, err_code, pos, pos + 4, ERR_UNKNOWN_TYPE)
                pos = end
                continue
            _error(cnt, err_off, err_at, err_code, pos, pos + 4, ERR_CORRUPT_HEADER)
            break
        if end > n:
            _error(cnt, err_off, err_at, err_code, pos, n, ERR_TRUNCATED)
            break
        cnt[C_REC] += 1
        rc[R_TIME] = ts
        rc[R_USEC] = 0
        rc[R_OFFSET] = pos
        rc[R_TYPE] = typ
        rc[R_SUBTYPE] = sub
        rc[R_LOCAL_HI] = 0
        rc[R_LOCAL_LO] = 0
        rc[R_LOCAL_ASN] = 0
        for k in range(5):
            saved[k] = cnt[k]
        nxt = end
        err = 0
        at = body
        if typ == 17:
            if ln < 4:
                err = ERR_SHORT_BODY
            else:
                rc[R_USEC] = u32(buf, body)
                body += 4
        if err == 0 and (typ == 16 or typ == 17):
            err, at = _bgp4mp(buf, body, end, sub, fill, cnt, E64, EU64, EU32, EU8, AU64, AU32, AI8, AOFF, PATH_ASN,
                              PATH_SEG, COMM, LCOMM, tmp_t, tmp_n, tmp_a, mp_start, mp_end, mp_type, sc, order, rc)
        elif typ == 12:
            err, at, nxt = table_dump(buf, body, end, sub, fill, cnt, E64, EU64, EU32, EU8, AU64, AU32, AI8, AOFF,
                                       PATH_ASN, PATH_SEG, COMM, LCOMM, tmp_t, tmp_n, tmp_a, mp_start, mp_end,
                                       mp_type, sc, rc)
        elif typ == 13:
            if sub == 1:
                err, at, n_peers = peer_table(buf, body, end, peer_afi, peer_hi, peer_lo, peer_asn)
                cnt[C_PEERS] = max(n_peers, 0)
            elif (2 <= sub <= 6) or (8 <= sub <= 12):
                err, at = rib_record(buf, body, end, sub, n_peers, fill, cnt, E64, EU64, EU32, EU8, AU64, AU32, AI8, AOFF,
                               PATH_ASN, PATH_SEG, COMM, LCOMM, tmp_t, tmp_n, tmp_a, mp_start, mp_end, mp_type, sc,
                               rc, peer_afi, peer_hi, peer_lo, peer_asn)
            else:
                cnt[C_UNSUPPORTED] += 1
        if err:
            for k in range(5):
                cnt[k] = saved[k]
            _error(cnt, err_off, err_at, err_code, pos, at, err)
        pos = nxt
    cnt[C_STOP] = pos
    if fill and cnt[C_ATTR] < AOFF.shape[1]:
        AOFF[0, cnt[C_ATTR]] = cnt[C_PATH]
        AOFF[1, cnt[C_ATTR]] = cnt[C_COMM]
        AOFF[2, cnt[C_ATTR]] = cnt[C_LCOMM]


@njit(cache=True)
def _error(cnt, err_off, err_at, err_code, off, at, code):
    k = cnt[C_ERR]
    if k < err_off.shape[0]:
        err_off[k] = off
        err_at[k] = at
        err_code[k] = code
    cnt[C_ERR] += 1


@njit(cache=True, inline="always")
def _bgp4mp(buf, p, end, sub, fill, cnt, E64, EU64, EU32, EU8, AU64, AU32, AI8, AOFF, PATH_ASN, PATH_SEG, COMM,
            LCOMM, tmp_t, tmp_n, tmp_a, mp_start, mp_end, mp_type, sc, order, rc):
    """BGP4MP / BGP4MP_ET body: STATE_CHANGE(_AS4) and MESSAGE variants; returns (error, where)."""
    if sub == 0 or sub == 5:
        asn_len = 2 if sub == 0 else 4
        size = end - p
        if sub == 0 and size == 8:  # zebra wrote state changes without addresses
            rc[R_PEER_ASN] = u16(buf, p)
            rc[R_PEER_AFI] = 1
            rc[R_PEER_HI] = 0
            rc[R_PEER_LO] = 0
            emit(fill, cnt, E64, EU64, EU32, EU8, rc, KIND_STATE, -1, 0, 0, 0, 0, np.uint64(0), np.uint64(0), 0,
                  np.uint64(0), np.uint64(0), u16(buf, p + 4), u16(buf, p + 6))
            return 0, p
        if size < 2 * asn_len + 4:
            return ERR_SHORT_BODY, p
        afi = u16(buf, p + 2 * asn_len + 2)
        if afi != 1 and afi != 2:
            return ERR_AFI, p + 2 * asn_len + 2
        width = 4 if afi == 1 else 16
        if size != 2 * asn_len + 4 + 2 * width + 4:
            return ERR_STATE_LENGTH, p
        rc[R_PEER_ASN] = u16(buf, p) if asn_len == 2 else u32(buf, p)
        rc[R_LOCAL_ASN] = u16(buf, p + 2) if asn_len == 2 else u32(buf, p + 4)
        q = p + 2 * asn_len + 4
        hi, lo = be_words(buf, q, width, width)
        rc[R_PEER_AFI] = afi
        rc[R_PEER_HI] = hi
        rc[R_PEER_LO] = lo
        hi, lo = be_words(buf, q + width, width, width)
        rc[R_LOCAL_HI] = hi
        rc[R_LOCAL_LO] = lo
        q += 2 * width
        emit(fill, cnt, E64, EU64, EU32, EU8, rc, KIND_STATE, -1, 0, 0, 0, 0, np.uint64(0), np.uint64(0), 0,
              np.uint64(0), np.uint64(0), u16(buf, q), u16(buf, q + 2))
        return 0, p
    if sub != 1 and sub != 4 and not (6 <= sub <= 11):
        cnt[C_UNSUPPORTED] += 1
        return 0, p
    asn_len = 4 if (sub == 4 or sub == 7 or sub == 9 or sub == 11) else 2
    addpath = sub >= 8
    if end - p < 2 * asn_len + 4:
        return ERR_SHORT_BODY, p
    afi = u16(buf, p + 2 * asn_len + 2)
    if afi != 1 and afi != 2:
        if afi == 0xFFFF:  # zebra OPEN without addresses: nothing to route
            cnt[C_BGP_OTHER] += 1
            return 0, p
        return ERR_AFI, p + 2 * asn_len + 2
    width = 4 if afi == 1 else 16
    q = p + 2 * asn_len + 4
    if q + 2 * width + 19 > end:
        return ERR_SHORT_BODY, p
    rc[R_PEER_ASN] = u16(buf, p) if asn_len == 2 else u32(buf, p)
    rc[R_LOCAL_ASN] = u16(buf, p + 2) if asn_len == 2 else u32(buf, p + 4)
    hi, lo = be_words(buf, q, width, width)
    rc[R_PEER_AFI] = afi
    rc[R_PEER_HI] = hi
    rc[R_PEER_LO] = lo
    hi, lo = be_words(buf, q + width, width, width)
    rc[R_LOCAL_HI] = hi
    rc[R_LOCAL_LO] = lo
    m = q + 2 * width
    for i in range(16):
        if buf[m + i] != 0xFF:
            return ERR_MARKER, m
    mlen = u16(buf, m + 16)
    mtype = buf[m + 18]
    if mlen < 19 or m + mlen > end:
        return ERR_BGP_LENGTH, m + 16
    if mtype != 2:
        cnt[C_BGP_OTHER] += 1
        return 0, p
    err = _update(buf, m + 19, m + mlen, asn_len, addpath, fill, cnt, E64, EU64, EU32, EU8, AU64, AU32, AI8, AOFF,
                  PATH_ASN, PATH_SEG, COMM, LCOMM, tmp_t, tmp_n, tmp_a, mp_start, mp_end, mp_type, sc, order, rc)
    return err, m


@njit(cache=True, inline="always")
def _update(buf, p, end, asn_len, addpath, fill, cnt, E64, EU64, EU32, EU8, AU64, AU32, AI8, AOFF, PATH_ASN,
            PATH_SEG, COMM, LCOMM, tmp_t, tmp_n, tmp_a, mp_start, mp_end, mp_type, sc, order, rc):
    """A BGP UPDATE body buf[p:end] (after the 19-byte header) into elements."""
    if p + 2 > end:
        return ERR_BGP_LENGTH
    wlen = u16(buf, p)
    w0 = p + 2
    w1 = w0 + wlen
    if w1 + 2 > end:
        return ERR_BGP_LENGTH
    alen = u16(buf, w1)
    a0 = w1 + 2
    a1 = a0 + alen
    if a1 > end:
        return ERR_BGP_LENGTH
    err = parse_attributes(buf, a0, a1, asn_len, fill, cnt, AU64, AU32, AI8, AOFF, PATH_ASN, PATH_SEG, COMM, LCOMM,
                           tmp_t, tmp_n, tmp_a, mp_start, mp_end, mp_type, sc)
    if err:
        return err
    n_mp = sc[0]
    row = sc[1]
    err = nlri(buf, w0, w1, 1, 1, addpath, KIND_WITHDRAW, -1, 0, np.uint64(0), np.uint64(0), fill, cnt, E64, EU64,
                EU32, EU8, rc, 0)
    if err:
        return err
    k = _mp_order(buf, mp_start, mp_end, mp_type, n_mp, 15, order)
    for j in range(k):
        s = mp_start[order[j]]
        e = mp_end[order[j]]
        afi = u16(buf, s)
        safi = np.int64(buf[s + 2])
        if afi < 1 or afi > 2 or safi < 1 or safi > 3:
            cnt[C_OTHER_NLRI] += 1
            continue
        err = nlri(buf, s + 3, e, afi, safi, addpath, KIND_WITHDRAW, -1, 0, np.uint64(0), np.uint64(0), fill, cnt,
                    E64, EU64, EU32, EU8, rc, 1)
        if err:
            return err
    nh4 = np.uint64(AU32[4, row]) if fill and row < AU32.shape[1] else np.uint64(0)
    err = nlri(buf, a1, end, 1, 1, addpath, KIND_ANNOUNCE, row, 1, np.uint64(0), nh4, fill, cnt, E64, EU64, EU32,
                EU8, rc, 0)
    if err:
        return err
    k = _mp_order(buf, mp_start, mp_end, mp_type, n_mp, 14, order)
    for j in range(k):
        s = mp_start[order[j]]
        e = mp_end[order[j]]
        if buf[s] != 0:  # abbreviated (RIB-style) MP_REACH: a next hop and no NLRI
            continue
        if e - s < 5:
            return ERR_PREFIX
        afi = u16(buf, s)
        safi = np.int64(buf[s + 2])
        nhl = np.int64(buf[s + 3])
        q = s + 4 + nhl
        if q + 1 > e:
            return ERR_PREFIX
        if afi < 1 or afi > 2 or safi < 1 or safi > 3:
            cnt[C_OTHER_NLRI] += 1
            continue
        if nhl == 4:
            nh_afi = 1
            hi, lo = be_words(buf, s + 4, 4, 4)
        else:
            nh_afi = 2
            hi, lo = be_words(buf, s + 4, min(nhl, 16), 16)
        nsnpa = np.int64(buf[q])
        q += 1
        for _ in range(nsnpa):
            if q >= e:
                return ERR_PREFIX
            q += 1 + np.int64(buf[q])
        err = nlri(buf, q, e, afi, safi, addpath, KIND_ANNOUNCE, row, nh_afi, hi, lo, fill, cnt, E64, EU64, EU32,
                    EU8, rc, 1)
        if err:
            return err
    return 0


@njit(cache=True)
def _mp_order(buf, mp_start, mp_end, mp_type, n_mp, want_type, order):
    """Indices of MP attributes of ``want_type`` sorted by (AFI, SAFI), first of each kept."""
    k = 0
    for i in range(n_mp):
        if mp_type[i] != want_type or mp_end[i] - mp_start[i] < 3:
            continue
        key = u16(buf, mp_start[i]) * 256 + buf[mp_start[i] + 2]
        dup = False
        for j in range(k):
            o = order[j]
            if u16(buf, mp_start[o]) * 256 + buf[mp_start[o] + 2] == key:
                dup = True
        if dup:
            continue
        j = k
        while j > 0 and u16(buf, mp_start[order[j - 1]]) * 256 + buf[mp_start[order[j - 1]] + 2] > key:
            order[j] = order[j - 1]
            j -= 1
        order[j] = i
        k += 1
    return k
