"""The compiled flow kernel equals an enumeration of every tied path, on random small topologies."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from splinternet.analysis.flow_measures import TieRule, flow_measures
from splinternet.analysis.scenario import Scenario
from splinternet.analysis.transit_flows import (
    BACKBONE,
    BORDER,
    CTI,
    CTI_PEERS,
    DOWNHILL,
    GATEWAY,
    RETAIL,
    TRANSIT,
    WHOLESALE,
)

from .flow_reference import as_array, reference_flows
from .test_transit_kernel import topologies

MEASURES = {"transit": TRANSIT, "downhill": DOWNHILL, "cti": CTI, "border": BORDER, "gateway": GATEWAY,
            "cti_peers": CTI_PEERS}


def _check(graph, country, weights: np.ndarray, rule: TieRule | int, scenario, workers: int) -> None:
    """``rule``: a tie rule, or the seed of random tie orders (each AS its own)."""
    # column 0 weighs origins as the country does, column 1 equally
    per_column = [country, replace(country, weight=np.full(len(country.asns), 1.0 / len(country.asns)))]
    seed = rule if isinstance(rule, int) else None
    got = flow_measures(graph, country, weights, schemes=("a", "b"), ties=TieRule.SPLIT if seed is not None else rule,
                        scenario=scenario, workers=workers, tie_seed=seed,
                        origin_weights=np.column_stack([c.weight for c in per_column]))
    rule_name = f"random:{seed}" if seed is not None else TieRule(rule).value
    removed = set(scenario.removed_ases) if scenario is not None else set()
    domestic = set(country.domestic.tolist())
    for k in range(weights.shape[1]):
        column = {int(a): float(weights[i, k]) for i, a in enumerate(graph.asns)
                  if int(a) not in domestic and int(a) not in removed}
        total = sum(column.values())
        routed = sum(w for a, w in zip(country.asns.tolist(), per_column[k].weight.tolist(), strict=True)
                     if int(graph.index_of(a)[0]) >= 0 and a not in removed)
        norm = max(total, 1e-300) * (routed or 1.0)
        ref = reference_flows(graph, per_column[k], column, rule_name, scenario)
        for name, m in MEASURES.items():
            np.testing.assert_allclose(got.values[:, m, k], as_array(graph, ref[name]) / norm, rtol=1e-9,
                                       atol=1e-12, err_msg=f"{name} column {k} {rule}")
        for name, m in (("retail", RETAIL), ("wholesale", WHOLESALE), ("backbone", BACKBONE)):
            np.testing.assert_allclose(got.values[:, m, k], as_array(graph, ref[name]) / max(total, 1e-300),
                                       rtol=1e-9, atol=1e-12, err_msg=f"{name} column {k} {rule}")
        if k == 0:
            assert got.reach == pytest.approx(ref["totals"]["reach"] / norm, abs=1e-12)
            assert got.path_length_sum == pytest.approx(ref["totals"]["length"] / norm, abs=1e-12)
            for i, origin in enumerate(country.asns.tolist()):
                if int(graph.index_of(origin)[0]) >= 0 and origin not in removed:
                    assert got.origin_reach[i] == pytest.approx(ref["reach"][origin] / max(total, 1e-300))
            pairs = {(int(a), int(b)): w for a, b, w in zip(got.pair_from, got.pair_to, got.pair_weight, strict=True)}
            expected = {key: value / norm for key, value in ref["pairs"].items() if value > 0}
            assert pairs.keys() == expected.keys()
            for key, value in expected.items():
                assert pairs[key] == pytest.approx(value, rel=1e-9)


# the tie rules, and seeds of random tie orders (each AS its own order)
RULES = st.one_of(st.sampled_from(list(TieRule)), st.integers(0, (1 << 40) - 1))


@st.composite
def weighted(draw):
    graph, country, _, removed = draw(topologies())
    # a country's space may be originated by ASes registered abroad: they are vantage points too
    abroad = sorted(set(graph.asns.tolist()) - set(country.domestic.tolist()) - set(removed))
    extra = draw(st.lists(st.sampled_from(abroad), max_size=2, unique=True)) if abroad else []
    if extra:
        raw = np.concatenate((country.v4_addresses, draw(st.lists(st.floats(0.1, 10), min_size=len(extra),
                                                                  max_size=len(extra)))))
        order = np.argsort(np.concatenate((country.asns, np.array(extra, np.uint32))), kind="stable")
        country = replace(country, asns=np.concatenate((country.asns, np.array(extra, np.uint32)))[order],
                          v4_addresses=raw[order], weight=(raw / raw.sum())[order],
                          v6_slash64=np.zeros(len(raw)), kmi_v4=np.concatenate((country.kmi_v4, np.ones(len(extra))))[order],
                          kmi_v6=np.zeros(len(raw)), country_v4=int(raw.sum()), routed_v4=float(raw.sum()))
    # column 0: every AS equally; column 1: arbitrary non-negative weights (some zero)
    raw = draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 3.0, 10.0]), min_size=len(graph), max_size=len(graph)))
    weights = np.column_stack([np.ones(len(graph)), np.array(raw)])
    return graph, country, weights, removed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weighted(), RULES, st.sampled_from([1, 2]))
def test_flow_kernel_matches_path_enumeration(case, rule, workers) -> None:
    graph, country, weights, _ = case
    _check(graph, country, weights, rule, None, workers)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weighted(), RULES, st.data())
def test_flow_kernel_matches_path_enumeration_under_scenario(case, rule, data) -> None:
    graph, country, weights, removed = case
    asns = graph.asns.tolist()
    scenario = Scenario()
    for asn in removed:
        scenario = scenario.without_as(asn)
    # an added peering (added links live in the overlay's extra lists) and a stopped export
    a, b = data.draw(st.sampled_from(asns)), data.draw(st.sampled_from(asns))
    if a != b and data.draw(st.booleans()):
        scenario = scenario.with_link(a, b, "peer")
    if data.draw(st.booleans()):
        scenario = scenario.without_export(data.draw(st.sampled_from(asns)),
                                           data.draw(st.lists(st.sampled_from(asns), max_size=2)))
    _check(graph, country, weights, rule, scenario, 2)
