"""The numba kernel that writes ``bgpdump -m`` lines as bytes, straight from the table's columns.

``mrt dump`` spent more time turning columns into Python strings than parsing the file;
here each line is written byte by byte into a caller's buffer, one chunk per call, with
no Python object per element. The slow reference (plain Python, one f-string per field)
is ``tests/mrt/bgpdump_reference.py``; a hypothesis test holds the two to the same bytes,
and ``tests/mrt/test_bgpdump_exact.py`` holds this kernel to Debian bgpdump itself.
bgpdump's quirks reproduced here are listed in docs/mrt.md.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Fixed words, concatenated; W_* index WORD_START.
_WORDS = ["BGP4MP", "_ET", "_LOCAL", "_AP", "TABLE_DUMP", "2", "|STATE|", "IGP", "EGP", "INCOMPLETE", "AG", "NAG",
          "no-export", "no-advertise", "local-AS", "::ffff:"]
(W_BGP4MP, W_ET, W_LOCAL, W_AP, W_TABLE_DUMP, W_2, W_STATE, W_IGP, W_EGP, W_INCOMPLETE, W_AG, W_NAG, W_NO_EXPORT,
 W_NO_ADVERTISE, W_LOCAL_AS, W_V4_MAPPED) = range(len(_WORDS))
WORD_BYTES = np.frombuffer("".join(_WORDS).encode(), np.uint8).copy()
WORD_START = np.cumsum([0] + [len(w) for w in _WORDS]).astype(np.int64)
HEX = np.frombuffer(b"0123456789abcdef", np.uint8).copy()

LINE_FIXED_BOUND = 512
"""Bytes a line can take besides its AS path and communities (about 280 at most)."""
PER_ITEM_BOUND = 16
"""Bytes an ASN (10 digits, separator, brackets) or a community (``no-advertise`` and a space) can take."""

_BAR, _NL, _SPACE, _COLON, _DOT, _SLASH, _COMMA, _MINUS = 124, 10, 32, 58, 46, 47, 44, 45
_OPEN = np.array([0, 123, 32, 40, 91], np.uint8)  # by segment type: 1 SET {, 2 SEQUENCE, 3 CONFED_SEQUENCE (, 4 CONFED_SET [
_CLOSE = np.array([0, 125, 32, 41, 93], np.uint8)
_SEQ = 2


@njit(cache=True)
def _word(out, p, w):
    s = WORD_START[w]
    e = WORD_START[w + 1]
    for k in range(s, e):
        out[p] = WORD_BYTES[k]
        p += 1
    return p


@njit(cache=True)
def _uint(out, p, v):
    v = np.uint64(v)
    n = 1
    t = v
    while t >= np.uint64(10):
        t //= np.uint64(10)
        n += 1
    q = p + n - 1
    while True:
        out[q] = np.uint8(np.uint64(48) + v % np.uint64(10))
        v //= np.uint64(10)
        q -= 1
        if v == np.uint64(0):
            break
    return p + n


@njit(cache=True)
def _int(out, p, v):
    v = np.int64(v)
    if v < 0:
        out[p] = _MINUS
        return _uint(out, p + 1, np.uint64(-(v + 1)) + np.uint64(1))
    return _uint(out, p, np.uint64(v))


@njit(cache=True)
def _usec(out, p, v):
    """At least six digits, zero-padded (Python's ``{v:06d}``)."""
    v = np.uint64(v)
    t = v
    n = 1
    while t >= np.uint64(10):
        t //= np.uint64(10)
        n += 1
    for _ in range(n, 6):
        out[p] = 48
        p += 1
    return _uint(out, p, v)


@njit(cache=True)
def _ipv4(out, p, v):
    """Dotted quad of the low 32 bits (the top part unmasked, as the Python reference prints it)."""
    v = np.uint64(v)
    p = _uint(out, p, v >> np.uint64(24))
    out[p] = _DOT
    p = _uint(out, p + 1, (v >> np.uint64(16)) & np.uint64(255))
    out[p] = _DOT
    p = _uint(out, p + 1, (v >> np.uint64(8)) & np.uint64(255))
    out[p] = _DOT
    return _uint(out, p + 1, v & np.uint64(255))


@njit(cache=True)
def _group(hi, lo, i):
    word = hi if i < 4 else lo
    return (word >> np.uint64(48 - 16 * (i % 4))) & np.uint64(0xFFFF)


@njit(cache=True)
def _hex(out, p, g):
    started = False
    for s in (12, 8, 4, 0):
        d = (g >> np.uint64(s)) & np.uint64(15)
        if d != np.uint64(0) or started or s == 0:
            out[p] = HEX[d]
            p += 1
            started = True
    return p


@njit(cache=True)
def _groups(out, p, hi, lo, a, b):
    for i in range(a, b):
        if i > a:
            out[p] = _COLON
            p += 1
        p = _hex(out, p, _group(hi, lo, i))
    return p


@njit(cache=True)
def _ipv6(out, p, hi, lo):
    """bgpdump's fmt_ipv6: inet_ntop's text, except that a single zero group is also shortened to ``::``."""
    hi = np.uint64(hi)
    lo = np.uint64(lo)
    if hi == np.uint64(0) and (lo >> np.uint64(32)) == np.uint64(0xFFFF):
        p = _word(out, p, W_V4_MAPPED)
        return _ipv4(out, p, lo & np.uint64(0xFFFFFFFF))
    if hi == np.uint64(0) and (lo >> np.uint64(32)) == np.uint64(0) and (lo & np.uint64(0xFFFFFFFF)) > np.uint64(1):
        out[p] = _COLON
        out[p + 1] = _COLON
        return _ipv4(out, p + 2, lo)
    best = -1
    best_len = 0
    i = 0
    while i < 8:  # the first longest run of zero groups
        if _group(hi, lo, i) == np.uint64(0):
            j = i
            while j < 8 and _group(hi, lo, j) == np.uint64(0):
                j += 1
            if j - i > best_len:
                best, best_len = i, j - i
            i = j
        else:
            i += 1
    if best < 0:
        return _groups(out, p, hi, lo, 0, 8)
    p = _groups(out, p, hi, lo, 0, best)
    out[p] = _COLON
    out[p + 1] = _COLON
    return _groups(out, p + 2, hi, lo, best + best_len, 8)


@njit(cache=True)
def _address(out, p, afi, hi, lo):
    return _ipv6(out, p, hi, lo) if afi == 2 else _ipv4(out, p, lo)


@njit(cache=True)
def _as_path(out, p, asns, segs, p0, p1):
    """Sequences space-separated, ``{a,b}`` sets, ``(a b)`` confed sequences, ``[a,b]`` confed sets."""
    prev = _SEQ
    seg_type = _SEQ
    space = False
    for k in range(p0, p1):
        seg = segs[k]
        if seg & 0x80:
            seg_type = seg & 0x7F
            if seg_type < 1 or seg_type > 4:
                raise ValueError("AS path segment type outside 1..4")
            if prev != _SEQ:
                out[p] = _CLOSE[prev]
                p += 1
            if space:
                out[p] = _SPACE
                p += 1
            if seg_type != _SEQ:
                out[p] = _OPEN[seg_type]
                p += 1
            space = False
            prev = seg_type
        if space:
            out[p] = _COMMA if (seg_type == 1 or seg_type == 4) else _SPACE
            p += 1
        else:
            space = True
        p = _uint(out, p, asns[k])
    if p1 > p0 and prev != _SEQ:
        out[p] = _CLOSE[prev]
        p += 1
    return p


@njit(cache=True)
def _communities(out, p, values, c0, c1):
    for k in range(c0, c1):
        if k > c0:
            out[p] = _SPACE
            p += 1
        v = np.uint64(values[k])
        if v == np.uint64(0xFFFFFF01):
            p = _word(out, p, W_NO_EXPORT)
        elif v == np.uint64(0xFFFFFF02):
            p = _word(out, p, W_NO_ADVERTISE)
        elif v == np.uint64(0xFFFFFF03):
            p = _word(out, p, W_LOCAL_AS)
        else:
            p = _uint(out, p, v >> np.uint64(16))
            out[p] = _COLON
            p = _uint(out, p + 1, v & np.uint64(0xFFFF))
    return p


@njit(cache=True)
def _signed32(v):
    v = np.int64(v)
    return v - (np.int64(1) << 32) if v >= (np.int64(1) << 31) else v


@njit(cache=True)
def _bgp4mp_label(out, p, mtype, sub):
    p = _word(out, p, W_BGP4MP)
    if mtype == 17:
        p = _word(out, p, W_ET)
    if sub == 6 or sub == 7:  # bgpdump 1.6.2 does not label LOCAL_ADDPATH (10, 11) as LOCAL
        p = _word(out, p, W_LOCAL)
    if sub >= 8:
        p = _word(out, p, W_AP)
    return p


@njit(cache=True)
def bgpdump_chunk(start, out, kind, mrt_type, mrt_subtype, timestamp, microsecond, peer_afi, peer_hi, peer_lo,
                  peer_asn, local_hi, local_lo, local_asn, afi, prefix_hi, prefix_lo, prefix_len, path_id,
                  next_hop_afi, next_hop_hi, next_hop_lo, from_mp, old_state, new_state, attr, a_flags, a_origin,
                  a_path_status, a_med, a_local_pref, a_aggregator_asn, a_aggregator_addr, a_next_hop, path_offsets,
                  path_asns, path_segments, community_offsets, communities):
    """Lines of elements ``start..`` into ``out`` until the next might not fit: (next element, bytes used, need).

    ``need`` is non-zero only when not even the first line fits an empty ``out``: the size to retry with.
    Elements bgpdump does not print (TABLE_DUMP_V2 multicast and RIB_GENERIC) are skipped.
    """
    n = kind.shape[0]
    cap = out.shape[0]
    p = 0
    i = start
    while i < n:
        mtype = mrt_type[i]
        sub = mrt_subtype[i]
        if mtype == 13 and not (sub == 2 or sub == 4 or sub == 8 or sub == 10):
            i += 1
            continue
        k = kind[i]
        row = attr[i]
        bound = LINE_FIXED_BOUND
        if k != 2 and k != 4:
            bound += PER_ITEM_BOUND * (path_offsets[row + 1] - path_offsets[row]
                                       + community_offsets[row + 1] - community_offsets[row])
        if p + bound > cap:
            return i, p, (bound if p == 0 else 0)
        # the peer: bgpdump reads LOCAL_ADDPATH's fields swapped and prints the local side
        pafi = peer_afi[i]
        if mtype >= 16 and (sub == 10 or sub == 11):
            phi, plo, pasn = local_hi[i], local_lo[i], local_asn[i]
        else:
            phi, plo, pasn = peer_hi[i], peer_lo[i], peer_asn[i]
        if k == 4:
            p = _word(out, p, W_BGP4MP)
            if mtype == 17:
                p = _word(out, p, W_ET)
        elif k == 3:
            p = _word(out, p, W_TABLE_DUMP)
            if mtype != 12:
                p = _word(out, p, W_2)
                if sub >= 8:
                    p = _word(out, p, W_AP)
        else:
            p = _bgp4mp_label(out, p, mtype, sub)
        out[p] = _BAR
        p = _int(out, p + 1, timestamp[i])
        if mtype == 17:
            out[p] = _DOT
            p = _usec(out, p + 1, microsecond[i])
        if k == 4:
            p = _word(out, p, W_STATE)
            p = _address(out, p, pafi, phi, plo)
            out[p] = _BAR
            p = _uint(out, p + 1, pasn)
            out[p] = _BAR
            p = _uint(out, p + 1, old_state[i])
            out[p] = _BAR
            p = _uint(out, p + 1, new_state[i])
            out[p] = _NL
            p += 1
            i += 1
            continue
        out[p] = _BAR
        out[p + 1] = 87 if k == 2 else (66 if k == 3 else 65)  # W, B, A
        out[p + 2] = _BAR
        p += 3
        if k == 2 and afi[i] == 2 and pafi == 1 and (sub == 6 or sub == 7):
            p = _ipv6(out, p, np.uint64(plo) << np.uint64(32), np.uint64(0))  # bgpdump's IPv4 peer as IPv6
        else:
            p = _address(out, p, pafi, phi, plo)
        out[p] = _BAR
        p = _uint(out, p + 1, pasn)
        out[p] = _BAR
        if afi[i] == 1:  # any other AFI prints as IPv6, as in the reference
            p = _ipv4(out, p + 1, prefix_lo[i])
        else:
            p = _ipv6(out, p + 1, prefix_hi[i], prefix_lo[i])
        out[p] = _SLASH
        p = _uint(out, p + 1, prefix_len[i])
        if sub >= 8 and mtype != 12:
            out[p] = _BAR
            p = _uint(out, p + 1, path_id[i])
        if k != 2:
            p = _route_tail(out, p, k, afi[i], next_hop_afi[i], next_hop_hi[i], next_hop_lo[i], from_mp[i], row,
                            a_flags, a_origin, a_path_status, a_med, a_local_pref, a_aggregator_asn, a_aggregator_addr,
                            a_next_hop, path_offsets, path_asns, path_segments, community_offsets, communities)
        out[p] = _NL
        p += 1
        i += 1
    return i, p, 0


@njit(cache=True)
def _route_tail(out, p, k, afi, nh_afi, nh_hi, nh_lo, from_mp, row, a_flags, a_origin, a_path_status, a_med,
                a_local_pref, a_aggregator_asn, a_aggregator_addr, a_next_hop, path_offsets, path_asns, path_segments,
                community_offsets, communities):
    """``|path|origin|next hop|local pref|MED|communities|AG or NAG|aggregator|`` of an announcement or RIB entry."""
    flags = np.uint64(a_flags[row])
    out[p] = _BAR
    p += 1
    if a_path_status[row] != 2:
        p = _as_path(out, p, path_asns, path_segments, path_offsets[row], path_offsets[row + 1])
    out[p] = _BAR
    origin = a_origin[row]
    p = _word(out, p + 1, W_IGP if origin == 0 else (W_EGP if origin == 1 else W_INCOMPLETE))
    out[p] = _BAR
    p += 1
    lp = np.int64(a_local_pref[row]) if (flags >> np.uint64(4)) & np.uint64(1) else np.int64(0)
    med = np.int64(a_med[row]) if (flags >> np.uint64(3)) & np.uint64(1) else np.int64(0)
    if k == 3:
        p = _ipv6(out, p, nh_hi, nh_lo) if nh_afi == 2 else _ipv4(out, p, a_next_hop[row])
    elif afi == 2:
        p = _ipv6(out, p, nh_hi, nh_lo)
    elif from_mp:  # IPv4 in MP_REACH: bgpdump prints LOCAL_PREF and MED with %d
        p = _ipv4(out, p, nh_lo)
        lp = _signed32(lp)
        med = _signed32(med)
    else:
        p = _ipv4(out, p, a_next_hop[row])
    out[p] = _BAR
    p = _int(out, p + 1, lp)
    out[p] = _BAR
    p = _int(out, p + 1, med)
    out[p] = _BAR
    p += 1
    if (flags >> np.uint64(7)) & np.uint64(1):  # COMMUNITIES present
        p = _communities(out, p, communities, community_offsets[row], community_offsets[row + 1])
    out[p] = _BAR
    p = _word(out, p + 1, W_AG if (flags >> np.uint64(5)) & np.uint64(1) else W_NAG)
    out[p] = _BAR
    p += 1
    addr = a_aggregator_addr[row]
    if addr != 0xFFFFFFFF:
        p = _uint(out, p, a_aggregator_asn[row])
        out[p] = _SPACE
        p = _ipv4(out, p + 1, addr)
    out[p] = _BAR
    return p + 1
