"""rebuild_rib against a slow dict replay, on real files; Parquet round trip; the mrt CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from splinternet.sources.mrt import ElementKind, RouteTable, read_mrt
from splinternet.sources.mrt.bgpdump_format import bgpdump_lines
from splinternet.sources.mrt.rib import ESTABLISHED, rebuild_rib, replay
from splinternet.sources.mrt.table import concat_tables

from .files import TRUNCATED
from .test_kernel_reference import table_tuples

pytestmark = pytest.mark.data
RRC23_A = "https://data.ris.ripe.net/rrc23/2022.04/updates.20220421.0200.gz"
RRC23_B = "https://data.ris.ripe.net/rrc23/2022.05/updates.20220501.2305.gz"
RIB_PICK = "samples/mrt/rib.20161101.0000_pick.bz2"
UPD_2016 = "samples/mrt/updates.20161101.0000.bz2"


def reference_replay(events: RouteTable, at: int | None) -> Counter:
    """Obvious replay: a dict per (peer, prefix, path id), events in time order."""
    order = sorted(range(len(events)), key=lambda i: (int(events.timestamp[i]), int(events.microsecond[i])))
    state: dict[tuple, int] = {}
    for i in order:
        if at is not None and events.timestamp[i] > at:
            continue
        peer = (int(events.peer_afi[i]), int(events.peer_hi[i]), int(events.peer_lo[i]), int(events.peer_asn[i]))
        kind = int(events.kind[i])
        if kind == ElementKind.STATE:
            if events.old_state[i] == ESTABLISHED and events.new_state[i] != ESTABLISHED:
                state = {k: v for k, v in state.items() if k[0] != peer}
            continue
        key = (peer, int(events.afi[i]), int(events.prefix_hi[i]), int(events.prefix_lo[i]),
               int(events.prefix_len[i]), int(events.path_id[i]))
        if kind in (ElementKind.ANNOUNCE, ElementKind.RIB):
            state[key] = i
        else:
            state.pop(key, None)
    survivors = events.take(np.array(sorted(state.values()), dtype=np.int64))
    return Counter(table_tuples(survivors))


def test_rebuild_rib_equals_reference(shared_data_dir) -> None:
    rib, upd = shared_data_dir / RIB_PICK, shared_data_dir / UPD_2016
    events = concat_tables([read_mrt(rib).table, read_mrt(upd).table])
    for at in (None, 1477958400 + 120, 1477958400):
        got = rebuild_rib(rib, [upd], at)
        assert Counter(table_tuples(got)) == reference_replay(events, at)
    assert len(rebuild_rib(rib, [upd], 1477958400)) == 4  # the RIB alone at its own time


def test_replay_of_update_files_with_session_changes_equals_reference(shared_file) -> None:
    events = concat_tables([read_mrt(shared_file(RRC23_A)).table, read_mrt(shared_file(RRC23_B)).table])
    downs = (events.kind == ElementKind.STATE) & (events.old_state == ESTABLISHED) & (events.new_state != ESTABLISHED)
    assert downs.any()  # the files really exercise the session-down rule
    t0 = int(events.timestamp.min())
    for at in (t0 + 150, None):
        got = replay(events, at)
        assert Counter(table_tuples(got)) == reference_replay(events, at)


def test_parquet_round_trip(shared_file, tmp_path) -> None:
    table = read_mrt(shared_file(RRC23_A)).table
    out = tmp_path / "t.parquet"
    table.to_parquet(out)
    back = RouteTable.from_parquet(out)
    assert table_tuples(back) == table_tuples(table)
    assert list(bgpdump_lines(back)) == list(bgpdump_lines(table))
    assert not list(tmp_path.glob("*.part"))


def run(*args: str):
    """The mrt sub-app in this process (no interpreter start-up per call)."""
    from typer.testing import CliRunner

    from splinternet.cli.app import app

    return CliRunner().invoke(app, ["mrt", *args])


def test_cli_dump_stats_rib(shared_data_dir, shared_file, tmp_path) -> None:
    small = shared_file("https://data.ris.ripe.net/rrc06/2015.04/updates.20150401.0000.gz")
    out = run("dump", str(small))
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines() == list(bgpdump_lines(read_mrt(small).table))
    js = json.loads(run("dump", "--json", str(small)).stdout)
    assert js["lines"] == out.stdout.splitlines()
    stats = json.loads(run("stats", "--json", str(small)).stdout)
    assert stats["elements"] == 1561 and stats["bad_records"]["count"] == 0 and stats["state_changes"] > 0
    assert stats["bad_records"]["files"] == [{"path": str(small), "records": stats["records"], "bad": 0, "repeats": 0,
                                              "share": 0.0, "examples": []}]
    assert stats["prefixes_ipv4"] > 0 and stats["prefixes_ipv6"] > 0 and stats["peers"] > 1
    pq = tmp_path / "rib.parquet"
    rib = json.loads(run("rib", str(shared_data_dir / RIB_PICK), str(shared_data_dir / UPD_2016), "--at",
                         "2016-11-01T00:02:00", "--parquet", str(pq), "--json").stdout)
    expected = rebuild_rib(shared_data_dir / RIB_PICK, [shared_data_dir / UPD_2016], 1477958400 + 120)
    assert rib["routes"] == len(expected) == len(RouteTable.from_parquet(pq))
    # bad records in the shape of every other command's (BadRecords.summary), one entry per file read
    assert set(rib["bad_records"]) == set(js["bad_records"]) == {"count", "repeats", "examples", "files"}
    assert rib["bad_records"]["count"] == 0
    assert [f["path"] for f in rib["bad_records"]["files"]] == [str(shared_data_dir / RIB_PICK),
                                                                str(shared_data_dir / UPD_2016)]
    bad = subprocess.run([sys.executable, "-m", "splinternet", "mrt", "stats", str(tmp_path / "missing.mrt")],
                         capture_output=True, text=True, env=dict(os.environ), timeout=180)
    assert bad.returncode == 2 and "file not found" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_rib_counts_the_damage_of_a_cut_rib_by_file(shared_data_dir) -> None:
    path = shared_data_dir / TRUNCATED[1]
    out = run("rib", str(path), "--json")
    assert out.exit_code == 0, out.output
    bad = json.loads(out.stdout)["bad_records"]
    read = read_mrt(path)
    assert bad["count"] == read.bad.count >= 2  # the cut stream, then the cut record
    [damage] = bad["files"]
    assert damage["path"] == str(path) and damage["bad"] == read.bad.count and damage["records"] == read.stats.records
    assert damage["examples"][0]["problem"].startswith("bzip2 stream ends before its end-of-stream marker: the file "
                                                       "is truncated")
