"""Stability on the real 2022 topology: the variants run, the headline is the plain run's, months are honest."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from splinternet import api
from splinternet.analysis.flow_measures import (
    TieRule,
    VantageScheme,
    headline_flows,
    originated_space,
)
from splinternet.analysis.org_merge import org_groups
from splinternet.analysis.org_stability import org_rankings
from splinternet.analysis.stability import competition_ranks, flow_rankings
from splinternet.api.stability import CONFIRMED, RANDOM_TIE_SEEDS, neighbour_snapshots
from splinternet.errors import ParameterError
from splinternet.sources.snapshot import DatasetChoice, Snapshot

pytestmark = [pytest.mark.data, pytest.mark.slow]
ROWS = 6
QUICK = api.TransitOptions(max_origins=40, top=12, stability=True, stability_rows=ROWS)


@pytest.fixture(scope="module")
def snapshot(mirror_settings):
    return Snapshot.for_date("2022-03-01", settings=mirror_settings, prefixes_date="2024-04-06")


@pytest.fixture(scope="module")
def stable(snapshot):
    return api.transit("LI", None, options=QUICK, snapshot=snapshot)


def _subset(origins, n):
    return origins.asns[np.argsort(-origins.weight, kind="stable")[:n]]


def test_more_vantage_columns_leave_column_0_exactly_the_headline(snapshot) -> None:
    graph, pfx4 = snapshot.graph(), snapshot.pfx2as(4)
    origins = api.country_membership(snapshot, "LI").origins
    space = originated_space(graph, pfx4)
    subset = _subset(origins, 40)
    one = headline_flows(graph, origins, pfx4, space=space, origin_subset=subset)
    others = (VantageScheme.ALL, VantageScheme.TRANSIT, VantageScheme.CONE)
    many = headline_flows(graph, origins, pfx4, space=space, origin_subset=subset, more_vantages=others)
    assert many.values.shape[2] == 4 and many.schemes == ("space", "all", "transit", "cone")
    assert np.array_equal(many.values[:, :, 0], one.values[:, :, 0])
    for name in ("pair_from", "pair_to", "pair_weight", "vantages", "origins_used"):
        assert np.array_equal(getattr(many, name), getattr(one, name)), name
    assert (many.reach, many.path_length_sum, many.paths) == (one.reach, one.path_length_sum, one.paths)
    # each further column is that scheme's own run (up to the order of floating-point sums)
    alone = headline_flows(graph, origins, pfx4, vantages=VantageScheme.CONE, space=space, origin_subset=subset)
    assert np.allclose(many.values[:, :, 3], alone.values[:, :, 0], rtol=1e-9, atol=1e-15)


def test_the_headline_is_the_plain_run(snapshot, stable) -> None:
    plain = api.transit("LI", None, options=api.TransitOptions(max_origins=40, top=12), snapshot=snapshot)
    assert stable.providers == plain.providers and stable.gateways == plain.gateways
    assert stable.transit == plain.transit and stable.summary == plain.summary
    assert "stability" not in plain.evidence


def test_every_variant_ranks_and_the_ranges_hold(stable) -> None:
    s = stable.evidence["stability"]
    assert s["variants"] == ["vantages: all", "vantages: transit", "vantages: cone", "ties: lowest-asn",
                             "ties: highest-asn", "ties: random per AS 1", "ties: random per AS 2",
                             "month: 2022-02-01", "month: 2022-04-01", "links: confirmed by a neighbouring month"]
    assert s["left_out"] == [] and s["rows"] == ROWS
    assert [row["variant"] for row in s["inputs"]] == ["month: 2022-02-01", "month: 2022-04-01"]
    assert all(row["dataset"] == "caida-asrel" and len(row["sha256"]) == 64 for row in s["inputs"])
    for table, rows in s["tables"].items():
        assert 0 < len(rows) <= ROWS
        for leaders in s["leaders"][table].values():  # every variant ranks something first
            assert leaders
        for row in rows:
            assert set(row["ranks"]) == set(s["variants"])
            assert row["rank_min"] <= row["rank"] <= row["rank_max"] and row["share_min"] <= row["share_max"]
    first = s["tables"]["providers"][0]
    assert first["asn"] == stable.providers[0].asn and first["share"] == pytest.approx(stable.providers[0].border_share)
    assert first["rank"] == 1 and isinstance(s["top_provider_holds"], bool) and s["verdict"]


@pytest.fixture(scope="module")
def highest_alone(snapshot):
    """The per-AS rankings of the variant "ties: highest-asn", run alone."""
    graph, pfx4 = snapshot.graph(), snapshot.pfx2as(4)
    origins = api.country_membership(snapshot, "LI").origins
    return flow_rankings(headline_flows(graph, origins, pfx4, ties=TieRule.HIGHEST,
                                        origin_subset=_subset(origins, 40)))


@pytest.fixture(scope="module")
def org_stable(snapshot):
    return api.transit("LI", None, options=replace(QUICK, by="org"), snapshot=snapshot)


def test_a_tie_variant_is_that_tie_rule_run_alone(stable, highest_alone, snapshot) -> None:
    graph, pfx4 = snapshot.graph(), snapshot.pfx2as(4)
    origins = api.country_membership(snapshot, "LI").origins
    random_alone = flow_rankings(headline_flows(graph, origins, pfx4, tie_seed=RANDOM_TIE_SEEDS[1],
                                                origin_subset=_subset(origins, 40)))
    months = [other.graph() for _, other, _ in neighbour_snapshots(snapshot) if other is not None]
    confirmed = graph.confirmed_by(months)
    assert len(months) == 2 and 0 < confirmed.provider_customer_links < graph.provider_customer_links
    confirmed_alone = flow_rankings(headline_flows(confirmed, origins, pfx4, origin_subset=_subset(origins, 40)))
    for variant, alone in (("ties: highest-asn", highest_alone), ("ties: random per AS 2", random_alone),
                           (CONFIRMED, confirmed_alone)):
        for table, rows in stable.evidence["stability"]["tables"].items():
            asns = np.array([r["asn"] for r in rows], dtype=np.uint32)
            ranks = competition_ranks(alone[table].shares, alone[table].share_of(asns))
            assert [r["ranks"][variant] for r in rows] == [int(x) or None for x in ranks.tolist()], variant


def test_a_month_the_archive_lacks_is_said_not_failed(curated_settings) -> None:
    # the curated view holds the AS relationships of 2022-03-01 and 2022-05-01 only
    snap = Snapshot.for_date("2022-03-01", settings=curated_settings, prefixes_date="2024-04-06")
    found = neighbour_snapshots(snap)
    assert [(label, other) for label, other, _ in found] == [("month: 2022-02", None), ("month: 2022-04", None)]
    assert all("no CAIDA AS-relationship release" in why for _, _, why in found)


def test_relationships_given_as_a_file_have_no_neighbouring_month(snapshot, mirror_settings) -> None:
    path = snapshot.input_path("caida-asrel")
    given = Snapshot.for_date("2022-03-01", settings=mirror_settings,
                              choices={"caida-asrel": DatasetChoice(path=path)})
    [(label, other, why)] = neighbour_snapshots(given)
    assert other is None and "given as a file" in why


def test_stability_needs_simulated_evidence() -> None:
    with pytest.raises(ParameterError, match="observed paths have none"):
        api.TransitOptions(evidence="observed", stability=True)
    with pytest.raises(ParameterError, match="at least 1"):
        api.TransitOptions(stability=True, stability_rows=0)


def test_stability_by_org_follows_the_org_reports_own_order(org_stable) -> None:
    s = org_stable.evidence["stability"]
    assert s["by"] == "org" and s["measures"]["transit"] == "influence, upper bound (sum of members)"
    assert org_stable.evidence["transit_ranked_by"] == "influence, upper bound (sum of members)"
    shown = {"providers": [(r.org_id, r.asn, r.border_share) for r in org_stable.providers],
             "gateways": [(r.org_id, r.asn, r.gateway_share) for r in org_stable.gateways],
             "transit": [(r["org_id"], r["asn"], r["influence_bounds"]["upper"]) for r in org_stable.transit]}
    for table, rows in s["tables"].items():
        assert [(r["org_id"], r["asn"], r["share"]) for r in rows] == shown[table][:ROWS]  # the same floats
        assert len(rows) == ROWS and rows[0]["rank"] == 1
    assert s["leaders"]["providers"]["default"] == [org_stable.providers[0].org_id]
    assert org_stable.providers[0].name in s["verdict"] and org_stable.providers[0].org_id in s["verdict"]


def test_an_org_variant_is_its_members_summed_by_hand(snapshot, org_stable, highest_alone) -> None:
    """One variant merged with a dict (org id, else AS<n>) and ranked by hand: the same ranks, exact sums."""
    orgs = snapshot.orgs()
    s = org_stable.evidence["stability"]
    for table, ranking in highest_alone.items():
        summed: dict[str, float] = {}
        for asn, share in zip(ranking.asns.tolist(), ranking.shares.tolist(), strict=True):
            if share > 0:
                info = orgs.get(asn)
                key = info.org_id if info is not None and info.org_id else f"AS{asn}"
                summed[key] = summed.get(key, 0.0) + share
        for row in s["tables"][table]:
            mine = summed.get(row["org_id"], 0.0)
            want = 1 + sum(1 for v in summed.values() if v > mine) if mine > 0 else None
            assert row["ranks"]["ties: highest-asn"] == want, (table, row["org_id"])
            assert row["share_min"] - 1e-12 <= mine <= row["share_max"] + 1e-12
        groups = org_groups(orgs, ranking.asns)
        merged = org_rankings({table: ranking}, groups)[table]
        positive = {k: v for k, v in zip(groups.ids.tolist(), merged.shares.tolist(), strict=True) if v > 0}
        assert positive == pytest.approx(summed, abs=1e-12)


def test_the_text_shows_each_organizations_range(org_stable) -> None:
    from splinternet.cli import output
    from splinternet.cli.transit import render_text

    with output.console.capture() as captured:
        render_text(org_stable)
    text = captured.get()
    flat = " ".join(text.split())
    assert "ranks per organization (every variant merged as the rows are)" in flat
    assert "transit by influence, upper bound (sum of members)" in flat
    ranges = {r["org_id"]: r["range"] for r in org_stable.evidence["stability"]["tables"]["providers"]}
    for i, row in enumerate(org_stable.providers[:ROWS], 1):
        line = next(ln for ln in text.splitlines() if ln.startswith(f"│ {i} ") and f"AS{row.asn}" in ln)
        assert line.rstrip(" │").endswith(ranges[row.org_id]), line
