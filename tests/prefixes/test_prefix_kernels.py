"""Every prefix kernel agrees with its slow reference twin (hypothesis), IPv4 and IPv6."""

from __future__ import annotations

import ipaddress

import numpy as np
import pytest
import pytricia
from hypothesis import given, settings
from hypothesis import strategies as st
from prefix_reference import as_set, brute_force_lpm, from_set, merge, prefix_span, split

from splinternet.errors import BadRecords, InputError
from splinternet.sources.address_text import parse_address_tokens
from splinternet.tables.addresses import (
    format_ipv4,
    format_ipv6,
    parse_ipv4,
    parse_ipv6,
    parse_items,
)
from splinternet.tables.prefixes import PrefixTable, RangeSet

MAX4 = (1 << 32) - 1
MAX6 = (1 << 128) - 1


def u64(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.uint64)


# ------------------------------------------------------------------ strategies

# a few anchor networks so that random prefixes nest, touch and repeat
V4_ANCHORS = [0, 0x0A000000, 0x0A010000, 0x0A010200, 0xC0A80000, MAX4, 0x7FFFFFFF, 0x80000000]
V6_ANCHORS = [0, 0x20010DB8 << 96, (0x20010DB8 << 96) | (1 << 64), (1 << 64) - 1, 1 << 64, MAX6, 1 << 127]


@st.composite
def v4_prefixes(draw: st.DrawFn) -> tuple[int, int]:
    length = draw(st.sampled_from([0, 1, 7, 8, 15, 16, 23, 24, 25, 31, 32]) | st.integers(0, 32))
    net = draw(st.sampled_from(V4_ANCHORS) | st.integers(0, MAX4))
    return prefix_span(4, net, length)[0], length


@st.composite
def v6_prefixes(draw: st.DrawFn) -> tuple[int, int]:
    length = draw(st.sampled_from([0, 1, 32, 48, 63, 64, 65, 96, 127, 128]) | st.integers(0, 128))
    net = draw(st.sampled_from(V6_ANCHORS) | st.integers(0, MAX6))
    return prefix_span(6, net, length)[0], length


def queries_for(version: int, prefixes: list[tuple[int, int]], extra: list[int]) -> list[int]:
    """Edges of every prefix (and one past them), plus random addresses."""
    top = MAX4 if version == 4 else MAX6
    out = set(extra) | {0, top}
    for net, length in prefixes:
        s, e = prefix_span(version, net, length)
        out |= {s, e, max(s - 1, 0), min(e + 1, top)}
    return sorted(out)


# ------------------------------------------------------------------ LPM


@settings(max_examples=150, deadline=None)
@given(st.lists(v4_prefixes(), max_size=40), st.lists(st.integers(0, MAX4), max_size=20))
def test_ipv4_lpm_matches_brute_force_and_pytricia(prefixes: list[tuple[int, int]], extra: list[int]) -> None:
    rows = list(range(100, 100 + len(prefixes)))
    table = PrefixTable.from_arrays(np.array([p[0] for p in prefixes], np.uint32),
                                    np.array([p[1] for p in prefixes], np.int16), np.array(rows))
    queries = queries_for(4, prefixes, extra)
    got = table.lookup(np.array(queries, np.uint32)).tolist()
    assert got == brute_force_lpm(prefixes, rows, 4, queries)
    pt = pytricia.PyTricia(32)
    for (net, length), row in zip(prefixes, rows, strict=True):
        pt[f"{ipaddress.IPv4Address(net)}/{length}"] = row
    assert got == [pt.get(str(ipaddress.IPv4Address(q)), -1) for q in queries]


@settings(max_examples=150, deadline=None)
@given(st.lists(v6_prefixes(), max_size=40), st.lists(st.integers(0, MAX6), max_size=20))
def test_ipv6_lpm_matches_brute_force_and_pytricia(prefixes: list[tuple[int, int]], extra: list[int]) -> None:
    rows = list(range(len(prefixes)))
    hi, lo = split([p[0] for p in prefixes])
    table = PrefixTable.from_arrays(v6_hi=u64(hi), v6_lo=u64(lo), v6_length=np.array([p[1] for p in prefixes]))
    queries = queries_for(6, prefixes, extra)
    q_hi, q_lo = split(queries)
    got = table.lookup((u64(q_hi), u64(q_lo))).tolist()
    assert got == brute_force_lpm(prefixes, rows, 6, queries)
    pt = pytricia.PyTricia(128)
    for (net, length), row in zip(prefixes, rows, strict=True):
        pt[f"{ipaddress.IPv6Address(net)}/{length}"] = row
    assert got == [pt.get(str(ipaddress.IPv6Address(q)), -1) for q in queries]


@settings(max_examples=60, deadline=None)
@given(st.lists(v4_prefixes(), max_size=15), st.lists(v6_prefixes(), max_size=15))
def test_covering_text_matches_brute_force(p4: list[tuple[int, int]], p6: list[tuple[int, int]]) -> None:
    texts = [f"{ipaddress.IPv4Address(n)}/{ln}" for n, ln in p4] + [f"{ipaddress.IPv6Address(n)}/{ln}" for n, ln in p6]
    table = PrefixTable.from_strings(texts)
    q4 = queries_for(4, p4, [])
    q6 = queries_for(6, p6, [])
    queries = [str(ipaddress.IPv4Address(q)) for q in q4] + [str(ipaddress.IPv6Address(q)) for q in q6]
    rows = brute_force_lpm(p4, list(range(len(p4))), 4, q4) + brute_force_lpm(
        p6, list(range(len(p4), len(texts))), 6, q6)
    expected = [None if r < 0 else str(ipaddress.ip_network(texts[r])) for r in rows]
    assert table.covering(queries) == expected
    assert table.lookup(queries).tolist() == rows


def test_lpm_edge_cases() -> None:
    table = PrefixTable.from_strings(["0.0.0.0/0", "255.255.255.255/32", "10.0.0.0/8", "10.0.0.0/8", "::/0",
                                      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"])
    assert table.lookup(["0.0.0.0", "255.255.255.255", "255.255.255.254", "10.9.9.9"]).tolist() == [0, 1, 0, 3]
    assert table.lookup(["::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "1::"]).tolist() == [4, 5, 4]
    empty = PrefixTable.from_arrays()
    assert empty.lookup(np.array([1, 2], np.uint32)).tolist() == [-1, -1]
    assert empty.covering(["1.2.3.4", "::1"]) == [None, None]


# ------------------------------------------------------------------ parsing


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, MAX4), max_size=30), st.lists(st.integers(0, MAX6), max_size=30))
def test_parse_and_format_round_trip(v4: list[int], v6: list[int]) -> None:
    text4 = [str(ipaddress.IPv4Address(a)) for a in v4]
    text6 = [ipaddress.IPv6Address(a).exploded if a % 3 == 0 else str(ipaddress.IPv6Address(a)) for a in v6]
    assert parse_ipv4(text4).tolist() == v4
    hi, lo = parse_ipv6(text6)
    assert [(int(h) << 64) | int(w) for h, w in zip(hi, lo, strict=True)] == v6
    assert format_ipv4(np.array(v4, np.uint32)) == text4
    assert format_ipv6(hi, lo) == [str(ipaddress.IPv6Address(a)) for a in v6]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789abcdef:./-", max_size=24))
def test_parser_accepts_exactly_what_ipaddress_accepts(text: str) -> None:
    """A lone address or prefix parses iff the standard library parses it (strict=True)."""
    try:
        ref = ipaddress.ip_network(text, strict=True) if "/" in text else ipaddress.ip_address(text)
    except ValueError:
        ref = None
    if "-" in text or text.startswith(("#", ";")) or not text or (ref is None and _leading_zero_quad(text)):
        return  # ranges and comments are ours; ipaddress refuses leading zeros, we accept them
    parsed = parse_items([text], bad=BadRecords())
    if ref is None:
        assert len(parsed) == 0
    else:
        assert len(parsed) == 1
        start = (int(parsed.start_hi[0]) << 64) | int(parsed.start_lo[0])
        first = ref.network_address if hasattr(ref, "network_address") else ref
        assert start == int(first) and parsed.version[0] == ref.version


def _leading_zero_quad(text: str) -> bool:
    head = text.split("/")[0].split(":")[-1]
    return any(len(o) > 1 and o.startswith("0") for o in head.split("."))


def test_bad_items_name_their_line() -> None:
    with pytest.raises(InputError, match=r"blocks.txt:3: not an IPv4 or IPv6 address: '1.2.3'"):
        parse_items(["10.0.0.0/8", "# comment", "1.2.3"], source="blocks.txt")
    bad = BadRecords()
    parsed = parse_items(b"1.1.1.0/24\n10.0.0.1/8\n::1-::\n::1 - ::5\n1.2.3.4 extra\n", bad=bad)
    assert len(parsed) == 2 and bad.count == 3
    assert parsed.line.tolist() == [1, 4]
    assert parse_items(["10.0.0.1/8"], mask_host_bits=True).start_lo.tolist() == [0x0A000000]


def test_intervals_aligned_to_tokens_mark_the_bad_ones() -> None:
    """Registers read one row per token: a bad or blank token keeps its row, with ok False."""
    tokens = ["10.0.0.0/8", "bad", "", "::1", "1.2.3.4-1.2.3.9"]
    rows = parse_address_tokens(tokens)
    assert len(rows) == 5 and rows.line.tolist() == [1, 2, 3, 4, 5]
    assert rows.ok.tolist() == [True, False, False, True, True]
    assert rows.single.tolist() == [False, False, False, True, False]
    assert rows.version.tolist() == [4, 0, 0, 6, 4] and rows.length.tolist() == [8, -1, -1, 128, -1]
    assert rows.end_lo[4] == 0x01020309 and rows.start_lo[1] == 0
    assert parse_address_tokens(b"1.1.1.1\nx", count=2).ok.tolist() == [True, False]
    assert len(parse_address_tokens([])) == 0


# ------------------------------------------------------------------ RangeSet


@st.composite
def small_intervals(draw: st.DrawFn, base: int) -> list[tuple[int, int]]:
    out = []
    for _ in range(draw(st.integers(0, 8))):
        s = draw(st.integers(0, 120))
        e = s + draw(st.integers(0, 30))
        out.append((base + s, base + e))
    return out


BASES6 = [0, (1 << 64) - 60, MAX6 - 160]
BASES4 = [0, MAX4 - 160, 0x0A000000]


def rangeset(version: int, intervals: list[tuple[int, int]]) -> RangeSet:
    s_hi, s_lo = split([s for s, _ in intervals])
    e_hi, e_lo = split([e for _, e in intervals])
    return RangeSet.from_ranges(version, u64(s_hi), u64(s_lo), u64(e_hi), u64(e_lo))


def intervals_of(rs: RangeSet, version: int) -> list[tuple[int, int]]:
    fam = rs.v4 if version == 4 else rs.v6
    return [((int(a) << 64) | int(b), (int(c) << 64) | int(d))
            for a, b, c, d in zip(fam.s_hi, fam.s_lo, fam.e_hi, fam.e_lo, strict=True)]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([(4, b) for b in BASES4] + [(6, b) for b in BASES6]).flatmap(
    lambda vb: st.tuples(st.just(vb[0]), small_intervals(vb[1]), small_intervals(vb[1]),
                         st.lists(st.integers(vb[1], vb[1] + 160), max_size=20))))
def test_rangeset_algebra_matches_python_sets(case: tuple[int, list, list, list]) -> None:
    version, a_iv, b_iv, queries = case
    a, b = rangeset(version, a_iv), rangeset(version, b_iv)
    sa, sb = as_set(a_iv), as_set(b_iv)
    assert intervals_of(a, version) == merge(a_iv)
    assert intervals_of(a | b, version) == from_set(sa | sb)
    assert intervals_of(a & b, version) == from_set(sa & sb)
    assert intervals_of(a - b, version) == from_set(sa - sb)
    assert intervals_of(b - a, version) == from_set(sb - sa)
    assert a.address_count(version) == len(sa)
    assert a.overlap_count(b, version) == len(sa & sb)
    if version == 4:
        got = a.contains(np.array(queries, np.uint32)).tolist()
    else:
        q_hi, q_lo = split(queries)
        got = a.contains((u64(q_hi), u64(q_lo))).tolist()
    assert got == [q in sa for q in queries]


@settings(max_examples=150, deadline=None)
@given(st.lists(v6_prefixes(), max_size=25), st.lists(v6_prefixes(), max_size=25))
def test_ipv6_counts_beyond_64_bits_are_exact(p: list[tuple[int, int]], q: list[tuple[int, int]]) -> None:
    """Large IPv6 sets: counts and algebra against Python-int interval arithmetic."""

    def build(prefixes: list[tuple[int, int]]) -> tuple[RangeSet, list[tuple[int, int]]]:
        hi, lo = split([n for n, _ in prefixes])
        rs = RangeSet.from_prefixes(6, u64(hi), u64(lo), np.array([ln for _, ln in prefixes], np.int64))
        return rs, merge([prefix_span(6, n, ln) for n, ln in prefixes])

    (a, ia), (b, ib) = build(p), build(q)
    assert intervals_of(a, 6) == ia
    assert a.address_count(6) == sum(e - s + 1 for s, e in ia)
    union = merge(ia + ib)
    assert intervals_of(a | b, 6) == union
    inter = a.overlap_count(b, 6)
    assert inter == sum(e - s + 1 for s, e in ia) + sum(e - s + 1 for s, e in ib) - sum(e - s + 1 for s, e in union)
    assert (a - b).address_count(6) + inter == a.address_count(6)


def test_whole_space_counts() -> None:
    everything = RangeSet.from_strings(["0.0.0.0/0", "::/0"])
    assert everything.address_count(4) == 1 << 32
    assert everything.address_count(6) == 1 << 128
    assert (everything - everything).is_empty()
    parts = RangeSet.from_strings(["::/1", "8000::/1", "0.0.0.0-127.255.255.255", "128.0.0.0/1"])
    assert intervals_of(parts, 6) == [(0, MAX6)] and intervals_of(parts, 4) == [(0, MAX4)]
    counted = RangeSet.from_ipv4_counts(np.array([0x0A000000, 0x0A000100], np.uint32), np.array([256, 768]))
    assert counted.to_strings() == ["10.0.0.0-10.0.3.255"]
