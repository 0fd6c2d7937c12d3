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
    window = run("ingest", "-c", "rrc06", "--from", "2015-04-02", "--to", "2015-04-01", "-o", str(tmp_path), env=env)
    assert window.returncode == 2 and "its end must come after its start (--from, --to)" in window.stderr
    sql = run("query", "SELEC 1", "--data", str(tmp_path), env=env)
    assert sql.returncode == 2 and "no Parquet partitions" in sql.stderr and "Traceback" not in sql.stderr
    step = run("timeline", "AM", "--from", "2022-03-01", "--to", "2022-05-01", "--step", "1y", env=env)
    assert step.returncode == 2 and "not a step: '1y'" in step.stderr


@pytest.mark.slow
def test_country_timeline_collapses_steps_and_events_match_the_data(env, tmp_path, shared_file) -> None:
    plot = tmp_path / "am.png"
    done = run("timeline", "AM", "--from", "2022-03-01", "--to", "2022-05-10", "--step", "1w", "--prefixes-date",
               "2024-04-06", "--threshold", "0.05", "--json", "--plot", str(plot), env=env)
    assert done.returncode == 0, done.stderr
    tl = json.loads(done.stdout)
    assert len(tl["steps"]) == 11  # 2022-03-01, 03-08, ..., 05-03, 05-10
    points = [p["date"] for p in tl["points"]]  # the monthly releases in force; the mirror may hold more months
    assert points[0] == "2022-03-01" and points[-1] == "2022-05-01" and points == sorted(set(points))
    for step in tl["steps"]:
        assert step["point"] == max(p for p in points if p <= step["step"])
    assert any(f"11 steps fall on {len(points)} distinct releases" in n for n in tl["notes"])
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    border = np.array([[np.nan if v is None else v for v in col] for col in tl["series"]["border_share"]])
    assert border.shape == (len(tl["groups"]), len(points)) and np.nanmax(border) <= 1
    drops = {(e["asn"], e["measure"], e["time"]): (e["before"], e["after"])
             for e in tl["events"] if e["kind"] == "share_drop"}
    for j, group in enumerate(tl["groups"]):  # every drop over the threshold among the shown groups is an event
        for r in range(1, len(points)):
            before, after = border[j, r - 1], border[j, r]
            key = (group["asn"], "border_share", points[r])
            if before - after > 0.05:
                assert drops[key] == pytest.approx((before, after))
            elif key in drops:
                pytest.fail(f"event without a drop: {group} at {points[r]}")
    graphs = [load_as_relationships(shared_file(p["release"])) for p in tl["points"]]
    lost = [e for e in tl["events"] if e["kind"] == "link_lost"]
    assert lost, "Lumen's and others' exits between 2022-03 and 2022-05 leave at least one lost border link"
    for e in lost:
        now = points.index(e["time"])
        assert points.index(e["previous"]) == now - 1
        rel = "customers_of" if e["relation"] == "provider-customer" else "peers_of"
        assert e["neighbor"] in getattr(graphs[now - 1], rel)(e["asn"]).tolist()
        present = graphs[now].index_of(np.array([e["asn"]]))[0] >= 0
        assert e["neighbor"] not in (getattr(graphs[now], rel)(e["asn"]).tolist() if present else [])
