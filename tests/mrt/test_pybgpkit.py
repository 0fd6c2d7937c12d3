"""Element counts and (type, peer, prefix, AS path) multisets against pybgpkit-parser 0.6.2."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter

import numpy as np
import pytest

from splinternet.sources.mrt import read_mrt
from splinternet.sources.mrt.bgpdump_format import ipv4
from splinternet.sources.mrt.layout import KIND_STATE, KIND_WITHDRAW
from splinternet.sources.mrt.table import RouteTable

from .files import ALL, BVIEW_2000, resolve

pytestmark = [pytest.mark.data, pytest.mark.peer, pytest.mark.slow]
bgpkit = pytest.importorskip("pybgpkit_parser")

# files whose full content multiset is compared (the rest: counts by type)
CONTENT = {"https://data.ris.ripe.net/rrc06/2015.04/updates.20150401.0000.gz",
           "https://archive.routeviews.org/route-views.jinx/bgpdata/2015.04/UPDATES/updates.20150401.0000.bz2",
           "samples/mrt/updates.20161101.0000.bz2", "samples/mrt/rib.20161101.0000_pick.bz2",
           "https://data.ris.ripe.net/rrc23/2022.04/updates.20220421.0200.gz"}


def _addr(afi: int, hi: int, lo: int) -> str:
    return str(ipaddress.ip_address(ipv4(lo) if afi == 1 else (hi << 64) | lo))


def ours(table: RouteTable, with_content: bool) -> tuple[Counter, Counter]:
    keep = np.flatnonzero(table.kind != KIND_STATE)
    t = table.take(keep)
    kinds = np.where(t.kind == KIND_WITHDRAW, "W", "A")
    counts = Counter(kinds.tolist())
    content: Counter = Counter()
    if with_content:
        a = t.attrs
        for k, pafi, phi, plo, afi, xhi, xlo, xlen, row in zip(
                kinds.tolist(), t.peer_afi.tolist(), t.peer_hi.tolist(), t.peer_lo.tolist(), t.afi.tolist(),
                t.prefix_hi.tolist(), t.prefix_lo.tolist(), t.prefix_len.tolist(), t.attr.tolist(), strict=True):
            path = () if row < 0 else tuple(a.as_path(row))
            content[(k, _addr(pafi, phi, plo), f"{_addr(afi, xhi, xlo)}/{xlen}", path)] += 1
    return counts, content


def theirs(path, with_content: bool) -> tuple[Counter, Counter]:
    counts: Counter = Counter()
    content: Counter = Counter()
    for e in bgpkit.Parser(url=str(path)):
        counts[e.elem_type] += 1
        if with_content:
            asns = tuple(int(x) for x in re.findall(r"\d+", e.as_path or "")) if e.elem_type == "A" else ()
            content[(e.elem_type, str(ipaddress.ip_address(e.peer_ip)), str(ipaddress.ip_network(e.prefix, False)),
                     asns)] += 1
    return counts, content


@pytest.mark.parametrize("name", [n for n in ALL if n != BVIEW_2000], ids=lambda n: n.rsplit("/", 1)[-1])
def test_counts_and_paths_equal_pybgpkit(name, shared_file, shared_data_dir) -> None:
    path = resolve(name, shared_file, shared_data_dir)
    with_content = name in CONTENT
    our_counts, our_content = ours(read_mrt(path).table, with_content)
    their_counts, their_content = theirs(path, with_content)
    assert our_counts == their_counts
    assert our_content == their_content


def test_bview_2000_pybgpkit_stops_after_one_entry(shared_file) -> None:
    """Known difference (docs/mrt.md): like bgpdump, pybgpkit yields only the first bundled entry."""
    path = shared_file(BVIEW_2000)
    their_counts, _ = theirs(path, False)
    assert sum(their_counts.values()) < 10
    assert read_mrt(path).stats.rib_entries == 452018
