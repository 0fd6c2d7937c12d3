"""Observed border crossings: the numba walk against a plain-Python one, and the archive timeline on real files."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splinternet.analysis.timeline_archives import border_crossings
from splinternet.api import archive_timeline


def crossings_reference(paths: list[list[int]], domestic: set[int]) -> list[tuple[int, int]]:
    out = []
    for path in paths:
        if not path or path[-1] not in domestic:
            out.append((0, 0))
            continue
        k = len(path) - 1
        while k >= 0 and path[k] in domestic:
            k -= 1
        out.append((path[k], path[k + 1]) if k >= 0 else (0, 0))
    return out


def _flat(paths: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.zeros(len(paths) + 1, np.int64)
    offsets[1:] = np.cumsum([len(p) for p in paths])
    return offsets, np.array([a for p in paths for a in p], np.uint32)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.integers(1, 12), max_size=8), max_size=30), st.sets(st.integers(1, 12)))
def test_border_crossings_equal_plain_walk(paths, domestic) -> None:
    offsets, values = _flat(paths)
    provider, gateway = border_crossings(offsets, values, np.array(sorted(domestic), np.uint32))
    assert list(zip(provider.tolist(), gateway.tolist(), strict=True)) == crossings_reference(paths, domestic)


def test_border_crossings_by_hand() -> None:
    paths = [[3356, 20485, 12389, 12389], [3356, 12389], [12389, 8359], [174], [], [8359, 12389]]
    offsets, values = _flat(paths)
    provider, gateway = border_crossings(offsets, values, np.array([8359, 12389], np.uint32))
    assert provider.tolist() == [20485, 3356, 0, 0, 0, 0]
    assert gateway.tolist() == [12389, 12389, 0, 0, 0, 0]


@pytest.mark.slow
@pytest.mark.data
def test_archive_timeline_on_real_updates_equals_a_python_count(mirror_settings, tmp_path) -> None:
    from splinternet import api
    from splinternet.ingest import plan_ingest, run_ingest
    from splinternet.sources.snapshot import Snapshot

    plan = plan_ingest("rrc23", "2022-04-21", "2022-05-02", updates=True, ribs=False, settings=mirror_settings)
    run_ingest(plan, tmp_path, workers=0, settings=mirror_settings)
    tl = archive_timeline("AM", tmp_path, "2022-04-21", "2022-05-01", step="10d", snapshot_date="2022-03-01",
                          prefixes_date="2024-04-06", settings=mirror_settings)
    assert tl.points == ("2022-04-21", "2022-05-01")
    snap = Snapshot.for_date("2022-03-01", settings=mirror_settings, prefixes_date="2024-04-06")
    domestic = set(api.country_membership(snap, "AM").origins.domestic.tolist())
    for i, task in enumerate(plan.tasks):  # one file per step here
        table = pq.read_table(tmp_path / task.output, columns=["kind", "peer_hi", "peer_lo", "prefix_hi",
                                                                "prefix_lo", "prefix_len", "as_path"]).to_pylist()
        routes = {(r["peer_hi"], r["peer_lo"], r["prefix_hi"], r["prefix_lo"], r["prefix_len"], tuple(r["as_path"]))
                  for r in table if r["kind"] == 1}
        crossed = [c for c in crossings_reference([list(r[-1]) for r in routes], domestic) if c[0]]
        counts = Counter(p for p, _ in crossed)
        shares = {f"AS{p}": n / len(crossed) for p, n in counts.items()}
        got = {k: tl.series["border_share"][i, j] for j, k in enumerate(tl.keys) if tl.series["border_share"][i, j]}
        assert got == pytest.approx({k: v for k, v in shares.items() if k in tl.keys})
        assert tl.sources[i]["domestic_routes"] == len(crossed)
