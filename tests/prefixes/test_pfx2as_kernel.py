"""The pfx2as byte parser and the prefix-bounds kernel agree with plain-Python readings (hypothesis)."""

from __future__ import annotations

import ipaddress

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from splinternet.errors import BadRecords
from splinternet.sources.pfx2as import AS_SET, MOAS, MOAS_AS_SET, SINGLE, parse_pfx2as_bytes
from splinternet.tables.addresses import prefix_bounds

MAX6 = (1 << 128) - 1


@st.composite
def entries(draw: st.DrawFn) -> tuple[str, int, list[list[int]]]:
    """(network text, length, MOAS alternatives each a list of ASNs)."""
    if draw(st.booleans()):
        length = draw(st.integers(0, 32))
        net = ipaddress.IPv4Network((draw(st.integers(0, (1 << 32) - 1)), length), strict=False)
    else:
        length = draw(st.integers(0, 128))
        net = ipaddress.IPv6Network((draw(st.integers(0, MAX6)), length), strict=False)
    groups = draw(st.lists(st.lists(st.integers(0, (1 << 32) - 1), min_size=1, max_size=3), min_size=1, max_size=3))
    return str(net.network_address), length, groups


def reference_kind(groups: list[list[int]]) -> int:
    if len(groups) == 1:
        return SINGLE if len(groups[0]) == 1 else AS_SET
    return MOAS_AS_SET if any(len(g) > 1 for g in groups) else MOAS


@settings(max_examples=150, deadline=None)
@given(st.lists(entries(), min_size=1, max_size=30), st.booleans(),
       st.lists(st.sampled_from(["", "; comment", "# note", "  "]), max_size=3))
def test_pfx2as_parser_matches_python(items: list, pyasn: bool, noise: list[str]) -> None:
    lines = []
    for net, length, groups in items:
        origins = "_".join(",".join(str(a) for a in g) for g in groups)
        lines.append(f"{net}/{length}\t{origins}" if pyasn else f"{net}\t{length}\t{origins}")
    text = "\n".join(noise + lines) + "\n"
    bad = BadRecords(strict=True)
    got = parse_pfx2as_bytes(np.frombuffer(text.encode(), np.uint8), "<test>", bad)
    assert len(got) == len(items) and got.format == ("pyasn" if pyasn else "caida")
    for i, (net, length, groups) in enumerate(items):
        addr = ipaddress.ip_address(net)
        assert int(got.version[i]) == addr.version
        assert (int(got.hi[i]) << 64) | int(got.lo[i]) == int(addr)
        assert int(got.length[i]) == length
        assert got.origins_of(i).tolist() == [a for g in groups for a in g]
        assert int(got.kind[i]) == reference_kind(groups)
        assert got.origin_text(i) == "_".join(",".join(str(a) for a in g) for g in groups)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, MAX6), st.integers(0, 128)), max_size=30),
       st.lists(st.tuples(st.integers(0, (1 << 32) - 1), st.integers(0, 32)), max_size=30))
def test_prefix_bounds_match_ipaddress(p6: list[tuple[int, int]], p4: list[tuple[int, int]]) -> None:
    mask = (1 << 64) - 1
    hi = np.array([v >> 64 for v, _ in p6], np.uint64)
    lo = np.array([v & mask for v, _ in p6], np.uint64)
    s_hi, s_lo, e_hi, e_lo = prefix_bounds(6, hi, lo, np.array([ln for _, ln in p6], np.int64))
    for k, (v, ln) in enumerate(p6):
        net = ipaddress.IPv6Network((v, ln), strict=False)
        assert (int(s_hi[k]) << 64) | int(s_lo[k]) == int(net.network_address)
        assert (int(e_hi[k]) << 64) | int(e_lo[k]) == int(net.broadcast_address)
    s_hi, s_lo, e_hi, e_lo = prefix_bounds(4, np.zeros(len(p4), np.uint64), np.array([v for v, _ in p4], np.uint64),
                                           np.array([ln for _, ln in p4], np.int64))
    for k, (v, ln) in enumerate(p4):
        net = ipaddress.IPv4Network((v, ln), strict=False)
        assert int(s_lo[k]) == int(net.network_address) and int(e_lo[k]) == int(net.broadcast_address)
        assert int(s_hi[k]) == 0 and int(e_hi[k]) == 0
