"""Ingest of every real MRT file in the mirror: in-process vs a local Dask cluster of 2 workers,
resume after a crash, never trusting half-written files, and element counts against bgpdump."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import cloudpickle
import pyarrow.parquet as pq
import pytest

from splinternet.errors import InputError, ParameterError
from splinternet.ingest import IngestFailed, Manifest, plan_ingest, run_ingest, run_query
from splinternet.ingest.plan import IngestTask
from splinternet.ingest.worker import ingest_file

from . import crash

pytestmark = pytest.mark.data

COLLECTORS = "rrc00,rrc01,rrc06,rrc15,rrc23,route-views.sydney,route-views.jinx"


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cloudpickle.register_pickle_by_value(crash)  # the crash helpers travel to the workers by value
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c
    cloudpickle.unregister_pickle_by_value(crash)


@pytest.fixture(scope="module")
def plan(mirror_settings):
    return plan_ingest(COLLECTORS, "2000-01-01", "2025-01-01", settings=mirror_settings)


@pytest.fixture(scope="module")
def serial(plan, mirror_settings, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    return out, run_ingest(plan, out, workers=0, settings=mirror_settings)


@pytest.fixture(scope="module")
def parallel(plan, mirror_settings, tmp_path_factory, client):
    out = tmp_path_factory.mktemp("dask")
    return out, run_ingest(plan, out, client=client, settings=mirror_settings)


def _parquet_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet"))


def _same_contents(a: Path, b: Path) -> None:
    files = _parquet_files(a)
    assert files == _parquet_files(b)
    for name in files:
        assert pq.read_table(a / name).equals(pq.read_table(b / name)), name


def test_every_mirror_file_is_planned_and_ingested(plan, serial) -> None:
    out, result = serial
    assert len(plan) == 9  # every MRT file of the mirror whose URL is known
    assert result.failed == () and len(result.ingested) == 9 and result.skipped == ()
    manifest = Manifest(out)
    for task in plan.tasks:
        record = manifest.records[task.url]
        assert record.output == task.output and manifest.is_done(task.url)
        assert pq.read_metadata(out / record.output).num_rows == record.elements
    assert result.elements == sum(r.elements for r in manifest.records.values())


def test_dask_two_workers_equal_single_process(serial, parallel) -> None:
    (a, ra), (b, rb) = serial, parallel
    assert rb.executor.startswith("dask") and ra.executor == "in-process"
    _same_contents(a, b)
    key = lambda r: (r.url, r.sha256, r.elements, r.output, r.output_sha256)  # noqa: E731
    assert sorted(map(key, ra.ingested)) == sorted(map(key, rb.ingested))


def test_second_run_skips_everything(plan, parallel, mirror_settings) -> None:
    out, _ = parallel
    again = run_ingest(plan, out, workers=0, settings=mirror_settings)
    assert again.ingested == () and len(again.skipped) == len(plan)


@pytest.mark.peer
def test_update_counts_equal_bgpdump(plan, serial, shared_file) -> None:
    """Announcements and withdrawals per update file equal the A and W lines of bgpdump -m."""
    if shutil.which("bgpdump") is None:
        pytest.skip("bgpdump is not installed")
    out, _ = serial
    q = run_query("SELECT filename AS f, kind, count(*) AS n "
                  "FROM read_parquet('" + str(out) + "/updates/*/*/*.parquet', filename = true) "
                  "WHERE kind IN (1, 2) GROUP BY ALL", out)
    ours = {(str(Path(f).relative_to(out)), int(k)): int(n)
            for f, k, n in zip(q.data["f"], q.data["kind"], q.data["n"], strict=True)}
    for task in plan.tasks:
        if task.kind != "updates":
            continue
        lines = subprocess.run(["bgpdump", "-m", str(shared_file(task.url))], capture_output=True,
                               check=True).stdout.decode().splitlines()
        counts = Counter(line.split("|")[2] for line in lines)
        name = task.output
        assert (ours.get((name, 1), 0), ours.get((name, 2), 0)) == (counts["A"], counts["W"]), task.url


def test_crash_on_third_file_then_resume_in_process(plan, serial, mirror_settings, tmp_path) -> None:
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_ingest(plan, tmp_path, workers=0, settings=mirror_settings, function=crash.crash_on(plan.tasks[2].url))
    manifest = Manifest(tmp_path)
    assert sorted(manifest.records) == sorted(t.url for t in plan.tasks[:2])
    resumed = run_ingest(plan, tmp_path, workers=0, settings=mirror_settings)
    assert sorted(resumed.skipped) == sorted(t.url for t in plan.tasks[:2])
    assert sorted(r.url for r in resumed.ingested) == sorted(t.url for t in plan.tasks[2:])
    _same_contents(serial[0], tmp_path)


def test_crash_on_a_dask_worker_then_resume(plan, serial, mirror_settings, tmp_path, client) -> None:
    victim = plan.tasks[4].url
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_ingest(plan, tmp_path, client=client, settings=mirror_settings, function=crash.crash_on(victim))
    recorded = set(Manifest(tmp_path).records)
    assert victim not in recorded
    for url in recorded:  # whatever was recorded is complete and intact
        assert Manifest(tmp_path).is_done(url)
    resumed = run_ingest(plan, tmp_path, client=client, settings=mirror_settings)
    assert set(resumed.skipped) == recorded
    assert {r.url for r in resumed.ingested} == {t.url for t in plan.tasks} - recorded
    _same_contents(serial[0], tmp_path)


def test_half_written_and_damaged_outputs_are_not_trusted(plan, serial, mirror_settings, tmp_path) -> None:
    small = [t for t in plan.tasks if t.collector in ("rrc06", "route-views.jinx", "rrc15")]
    sub = type(plan)(plan.collectors, plan.kinds, plan.start, plan.end, tuple(small))
    run_ingest(sub, tmp_path, workers=0, settings=mirror_settings)
    first, second, third = small
    # a crash mid-write leaves a temp file, and a file of a run killed before the manifest line
    stale = tmp_path / first.partition / f".{Path(first.output).name}.abc123.part"  # atomic_write naming
    stale.write_bytes(b"PAR1 half")
    manifest = Manifest(tmp_path)
    del manifest.records[second.url]
    manifest._write()
    (tmp_path / second.output).write_bytes(b"PAR1 not a whole file")
    # a recorded file cut short afterwards
    target = tmp_path / third.output
    target.write_bytes(target.read_bytes()[:1000])
    resumed = run_ingest(sub, tmp_path, workers=0, settings=mirror_settings)
    assert {r.url for r in resumed.ingested} == {second.url, third.url}
    assert resumed.skipped == (first.url,)
    assert not stale.exists()
    for task in small:
        assert pq.read_table(tmp_path / task.output).equals(pq.read_table(serial[0] / task.output))


def test_strict_mode_stops_at_a_failed_file_and_default_counts_it(plan, mirror_settings, tmp_path) -> None:
    task = next(t for t in plan.tasks if t.collector == "rrc06")
    missing = IngestTask(task.collector, task.kind, task.dataset, task.url.replace("0000.gz", "0001.gz"),
                         task.released)
    sub = type(plan)(plan.collectors, plan.kinds, plan.start, plan.end, (task, missing))
    result = run_ingest(sub, tmp_path, workers=0, settings=mirror_settings)
    assert [r.url for r in result.ingested] == [task.url]
    assert [f.url for f in result.failed] == [missing.url] and "updates.20150401.0001.gz" in result.failed[0].error
    assert missing.url not in Manifest(tmp_path).records
    with pytest.raises(IngestFailed, match="updates.20150401.0001.gz"):
        run_ingest(sub, tmp_path / "strict", workers=0, settings=mirror_settings, strict=True)


def test_query_views_partitions_and_prefix_text(serial) -> None:
    import ipaddress

    out, _ = serial
    q = run_query("SELECT collector, CAST(date AS VARCHAR) AS day, count(*) AS n FROM updates GROUP BY ALL "
                  "ORDER BY ALL", out)
    manifest = Manifest(out)
    expected: Counter[tuple[str, str]] = Counter()
    for r in manifest.records.values():
        if r.kind == "updates":
            expected[(r.collector, r.date)] += r.elements
    assert {(c, d): int(n) for c, d, n in zip(q.data["collector"], q.data["day"], q.data["n"], strict=True)} == \
        dict(expected)
    rows = run_query("SELECT afi, prefix_hi, prefix_lo, prefix_len, prefix_text(afi, prefix_hi, prefix_lo, prefix_len)"
                     " AS p FROM updates WHERE kind = 1 AND collector = 'rrc23' USING SAMPLE 300 ROWS", out).records()
    assert {r["afi"] for r in rows} == {1, 2}
    for r in rows:
        if r["afi"] == 1:
            text = f"{ipaddress.IPv4Address(r['prefix_lo'])}/{r['prefix_len']}"
            assert r["p"] == text
        else:
            value = (r["prefix_hi"] << 64) | r["prefix_lo"]
            assert ipaddress.IPv6Address(r["p"].split("/")[0]) == ipaddress.IPv6Address(value)
    ribs = run_query("SELECT count(*) AS n FROM ribs", out).records()[0]["n"]
    assert ribs == manifest.records["https://data.ris.ripe.net/rrc00/2000.01/bview.20000111.0032.gz"].elements


def test_query_errors_are_one_clear_line(serial, tmp_path) -> None:
    out, _ = serial
    with pytest.raises(ParameterError, match="query failed: .*nosuch"):
        run_query("SELECT nosuch FROM updates", out)
    with pytest.raises(InputError, match="no Parquet partitions"):
        run_query("SELECT 1", tmp_path)
    with pytest.raises(InputError, match="no such directory"):
        run_query("SELECT 1", tmp_path / "absent")


def test_manifest_ignores_an_append_cut_by_a_crash(serial, tmp_path) -> None:
    out, _ = serial
    lines = (out / "manifest.jsonl").read_text().splitlines(keepends=True)
    (tmp_path / "manifest.jsonl").write_text("".join(lines[:3]) + lines[3][:40])  # no newline: torn append
    manifest = Manifest(tmp_path)
    assert len(manifest.records) == 3 and json.loads(lines[3])["url"] not in manifest.records
    assert (tmp_path / "manifest.jsonl").read_text().count("\n") == 3  # compacted on open


def test_manifest_with_a_bad_line_names_it(tmp_path) -> None:
    (tmp_path / "manifest.jsonl").write_text(json.dumps({"url": "x"}) + "\n{not json\n")
    with pytest.raises(InputError, match=r"manifest.jsonl:1: not a manifest record"):
        Manifest(tmp_path)


def test_ingest_file_reports_library_errors_as_values(mirror_settings, tmp_path) -> None:
    bad = IngestTask("rrc06", "updates", "ris-updates", "https://data.ris.ripe.net/rrc06/2015.04/nope.gz",
                     __import__("datetime").datetime(2015, 4, 1))
    failure = ingest_file(bad, str(tmp_path), mirror_settings, False)
    assert failure.code == "not_found" and "nope.gz" in failure.error


@pytest.mark.parametrize("damage", ["cut", "empty", "bit flip"])
def test_damaged_or_empty_file_is_not_done_and_resume_retries_it(plan, serial, shared_data_dir, tmp_path,
                                                                  damage) -> None:
    """A cut, empty or corrupt archive fails (with what it still held), is not recorded, and the next run,
    once the source is whole again, ingests it."""
    import dataclasses

    from splinternet.config import Settings

    task = next(t for t in plan.tasks if t.collector == "rrc15")
    sub = type(plan)(plan.collectors, plan.kinds, plan.start, plan.end, (task,))
    rel = task.url.split("://", 1)[1]
    whole = (shared_data_dir / rel).read_bytes()
    mirror = tmp_path / "mirror"
    (mirror / rel).parent.mkdir(parents=True)
    if damage == "cut":
        broken = whole[: len(whole) // 2]
    elif damage == "empty":
        broken = b""
    else:
        flipped = bytearray(whole)
        flipped[len(whole) // 3] ^= 0x10
        broken = bytes(flipped)
    (mirror / rel).write_bytes(broken)
    settings = Settings(cache_dir=tmp_path / "cache", mirror=str(mirror))
    out = tmp_path / "out"
    first = run_ingest(sub, out, workers=0, settings=settings)
    assert not first.ingested and [f.url for f in first.failed] == [task.url]
    failure = first.failed[0]
    assert task.url not in Manifest(out).records
    assert not (out / task.output).exists()
    if damage == "empty":
        assert failure.code == "bad_input" and "file is empty" in failure.error
    else:
        assert failure.code == "damaged_input" and "not recorded, the next run retries it" in failure.error
        assert 0 < failure.elements <= Manifest(serial[0]).records[task.url].elements and failure.bad_records >= 1
    with pytest.raises(IngestFailed):
        run_ingest(sub, tmp_path / "strict", workers=0, settings=settings, strict=True)
    (mirror / rel).write_bytes(whole)  # the source is whole again
    again = run_ingest(sub, out, workers=0, settings=dataclasses.replace(settings))
    assert [r.url for r in again.ingested] == [task.url] and not again.failed and not again.skipped
    assert pq.read_table(out / task.output).equals(pq.read_table(serial[0] / task.output))


@pytest.mark.parametrize(("sql", "refused"), [
    ("SELECT * FROM read_csv('/etc/passwd')", "Permission"),
    ("SELECT * FROM read_text('{out}/../../../../etc/passwd')", "Permission"),
    ("COPY (SELECT 1 AS x) TO '{tmp}/leak.csv'", "only a SELECT query"),
    ("SELECT 1; COPY (SELECT 1 AS x) TO '{tmp}/leak.csv'", "one SQL statement per query, got 2"),
    ("ATTACH '{tmp}/other.duckdb' AS other", "only a SELECT query"),
    ("INSTALL httpfs", "only a SELECT query"),
    ("LOAD httpfs", "only a SELECT query"),
    ("SET enable_external_access = true", "only a SELECT query"),
    ("CREATE TABLE t AS SELECT 1", "only a SELECT query"),
    ("SELECT * FROM read_parquet('https://example.invalid/x.parquet')", "Permission|disabled"),
])
def test_query_is_confined_by_default(serial, tmp_path, sql, refused) -> None:
    out, _ = serial
    with pytest.raises(ParameterError, match=refused):
        run_query(sql.format(out=out, tmp=tmp_path), out)
    assert not (tmp_path / "leak.csv").exists() and not (tmp_path / "other.duckdb").exists()


def test_confined_query_still_reads_the_views_and_unsafe_lifts_the_limits(serial, tmp_path) -> None:
    out, _ = serial
    n = run_query("EXPLAIN SELECT count(*) FROM updates", out)
    assert len(n) >= 1
    count = run_query("SELECT count(*) AS n FROM updates", out).records()[0]["n"]
    assert count == sum(r.elements for r in Manifest(out).records.values() if r.kind == "updates")
    passwd = run_query("SELECT count(*) AS n FROM read_csv('/etc/passwd', header = false, sep = ':')", out,
                       unsafe_sql=True).records()[0]["n"]
    assert passwd > 0
    run_query(f"COPY (SELECT 1 AS x) TO '{tmp_path}/leak.csv'", out, unsafe_sql=True)
    assert (tmp_path / "leak.csv").exists()


def test_cli_query_flag(serial, tmp_path) -> None:
    from typer.testing import CliRunner

    from splinternet.cli.app import app

    out, _ = serial
    refused = CliRunner().invoke(app, ["query", "SELECT * FROM read_csv('/etc/passwd')", "--data", str(out)])
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    allowed = CliRunner().invoke(app, ["query", "SELECT count(*) AS n FROM read_csv('/etc/passwd', header = false, "
                                       "sep = ':')", "--data", str(out), "--unsafe-sql", "--json"])
    assert allowed.exit_code == 0, allowed.output
