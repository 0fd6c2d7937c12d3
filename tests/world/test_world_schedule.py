"""How the world run hands countries to its threads (api.world._each_country): every country once,
the smallest first and alone on every thread, the rest largest first on one thread each, and a
failure stops the run instead of being lost in a thread."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splinternet.api.world import _each_country
from splinternet.progress import NO_PROGRESS


def _members(sizes: list[int]) -> list[SimpleNamespace]:
    return [SimpleNamespace(name=f"c{i}", origins=SimpleNamespace(asns=np.zeros(size))) for i, size in enumerate(sizes)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 50), max_size=12), st.sampled_from([1, 2, 3]))
def test_every_country_once_smallest_first_then_largest_first(sizes, workers) -> None:
    members = _members(sizes)
    calls: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def country(member, threads: int) -> int:
        with lock:
            calls.append((member.name, threads, threading.current_thread().name))
        return len(member.origins.asns) + 1

    trees = _each_country(members, country, workers, NO_PROGRESS)
    assert trees == sum(size + 1 for size in sizes)
    assert sorted(name for name, _, _ in calls) == sorted(m.name for m in members)
    if not members:
        return
    by_size = sorted(members, key=lambda m: len(m.origins.asns))
    assert calls[0][:2] == (by_size[0].name, workers)  # alone, on every thread
    assert all(threads == (1 if workers > 1 else workers) for _, threads, _ in calls[1:])
    if workers == 1:  # one after another, largest first
        assert [name for name, _, _ in calls[1:]] == [m.name for m in by_size[:0:-1]]


def test_a_failing_country_stops_the_run() -> None:
    members = _members([1, 5, 3, 4])

    def country(member, threads: int) -> int:
        if member.name == "c2":
            raise RuntimeError("boom in c2")
        return 1

    with pytest.raises(RuntimeError, match="boom in c2"):
        _each_country(members, country, 2, NO_PROGRESS)
