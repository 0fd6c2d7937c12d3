"""`splinternet ingest`, `query` and `timeline` end to end through the console script and the mirror."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from splinternet.sources.asrel import load_as_relationships

pytestmark = pytest.mark.data

RKN = "samples/registry/rkn"
PFX2AS = "https://publicdata.caida.org/datasets/routing/routeviews-prefix2as/2024/04/routeviews-rv2-20240406.pfx2as.gz"


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "splinternet", *args], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.fixture
def env(mirror_env) -> dict[str, str]:
    return dict(os.environ)


def test_ingest_then_query_json(env, tmp_path) -> None:
    out = tmp_path / "data"
    done = run("ingest", "--collectors", "rrc06,route-views.jinx", "--from", "2015-04-01", "--to", "2015-04-02",
               "--updates", "--workers", "0", "--out", str(out), "--json", env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["planned"] == 2 and len(result["ingested"]) == 2 and result["failed"] == []
    assert (out / "manifest.jsonl").read_text().count("\n") == 2
    q = run("query", "SELECT collector, count(*) AS n FROM updates GROUP BY 1 ORDER BY 1", "--data", str(out),
            "--json", env=env)
    assert q.returncode == 0, q.stderr
    rows = json.loads(q.stdout)["rows"]
    per_file = {r["collector"]: r["elements"] for r in result["ingested"]}
    assert rows == [{"collector": c, "n": per_file[c]} for c in sorted(per_file)]
    text = run("query", "SELECT count(*) AS n FROM ribs", "--data", str(out), env=env)
    assert text.returncode == 0 and " 0 " in text.stdout  # no RIBs ingested: the view exists and is empty
    again = run("ingest", "-c", "rrc06", "--from", "2015-04-01", "--to", "2015-04-02", "-o", str(out), "-w", "0",
                env=env)
    assert again.returncode == 0 and "0 files ingested, 1 already done" in again.stdout


def test_cli_errors_are_one_line(env, tmp_path) -> None:
    bad = run("ingest", "--collectors", "nosuch", "--from", "2015-04-01", "--to", "2015-04-02", "-o",
              str(tmp_path), env=env)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "unknown collector 'nosuch'" in bad.stderr
    sql = run("query", "SELEC 1", "--data", str(tmp_path), env=env)
    assert sql.returncode == 2 and "no Parquet partitions" in sql.stderr and "Traceback" not in sql.stderr
    step = run("timeline", "AM", "--from", "2022-03-01", "--to", "2022-05-01", "--step", "1y", env=env)
    assert step.returncode == 2 and "not a step: '1y'" in step.stderr


def test_country_timeline_collapses_steps_and_events_match_the_data(env, tmp_path, shared_file) -> None:
    plot = tmp_path / "am.png"
    done = run("timeline", "AM", "--from", "2022-03-01", "--to", "2022-05-10", "--step", "1w", "--prefixes-date",
               "2024-04-06", "--threshold", "0.05", "--json", "--plot", str(plot), env=env)
    assert done.returncode == 0, done.stderr
    tl = json.loads(done.stdout)
    assert len(tl["steps"]) == 11  # 2022-03-01, 03-08, ..., 05-03, 05-10
    assert [p["date"] for p in tl["points"]] == ["2022-03-01", "2022-05-01"]
    assert [s["point"] for s in tl["steps"]] == ["2022-03-01"] * 9 + ["2022-05-01"] * 2
    assert any("11 steps fall on 2 distinct releases" in n for n in tl["notes"])
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    border = np.array([[np.nan if v is None else v for v in col] for col in tl["series"]["border_share"]])
    assert border.shape == (len(tl["groups"]), 2) and np.nanmax(border) <= 1
    drops = {(e["asn"], e["measure"]): (e["before"], e["after"]) for e in tl["events"] if e["kind"] == "share_drop"}
    for j, group in enumerate(tl["groups"]):  # every drop over the threshold among the shown groups is an event
        before, after = border[j]
        if before - after > 0.05:
            assert drops[(group["asn"], "border_share")] == pytest.approx((before, after))
        elif (group["asn"], "border_share") in drops:
            pytest.fail(f"event without a drop: {group}")
    graphs = [load_as_relationships(shared_file(p["release"])) for p in tl["points"]]
    lost = [e for e in tl["events"] if e["kind"] == "link_lost"]
    assert lost, "Lumen's and others' exits between 2022-03 and 2022-05 leave at least one lost border link"
    for e in lost:
        rel = "customers_of" if e["relation"] == "provider-customer" else "peers_of"
        assert e["neighbor"] in getattr(graphs[0], rel)(e["asn"]).tolist()
        now = getattr(graphs[1], rel)(e["asn"]).tolist() if graphs[1].index_of(np.array([e["asn"]]))[0] >= 0 else []
        assert e["neighbor"] not in now


def test_blocking_timeline_over_two_registers(env, tmp_path, shared_data_dir, shared_file) -> None:
    plot = tmp_path / "blocked.svg"
    done = run("timeline", "blocking", str(shared_data_dir / RKN / "dump-08-2020-02-16-tail-piece.csv"),
               str(shared_data_dir / RKN / "dump-2016-06-13.csv"), "--dates", "2020-02-16,2016-06-13",
               "--pfx2as", str(shared_file(PFX2AS)), "--cloud", str(shared_data_dir / "samples/cloud/aws-history"),
               "--json", "--plot", str(plot), env=env)
    assert done.returncode == 0, done.stderr
    tl = json.loads(done.stdout)
    assert [p["date"] for p in tl["points"]] == ["2016-06-13", "2020-02-16"]  # put in time order
    assert plot.read_text().lstrip().startswith("<?xml")
    totals = [s["blocked_ipv4"] for s in tl["sources"]]
    assert all(t > 0 for t in totals)
    for j, group in enumerate(tl["groups"]):
        blocked, share = tl["series"]["blocked_ipv4"][j], tl["series"]["share_of_blocked_ipv4"][j]
        assert share == pytest.approx([b / t for b, t in zip(blocked, totals, strict=True)])
        moved = abs(blocked[1] - blocked[0]) / totals[1] > 0.05
        assert moved == any(e["key"] == group["key"] for e in tl["events"])


def test_archive_timeline_text_output(env, tmp_path) -> None:
    out = tmp_path / "data"
    done = run("ingest", "-c", "rrc23", "--from", "2022-04-21", "--to", "2022-05-02", "--updates", "-w", "0",
               "-o", str(out), env=env)
    assert done.returncode == 0, done.stderr
    text = run("timeline", "AM", "--archives", str(out), "--from", "2022-04-21", "--to", "2022-05-01", "--step",
               "10d", "--snapshot-date", "2022-03-01", "--prefixes-date", "2024-04-06", env=env)
    assert text.returncode == 0, text.stderr
    assert "AM border providers observed in archives, 2 steps, 2 distinct points" in text.stdout
    assert "2022-04-21" in text.stdout and "2022-05-01" in text.stdout and "AS" in text.stdout
    assert "weights are distinct routes" in text.stdout
