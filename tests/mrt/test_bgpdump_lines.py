"""The bgpdump -m line kernel against its slow Python reference (tests/mrt/bgpdump_reference.py), byte for byte.

Tables are generated column by column, not parsed from MRT, so every field takes values
the parser rarely gives: IPv6 addresses made of zero, 0xffff and random groups (every
shortening rule of bgpdump's fmt_ipv6), all four AS path segment types in any order,
well-known communities, absent attributes, signed MED/LOCAL_PREF, ADD-PATH, the LOCAL
subtypes and the TABLE_DUMP_V2 subtypes bgpdump does not print. Runs of elements of one
UPDATE (same everything but the prefix) are generated, and near-copies that differ in one
other column. Chunk sizes from one byte up make the kernel stop and resume at every line
boundary and grow its buffer.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from splinternet.sources.mrt.bgpdump_format import bgpdump_chunks, bgpdump_lines
from splinternet.sources.mrt.table import AttributeTable, RouteTable

from . import bgpdump_reference

U32 = st.integers(0, 2**32 - 1)
GROUP = st.one_of(st.just(0), st.just(0xFFFF), st.just(1), st.integers(0, 0xFFFF))


@st.composite
def words(draw) -> tuple[int, int]:
    """An address as (hi, lo): IPv4 in lo, IPv6 built from groups that hit fmt_ipv6's special cases."""
    shape = draw(st.sampled_from(["v4", "v6", "mapped", "compat", "zero"]))
    if shape == "v4":
        return 0, draw(U32)
    if shape == "mapped":
        return 0, (0xFFFF << 32) | draw(U32)
    if shape == "compat":
        return 0, draw(U32)
    if shape == "zero":
        return 0, draw(st.integers(0, 1))
    groups = draw(st.lists(GROUP, min_size=8, max_size=8))
    value = 0
    for g in groups:
        value = value << 16 | g
    return value >> 64, value & (2**64 - 1)


@st.composite
def attribute_rows(draw, n: int) -> AttributeTable:
    paths, segs, comms, path_off, comm_off = [], [], [], [0], [0]
    for _ in range(n):
        for _ in range(draw(st.integers(0, 4))):
            seg_type = draw(st.sampled_from([1, 2, 3, 4, 2, 2]))
            asns = draw(st.lists(st.one_of(U32, st.integers(1, 70000)), min_size=1, max_size=4))
            paths += asns
            segs += [seg_type | 0x80] + [seg_type] * (len(asns) - 1)
        path_off.append(len(paths))
        comms += draw(st.lists(st.one_of(U32, st.sampled_from([0xFFFFFF01, 0xFFFFFF02, 0xFFFFFF03, 0xFFFFFF04])),
                               max_size=5))
        comm_off.append(len(comms))

    def col(strategy, dtype) -> np.ndarray:
        return np.array(draw(st.lists(strategy, min_size=n, max_size=n)), dtype)

    flag_bits = st.lists(st.sampled_from([3, 4, 5, 7, 13, 31, 34]), max_size=7)
    flags = np.array([sum(1 << b for b in set(draw(flag_bits))) for _ in range(n)], np.uint64)
    return AttributeTable(
        flags=flags, origin=col(st.integers(-1, 2), np.int8), path_status=col(st.sampled_from([0, 2]), np.int8),
        med=col(U32, np.uint32), local_pref=col(U32, np.uint32), aggregator_asn=col(U32, np.uint32),
        aggregator_addr=col(st.one_of(st.just(0xFFFFFFFF), U32), np.uint32),
        next_hop=col(st.one_of(st.just(0xFFFFFFFF), U32), np.uint32), otc=col(U32, np.uint32),
        origin_asn=col(U32, np.uint32), path_offsets=np.array(path_off, np.int64),
        path_asns=np.array(paths, np.uint32), path_segments=np.array(segs, np.uint8),
        community_offsets=np.array(comm_off, np.int64), communities=np.array(comms, np.uint32),
        large_community_offsets=np.zeros(n + 1, np.int64), large_communities=np.zeros(0, np.uint32),
    )


# columns a line shows besides the prefix: one of them differing makes the next line its own
_SHOWN = ("kind", "mrt_type", "mrt_subtype", "timestamp", "microsecond", "peer_afi", "peer_hi", "peer_lo", "peer_asn",
          "local_hi", "local_lo", "local_asn", "afi", "next_hop_afi", "next_hop_hi", "next_hop_lo", "from_mp", "attr")


def _perturb(element: dict[str, int], column: str, n_attrs: int) -> None:
    """Change one column of an element, keeping it a valid table row."""
    if column == "kind":
        element["kind"] = {1: 2, 2: 3, 3: 4, 4: 1}[element["kind"]]
        element["attr"] = max(element["attr"], 0) if element["kind"] in (1, 3) else element["attr"]
    elif column == "attr":
        element["attr"] = (element["attr"] + 1) % n_attrs if element["attr"] >= 0 else -1
    else:
        element[column] ^= 1


@st.composite
def route_tables(draw) -> RouteTable:
    n_attrs = draw(st.integers(1, 6))
    attrs = draw(attribute_rows(n_attrs))
    rows: dict[str, list[int]] = {}
    for _ in range(draw(st.integers(0, 25))):
        mrt_type = draw(st.sampled_from([12, 13, 16, 17]))
        if mrt_type == 13:
            kind, sub = 3, draw(st.integers(2, 12))
        elif mrt_type == 12:
            kind, sub = 3, draw(st.sampled_from([1, 2, 3]))
        else:
            kind, sub = draw(st.sampled_from([1, 2, 4])), draw(st.sampled_from([0, 1, 4, 5, 6, 7, 8, 9, 10, 11]))
        peer, local, prefix, next_hop = draw(words()), draw(words()), draw(words()), draw(words())
        element = {
            "timestamp": draw(st.integers(-2**40, 2**40)), "microsecond": draw(st.one_of(st.integers(0, 999_999), U32)),
            "kind": kind, "mrt_type": mrt_type, "mrt_subtype": sub, "peer_afi": draw(st.sampled_from([1, 2])),
            "peer_hi": peer[0], "peer_lo": peer[1], "peer_asn": draw(U32), "local_hi": local[0],
            "local_lo": local[1], "local_asn": draw(U32), "afi": draw(st.sampled_from([1, 2])),
            "safi": 1, "prefix_hi": prefix[0], "prefix_lo": prefix[1], "prefix_len": draw(st.integers(0, 128)),
            "path_id": draw(U32), "next_hop_afi": draw(st.sampled_from([0, 1, 2])), "next_hop_hi": next_hop[0],
            "next_hop_lo": next_hop[1], "from_mp": draw(st.integers(0, 1)),
            "old_state": draw(st.integers(0, 6)), "new_state": draw(st.integers(0, 6)),
            "attr": draw(st.integers(0, n_attrs - 1)) if kind in (1, 3) else -1, "record_offset": 0,
        }
        copies = [element]
        for _ in range(draw(st.integers(0, 3))):  # more prefixes of the same UPDATE, or nearly the same
            prefix = draw(words())
            copy = {**element, "prefix_hi": prefix[0], "prefix_lo": prefix[1], "path_id": draw(U32),
                    "prefix_len": draw(st.integers(0, 128))}
            changed = draw(st.sampled_from([None, *_SHOWN]))
            if changed is not None:
                _perturb(copy, changed, n_attrs)
            copies.append(copy)
        for row in copies:
            for key, value in row.items():
                rows.setdefault(key, []).append(value)
    names = [f for f in RouteTable.__dataclass_fields__ if f != "attrs"]
    return RouteTable(attrs=attrs, **{k: np.array(rows.get(k, []), _DTYPES.get(k, np.uint8)) for k in names})


def reference_bytes(table: RouteTable) -> bytes:
    return b"".join(line.encode() + b"\n" for line in bgpdump_reference.bgpdump_lines(table))


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(route_tables(), st.sampled_from([1, 100, 600, 2000, 1 << 20]))
def test_kernel_writes_the_reference_bytes(table: RouteTable, chunk_bytes: int) -> None:
    chunks = list(bgpdump_chunks(table, chunk_bytes))
    assert b"".join(chunks) == reference_bytes(table)
    assert all(c.endswith(b"\n") for c in chunks)  # whole lines in every chunk
    assert list(bgpdump_lines(table)) == list(bgpdump_reference.bgpdump_lines(table))


_DTYPES = {"timestamp": np.int64, "record_offset": np.int64, "attr": np.int64, "microsecond": np.uint32,
           "peer_asn": np.uint32, "local_asn": np.uint32, "path_id": np.uint32, "old_state": np.uint16,
           "new_state": np.uint16, **{k: np.uint64 for k in ("peer_hi", "peer_lo", "local_hi", "local_lo", "prefix_hi",
                                                             "prefix_lo", "next_hop_hi", "next_hop_lo")}}


def _announcements(n: int, attrs: AttributeTable) -> RouteTable:
    """``n`` IPv4 BGP4MP_MESSAGE_AS4 announcements of attribute row 0."""
    columns = {f: np.zeros(n, _DTYPES.get(f, np.uint8)) for f in RouteTable.__dataclass_fields__ if f != "attrs"}
    columns["kind"][:], columns["mrt_type"][:], columns["mrt_subtype"][:] = 1, 16, 4
    columns["afi"][:] = columns["peer_afi"][:] = 1
    return RouteTable(attrs=attrs, **columns)


def _one_row(asns: np.ndarray) -> AttributeTable:
    """One attribute row whose AS path is one AS_SEQUENCE of ``asns``."""
    segs = np.full(asns.size, 2, np.uint8)
    segs[:1] |= 0x80
    zero = np.zeros(1, np.uint32)
    return AttributeTable(
        flags=np.zeros(1, np.uint64), origin=np.zeros(1, np.int8), path_status=np.zeros(1, np.int8), med=zero,
        local_pref=zero, aggregator_asn=zero, aggregator_addr=np.full(1, 0xFFFFFFFF, np.uint32), next_hop=zero,
        otc=zero, origin_asn=zero, path_offsets=np.array([0, asns.size], np.int64), path_asns=asns,
        path_segments=segs, community_offsets=np.zeros(2, np.int64), communities=np.zeros(0, np.uint32),
        large_community_offsets=np.zeros(2, np.int64), large_communities=np.zeros(0, np.uint32))


def test_a_line_longer_than_the_chunk_gets_a_chunk_of_its_own() -> None:
    table = _announcements(2, _one_row(np.arange(1, 5001, dtype=np.uint32)))
    chunks = list(bgpdump_chunks(table, 4096))
    assert len(chunks) == 2 and len(chunks[0]) > 4096
    assert b"".join(chunks) == reference_bytes(table)


def test_announcement_pointing_outside_the_attribute_table_is_refused() -> None:
    table = _announcements(1, _one_row(np.array([3356], np.uint32)))
    assert list(bgpdump_lines(table)) == list(bgpdump_reference.bgpdump_lines(table))
    with pytest.raises(ValueError, match="outside the attribute table"):
        list(bgpdump_chunks(replace(table, attr=np.array([1]))))


def test_unknown_segment_type_is_refused() -> None:
    attrs = _one_row(np.array([1, 2], np.uint32))
    with pytest.raises(ValueError, match="segment type"):
        list(bgpdump_chunks(_announcements(1, replace(attrs, path_segments=np.array([0x85, 5], np.uint8)))))
