"""Flows on the real 2022 topology: with one route per AS and every foreign AS equal they are the
evidence kernel's sums; with ties split they still add up; IPv4 weights are shares of IPv4 space."""

from __future__ import annotations

import numpy as np
import pytest

from splinternet.analysis.country import Weighting, country_origins
from splinternet.analysis.flow_measures import (
    TieRule,
    flow_measures,
    headline_flows,
    vantage_weights,
)
from splinternet.analysis.transit_evidence import simulate_evidence
from splinternet.analysis.transit_flows import BORDER, CTI, GATEWAY, TRANSIT
from splinternet.sources.snapshot import Snapshot

pytestmark = [pytest.mark.data, pytest.mark.slow]


@pytest.fixture(scope="module")
def snapshot(mirror_settings):
    return Snapshot.for_date("2022-03-01", settings=mirror_settings, prefixes_date="2024-04-06")


def test_lowest_asn_flows_equal_the_evidence_kernel(snapshot) -> None:
    graph = snapshot.graph()
    origins = country_origins("LI", snapshot.pfx2as(4), None, snapshot.orgs(), snapshot.country_blocks("LI"))
    ev = simulate_evidence(graph, origins)
    flows = flow_measures(graph, origins, vantage_weights(graph, origins, ("all",)), schemes=("all",),
                          ties=TieRule.LOWEST)
    scale = ev.mean_divisor
    for measure, sums in ((TRANSIT, ev.transit), (BORDER, ev.border), (GATEWAY, ev.gateway)):
        np.testing.assert_allclose(flows.values[:, measure, 0] * scale, sums, rtol=1e-9, atol=1e-9)
    got = dict(zip(zip(flows.pair_from.tolist(), flows.pair_to.tolist(), strict=True), flows.pair_weight.tolist(),
                   strict=True))
    want = dict(zip(zip(ev.pair_from.tolist(), ev.pair_to.tolist(), strict=True), ev.pair_weight.tolist(),
                    strict=True))
    assert got.keys() == want.keys()
    assert all(got[k] * scale == pytest.approx(w) for k, w in want.items())


def test_split_ties_and_headline_defaults_add_up(snapshot) -> None:
    graph = snapshot.graph()
    origins = country_origins("LI", snapshot.pfx2as(4), None, snapshot.orgs(), snapshot.country_blocks("LI"),
                              weighting=Weighting.IPV4)
    assert origins.weight.sum() == pytest.approx(1.0)
    assert origins.weight == pytest.approx(origins.v4_addresses / origins.v4_addresses.sum())
    flows = headline_flows(graph, origins, snapshot.pfx2as(4))
    assert flows.ties is TieRule.SPLIT and flows.schemes == ("space",)
    border, gateway = flows.values[:, BORDER, 0], flows.values[:, GATEWAY, 0]
    assert border.sum() == pytest.approx(gateway.sum()) and border.min() >= 0
    assert flows.pair_weight.sum() == pytest.approx(border.sum())
    assert 0 < flows.values[:, CTI, 0].max() <= 1 and 0 < flows.reach <= 1


def _assert_same_flows(got, want) -> None:
    np.testing.assert_allclose(got.values, want.values, rtol=1e-9, atol=1e-15)
    np.testing.assert_array_equal(got.pair_from, want.pair_from)
    np.testing.assert_array_equal(got.pair_to, want.pair_to)
    np.testing.assert_allclose(got.pair_weight, want.pair_weight, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(got.origin_reach, want.origin_reach, rtol=1e-12, equal_nan=True)
    assert got.reach == pytest.approx(want.reach, rel=1e-9)
    assert got.path_length_sum == pytest.approx(want.path_length_sum, rel=1e-9)
    assert got.paths == want.paths


@pytest.mark.parametrize("ties", list(TieRule))
def test_shortcuts_equal_the_full_propagation(snapshot, monkeypatch, ties) -> None:
    """The two shortcuts of flow_measures change no figure, with and without a removal:

    - domestic stubs whose only neighbour is a domestic origin, counted on its tree one hop
      further, equal the run that gives them trees of their own;
    - leaf vantage points routed in groups after the propagation (flow_leaves) equal the run
      that propagates routes to every AS.
    """
    import splinternet.analysis.flow_measures as fm
    from splinternet.analysis.flow_leaves import leaf_groups, no_leaves
    from splinternet.analysis.scenario import Scenario

    graph = snapshot.graph()
    # AL: 11 stub families, one stub per provider like MD's 12 (used before), at about a third of MD's cost
    origins = country_origins("AL", snapshot.pfx2as(4), None, snapshot.orgs(), snapshot.country_blocks("AL"),
                              weighting=Weighting.IPV4)
    schemes = ("all", "transit")
    weights = vantage_weights(graph, origins, schemes)
    top = int(graph.asns[np.argmax(graph.customer_cone_sizes())])
    for scenario in (None, Scenario().without_as(top)):
        shared = flow_measures(graph, origins, weights, schemes=schemes, ties=ties, scenario=scenario)
        with monkeypatch.context() as patch:
            patch.setattr(fm, "_stub_families", lambda overlay, reps, classes, domestic: np.full(len(reps), -1))
            alone = flow_measures(graph, origins, weights, schemes=schemes, ties=ties, scenario=scenario)
        assert shared.routing_trees < alone.routing_trees  # AL has stub families: the test would be empty
        _assert_same_flows(shared, alone)
        with monkeypatch.context() as patch:
            patch.setattr(fm, "LEAVES", no_leaves)
            every = flow_measures(graph, origins, weights, schemes=schemes, ties=ties, scenario=scenario)
        grouped = leaf_groups(fm.as_overlay(graph, scenario), weights, np.zeros(len(graph), dtype=bool))
        assert len(grouped.member) > 40_000 and len(grouped.groups.v0) < len(grouped.member)  # not an empty test
        _assert_same_flows(shared, every)
