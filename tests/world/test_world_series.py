"""World series on the real mirror: dates by step, in-process equals build_world per date, a 2-worker
LocalCluster equals in-process, a date without its topology is reported while the others complete."""

from __future__ import annotations

import datetime as dt
import gc
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from splinternet import api
from splinternet.api.world_series import DateTask, run_date
from splinternet.cli.app import app
from splinternet.config import Settings
from splinternet.errors import InputError, ParameterError
from splinternet.sources.snapshot import Snapshot
from splinternet.tables.topology import ASGraph

DATES = ("2022-03-01", "2022-04-01")
OPTIONS = api.WorldOptions(countries=("LI", "CU"), max_origins=20)
PREFIXES = "2024-04-06"  # the 2022 dates have no prefix-to-AS data of their own in the mirror
ASREL = Path("publicdata.caida.org/datasets/as-relationships")


def test_dates_by_step() -> None:
    assert api.params.step_days("2021-06-01", "2023-06-01", "1m")[::12] == [
        dt.date(2021, 6, 1), dt.date(2022, 6, 1), dt.date(2023, 6, 1)]
    assert len(api.params.step_days("2021-06-01", "2023-06-01", "1m")) == 25
    assert api.params.step_days("2022-01-01", "2022-07-01", "3m") == [dt.date(2022, 1, 1), dt.date(2022, 4, 1),
                                                                      dt.date(2022, 7, 1)]
    assert api.params.step_days("2022-01-01", "2022-01-15", "7d") == [dt.date(2022, 1, 1), dt.date(2022, 1, 8),
                                                                      dt.date(2022, 1, 15)]
    assert api.params.step_days("2022-01-31", "2022-03-31", "1m")[1] == dt.date(2022, 2, 28)
    assert api.params.step(" 1d") == "1d"
    for bad in ("1y", "0m", "m", "", "1.5m"):
        with pytest.raises(ParameterError, match="not a step") as info:
            api.params.step(bad)
        assert info.value.parameter == "step"
    with pytest.raises(ParameterError, match="comes before"):
        api.params.step_days("2022-02-01", "2022-01-01", "1m")
    with pytest.raises(ParameterError, match="not a date"):
        api.params.step_days("2022-02-30", "2022-03-01", "1m")


def _tables(root: Path) -> dict[str, object]:
    return {str(p.relative_to(root)): pq.read_table(p) for p in sorted(root.rglob("*.parquet"))}


def _same_tables(a: Path, b: Path) -> None:
    left, right = _tables(a), _tables(b)
    assert left.keys() == right.keys() and left
    for name, table in left.items():
        assert table.equals(right[name]), name


@pytest.fixture(scope="module")
def in_process(mirror_settings, tmp_path_factory):
    out = tmp_path_factory.mktemp("series")
    return out, api.build_world_series(DATES[0], DATES[-1], out, options=OPTIONS, prefixes_date=PREFIXES,
                                       settings=mirror_settings, workers=0)


@pytest.mark.data
@pytest.mark.slow
def test_in_process_series_equals_build_world_per_date(in_process, mirror_settings, tmp_path) -> None:
    out, series = in_process
    assert series.executor == "in-process" and series.failed == []
    assert [d["date"] for d in series.dates] == list(DATES)
    assert all(d["status"] == "done" and sorted(d["done"]) == ["CU", "LI"] for d in series.dates)
    for day in DATES:
        api.build_world(day, tmp_path / day, options=OPTIONS,
                        snapshot=Snapshot.for_date(day, settings=mirror_settings, prefixes_date=PREFIXES))
        _same_tables(out / day, tmp_path / day)
    again = api.build_world_series(DATES[0], DATES[-1], out, options=OPTIONS, prefixes_date=PREFIXES,
                                   settings=mirror_settings, workers=0)
    assert all(d["done"] == [] and sorted(d["reused"]) == ["CU", "LI"] for d in again.dates)  # resumed


@pytest.mark.data
@pytest.mark.slow
def test_events_are_written_and_read_back(in_process) -> None:
    out, series = in_process
    events = api.world_events(out)
    assert events.dates == list(DATES) and len(events.events) == series.events
    assert events.thresholds == {"top": 10, "jump_points": 0.05, "jump_relative": 0.1}
    providers = {}
    for day in DATES:  # every event's shares are the providers table's, 0 when the AS is absent
        for cc in ("CU", "LI"):
            table = pq.read_table(out / day / "providers" / f"cc={cc}" / "part.parquet").to_pydict()
            providers[(day, cc)] = dict(zip(table["asn"], table["border_share"], strict=True))
    for event in events.events:
        assert event.previous_date == DATES[0] and event.date == DATES[1]
        assert event.before == providers[(event.previous_date, event.cc)].get(event.asn, 0.0)
        assert event.after == providers[(event.date, event.cc)].get(event.asn, 0.0)
    assert sum(r["events"] for r in series.eventful) == series.events
    only = api.world_events(out, "cu")
    assert {e.cc for e in only.events} <= {"CU"} and len(only.events) == sum(e.cc == "CU" for e in events.events)
    with pytest.raises(InputError, match="series.json"):
        api.world_events(out / DATES[0])


@pytest.mark.data
@pytest.mark.slow
def test_local_cluster_equals_in_process(in_process, mirror_settings, tmp_path) -> None:
    pytest.importorskip("distributed")
    out, series = in_process
    dask = api.build_world_series(DATES[0], DATES[-1], tmp_path, options=OPTIONS, prefixes_date=PREFIXES,
                                  settings=mirror_settings, workers=2)
    assert dask.executor == "dask local cluster, 2 processes" and dask.failed == []
    _same_tables(out, tmp_path)  # every date's tables and events.parquet
    assert dask.events == series.events and dask.eventful == series.eventful


def _mirror_without(source: Path, root: Path, directory: Path, keep: set[str]) -> Path:
    """A mirror of ``source`` (symlinks) whose ``directory`` holds only the entries ``keep``."""
    here, there = source, root
    for part in directory.parts:
        there.mkdir(parents=True, exist_ok=True)
        for entry in here.iterdir():
            if entry.name != part:
                (there / entry.name).symlink_to(entry.resolve())
        here, there = here / part, there / part
    there.mkdir(parents=True)
    for entry in here.iterdir():
        if entry.name in keep:
            (there / entry.name).symlink_to(entry.resolve())
    return root


@pytest.mark.data
@pytest.mark.slow
def test_a_date_without_topology_is_reported_and_the_others_complete(mirror_settings, tmp_path) -> None:
    mirror = _mirror_without(Path(mirror_settings.mirror), tmp_path / "mirror", ASREL / "serial-1",
                             {"20220401.as-rel.txt.bz2"})  # serial-2 (another dataset) stays
    settings = Settings(cache_dir=tmp_path / "cache", mirror=str(mirror), offline=False)
    series = api.build_world_series(DATES[0], DATES[-1], tmp_path / "out", options=OPTIONS,
                                    prefixes_date=PREFIXES, settings=settings, workers=0)
    assert [d["status"] for d in series.dates] == ["failed", "done"]
    assert series.failed[0]["date"] == DATES[0] and series.failed[0]["code"] == "data_not_found"
    assert "caida-asrel" in series.failed[0]["reason"] or "as-rel" in series.failed[0]["reason"]
    assert sorted(series.dates[1]["done"]) == ["CU", "LI"]
    assert series.events == 0 and any("fewer than two dates" in n for n in series.notes)
    assert api.world_events(tmp_path / "out").dates == [DATES[1]]


@pytest.mark.data
@pytest.mark.slow
def test_cli_series_json_and_exclusive_dates(in_process, mirror_settings, monkeypatch) -> None:
    out, series = in_process
    monkeypatch.setenv("SPLINTERNET_MIRROR", str(mirror_settings.mirror))
    monkeypatch.setenv("SPLINTERNET_CACHE", str(mirror_settings.cache_dir))
    common = ["world", "--countries", "LI,CU", "--max-origins", "20", "--prefixes-date", PREFIXES, "--out", str(out)]
    result = CliRunner().invoke(app, [*common, "--from", DATES[0], "--to", DATES[-1], "--workers", "0", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["events"] == series.events and [d["date"] for d in summary["dates"]] == list(DATES)
    text = CliRunner().invoke(app, [*common, "--from", DATES[0], "--to", DATES[-1], "--workers", "0"])
    assert text.exit_code == 0 and DATES[-1] in text.output
    assert ("Most eventful countries" in text.output) == (series.events > 0)
    both = CliRunner().invoke(app, [*common, "--date", DATES[0], "--from", DATES[0], "--to", DATES[-1]])
    assert isinstance(both.exception, ParameterError) and "one or the other" in str(both.exception)
    one = CliRunner().invoke(app, [*common, "--date", DATES[0], "--workers", "2"])
    assert isinstance(one.exception, ParameterError) and "series" in str(one.exception)
    bad = CliRunner().invoke(app, [*common, "--from", DATES[0], "--to", DATES[-1], "--step", "1y"])
    assert isinstance(bad.exception, ParameterError) and "(--step)" in str(bad.exception)


@pytest.mark.data
def test_a_date_leaves_no_graph_for_the_collector(mirror_settings, tmp_path) -> None:
    """A date's graphs (its own and the neighbouring months') are freed when run_date returns, not left
    in reference cycles for a later collection: the next date must not load its own beside them."""
    task = DateTask(date=DATES[0], out=str(tmp_path), options=OPTIONS, prefixes_date=PREFIXES, choices=(),
                    settings=mirror_settings, strict=False, allow_damaged=False)
    gc.collect()
    gc.disable()
    try:
        result = run_date(task)
        gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds unreachable is kept in gc.garbage
        gc.collect()
        left = sum(isinstance(found, ASGraph) for found in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert result["status"] == "done"
    assert left == 0
