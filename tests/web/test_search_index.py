"""The AS search index (built once per organization table) against a plain reading of the table."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from splinternet import api
from splinternet.sources.snapshot import Snapshot

from .conftest import DATE

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def snap(mirror_settings):
    return Snapshot.for_date(DATE, settings=mirror_settings)


def reference(orgs, text: str, limit: int) -> list[int]:
    """The search as first written: whole-table numpy string operations per query."""
    needle = text.upper().removeprefix("AS") if text.upper().startswith("AS") and text[2:].isdigit() else text
    if needle.isdigit():
        numbers = orgs.asns.astype(np.int64).astype(str)
        exact = numbers == (needle.lstrip("0") or "0")
        starts = np.char.startswith(numbers, needle)
        pick = np.concatenate((np.flatnonzero(exact), np.flatnonzero(starts & ~exact)))[:limit]
    else:
        names = np.char.lower(orgs.as_names.astype(str))
        org_names = orgs.org_names.astype(str)[np.maximum(orgs.as_org, 0)]
        org_names = np.where(orgs.as_org >= 0, np.char.lower(org_names), "")
        hit = (np.char.find(names, needle.lower()) >= 0) | (np.char.find(org_names, needle.lower()) >= 0)
        pick = np.flatnonzero(hit)[:limit]
    return [int(a) for a in orgs.asns[pick]]


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_search_agrees_with_the_plain_reading(snap, data) -> None:
    orgs = snap.orgs()
    row = data.draw(st.integers(0, len(orgs.asns) - 1))
    source = data.draw(st.sampled_from([str(orgs.as_names[row]), str(orgs.asns[row]), "AS" + str(orgs.asns[row])]))
    start = data.draw(st.integers(0, max(len(source) - 1, 0)))
    text = source[start:start + data.draw(st.integers(1, 12))].strip() or "a"
    limit = data.draw(st.integers(1, 60))
    found = [r["asn"] for r in api.as_search(text, snapshot=snap, limit=limit).to_dict()["results"]]
    assert found == reference(orgs, text, limit)
