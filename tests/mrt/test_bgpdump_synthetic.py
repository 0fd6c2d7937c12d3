"""Generated MRT streams (every record type and attribute we decode) printed by us and by bgpdump -m."""

from __future__ import annotations

import shutil
import struct
import subprocess

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from splinternet.sources.mrt.bgpdump_format import bgpdump_lines
from splinternet.sources.mrt.reader import parse_mrt_bytes

from .builder import as_path, attr, bgp4mp, mrt_stream, update

pytestmark = pytest.mark.peer
BGPDUMP = shutil.which("bgpdump")
if BGPDUMP is None:
    pytest.skip("needs Debian bgpdump", allow_module_level=True)


def both(data: bytes, tmp_path) -> tuple[list[str], list[str]]:
    path = tmp_path / "gen.mrt"
    path.write_bytes(data)
    theirs = subprocess.run([BGPDUMP, "-m", str(path)], capture_output=True, check=True).stdout.decode()
    table, _, _ = parse_mrt_bytes(np.frombuffer(data, np.uint8))
    return list(bgpdump_lines(table)), theirs.splitlines()


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=mrt_stream(ipv6_next_hop_lengths=(16, 32), shuffle=False))
def test_generated_streams_print_like_bgpdump(data: bytes, tmp_path) -> None:
    ours, theirs = both(data, tmp_path)
    assert ours == theirs


def test_table_dump_v1_ipv6_and_confederations(tmp_path) -> None:
    """TABLE_DUMP v1 IPv6 (absent from the archives here) and confed segments, against bgpdump."""
    attrs = (attr(1, b"\x02") + attr(2, as_path([(3, [65001, 65002]), (2, [3356, 1299]), (4, [7, 8]), (1, [9])], 2))
             + attr(14, bytes([16]) + bytes.fromhex("20010db8000000000000000000000001"), 0x80))
    body = struct.pack(">HH", 0, 7) + bytes.fromhex("20010db8000100000000000000000000") + bytes([48, 1])
    body += struct.pack(">I", 1000) + bytes.fromhex("2001067c02e8002200000000c1000001") + struct.pack(">H", 3356)
    body += struct.pack(">H", len(attrs)) + attrs
    rec = struct.pack(">IHHI", 1_100_000_000, 12, 2, len(body)) + body
    upd = bgp4mp(1_100_000_001, 1, update(attrs=attr(1, b"\x00") + attr(2, as_path([(2, [23456, 5])], 2))
                                          + attr(17, as_path([(2, [196608, 5])], 4), 0xC0) + attr(3, bytes(4)),
                                          nlri=bytes([8, 10])))
    ours, theirs = both(rec + upd, tmp_path)
    assert len(theirs) == 2 and ours == theirs


def test_bgpdump_as4_merge_bug_repeats_first_segment(tmp_path) -> None:
    """Known bgpdump bug (docs/mrt.md): its AS4 merge never advances to AS_PATH's second segment.

    AS_PATH ``{1} 2 3`` (2-byte session) with AS4_PATH ``196608`` keeps two path positions of
    AS_PATH: RFC 6793 gives ``{1} 2 196608``, bgpdump prints ``{1} {1} 196608``.
    """
    from splinternet.sources.mrt.reader import parse_mrt_bytes as parse

    attrs = (attr(1, b"\x00") + attr(2, as_path([(1, [1]), (2, [2, 3])], 2)) + attr(3, bytes([1, 2, 3, 4]))
             + attr(17, as_path([(2, [196608])], 4), 0xC0))
    data = bgp4mp(1_200_000_000, 1, update(attrs=attrs, nlri=bytes([8, 10])))
    ours, theirs = both(data, tmp_path)
    assert theirs == ["BGP4MP|1200000000|A|10.0.0.1|65001|10.0.0.0/8|{1} {1} 196608|IGP|1.2.3.4|0|0||NAG||"]
    assert ours == ["BGP4MP|1200000000|A|10.0.0.1|65001|10.0.0.0/8|{1} 2 196608|IGP|1.2.3.4|0|0||NAG||"]
    table, _, _ = parse(np.frombuffer(data, np.uint8))
    assert table.attrs.as_path(0) == [1, 2, 196608] and table.origin_asn.tolist() == [196608]
