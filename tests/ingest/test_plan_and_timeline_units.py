"""Planning, step grids and event detection, without a cluster: fast unit and property tests."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splinternet.analysis.border_links import changed_links, lost_links
from splinternet.analysis.timeline import parse_step, share_changes, step_dates
from splinternet.errors import DataNotFoundError, ParameterError
from splinternet.ingest import plan_ingest
from splinternet.ingest.plan import dataset_for


def test_dataset_for_known_and_unknown_collectors() -> None:
    assert dataset_for("rrc00", "ribs") == "ris-rib"
    assert dataset_for("rrc23", "updates") == "ris-updates"
    assert dataset_for("route-views2", "ribs") == "routeviews-rib"
    assert dataset_for("route-views.sydney", "updates") == "routeviews-updates"
    with pytest.raises(ParameterError, match="unknown collector 'ams-ix'"):
        dataset_for("ams-ix", "updates")
    with pytest.raises(ParameterError, match="ribs or updates"):
        dataset_for("rrc00", "bviews")


@pytest.mark.data
def test_plan_lists_the_mirror_files_with_hive_partitions(mirror_settings) -> None:
    plan = plan_ingest("rrc23, route-views.sydney,rrc00", "2000-01-01", "2022-07-01", settings=mirror_settings)
    outputs = [t.output for t in plan.tasks]
    assert outputs == [
        "ribs/collector=rrc00/date=2000-01-11/part-bview.20000111.0032.parquet",
        "updates/collector=rrc23/date=2022-04-21/part-updates.20220421.0200.parquet",
        "updates/collector=rrc23/date=2022-05-01/part-updates.20220501.2305.parquet",
        "updates/collector=route-views.sydney/date=2022-06-01/part-updates.20220601.0230.parquet",
        "updates/collector=route-views.sydney/date=2022-06-01/part-updates.20220601.0415.parquet",
    ]
    assert set(plan.empty) == {"rrc23 ribs", "route-views.sydney ribs", "rrc00 updates"}
    only = plan_ingest(["rrc23"], "2022-04-21", "2022-04-21T02:05", updates=True, ribs=False, settings=mirror_settings)
    assert [t.url for t in only.tasks] == ["https://data.ris.ripe.net/rrc23/2022.04/updates.20220421.0200.gz"]


@pytest.mark.data
def test_plan_refuses_empty_requests(mirror_settings) -> None:
    with pytest.raises(DataNotFoundError, match="no ribs or updates file in the window"):
        plan_ingest("rrc23", "2021-01-01", "2021-01-02", settings=mirror_settings)
    with pytest.raises(ParameterError, match="its end must come after its start") as reversed_window:
        plan_ingest("rrc23", "2022-05-01", "2022-04-01", settings=mirror_settings)
    with pytest.raises(ParameterError, match="nothing to ingest") as nothing:
        plan_ingest("rrc23", "2022-04-01", "2022-05-01", ribs=False, updates=False, settings=mirror_settings)
    with pytest.raises(ParameterError, match="at least one collector") as no_collector:
        plan_ingest(" , ", "2022-04-01", "2022-05-01", settings=mirror_settings)
    # the library names its own parameters, never a command-line flag
    assert [e.value.parameter for e in (reversed_window, nothing, no_collector)] == ["end", "ribs", "collectors"]
    assert not any("--" in str(e.value) for e in (reversed_window, nothing, no_collector))


def test_step_dates_days_weeks_months() -> None:
    assert step_dates(dt.date(2022, 3, 1), dt.date(2022, 3, 4), "1d") == [dt.date(2022, 3, d) for d in (1, 2, 3, 4)]
    assert step_dates(dt.date(2022, 3, 1), dt.date(2022, 3, 20), "1w") == [dt.date(2022, 3, d) for d in (1, 8, 15)]
    assert step_dates(dt.date(2022, 1, 31), dt.date(2022, 5, 1), "1m") == [
        dt.date(2022, 1, 31), dt.date(2022, 2, 28), dt.date(2022, 3, 31), dt.date(2022, 4, 30)]
    assert step_dates(dt.date(2023, 11, 30), dt.date(2024, 3, 1), "3m") == [dt.date(2023, 11, 30),
                                                                             dt.date(2024, 2, 29)]
    for bad in ("", "0d", "d", "1y", "1.5d"):
        with pytest.raises(ParameterError, match="not a step"):
            parse_step(bad)
    with pytest.raises(ParameterError, match="comes before"):
        step_dates(dt.date(2022, 3, 2), dt.date(2022, 3, 1), "1d")


def _share_changes_reference(values: np.ndarray, threshold: float, drops_only: bool,
                             scale: np.ndarray | None) -> list[tuple[int, int, float, float]]:
    out = []
    for r in range(1, values.shape[0]):
        for c in range(values.shape[1]):
            before, after = values[r - 1, c], values[r, c]
            if np.isnan(before) or np.isnan(after):
                continue
            move = before - after if drops_only else abs(after - before)
            if scale is not None:
                if scale[r] <= 0:
                    continue
                move = float(move) / float(scale[r]) if move / 2 < scale[r] * 1e300 else float("inf")
            if move > threshold:
                out.append((r, c, float(before), float(after)))
    return out


values_grid = st.integers(1, 6).flatmap(lambda p: st.integers(1, 5).flatmap(lambda g: st.lists(
    st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=p * g, max_size=p * g).map(
    lambda xs: np.array(xs, dtype=float).reshape(p, g))))


@settings(max_examples=200, deadline=None)
@given(values_grid, st.floats(0, 0.5), st.booleans(), st.booleans(), st.data())
def test_share_changes_equals_plain_loops(values, threshold, drops_only, scaled, data) -> None:
    scale = None
    if scaled:
        scale = np.array(data.draw(st.lists(st.floats(0, 10), min_size=values.shape[0], max_size=values.shape[0])))
    got = share_changes(values, threshold, drops_only=drops_only, scale=scale)
    assert sorted(got) == sorted(_share_changes_reference(values, threshold, drops_only, scale))


def _one_per_pair(rows: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """A release lists each AS pair once: the first relationship drawn for a pair."""
    return list({(p, d): (p, d, r) for p, d, r in reversed(rows)}.values())


links = st.lists(st.tuples(st.integers(1, 6), st.sampled_from([7, 2**31, 2**32 - 1]), st.integers(1, 4)),
                 max_size=25).map(_one_per_pair)


@settings(max_examples=200, deadline=None)
@given(links, links)
def test_lost_and_changed_links_equal_set_differences(before, after) -> None:
    b = np.array(before, dtype=np.int64).reshape(-1, 3)
    a = np.array(after, dtype=np.int64).reshape(-1, 3)
    now = {(p, d): r for p, d, r in after}
    lost = [tuple(row) for row in lost_links(b, a).tolist()]
    assert lost == [row for row in before if row[:2] not in now]  # a pair still linked is not lost
    changed = [tuple(row) for row in changed_links(b, a).tolist()]
    assert changed == [(p, d, r, now[(p, d)]) for p, d, r in before if (p, d) in now and now[(p, d)] != r]
