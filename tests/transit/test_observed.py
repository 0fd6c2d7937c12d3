"""Observed evidence: path cleaning and accumulation kernels against references, and real collector data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splinternet import api
from splinternet.analysis.observed import _accumulate, clean_paths, is_reserved_asn
from splinternet.analysis.observed_agreement import (
    MIN_OBSERVED_COVERAGE,
    kendall_tau_b,
    observed_coverage,
    ranking_agreement,
    thin_evidence_report,
)
from splinternet.analysis.transit import TransitReport
from splinternet.sources.snapshot import Snapshot


def reserved(a: int) -> bool:
    return a == 0 or a == 23456 or 64496 <= a <= 131071 or a >= 4200000000


def clean_reference(path: list[int], segs: list[int]) -> tuple[int, list[int]]:
    if not path:
        return 4, []
    out: list[int] = []
    for a, s in zip(path, segs, strict=True):
        if s & 0x7F != 2:
            return 3, []
        if reserved(a):
            return 2, []
        if out and out[-1] == a:
            continue
        if a in out:
            return 1, []
        out.append(a)
    return 0, out


asn = st.one_of(st.integers(1, 20), st.sampled_from([0, 23456, 64512, 65535, 70000, 4200000001, 3356]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.tuples(asn, st.sampled_from([2, 2, 2, 1, 0x82])), max_size=8), max_size=12))
def test_clean_paths_matches_reference(paths) -> None:
    offsets = np.cumsum([0] + [len(p) for p in paths]).astype(np.int64)
    asns = np.array([a for p in paths for a, _ in p] or [0], np.uint32)
    segs = np.array([s for p in paths for _, s in p] or [2], np.uint8)
    rows = np.arange(len(paths), dtype=np.int64)
    out_off = np.zeros(len(paths) + 1, np.int64)
    out = np.zeros(max(len(asns), 1), np.uint32)
    status = np.zeros(len(paths), np.int8)
    clean_paths(offsets, asns, segs, rows, out_off, out, status)
    for i, p in enumerate(paths):
        want_status, want = clean_reference([a for a, _ in p], [s for _, s in p])
        assert status[i] == want_status
        assert out[out_off[i]:out_off[i + 1]].tolist() == want


def test_reserved_asns() -> None:
    for a in (0, 23456, 64496, 64512, 65535, 65536, 131071, 4200000000, 4294967295):
        assert is_reserved_asn(a)
    for a in (1, 3356, 64495, 131072, 4199999999):
        assert not is_reserved_asn(a)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.lists(st.integers(0, 7), min_size=1, max_size=6, unique=True), st.integers(0, 2),
                          st.booleans(), st.floats(0.01, 3), st.floats(0, 2)), min_size=1, max_size=10),
       st.lists(st.booleans(), min_size=8, max_size=8))
def test_accumulate_matches_reference(paths, dom) -> None:
    n, v = 8, 3
    is_dom = np.array(dom)
    off = np.cumsum([0] + [len(p[0]) for p in paths]).astype(np.int64)
    ids = np.array([x for p in paths for x in p[0]], np.int64)
    vslot = np.array([p[1] for p in paths], np.int64)
    starts = np.array([p[2] for p in paths])
    weight = np.array([p[3] for p in paths])
    kmi = np.array([p[4] for p in paths])
    vtotal = np.bincount(vslot, weights=weight, minlength=v)
    shares = np.zeros((v, n))
    acc = np.zeros((6, n))
    keys = np.zeros(len(paths), np.int64)
    pw = np.zeros(len(paths))
    totals = np.zeros(2)
    k = _accumulate(off, ids, vslot, starts, weight, kmi, vtotal, is_dom, shares, *acc, keys, pw, totals)
    ref = {name: defaultdict(float) for name in ("transit", "border", "gateway", "retail", "wholesale", "backbone")}
    ref_shares = defaultdict(float)
    ref_pairs = defaultdict(float)
    for path, vs, start, w, km in paths:
        a = w / vtotal[vs]
        for pos, x in enumerate(path):
            d = len(path) - 1 - pos
            if d > 0 and (pos > 0 or not start):
                ref["transit"][x] += a
                ref_shares[(vs, x)] += a
            if d >= 1:
                ref["retail" if d == 1 else "wholesale" if d == 2 else "backbone"][x] += km
        first = next((i for i, x in enumerate(path) if dom[x]), None)
        if first:
            ref["border"][path[first - 1]] += a
            ref["gateway"][path[first]] += a
            ref_pairs[(path[first - 1], path[first])] += a
    for row, name in enumerate(("transit", "border", "gateway", "retail", "wholesale", "backbone")):
        assert acc[row] == pytest.approx([ref[name][x] for x in range(n)])
    assert shares == pytest.approx(np.array([[ref_shares[(s, x)] for x in range(n)] for s in range(v)]))
    got = defaultdict(float)
    for key, w in zip(keys[:k], pw[:k], strict=True):
        got[(int(key) // n, int(key) % n)] += w
    assert got.keys() == ref_pairs.keys() and all(got[p] == pytest.approx(ref_pairs[p]) for p in got)


@pytest.mark.data
def test_observed_on_real_update_files(mirror_settings) -> None:
    snapshot = Snapshot.for_date("2022-04-21T02:04", settings=mirror_settings, prefixes_date="2024-04-06")
    options = api.TransitOptions(evidence=api.Evidence.OBSERVED, collectors=("rrc23",), full_feed_share=0.0,
                                 max_origins=40, top=12)
    # one 5-minute update file covers a sliver of the country: too thin, nothing ranked, the coverage stated
    thin = api.transit("UA", None, options=options, snapshot=snapshot)
    assert thin.evidence["coverage"]["ipv4"] < MIN_OBSERVED_COVERAGE and thin.evidence["ranked"] is False
    assert not thin.providers and not thin.gateways and not thin.transit
    assert "too thin" in thin.summary and "of UA's IPv4 space" in thin.summary
    assert "observed_vs_simulated" not in thin.evidence
    # ranked only when asked, said to be thin, and set beside the simulated ranking with their agreement
    report = api.transit("UA", None, options=replace(options, rank_thin_evidence=True), snapshot=snapshot)
    e = report.evidence
    assert e["kind"] == "observed" and e["vantage_points"] >= 1 and e["paths"] > 0 and e["ranked"] is True
    assert e["thin_evidence"] is True and report.summary.startswith("The observed paths cover")
    assert e["mrt_files"][0].endswith("updates.20220421.0200.gz")
    assert 0 < e["coverage"]["ipv4"] < 1
    check = e["observed_vs_simulated"]
    assert check["depth"] == 10 and check["simulated_evidence"]["kind"] == "simulated"
    assert [r["asn"] for r in check["observed"]] == [r.asn for r in report.providers[:10]]
    assert 0 < len(check["simulated"]) <= 10 and 0 <= check["overlap_at_5"] <= 5
    seen, simulated = {r["asn"] for r in check["observed"]}, {r["asn"] for r in check["simulated"]}
    assert check["union"] == len(seen | simulated) and check["overlap_at_depth"] == len(seen & simulated)
    assert check["kendall_tau"] is None or -1 <= check["kendall_tau"] <= 1
    assert sum(r.border_share for r in report.providers) == pytest.approx(1.0, abs=1e-6) or len(report.providers) == 12
    for r in report.providers:
        assert 0 < r.border_share <= 1 and (r.transit_share is None or 0 <= r.transit_share <= 1)
    assert "observed paths cover" in report.summary


def test_ranking_agreement_by_hand() -> None:
    same = ranking_agreement(list(range(1, 11)), list(range(1, 11)))
    assert (same["overlap_at_5"], same["overlap_at_depth"], same["union"]) == (5, 10, 10)
    assert same["kendall_tau"] == pytest.approx(1.0)
    reverse = ranking_agreement(list(range(1, 11)), list(range(10, 0, -1)))
    assert (reverse["overlap_at_5"], reverse["kendall_tau"]) == (0, pytest.approx(-1.0))
    # disjoint top-3 lists: each AS is last (rank 4) in the other list, so the orders disagree
    apart = ranking_agreement([1, 2, 3], [4, 5, 6], depth=3)
    assert (apart["overlap_at_5"], apart["overlap_at_depth"], apart["union"]) == (0, 0, 6)
    assert apart["kendall_tau"] < 0
    assert ranking_agreement([7], [7])["kendall_tau"] is None  # one AS: no order to agree on


def _report(coverage: float) -> TransitReport:
    return TransitReport(cc="XX", date="2022-03-01", evidence={"kind": "observed", "coverage": {"ipv4": coverage}},
                         membership={}, providers=["row"], gateways=["row"], transit=[{"asn": 1}],  # type: ignore[list-item]
                         summary="XX on 2022-03-01: ranked.")


def test_thin_evidence_ranks_nothing_unless_asked() -> None:
    thin = _report(0.0006)
    assert observed_coverage(thin.evidence) == 0.0006 < MIN_OBSERVED_COVERAGE
    empty = thin_evidence_report(thin, 0.0006, ranked=False)
    assert (empty.providers, empty.gateways, empty.transit) == ([], [], []) and empty.evidence["ranked"] is False
    assert "too thin" in empty.summary and "0.06% of XX's IPv4 space" in empty.summary and "50%" in empty.summary
    asked = thin_evidence_report(thin, 0.0006, ranked=True)
    assert asked.providers == ["row"] and asked.evidence["thin_evidence"] and "Ranked anyway" in asked.summary
    assert observed_coverage({"coverage": {}}) == 0.0


@settings(deadline=None)  # the first call imports scipy
@given(st.lists(st.tuples(st.integers(1, 6), st.integers(1, 6)), min_size=2, max_size=25))
def test_kendall_tau_b_is_scipys(pairs) -> None:
    """The pair count of the agreement equals scipy's tau-b (the test's reference; not a run-time dependency)."""
    from scipy.stats import kendalltau

    x, y = [a for a, _ in pairs], [b for _, b in pairs]
    if len(set(x)) < 2 or len(set(y)) < 2:
        return
    assert kendall_tau_b(x, y) == pytest.approx(float(kendalltau(x, y, variant="b").statistic), abs=1e-12)
