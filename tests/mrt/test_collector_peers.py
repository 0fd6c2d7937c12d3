"""The ASes feeding the route collectors (the ``collectors`` vantage scheme): a slow reference, bgpdump,
and the scheme end to end on the mirror's archives."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from splinternet import api
from splinternet.analysis.country import CountryOrigins, MembershipView, Weighting
from splinternet.analysis.flow_measures import VantageScheme, vantage_weights
from splinternet.analysis.observed import collector_peer_asns
from splinternet.api.providers import collector_asns
from splinternet.errors import DataNotFoundError
from splinternet.sources.mrt import RouteTable, read_mrt
from splinternet.sources.mrt.layout import KIND_ANNOUNCE, KIND_RIB, KIND_WITHDRAW
from splinternet.sources.snapshot import Snapshot
from splinternet.tables.topology import ASGraph

from .test_bgpdump_lines import route_tables

BGPDUMP = shutil.which("bgpdump")
UPDATES = ("data.ris.ripe.net/rrc23/2022.04/updates.20220421.0200.gz",
           "archive.routeviews.org/route-views.sydney/bgpdata/2022.06/UPDATES/updates.20220601.0415.bz2")


def peers_reference(table: RouteTable, share: float) -> set[int]:
    """Row by row: each (peer, prefix, path id)'s last state; full feeds judged on RIB rows when there are any."""
    last: dict[tuple, int] = {}
    for i in range(len(table.kind)):
        if table.kind[i] not in (KIND_ANNOUNCE, KIND_WITHDRAW, KIND_RIB) or table.afi[i] not in (1, 2):
            continue
        key = (int(table.peer_hi[i]), int(table.peer_lo[i]), int(table.peer_asn[i]), int(table.afi[i]),
               int(table.prefix_hi[i]), int(table.prefix_lo[i]), int(table.prefix_len[i]), int(table.path_id[i]))
        if key not in last or table.timestamp[i] >= table.timestamp[last[key]]:
            last[key] = i
    held = [i for i in last.values() if table.kind[i] != KIND_WITHDRAW and table.attr[i] >= 0]
    rib = [i for i in held if table.kind[i] == KIND_RIB]
    judged, floor = (rib, share) if rib else (held, 0.0)
    counts: dict[tuple, int] = {}
    for i in judged:
        peer = (int(table.peer_hi[i]), int(table.peer_lo[i]), int(table.peer_asn[i]))
        counts[peer] = counts.get(peer, 0) + 1
    most = max(counts.values(), default=0)
    return {peer[2] for peer, c in counts.items() if c >= floor * most}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(route_tables(), st.sampled_from([0.0, 0.5, 1.0]))
def test_collector_peers_match_the_reference(table: RouteTable, share: float) -> None:
    asns, details = collector_peer_asns(table, share)
    assert set(asns.tolist()) == peers_reference(table, share)
    assert details["ases"] == len(asns) and np.all(np.diff(asns.astype(np.int64)) > 0)
    assert details["full_feed_peers"] is None or details["judged_from"] == "rib"


def bgpdump_peers(path: str) -> set[int]:
    """Peers whose last line for some prefix announces it, from ``bgpdump -m`` (file order is time order)."""
    last: dict[tuple[str, str, str], str] = {}
    out = subprocess.run([BGPDUMP, "-m", path], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        f = line.split("|")
        if f[2] in ("A", "W", "B"):
            last[(f[3], f[4], f[5])] = f[2]
    return {int(peer_as) for (_, peer_as, _), kind in last.items() if kind != "W"}


@pytest.mark.data
@pytest.mark.skipif(BGPDUMP is None, reason="bgpdump (Debian) is installed by scripts/install-test-peers.sh")
@pytest.mark.parametrize("name", UPDATES)
def test_collector_peers_of_update_files_are_bgpdumps(name: str, shared_file) -> None:
    path = str(shared_file(f"https://{name}"))
    asns, details = collector_peer_asns(read_mrt(path).table)
    assert set(asns.tolist()) == bgpdump_peers(path)
    assert details["judged_from"] == "updates" and details["full_feed_peers"] is None and len(asns) >= 5


def test_collectors_scheme_weighs_foreign_peers_equally() -> None:
    graph = ASGraph.from_links(np.array([1, 1, 2], np.uint32), np.array([2, 3, 4], np.uint32),
                               np.zeros(0, np.uint32), np.zeros(0, np.uint32))
    origins = CountryOrigins(
        cc="XX", view=MembershipView.ADDRESS, weighting=Weighting.IPV4, asns=np.array([4], np.uint32),
        v4_addresses=np.array([256.0]), v6_slash64=np.zeros(1), kmi_v4=np.ones(1), kmi_v6=np.zeros(1),
        weight=np.ones(1), domestic=np.array([4], np.uint32), country_v4=256, country_v6_slash64=0.0,
        routed_v4=256.0, routed_v6_slash64=0.0)
    # AS 99 is not in the graph, AS 4 is domestic: neither is a vantage point
    weights = vantage_weights(graph, origins, ("collectors",), collectors=np.array([1, 4, 99], np.uint32))
    assert dict(zip(graph.asns.tolist(), weights[:, 0].tolist(), strict=True)) == {1: 1.0, 2: 0.0, 3: 0.0, 4: 0.0}
    with pytest.raises(ValueError, match="feeding the route collectors"):
        vantage_weights(graph, origins, ("collectors",))


@pytest.mark.data
def test_collectors_scheme_runs_the_archives_peers(mirror_settings) -> None:
    """``vantage_weights=collectors`` is the run with those peers chosen, says where they came from, reads
    the archive once per snapshot, and keeps the graph-only schemes as its stability variants."""
    snapshot = Snapshot.for_date("2022-04-21T02:04", settings=mirror_settings, prefixes_date="2024-04-06")
    options = api.TransitOptions(vantage_weights=VantageScheme.COLLECTORS, collectors=("rrc23",), max_origins=30,
                                 top=10)
    report = api.transit("UA", None, options=options, snapshot=snapshot)
    about = report.evidence["collector_vantages"]
    assert about["judged_from"] == "updates" and about["mrt_files"][0].endswith("updates.20220421.0200.gz")
    asns, again = collector_asns(snapshot, options)
    assert again is about  # read once for the snapshot
    chosen = api.transit("UA", None, options=replace(options, vantage_weights=VantageScheme.SPACE,
                                                     vantages=tuple(asns.tolist())), snapshot=snapshot)
    assert [(p.asn, p.border_share) for p in report.providers] == [(p.asn, p.border_share) for p in chosen.providers]
    assert report.evidence["vantage_weights"] == "collectors" and "route collectors" in report.summary
    assert any("ris-updates" in str(s) for s in report.sources)
    stable = api.transit("UA", None, options=replace(options, stability=True), snapshot=snapshot)
    names = set(stable.evidence["stability"]["variants"])
    assert {f"vantages: {s.value}" for s in (VantageScheme.ALL, VantageScheme.SPACE, VantageScheme.TRANSIT,
                                              VantageScheme.CONE)} <= names
    assert "vantages: collectors" not in names
    # a collector without archives for the date is left out with a note, the others still count
    both = api.transit("UA", None, options=replace(options, collectors=("rrc23", "route-views.nowhere")),
                       snapshot=snapshot)
    assert any("collector route-views.nowhere left out" in n for n in both.notes)
    assert both.evidence["collector_vantages"]["ases"] == about["ases"]


@pytest.mark.data
def test_collectors_scheme_without_archives_says_so(mirror_settings) -> None:
    snapshot = Snapshot.for_date("2022-04-21T02:04", settings=mirror_settings, prefixes_date="2024-04-06")
    options = api.TransitOptions(vantage_weights=VantageScheme.COLLECTORS, collectors=("route-views.nowhere",),
                                 max_origins=5)
    with pytest.raises(DataNotFoundError, match="MRT archives") as caught:
        api.transit("CU", None, options=options, snapshot=snapshot)
    assert "route-views.nowhere" in str(caught.value)
