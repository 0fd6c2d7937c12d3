"""A slow, obvious pure-Python MRT reader: the reference the numba kernels are tested against.

It yields one tuple per element with the same meaning as the kernel's columns, written for
clarity (struct.unpack, dicts, lists) rather than speed. Damaged records are skipped whole.
"""

from __future__ import annotations

import struct

AS_TRANS = 23456


class Bad(Exception):
    pass


def _need(data: bytes, p: int, n: int, end: int) -> None:
    if p + n > end:
        raise Bad


def _addr(raw: bytes, width: int) -> int:
    return int.from_bytes(raw.ljust(width, b"\0")[:width], "big")


def _segments(data: bytes, p: int, end: int, asn_len: int) -> list[tuple[int, list[int]]]:
    out = []
    while p < end:
        _need(data, p, 2, end)
        t, n = data[p], data[p + 1]
        if t not in (1, 2, 3, 4):
            raise Bad
        _need(data, p + 2, n * asn_len, end)
        fmt = ">H" if asn_len == 2 else ">I"
        out.append((t, [struct.unpack_from(fmt, data, p + 2 + i * asn_len)[0] for i in range(n)]))
        p += 2 + n * asn_len
    return out


def _count(segs) -> int:
    return sum(1 if t in (1, 4) else len(a) for t, a in segs)


def merge_as4(as_path, as4_path):
    """RFC 6793 merge as bgpdump does it: keep AS_PATH up to the length difference, then AS4_PATH."""
    target = _count(as_path) - _count(as4_path)
    merged, total = [], 0
    for t, asns in as_path:
        if total >= target:
            break
        if t in (1, 4):
            total += 1
            merged.append((t, asns))
        else:
            keep = min(len(asns), target - total)
            total += len(asns)
            merged.append((t, asns[:keep]))
    return merged + list(as4_path)


def attributes(data: bytes, p: int, end: int, asn_len: int) -> dict:
    a = {"flags": set(), "origin": -1, "as_path": None, "as4_path": None, "next_hop": 0xFFFFFFFF, "med": 0,
         "local_pref": 0, "aggregator": None, "as4_aggregator": None, "communities": [], "large": [], "otc": 0,
         "mp": []}
    while p < end:
        _need(data, p, 3, end)
        flags, t = data[p], data[p + 1]
        if flags & 0x10:
            _need(data, p, 4, end)
            ln, v = struct.unpack_from(">H", data, p + 2)[0], p + 4
        else:
            ln, v = data[p + 2], p + 3
        _need(data, v, ln, end)
        a["flags"].add(t)
        val = data[v : v + ln]
        if t == 1:
            if ln != 1:
                raise Bad
            a["origin"] = val[0]
        elif t == 2:
            a["as_path"] = _segments(data, v, v + ln, asn_len)
        elif t in (3, 4, 5, 35):
            if ln != 4:
                raise Bad
            a[{3: "next_hop", 4: "med", 5: "local_pref", 35: "otc"}[t]] = struct.unpack(">I", val)[0]
        elif t == 7:
            if ln != asn_len + 4:
                raise Bad
            a["aggregator"] = (int.from_bytes(val[:asn_len], "big"), int.from_bytes(val[asn_len:], "big"))
        elif t == 8:
            if ln % 4:
                raise Bad
            a["communities"] = list(struct.unpack(f">{ln // 4}I", val))
        elif t in (14, 15):
            a["mp"].append((t, v, v + ln))
        elif t == 17:
            a["as4_path"] = _segments(data, v, v + ln, 4)
        elif t == 18:
            if ln != 8:
                raise Bad
            a["as4_aggregator"] = struct.unpack(">II", val)
        elif t == 32:
            if ln % 12:
                raise Bad
            a["large"] = list(struct.unpack(f">{ln // 4}I", val))
        p = v + ln
    path = a["as_path"]
    if asn_len == 2:
        skip = False
        if a["aggregator"] is not None and a["as4_aggregator"] is not None:
            if a["aggregator"][0] != AS_TRANS:
                skip = True
            else:
                a["aggregator"] = a["as4_aggregator"]
        if not skip and path is not None and a["as4_path"] is not None and _count(path) >= _count(a["as4_path"]):
            path = merge_as4(path, a["as4_path"])
    a["path"] = None if path is None else tuple((t, tuple(asns)) for t, asns in path if asns)
    return a


def _attr_key(a: dict | None) -> tuple:
    if a is None:
        return ()
    agg = a["aggregator"] or (0, 0xFFFFFFFF)
    return (a["origin"], a["path"], tuple(a["communities"]), tuple(a["large"]), a["med"], a["local_pref"],
            a["next_hop"], agg, 6 in a["flags"], a["otc"])


def _prefixes(data: bytes, p: int, end: int, afi: int, addpath: bool):
    width = 4 if afi == 1 else 16
    while p < end:
        pid = 0
        if addpath:
            _need(data, p, 4, end)
            pid = struct.unpack_from(">I", data, p)[0]
            p += 4
        _need(data, p, 1, end)
        plen = data[p]
        nb = (plen + 7) // 8
        if plen > 8 * width:
            raise Bad
        _need(data, p + 1, nb, end)
        yield pid, _addr(data[p + 1 : p + 1 + nb], width), plen
        p += 1 + nb


def _mp_key(data, item):
    _, s, _ = item
    return struct.unpack_from(">HB", data, s)


def _update(data, p, end, asn_len, addpath, head):
    _need(data, p, 2, end)
    wlen = struct.unpack_from(">H", data, p)[0]
    w0, w1 = p + 2, p + 2 + wlen
    _need(data, w1, 2, end)
    alen = struct.unpack_from(">H", data, w1)[0]
    a0, a1 = w1 + 2, w1 + 2 + alen
    _need(data, a0, alen, end)
    a = attributes(data, a0, a1, asn_len)
    out = [("W", *head, 1, 1, x, ln, pid, 0, 0, 0, ()) for pid, x, ln in _prefixes(data, w0, w1, 1, addpath)]
    seen = set()
    for item in sorted((m for m in a["mp"] if m[0] == 15 and m[2] - m[1] >= 3), key=lambda m: _mp_key(data, m)):
        afi, safi = _mp_key(data, item)
        if (afi, safi) in seen:
            continue
        seen.add((afi, safi))
        if afi in (1, 2) and safi in (1, 2, 3):
            out += [("W", *head, afi, safi, x, ln, pid, 0, 0, 1, ()) for pid, x, ln in
                    _prefixes(data, item[1] + 3, item[2], afi, addpath)]
    key = _attr_key(a)
    out += [("A", *head, 1, 1, x, ln, pid, 1, a["next_hop"], 0, key) for pid, x, ln in
            _prefixes(data, a1, end, 1, addpath)]
    seen = set()
    for item in sorted((m for m in a["mp"] if m[0] == 14 and m[2] - m[1] >= 3), key=lambda m: _mp_key(data, m)):
        _, s, e = item
        afi, safi = _mp_key(data, item)
        if (afi, safi) in seen:
            continue
        seen.add((afi, safi))
        if data[s] != 0:
            continue
        nhl = data[s + 3]
        q = s + 4 + nhl
        _need(data, q, 1, e)
        if afi not in (1, 2) or safi not in (1, 2, 3):
            continue
        nh_afi = 1 if nhl == 4 else 2
        nh = _addr(data[s + 4 : s + 4 + min(nhl, 16)], 4 if nh_afi == 1 else 16)
        nsnpa = data[q]
        q += 1
        for _ in range(nsnpa):
            _need(data, q, 1, e)
            q += 1 + data[q]
        out += [("A", *head, afi, safi, x, ln, pid, nh_afi, nh, 1, key) for pid, x, ln in
                _prefixes(data, q, e, afi, addpath)]
    return out


def _rib_next_hop(data, a):
    for t, s, e in a["mp"]:
        if t != 14 or e <= s:
            continue
        if data[s] != 0:
            return 2, _addr(data[s + 1 : s + 1 + min(data[s], e - s - 1, 16)], 16)
        if e - s >= 4 and struct.unpack_from(">HB", data, s) == (2, 1):
            return 2, _addr(data[s + 4 : s + 4 + min(data[s + 3], e - s - 4, 16)], 16)
    return 1, a["next_hop"]


def elements(data: bytes) -> list[tuple]:
    """One tuple per element, see :func:`table_tuples` in the tests for the layout."""
    out: list[tuple] = []
    peers: list[tuple[int, int, int]] | None = None
    p = 0
    while p + 12 <= len(data):
        ts, typ, sub, ln = struct.unpack_from(">IHHI", data, p)
        body, end = p + 12, p + 12 + ln
        if end > len(data):
            break
        nxt = end
        try:
            if typ in (16, 17):
                usec = 0
                if typ == 17:
                    usec = struct.unpack_from(">I", data, body)[0]
                    body += 4
                out += _bgp4mp(data, body, end, sub, ts, usec)
            elif typ == 13 and sub == 1:
                peers = _peer_table(data, body, end)
            elif typ == 13 and sub in (2, 3, 4, 5, 8, 9, 10, 11):
                if peers is None:
                    raise Bad
                out += _rib(data, body, end, sub, ts, peers)
        except (Bad, struct.error, IndexError):
            pass
        p = nxt
    return out


def _bgp4mp(data, p, end, sub, ts, usec):
    if sub in (0, 5):
        asn_len = 2 if sub == 0 else 4
        afi = struct.unpack_from(">H", data, p + 2 * asn_len + 2)[0]
        width = {1: 4, 2: 16}.get(afi)
        if width is None or end - p != 2 * asn_len + 4 + 2 * width + 4:
            raise Bad
        asn = int.from_bytes(data[p : p + asn_len], "big")
        q = p + 2 * asn_len + 4
        peer = _addr(data[q : q + width], width)
        old, new = struct.unpack_from(">HH", data, q + 2 * width)
        return [("STATE", ts, usec, afi, peer, asn, old, new)]
    if sub not in (1, 4, 6, 7, 8, 9, 10, 11):
        return []
    asn_len = 4 if sub in (4, 7, 9, 11) else 2
    afi = struct.unpack_from(">H", data, p + 2 * asn_len + 2)[0]
    width = {1: 4, 2: 16}.get(afi)
    if width is None:
        raise Bad
    q = p + 2 * asn_len + 4
    peer = _addr(data[q : q + width], width)
    asn = int.from_bytes(data[p : p + asn_len], "big")
    m = q + 2 * width
    _need(data, m, 19, end)
    if data[m : m + 16] != b"\xff" * 16:
        raise Bad
    mlen, mtype = struct.unpack_from(">HB", data, m + 16)
    if mlen < 19 or m + mlen > end:
        raise Bad
    if mtype != 2:
        return []
    return _update(data, m + 19, m + mlen, asn_len, sub >= 8, (ts, usec, afi, peer, asn))


def _peer_table(data, p, end):
    vlen = struct.unpack_from(">H", data, p + 4)[0]
    q = p + 6 + vlen
    count = struct.unpack_from(">H", data, q)[0]
    q += 2
    peers = []
    for _ in range(count):
        pt = data[q]
        width = 16 if pt & 1 else 4
        asn_len = 4 if pt & 2 else 2
        _need(data, q, 5 + width + asn_len, end)
        peers.append((2 if pt & 1 else 1, _addr(data[q + 5 : q + 5 + width], width),
                      int.from_bytes(data[q + 5 + width : q + 5 + width + asn_len], "big")))
        q += 5 + width + asn_len
    return peers


def _rib(data, p, end, sub, ts, peers):
    addpath = sub >= 8
    base = sub - 6 if addpath else sub
    afi = 1 if base <= 3 else 2
    safi = 1 if base in (2, 4) else 2
    width = 4 if afi == 1 else 16
    q = p + 4
    plen = data[q]
    nb = (plen + 7) // 8
    if plen > 8 * width:
        raise Bad
    _need(data, q + 1, nb + 2, end)
    prefix = _addr(data[q + 1 : q + 1 + nb], width)
    q += 1 + nb
    count = struct.unpack_from(">H", data, q)[0]
    q += 2
    out = []
    for _ in range(count):
        fixed = 10 if addpath else 6
        _need(data, q, fixed + 2, end)
        idx = struct.unpack_from(">H", data, q)[0]
        if idx >= len(peers):
            raise Bad
        pid = struct.unpack_from(">I", data, q + 6)[0] if addpath else 0
        alen = struct.unpack_from(">H", data, q + fixed)[0]
        q += fixed + 2
        _need(data, q, alen, end)
        a = attributes(data, q, q + alen, 4)
        nh_afi, nh = _rib_next_hop(data, a)
        pafi, pip, pasn = peers[idx]
        out.append(("B", ts, 0, pafi, pip, pasn, afi, safi, prefix, plen, pid, nh_afi, nh, 0, _attr_key(a)))
        q += alen
    return out
