"""The compiled transit accumulation equals a path-by-path walk, on random small topologies."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from splinternet.analysis.country import CountryOrigins, MembershipView, Weighting
from splinternet.analysis.scenario import Scenario
from splinternet.analysis.transit_evidence import simulate_evidence
from splinternet.tables.topology import ASGraph

from .reference import reference_sums


@st.composite
def topologies(draw):
    n = draw(st.integers(4, 14))
    asns = sorted(draw(st.lists(st.integers(1, 400), min_size=n, max_size=n, unique=True)))
    pc, peers = [], []
    for j in range(1, n):  # providers always have a lower position: no provider-customer cycle
        for i in draw(st.lists(st.integers(0, j - 1), max_size=3, unique=True)):
            pc.append((asns[i], asns[j]))
    linked = {frozenset(x) for x in pc}
    for a, b in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=6)):
        pair = frozenset((asns[a], asns[b]))
        if a != b and pair not in linked:
            linked.add(pair)
            peers.append((asns[a], asns[b]))
    graph = ASGraph.from_links(np.array([p for p, _ in pc], np.uint32), np.array([c for _, c in pc], np.uint32),
                               np.array([a for a, _ in peers], np.uint32), np.array([b for _, b in peers], np.uint32),
                               extra_asns=np.array(asns, np.uint32))
    domestic = sorted(draw(st.lists(st.sampled_from(asns), min_size=1, max_size=max(1, n // 2), unique=True)))
    origins = sorted(draw(st.lists(st.sampled_from(domestic), min_size=1, max_size=len(domestic), unique=True)))
    raw = np.array(draw(st.lists(st.floats(0.1, 10), min_size=len(origins), max_size=len(origins))))
    kmi = np.array(draw(st.lists(st.floats(0, 5), min_size=len(origins), max_size=len(origins))))
    country = CountryOrigins(
        cc="XX", view=MembershipView.ADDRESS, weighting=Weighting.SPACE, asns=np.array(origins, np.uint32),
        v4_addresses=raw, v6_slash64=np.zeros(len(origins)), kmi_v4=kmi, kmi_v6=np.zeros(len(origins)),
        weight=raw / raw.sum(), domestic=np.array(domestic, np.uint32), country_v4=int(raw.sum()),
        country_v6_slash64=0.0, routed_v4=float(raw.sum()), routed_v6_slash64=0.0,
    )
    candidates = draw(st.lists(st.sampled_from(asns), max_size=min(n, 6), unique=True))
    removed = draw(st.lists(st.sampled_from([a for a in asns if a not in origins] or asns), max_size=1))
    return graph, country, candidates, removed


def _check(graph, country, candidates, scenario, workers):
    ev = simulate_evidence(graph, country, scenario=scenario, candidates=np.array(candidates, np.uint32),
                           workers=workers)
    ref = reference_sums(graph, country, candidates, scenario)
    pos = {int(a): i for i, a in enumerate(graph.asns)}
    for key, table in ref["sums"].items():
        expected = np.zeros(len(graph))
        for asn, value in table.items():
            expected[pos[asn]] = value
        np.testing.assert_allclose(getattr(ev, key), expected, rtol=1e-9, atol=1e-9, err_msg=key)
    assert sorted(ev.vantages.tolist()) == sorted(ref["vantages"])
    vslot = {int(a): i for i, a in enumerate(ev.vantages)}
    expected_shares = np.zeros((len(ev.vantages), len(candidates)))
    for (v, x), value in ref["shares"].items():
        expected_shares[vslot[v], candidates.index(x)] = value
    np.testing.assert_allclose(ev.shares, expected_shares, rtol=1e-9, atol=1e-9)
    got_pairs = {(int(a), int(b)): w for a, b, w in zip(ev.pair_from, ev.pair_to, ev.pair_weight, strict=True)}
    assert got_pairs.keys() == ref["pairs"].keys()
    for k, w in ref["pairs"].items():
        assert got_pairs[k] == pytest.approx(w)
    assert ev.reach_weight == pytest.approx(ref["reach"])
    assert ev.path_length_sum == pytest.approx(ref["length_sum"])
    for asn, share in ref["origin_reach"].items():
        assert ev.origin_reach[list(country.asns).index(asn)] == pytest.approx(share)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topologies(), st.sampled_from([1, 2]))
def test_kernel_matches_path_walk(case, workers) -> None:
    graph, country, candidates, _ = case
    _check(graph, country, candidates, None, workers)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topologies())
def test_kernel_matches_path_walk_under_scenario(case) -> None:
    graph, country, candidates, removed = case
    scenario = Scenario()
    for asn in removed:
        scenario = scenario.without_as(asn)
    _check(graph, country, candidates, scenario, 2)
