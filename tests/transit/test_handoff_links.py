"""Hand-offs over links the neighbouring months do not confirm: against a slow reference, and on RU 2022-03-01."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splinternet import api
from splinternet.analysis.handoff_links import confirmed_link_keys, unconfirmed_handoff
from splinternet.sources.snapshot import Snapshot
from splinternet.tables.topology import ASGraph


def reference(pairs: list[tuple[int, int, float]], confirmed: set[frozenset[int]],
              groups: list[list[int]]) -> list[float | None]:
    out: list[float | None] = []
    for members in groups:
        mine = [(a, b, w) for a, b, w in pairs if a in members]
        total = sum(w for _, _, w in mine)
        shaky = sum(w for a, b, w in mine if frozenset((a, b)) not in confirmed)
        out.append(shaky / total if total > 0 else None)
    return out


AS = st.integers(1, 12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(AS, AS, st.floats(0, 5)), max_size=30),
       st.sets(st.tuples(AS, AS).filter(lambda t: t[0] != t[1]), max_size=20),
       st.lists(st.sets(AS, min_size=1, max_size=4), max_size=6))
def test_unconfirmed_handoff_matches_the_reference(pairs, links, sets) -> None:
    groups, seen = [], set()
    for g in sets:  # no AS in two groups, as provider rows never share one
        g = sorted(g - seen)
        if g:
            groups.append(g)
            seen |= set(g)
    confirmed = {frozenset(link) for link in links}
    keys = np.unique(np.array([(min(a, b) << 32) | max(a, b) for a, b in links], dtype=np.uint64))
    got = unconfirmed_handoff(np.array([p[0] for p in pairs], np.uint32), np.array([p[1] for p in pairs], np.uint32),
                              np.array([p[2] for p in pairs], np.float64), keys, groups)
    want = reference(pairs, confirmed, groups)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert (g is None and w is None) or g == pytest.approx(w, abs=1e-12)


def test_a_link_is_confirmed_only_with_the_same_relationship() -> None:
    def graph(p2c: list[tuple[int, int]], p2p: list[tuple[int, int]]) -> ASGraph:
        return ASGraph.from_links(np.array([a for a, _ in p2c], np.uint32), np.array([b for _, b in p2c], np.uint32),
                                  np.array([a for a, _ in p2p], np.uint32), np.array([b for _, b in p2p], np.uint32))

    month = graph([(1, 2), (1, 3), (4, 5)], [(2, 3)])
    before = graph([(1, 2), (5, 4)], [(3, 2)])  # 4-5 reversed: not the same relationship
    after = graph([(1, 3)], [])
    keys = confirmed_link_keys(month, [before, after])
    assert sorted(int(k) for k in keys) == sorted([(1 << 32) | 2, (1 << 32) | 3, (2 << 32) | 3])


@pytest.mark.data
def test_seabras_lead_rests_on_one_months_link(mirror_settings) -> None:
    """RU 2022-03-01: Seabras's hand-off to Rostelecom is inferred in March only (docs/validation.md)."""
    snapshot = Snapshot.for_date("2022-03-01", settings=mirror_settings, prefixes_date="2024-04-06")
    report = api.transit("RU", None, options=api.TransitOptions(max_origins=120, top=5), snapshot=snapshot)
    about = report.evidence["handoff_links"]
    assert about["confirmed_by"] == ["2022-02-01", "2022-04-01"] and about["left_out"] == []
    assert [row["url"].rsplit("/", 1)[1] for row in about["inputs"]] == ["20220201.as-rel.txt.bz2",
                                                                         "20220401.as-rel.txt.bz2"]
    rows = {r.asn: r for r in report.providers}
    assert rows[13786].unconfirmed_handoff > 0.95 and rows[3356].unconfirmed_handoff < 0.1
    assert all(r.unconfirmed_handoff is not None for r in [*report.providers, *report.gateways])
    # the gateway side of the same pairs: Rostelecom receives Seabras's share over that link
    rostelecom = next(g for g in report.gateways if g.asn == 12389)
    assert 0.05 < rostelecom.unconfirmed_handoff < 0.5 and "It receives" not in report.summary
    assert "Seabras 1 USA, LLC hands over" in report.summary and "Level 3 Parent, LLC hands over" not in report.summary
    merged = api.transit("RU", None, options=api.TransitOptions(max_origins=120, top=5, by="org"), snapshot=snapshot)
    seabras = next(r for r in merged.providers if 13786 in [m["asn"] for m in r.members])
    assert seabras.unconfirmed_handoff == pytest.approx(rows[13786].unconfirmed_handoff, rel=1e-9)


@pytest.mark.data
def test_no_neighbouring_month_leaves_the_rows_unchecked(mirror_settings, shared_file) -> None:
    path = shared_file("https://publicdata.caida.org/datasets/as-relationships/serial-1/20220301.as-rel.txt.bz2")
    uses = api.params.dataset_choices([f"caida-asrel={path}"])
    snapshot = Snapshot.for_date("2022-03-01", settings=mirror_settings, prefixes_date="2024-04-06", choices=uses)
    report = api.transit("CU", None, options=api.TransitOptions(top=5), snapshot=snapshot)
    about = report.evidence["handoff_links"]
    assert about["confirmed_by"] == [] and "given as a file" in about["left_out"][0]
    assert report.providers and all(r.unconfirmed_handoff is None for r in [*report.providers, *report.gateways])
    assert "neighbouring month" not in report.summary
