"""Measures on a hand-built topology whose answers are worked out by hand in the comments."""

from __future__ import annotations

import numpy as np
import pytest

from splinternet.analysis.country import CountryOrigins, MembershipView, Weighting
from splinternet.analysis.scenario import Scenario, compile_overlay
from splinternet.analysis.transit import transit_report, trimmed_mean
from splinternet.analysis.transit_evidence import simulate_evidence
from splinternet.analysis.whatif import compare_scenario
from splinternet.sources.asorg import OrgTable
from splinternet.tables.topology import ASGraph

# Foreign: tier-1s 100 and 200 peer; 10 is a customer of 100, 20 of 200.
# Domestic: 1 buys from 10 and 20; 2 (stub) buys from 1; 3 (stub) buys from 20 only.
GRAPH = ASGraph.from_links(
    providers=np.array([100, 200, 10, 20, 1, 20], np.uint32),
    customers=np.array([10, 20, 1, 1, 2, 3], np.uint32),
    peers_a=np.array([100], np.uint32),
    peers_b=np.array([200], np.uint32),
)
WEIGHTS = {1: 0.5, 2: 0.25, 3: 0.25}
ORIGINS = CountryOrigins(
    cc="XX", view=MembershipView.ADDRESS, weighting=Weighting.SPACE, asns=np.array([1, 2, 3], np.uint32),
    v4_addresses=np.array([512.0, 256.0, 256.0]), v6_slash64=np.zeros(3), kmi_v4=np.array([1.0, 1.0, 1.0]),
    kmi_v6=np.zeros(3), weight=np.array([0.5, 0.25, 0.25]), domestic=np.array([1, 2, 3], np.uint32),
    country_v4=1024, country_v6_slash64=0.0, routed_v4=1024.0, routed_v6_slash64=0.0,
)
ORGS = OrgTable(
    asns=np.array([1, 2, 3, 10, 20, 100, 200], np.uint32),
    as_names=np.array(["D1", "D2", "D3", "F1", "F2", "T1", "T2"], dtype=object),
    as_org=np.array([0, 0, 0, 1, 1, 1, 1], np.int32), as_source=np.array(["X"] * 7, dtype=object),
    org_ids=np.array(["dom", "for"], dtype=object), org_names=np.array(["", ""], dtype=object),
    org_countries=np.array(["XX", "YY"], dtype=object),
)


def report(scenario=None):
    overlay = compile_overlay(GRAPH, scenario)
    vantages = np.array([a for a in (10, 20, 100, 200) if scenario is None or a not in scenario.removed_ases],
                        np.uint32)
    ev = simulate_evidence(GRAPH, ORIGINS, scenario=overlay, candidates=np.array([1, 10, 20, 100, 200], np.uint32),
                           vantages=vantages)
    return ev, transit_report(ev, ORIGINS, ORGS, GRAPH, date="2022-03-01", overlay=overlay)


def test_border_gateway_transit_by_hand() -> None:
    ev, rep = report()
    # Paths (vantage -> origin): to 1 and 2, 10 and 100 enter via 10, 20 and 200 via 20; to 3 all enter via 20.
    # border: 10 carries 2 paths x (0.5 + 0.25) = 1.5 of 4 path-weights; 20 carries 1.5 + 4 x 0.25 = 2.5.
    border = {r.asn: r.border_share for r in rep.providers}
    assert border == pytest.approx({20: 0.625, 10: 0.375})
    gateways = {g.asn: g.gateway_share for g in rep.gateways}
    assert gateways == pytest.approx({1: 0.75, 3: 0.25})
    assert sum(border.values()) == pytest.approx(1.0) and sum(gateways.values()) == pytest.approx(1.0)
    # transit (strictly between vantage and origin), over 4 vantages x total weight 1:
    # 10: 100->10->1 (0.5) and 100->10->1->2 (0.25) = 0.75/4; 20: 0.5 + 0.25 + 3 x 0.25 = 1.5/4;
    # 1: the four paths to 2 (4 x 0.25)/4; 100: 10->100->200->20->3 (0.25)/4; 200: two paths to 3 (0.5)/4.
    mean = dict(zip(GRAPH.asns.tolist(), (ev.transit / 4).tolist(), strict=True))
    assert mean == pytest.approx({1: 0.25, 2: 0.0, 3: 0.0, 10: 0.1875, 20: 0.375, 100: 0.0625, 200: 0.125})
    # four vantages: a 10% trim drops nothing, so the trimmed mean equals the mean here
    by_asn = {r["asn"]: r["transit_share"] for r in rep.transit}
    assert by_asn[20] == pytest.approx(0.375) and by_asn[1] == pytest.approx(0.25)
    served = {r.asn: {s["asn"]: s["share"] for s in r.served} for r in rep.providers}
    assert served[20] == pytest.approx({1: 0.375, 3: 0.25}) and served[10] == pytest.approx({1: 0.375})
    f2 = next(r for r in rep.providers if r.asn == 20)
    assert (f2.single_homed, f2.single_foreign_upstream) == (1, 1)  # AS3 has no other provider
    # every vantage reaches every origin; mean path length = sum of weights x hops / 4
    assert ev.reach_weight == pytest.approx(4.0)
    lengths = 0.5 * (1 + 1 + 2 + 2) + 0.25 * (2 + 2 + 3 + 3) + 0.25 * (1 + 2 + 3 + 4)
    assert ev.mean_path_length() == pytest.approx(lengths / 4)


def test_without_the_only_provider_of_a_stub() -> None:
    base, before = report()
    scenario = Scenario().without_as(20)
    scen, after = report(scenario)
    out = compare_scenario(ORIGINS, GRAPH, ORGS, base, scen, before, after, compile_overlay(GRAPH, scenario),
                           scenario.describe(), date="2022-03-01")
    assert [n["asn"] for n in out.lost_networks] == [3]
    assert out.lost_share == pytest.approx(0.25)
    assert [r["asn"] for r in out.left_single_homed] == [1]
    assert [r["asn"] for r in out.left_without_provider] == [3]
    assert {r.asn: r.border_share for r in after.providers} == pytest.approx({10: 1.0})
    assert out.absorbed[0]["asn"] == 10 and out.absorbed[0]["gain"] == pytest.approx(0.625)
    assert out.removal == "worldwide" and out.removal_text.startswith("Removed worldwide: AS20")
    assert (out.lost_networks_count, out.left_single_homed_count, out.left_without_provider_count) == (1, 1, 1)
    # AS20 had 3 links (provider 200, customers 1 and 3): all go with it; it originates nothing in XX
    assert out.scenario_ases == [{"asn": 20, "name": "F2", "as_name": "F2", "removal": "worldwide", "links_cut": 3,
                                  "ipv4_addresses": 0.0, "country_share": 0.0, "reach_before": None,
                                  "reach_after": None}]


def test_a_removed_domestic_as_is_not_its_own_victim() -> None:
    # without AS1 (removed worldwide) AS2, whose only provider it was, loses every route; AS1 itself
    # is the scenario: reported apart with its own half of the country, never among the victims
    base, before = report()
    scenario = Scenario().without_as(1)
    scen, after = report(scenario)
    out = compare_scenario(ORIGINS, GRAPH, ORGS, base, scen, before, after, compile_overlay(GRAPH, scenario),
                           scenario.describe(), date="2022-03-01")
    assert [n["asn"] for n in out.lost_networks] == [2] and out.lost_networks_count == 1
    assert out.lost_share == pytest.approx(0.25)
    victims = [*out.lost_networks, *out.degraded_networks, *out.left_single_homed, *out.left_without_provider]
    assert 1 not in {r["asn"] for r in victims}
    assert [r["asn"] for r in out.left_without_provider] == [2]
    (named,) = out.scenario_ases
    assert (named["asn"], named["country_share"], named["reach_before"], named["reach_after"]) == (1, 0.5, 1.0, 0.0)


def test_links_only_is_reported_as_such() -> None:
    # cutting AS20's links to the country's networks: AS3 (only AS20 upstream) loses every route, AS20 stays
    base, before = report()
    scenario = Scenario().without_links_to(20, ORIGINS.domestic)
    scen, after = report(scenario)
    out = compare_scenario(ORIGINS, GRAPH, ORGS, base, scen, before, after, compile_overlay(GRAPH, scenario),
                           scenario.describe(), date="2022-03-01")
    assert out.removal == "links_to_country"
    assert out.removal_text.startswith("Links to XX only: the 2 links between AS20")
    assert out.scenario_ases[0]["links_cut"] == 2 and out.scenario_ases[0]["removal"] == "links_to_country"
    assert [n["asn"] for n in out.lost_networks] == [3] and out.lost_networks_count == 1


def test_trimmed_mean_drops_both_tails() -> None:
    values = np.array([[0.0], [1.0], [1.0], [1.0], [1.0], [1.0], [1.0], [1.0], [1.0], [10.0]])
    assert trimmed_mean(values)[0] == pytest.approx(1.0)
    assert trimmed_mean(np.arange(20.0).reshape(-1, 1))[0] == pytest.approx(np.arange(2.0, 18.0).mean())


def test_report_from_flows_by_hand() -> None:
    from splinternet.analysis.flow_measures import (
        TieRule,
        flow_evidence,
        flow_measures,
        vantage_weights,
    )

    ev, rep = report()
    flows = flow_measures(GRAPH, ORIGINS, vantage_weights(GRAPH, ORIGINS, ("all",)), schemes=("all",),
                          ties=TieRule.SPLIT)
    with_flows = transit_report(ev, ORIGINS, ORGS, GRAPH, date="2022-03-01", flows=flows)
    # no AS has two equally good routes here and every foreign AS weighs 1: border, gateway and
    # served networks are those of the one-route evidence above
    assert {r.asn: r.border_share for r in with_flows.providers} == pytest.approx({20: 0.625, 10: 0.375})
    assert {g.asn: g.gateway_share for g in with_flows.gateways} == pytest.approx({1: 0.75, 3: 0.25})
    assert {r.asn: {s["asn"]: s["share"] for s in r.served} for r in with_flows.providers} == \
        {r.asn: {s["asn"]: pytest.approx(s["share"]) for s in r.served} for r in rep.providers}
    # influence (CTI-style): ASes holding a customer route, each path discounted by 1/(hops to the origin),
    # the AS's own vantage included, over 4 vantages x weight 1.
    # 20: to 1 {20, 200} at 1 hop (0.5 x 2); to 2 {20, 200} at 2 hops (0.25 x 2 / 2); to 3 {20, 200, 100, 10}
    #     at 1 hop (0.25 x 4): 2.25 / 4. 10: 1.0 + 0.25 (to 3 it holds a provider route): 1.25 / 4.
    # 1: to 2, all four at 1 hop (0.25 x 4) = 1.0 / 4. 200: 0.5 / 2 + 0.25 / 3 + 0.25 x 3 / 2 = 0.7083 / 4.
    # 100: 0.5 / 2 + 0.25 / 3 (to 3 it holds a peer route) = 0.3333 / 4.
    influence = {r["asn"]: r["influence"] for r in with_flows.transit}
    assert influence == pytest.approx({20: 0.5625, 10: 0.3125, 1: 0.25, 200: 0.7083333 / 4, 100: 0.3333333 / 4})
    assert [r["asn"] for r in with_flows.transit] == [20, 10, 1, 200, 100]
    assert with_flows.evidence["ties"] == "split" and with_flows.evidence["transit_ranked_by"] == "influence"
    # the flows alone carry the rest of the report: customer base, reach, path length
    alone = transit_report(flow_evidence(flows, ORIGINS), ORIGINS, ORGS, GRAPH, date="2022-03-01", flows=flows)
    for a, b in zip(alone.providers, rep.providers, strict=True):
        assert a.customer_base == pytest.approx(b.customer_base) and a.border_share == pytest.approx(b.border_share)
    for key in ("reach", "mean_path_length", "vantage_points", "paths", "origins_used"):
        assert alone.evidence[key] == pytest.approx(rep.evidence[key]), key
