"""Byte builders for synthetic MRT records (tests only), and hypothesis strategies over them."""

from __future__ import annotations

import struct

from hypothesis import strategies as st


def attr(t: int, value: bytes, flags: int = 0x40) -> bytes:
    if len(value) > 255:
        return struct.pack(">BBH", flags | 0x10, t, len(value)) + value
    return struct.pack(">BBB", flags, t, len(value)) + value


def prefix_bytes(afi: int, value: int, plen: int, path_id: int | None = None) -> bytes:
    width = 4 if afi == 1 else 16
    nb = (plen + 7) // 8
    raw = value.to_bytes(width, "big")[:nb]
    head = b"" if path_id is None else struct.pack(">I", path_id)
    return head + bytes([plen]) + raw


def as_path(segments: list[tuple[int, list[int]]], asn_len: int) -> bytes:
    fmt = ">H" if asn_len == 2 else ">I"
    return b"".join(bytes([t, len(a)]) + b"".join(struct.pack(fmt, x) for x in a) for t, a in segments)


def update(withdrawn: bytes = b"", attrs: bytes = b"", nlri: bytes = b"") -> bytes:
    body = struct.pack(">H", len(withdrawn)) + withdrawn + struct.pack(">H", len(attrs)) + attrs + nlri
    return b"\xff" * 16 + struct.pack(">HB", 19 + len(body), 2) + body


def bgp4mp(ts: int, subtype: int, message: bytes, *, peer: int = 0x0A000001, peer_asn: int = 65001, afi: int = 1,
           et_usec: int | None = None) -> bytes:
    as4 = subtype in (4, 5, 7, 9, 11)
    head = struct.pack(">II" if as4 else ">HH", peer_asn, 65000) + struct.pack(">HH", 0, afi)
    width = 4 if afi == 1 else 16
    body = head + peer.to_bytes(width, "big") + (1).to_bytes(width, "big") + message
    mrt_type = 16
    if et_usec is not None:
        body = struct.pack(">I", et_usec) + body
        mrt_type = 17
    return struct.pack(">IHHI", ts, mrt_type, subtype, len(body)) + body


def state_change(ts: int, old: int, new: int, *, peer: int = 0x0A000001, peer_asn: int = 65001, afi: int = 1,
                 as4: bool = True) -> bytes:
    head = struct.pack(">II" if as4 else ">HH", peer_asn, 65000) + struct.pack(">HH", 0, afi)
    width = 4 if afi == 1 else 16
    body = head + peer.to_bytes(width, "big") + (1).to_bytes(width, "big") + struct.pack(">HH", old, new)
    return struct.pack(">IHHI", ts, 16, 5 if as4 else 0, len(body)) + body


def peer_table(peers: list[tuple[int, int, int]]) -> bytes:
    body = struct.pack(">IH", 0x01020304, 0) + struct.pack(">H", len(peers))
    for afi, ip, asn in peers:
        body += bytes([(1 if afi == 2 else 0) | 2]) + struct.pack(">I", 1) + ip.to_bytes(4 if afi == 1 else 16, "big")
        body += struct.pack(">I", asn)
    return struct.pack(">IHHI", 1000, 13, 1, len(body)) + body


def rib_record(ts: int, subtype: int, seq: int, afi: int, value: int, plen: int,
               entries: list[tuple[int, int, bytes]]) -> bytes:
    """entries: (peer index, path id, attribute bytes)."""
    addpath = subtype >= 8
    body = struct.pack(">I", seq) + prefix_bytes(afi, value, plen) + struct.pack(">H", len(entries))
    for idx, pid, attrs in entries:
        body += struct.pack(">HI", idx, ts) + (struct.pack(">I", pid) if addpath else b"")
        body += struct.pack(">H", len(attrs)) + attrs
    return struct.pack(">IHHI", ts, 13, subtype, len(body)) + body


# ------------------------------------------------------------------ strategies
asn16 = st.integers(1, 65535)
asn32 = st.integers(1, 2**32 - 1)


@st.composite
def prefixes(draw, afi: int):
    plen = draw(st.integers(0, 32 if afi == 1 else 128))
    value = draw(st.integers(0, 2 ** (32 if afi == 1 else 128) - 1))
    return value, plen


@st.composite
def segments(draw, asn):
    return draw(st.lists(st.tuples(st.sampled_from([1, 2, 2, 2, 3, 4]), st.lists(asn, min_size=1, max_size=5)),
                         min_size=0, max_size=4))


@st.composite
def attribute_block(draw, asn_len: int, shuffle: bool = True):
    """Path attributes in random combinations; ``shuffle=False`` keeps type order and, when an AS4_PATH is
    present, a one-segment AS_PATH (bgpdump repeats the first segment otherwise, see docs/mrt.md)."""
    asn = asn16 if asn_len == 2 else asn32
    parts = []
    if draw(st.booleans()):
        parts.append(attr(1, bytes([draw(st.integers(0, 2))])))
    with_as4 = asn_len == 2 and draw(st.booleans())
    if draw(st.booleans()):
        segs = draw(segments(asn))
        if with_as4 and not shuffle:
            segs = [(2, [a for _, seg in segs for a in seg])] if segs else []
        parts.append(attr(2, as_path(segs, asn_len)))
    if with_as4:
        parts.append(attr(17, as_path(draw(segments(asn32)), 4), 0xC0))
    if draw(st.booleans()):
        parts.append(attr(3, struct.pack(">I", draw(st.integers(0, 2**32 - 1)))))
    for t in (4, 5, 35):
        if draw(st.booleans()):
            parts.append(attr(t, struct.pack(">I", draw(st.integers(0, 2**32 - 1)))))
    if draw(st.booleans()):
        parts.append(attr(6, b""))
    if draw(st.booleans()):
        agg = draw(asn16 if asn_len == 2 else asn32)
        if asn_len == 2 and draw(st.booleans()):
            agg = 23456
        parts.append(attr(7, agg.to_bytes(asn_len, "big") + struct.pack(">I", draw(st.integers(0, 2**32 - 2)))))
    if asn_len == 2 and draw(st.booleans()):
        parts.append(attr(18, struct.pack(">II", draw(asn32), draw(st.integers(0, 2**32 - 2))), 0xC0))
    if draw(st.booleans()):
        vals = draw(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=6))
        parts.append(attr(8, b"".join(struct.pack(">I", v) for v in vals), 0xC0))
    if draw(st.booleans()):
        vals = draw(st.lists(st.integers(0, 2**32 - 1), max_size=6).map(lambda v: v[: len(v) // 3 * 3]))
        parts.append(attr(32, b"".join(struct.pack(">I", v) for v in vals), 0xC0))
    if shuffle:  # bgpdump aborts on AS4_AGGREGATOR before AGGREGATOR (an assert), so its oracle test keeps order
        draw(st.randoms()).shuffle(parts)
    else:
        parts.sort(key=lambda a: a[1])
    return b"".join(parts)


@st.composite
def update_record(draw, ts: int, ipv6_next_hop_lengths=(4, 16, 32), shuffle: bool = True):
    subtype = draw(st.sampled_from([1, 4, 6, 7, 8, 9, 10, 11]))
    asn_len = 4 if subtype in (4, 7, 9, 11) else 2
    addpath = subtype >= 8
    peer_afi = draw(st.sampled_from([1, 2]))

    def plist(afi: int, n: int) -> bytes:
        out = b""
        for _ in range(n):
            value, plen = draw(prefixes(afi))
            out += prefix_bytes(afi, value, plen, draw(st.integers(0, 2**32 - 1)) if addpath else None)
        return out

    withdrawn = plist(1, draw(st.integers(0, 3)))
    attrs = draw(attribute_block(asn_len, shuffle))
    if draw(st.booleans()):  # MP_UNREACH for IPv6
        attrs += attr(15, struct.pack(">HB", 2, 1) + plist(2, draw(st.integers(0, 3))), 0x80)
    if draw(st.booleans()):  # MP_REACH for IPv6 or IPv4 multicast
        afi, safi = draw(st.sampled_from([(2, 1), (1, 2), (2, 2)]))
        nh = draw(st.sampled_from(ipv6_next_hop_lengths)) if afi == 2 else 4
        nh_bytes = draw(st.binary(min_size=nh, max_size=nh))
        attrs += attr(14, struct.pack(">HBB", afi, safi, nh) + nh_bytes + b"\x00" + plist(afi, draw(
            st.integers(0, 3))), 0x80)
    nlri = plist(1, draw(st.integers(0, 3)))
    width = 32 if peer_afi == 1 else 128
    peer = draw(st.integers(0, 2**width - 1))
    usec = draw(st.none() | st.integers(0, 999999))
    return bgp4mp(ts, subtype, update(withdrawn, attrs, nlri), peer=peer,
                  peer_asn=draw(asn16 if asn_len == 2 else asn32), afi=peer_afi, et_usec=usec)


@st.composite
def mrt_stream(draw, ipv6_next_hop_lengths=(4, 16, 32), shuffle: bool = True):
    """A few records: BGP4MP updates, state changes, and a TABLE_DUMP_V2 peer table with RIB records."""
    out = b""
    ts = 1_600_000_000
    n_peers = draw(st.integers(1, 3))
    peers = [(draw(st.sampled_from([1, 2])), draw(st.integers(0, 2**32 - 1)), draw(asn32)) for _ in range(n_peers)]
    peers = [(afi, ip if afi == 1 else ip << 96, asn) for afi, ip, asn in peers]
    if draw(st.booleans()):
        out += peer_table(peers)
        for _ in range(draw(st.integers(0, 3))):
            subtype = draw(st.sampled_from([2, 3, 4, 5, 8, 10]))
            afi = 1 if subtype in (2, 3, 8) else 2
            value, plen = draw(prefixes(afi))
            entries = [(draw(st.integers(0, n_peers - 1)), draw(st.integers(0, 9)), draw(attribute_block(4, shuffle)))
                       for _ in range(draw(st.integers(0, 3)))]
            out += rib_record(ts, subtype, 0, afi, value, plen, entries)
    for _ in range(draw(st.integers(0, 6))):
        ts += draw(st.integers(0, 5))
        if draw(st.integers(0, 4)) == 0:
            afi = draw(st.sampled_from([1, 2]))
            out += state_change(ts, draw(st.integers(1, 6)), draw(st.integers(1, 6)), afi=afi,
                                peer=draw(st.integers(0, 2 ** (32 if afi == 1 else 128) - 1)),
                                as4=draw(st.booleans()))
        else:
            out += draw(update_record(ts, ipv6_next_hop_lengths, shuffle))
    return out
