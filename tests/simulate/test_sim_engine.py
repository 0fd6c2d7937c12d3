"""The numba engine, transit accumulator and scenario comparison agree with the slow reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sim_reference import RefGraph, reference_routes, reference_ties, reference_transit

from splinternet.analysis.compare import CHANGE_LOST, CHANGE_MOVED, compare_scenario
from splinternet.analysis.scenario import Scenario, compile_overlay
from splinternet.analysis.simulate import propagate, propagate_each, transit_summary
from splinternet.errors import ParameterError
from splinternet.tables.topology import ASGraph


def make_graph(p2c: list[tuple[int, int]], p2p: list[tuple[int, int]], asns: list[int]) -> ASGraph:
    arr = np.array(p2c, dtype=np.int64).reshape(-1, 2)
    prr = np.array(p2p, dtype=np.int64).reshape(-1, 2)
    return ASGraph.from_links(arr[:, 0], arr[:, 1], prr[:, 0], prr[:, 1], extra_asns=np.array(asns))


@st.composite
def cases(draw):
    """A random acyclic provider-customer graph with peers, a scenario and an origin."""
    n = draw(st.integers(2, 9))
    asns = sorted(draw(st.sets(st.integers(1, 80), min_size=n, max_size=n)))
    rank = dict(zip(asns, draw(st.permutations(range(n))), strict=True))  # lower rank = higher up
    p2c, p2p = [], []
    for i, a in enumerate(asns):
        for b in asns[i + 1:]:
            kind = draw(st.sampled_from(["none", "none", "p2c", "p2p"]))
            if kind == "p2c":
                p2c.append((a, b) if rank[a] < rank[b] else (b, a))
            elif kind == "p2p":
                p2p.append((a, b))
    scenario = Scenario()
    linked = p2c + p2p
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["remove_as", "remove_link", "cut", "add", "no_export"]))
        a = draw(st.sampled_from(asns))
        if op == "remove_as":
            scenario = scenario.without_as(a)
        elif op == "remove_link" and linked:
            x, y = draw(st.sampled_from(linked))
            scenario = scenario.without_link(x, y)
        elif op == "cut":
            scenario = scenario.without_links_to(a, draw(st.lists(st.sampled_from(asns), max_size=4)))
        elif op == "add":
            b = draw(st.sampled_from(asns))
            if b != a:
                if draw(st.booleans()):
                    scenario = scenario.with_link(a, b, "peer")
                else:
                    top, low = (a, b) if rank[a] < rank[b] else (b, a)
                    scenario = scenario.with_link(top, low, "provider")
        elif op == "no_export":
            scenario = scenario.without_export(a, draw(st.lists(st.sampled_from(asns), max_size=4)))
    origin = draw(st.sampled_from(asns))
    return asns, p2c, p2p, scenario, origin


def check_against_reference(asns, p2c, p2p, scenario, origin) -> None:
    graph = make_graph(p2c, p2p, asns)
    ref = RefGraph.from_lists(p2c, p2p).apply(scenario)
    best = reference_routes(ref, asns, origin)
    routes = propagate(graph, origin, scenario=scenario, keep_all_ties=True)
    for v in asns:
        i = int(graph.index_of(v)[0])
        if v not in best:
            assert routes.relationship[i] == -1 and routes.next_hop[i] == -1, v
            continue
        cls, path = best[v]
        assert routes.relationship[i] == cls, (v, best)
        assert routes.path_length[i] == len(path) - 1
        assert list(routes.path(v)) == list(path)
        assert list(routes.tied_next_hops(v)) == reference_ties(ref, best, v)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_engine_matches_reference(case) -> None:
    check_against_reference(*case)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.booleans())
def test_transit_summary_matches_reference(case, split) -> None:
    asns, p2c, p2p, scenario, _ = case
    graph = make_graph(p2c, p2p, asns)
    ref = RefGraph.from_lists(p2c, p2p).apply(scenario)
    summary = transit_summary(graph, asns, scenario=scenario, split_ties=split, chunk=3)
    expected = reference_transit(ref, asns, asns, split)
    np.testing.assert_allclose(summary.transit, [expected[a] for a in graph.asns.tolist()], atol=1e-9)
    reach = [len(reference_routes(ref, asns, o)) for o in graph.asns.tolist()]
    assert summary.reach.tolist() == reach
    per_as = [sum(a in reference_routes(ref, asns, o) for o in asns) for a in graph.asns.tolist()]
    assert summary.routes_per_as.tolist() == per_as
    assert summary.length_hist.sum() == sum(reach) == summary.by_relationship.sum()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_comparison_matches_reference(case) -> None:
    asns, p2c, p2p, scenario, _ = case
    graph = make_graph(p2c, p2p, asns)
    base_ref = RefGraph.from_lists(p2c, p2p)
    scen_ref = base_ref.apply(scenario)
    result = compare_scenario(graph, scenario, asns, chunk=2)
    lost, moved = [], []
    for o in graph.asns.tolist():
        before, after = reference_routes(base_ref, asns, o), reference_routes(scen_ref, asns, o)
        lost.append(sum(v not in after for v in before))
        moved.append(sum(v in after and len(before[v][1]) > 1 and before[v][1][1] != after[v][1][1]
                         for v in before))
    assert result.lost.tolist() == lost
    assert result.moved.tolist() == moved
    assert (result.detail_kind == CHANGE_LOST).sum() == sum(lost)
    assert (result.detail_kind == CHANGE_MOVED).sum() == sum(moved)
    assert not result.details_truncated


@pytest.mark.parametrize("edits", [
    [(1, 2, "provider"), (1, 2, "provider")],  # the same link twice (hypothesis found duplicate next hops)
    [(1, 2, "provider"), (1, 2, "peer")],  # the later kind wins
    [(2, 3, "peer"), (3, 2, "peer"), (1, 3, "provider")],
])
def test_repeated_added_link_counts_once_and_the_last_edit_wins(edits) -> None:
    asns, p2c, p2p = [1, 2, 3], [(1, 3)], []
    scenario = Scenario()
    for a, b, kind in edits:
        scenario = scenario.with_link(a, b, kind)
    for origin in asns:
        check_against_reference(asns, p2c, p2p, scenario, origin)


def test_tie_break_is_lowest_next_hop_and_keep_all_ties() -> None:
    # 10 and 20 both provide transit to 5; 1 is provider of 10 and 20; origin 5
    graph = make_graph([(10, 5), (20, 5), (1, 10), (1, 20)], [], [1, 5, 10, 20])
    routes = propagate(graph, 5, keep_all_ties=True)
    assert list(routes.path(1)) == [1, 10, 5]
    assert list(routes.tied_next_hops(1)) == [10, 20]
    summary = transit_summary(graph, [5], split_ties=True)
    assert summary.transit[graph.index_of([10, 20])].tolist() == [0.5, 0.5]


def test_peer_routes_go_to_customers_only() -> None:
    # origin 1 peers with 2; 2 peers with 3 and serves 4; 3 must not hear the route via 2
    graph = make_graph([(2, 4)], [(1, 2), (2, 3)], [1, 2, 3, 4])
    routes = propagate(graph, 1)
    assert routes.has_route[graph.index_of([1, 2, 3, 4])].tolist() == [True, True, False, True]
    assert routes.relationship[graph.index_of(4)[0]] == 3


def test_scenario_errors_are_clear() -> None:
    graph = make_graph([(1, 2), (2, 3)], [], [1, 2, 3])
    with pytest.raises(ParameterError, match="AS99"):
        propagate(graph, 99)
    with pytest.raises(ParameterError, match="not linked"):
        compile_overlay(graph, Scenario().without_link(1, 3))
    with pytest.raises(ParameterError, match="cycle"):
        compile_overlay(graph, Scenario().with_link(3, 1, "provider"))
    with pytest.raises(ParameterError, match="link kind"):
        Scenario().with_link(1, 2, "sibling")
    assert not propagate(graph, 2, scenario=Scenario().without_as(2)).has_route.any()


def test_streamed_routes_equal_single_runs_and_helpers() -> None:
    graph = make_graph([(1, 2), (2, 3), (1, 4)], [(3, 4)], [1, 2, 3, 4, 9])
    scenario = Scenario().without_export(3, [4])
    streamed = list(propagate_each(graph, [3, 4], scenario=scenario))
    for routes, origin in zip(streamed, [3, 4], strict=True):
        single = propagate(graph, origin, scenario=scenario)
        assert routes.origin == origin
        assert np.array_equal(routes.next_hop, single.next_hop)
    routes = streamed[0]
    assert routes.path(4).tolist() == [4, 1, 2, 3]  # 3 does not announce to its peer 4
    assert routes.path(9).tolist() == []
    assert routes.next_hop_asn[graph.index_of([1, 3, 9])].tolist() == [2, -1, -1]
    summary = routes.summary()
    assert summary["with_route"] == 4
    assert summary["by_relationship"] == {"origin": 1, "customer": 2, "peer": 0, "provider": 1}
    assert summary["path_length_histogram"] == {0: 1, 1: 1, 2: 1, 3: 1}
    with pytest.raises(ValueError, match="keep_all_ties"):
        routes.tied_next_hops(4)
