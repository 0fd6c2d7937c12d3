"""The flow pass's renumbered network (flow_layout): the same network, and the same sums to the bit."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import splinternet.analysis.flow_leaves as fl
from splinternet.analysis.flow_handoffs import entry_ends
from splinternet.analysis.flow_layout import compact_layout, identity_layout
from splinternet.analysis.flow_measures import TieRule, flow_measures
from splinternet.analysis.scenario import Scenario
from splinternet.analysis.simulate import as_overlay
from splinternet.errors import ParameterError
from splinternet.tables.topology import ASGraph

from .test_transit_flows import weighted

LISTS = ("provider", "customer", "peer", "added_provider", "added_customer", "added_peer")


def _scenario(graph, removed, data) -> Scenario:
    scenario = Scenario()
    for asn in removed:
        scenario = scenario.without_as(asn)
    asns = graph.asns.tolist()
    a, b = data.draw(st.sampled_from(asns)), data.draw(st.sampled_from(asns))
    if a != b and data.draw(st.booleans()):
        scenario = scenario.with_link(a, b, data.draw(st.sampled_from(["peer", "provider"])))
    return scenario


def _overlay(graph, scenario):
    try:
        return as_overlay(graph, scenario)
    except ParameterError:  # the added provider link closed a provider cycle
        assume(False)
        raise


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weighted(), st.data())
def test_layout_is_the_same_network_renumbered(case, data) -> None:
    graph, _, _, removed = case
    net = fl._leaf_network(_overlay(graph, _scenario(graph, removed, data))).net
    layout = compact_layout(net)
    node, position, moved = layout.node, layout.position, layout.net
    assert np.array_equal(position[node], np.arange(len(node)))
    pointed = np.zeros(len(node), dtype=bool)
    for name in LISTS:
        pointed[getattr(net, f"{name}_idx")] = True
    pointed |= (np.diff(net.customer_ptr) > 0) | (np.diff(net.added_customer_ptr) > 0)
    # the ASes a tree can reach come first, each block in graph order: comparisons keep their answers
    first = int(pointed.sum())
    assert pointed[node[:first]].all() and not pointed[node[first:]].any()
    assert np.all(np.diff(node[:first]) > 0) and np.all(np.diff(node[first:]) > 0)
    for name in LISTS:  # every row the same entries in the same order, so walks and sums keep their order
        ptr, idx, ok = (getattr(net, f"{name}_{p}") for p in ("ptr", "idx", "ok"))
        new_ptr, new_idx, new_ok = (getattr(moved, f"{name}_{p}") for p in ("ptr", "idx", "ok"))
        for x in range(len(node)):
            old = slice(ptr[x], ptr[x + 1])
            new = slice(new_ptr[position[x]], new_ptr[position[x] + 1])
            assert node[new_idx[new]].tolist() == idx[old].tolist()
            assert new_ok[new].tolist() == ok[old].tolist()
    assert node[moved.order].tolist() == net.order.tolist()
    assert np.array_equal(moved.node_ok, net.node_ok[node])
    # each hand-off entry of the renumbered network is the same link as the entry it maps to
    ends, moved_ends = entry_ends(net), entry_ends(moved)
    assert np.array_equal(node[moved_ends.giver], ends.giver[layout.entry])
    taker = np.empty(len(ends.giver), dtype=np.int64)
    taker[ends.by_taker] = np.repeat(np.arange(len(node)), np.diff(ends.taker_ptr))
    moved_taker = np.empty(len(moved_ends.giver), dtype=np.int64)
    moved_taker[moved_ends.by_taker] = np.repeat(np.arange(len(node)), np.diff(moved_ends.taker_ptr))
    assert np.array_equal(node[moved_taker], taker[layout.entry])
    assert sorted(layout.entry.tolist()) == list(range(len(ends.giver)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weighted(), st.sampled_from(list(TieRule)), st.data())
def test_renumbered_pass_gives_the_same_sums_to_the_bit(case, rule, data) -> None:
    graph, country, weights, removed = case
    scenario = _overlay(graph, _scenario(graph, removed, data)) if data.draw(st.booleans()) else None

    def run():
        fl._NETWORKS.clear()  # the leaf network (and its layout) is kept per overlay
        return flow_measures(graph, country, weights, schemes=("a", "b"), ties=rule, scenario=scenario, workers=2)

    compact = run()
    saved = fl.compact_layout
    fl.compact_layout = identity_layout
    try:
        plain = run()
    finally:
        fl.compact_layout = saved
        fl._NETWORKS.clear()
    assert np.array_equal(compact.values, plain.values)
    for name in ("pair_from", "pair_to", "pair_weight", "origin_reach"):
        assert np.array_equal(getattr(compact, name), getattr(plain, name), equal_nan=True), name
    assert (compact.reach, compact.path_length_sum, compact.paths) == (plain.reach, plain.path_length_sum, plain.paths)


def test_identity_layout_numbers_entries_as_they_are() -> None:
    graph = ASGraph.from_links(np.array([1, 1], np.uint32), np.array([2, 3], np.uint32), np.array([2], np.uint32),
                               np.array([3], np.uint32))
    net = as_overlay(graph, None).arrays
    layout = identity_layout(net)
    assert layout.net is net and np.array_equal(layout.node, np.arange(3))
    assert len(layout.entry) == 2 * len(net.provider_idx) + len(net.peer_idx)
