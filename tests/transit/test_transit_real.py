"""Transit, what-if and diff on the real 2022 topology: invariants, countries, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from splinternet import api
from splinternet.errors import DataNotFoundError, UnknownCountryError
from splinternet.sources.snapshot import Snapshot

pytestmark = [pytest.mark.data, pytest.mark.slow]
QUICK = api.TransitOptions(max_origins=120, top=40)


@pytest.fixture(scope="module")
def snapshot(mirror_settings):
    # the mirror has prefix-to-AS data only for 2024-04-06
    return Snapshot.for_date("2022-03-01", settings=mirror_settings, prefixes_date="2024-04-06")


def _check_invariants(report) -> None:
    for row in report.providers:
        assert 0 < row.border_share <= 1 and 0 <= row.transit_mean <= 1
        assert row.transit_share is None or 0 <= row.transit_share <= 1
        assert row.country != report.cc or row.country == ""
    for row in report.gateways:
        assert 0 < row.gateway_share <= 1
    for row in report.transit:
        assert 0 <= row["transit_share"] <= 1
    assert sum(r.border_share for r in report.providers) <= 1 + 1e-9
    assert sum(r.gateway_share for r in report.gateways) <= 1 + 1e-9


@pytest.mark.parametrize("cc", ["RU", "UA", "DE", "IR", "KZ", "US", "LI"])
def test_countries(snapshot, cc) -> None:
    report = api.transit(cc, "2022-03-01", options=QUICK, snapshot=snapshot)
    _check_invariants(report)
    assert report.providers and report.gateways and report.summary.startswith(f"{cc} on 2022-03-01")
    assert report.evidence["vantage_points"] > 0.6 * len(snapshot.graph())  # every foreign AS
    assert {s["dataset"] for s in report.sources} >= {"caida-asrel", "caida-asorg", "routeviews-pfx2as",
                                                     "ipverse-country"}
    if cc == "RU":  # the well-known picture on the eve of the exit: Lumen and Cogent among the top carriers
        top = [r.asn for r in report.providers[:8]]
        assert 3356 in top and 174 in top


def test_border_shares_sum_to_one_over_inbound_paths(snapshot) -> None:
    from splinternet.analysis.transit_evidence import simulate_evidence

    origins = api.country_membership(snapshot, "LI").origins
    ev = simulate_evidence(snapshot.graph(), origins)
    assert ev.border.sum() == pytest.approx(ev.gateway.sum())
    shares = ev.border / ev.border.sum()
    assert shares.min() >= 0 and shares.sum() == pytest.approx(1.0)
    # each handed-over path is a pair (foreign AS, domestic AS): the pair weights add up the same way
    assert ev.pair_weight.sum() == pytest.approx(ev.border.sum())
    assert not np.isin(ev.pair_from, origins.domestic).any() and np.isin(ev.pair_to, origins.domestic).all()


def test_removing_an_as_never_adds_reachability(snapshot) -> None:
    report = api.whatif("LI", "2022-03-01", [8447, 3356], snapshot=snapshot)
    before = {n["asn"]: n for n in report.degraded_networks}
    assert all(n["reach_after"] <= n["reach_before"] for n in before.values())
    assert report.reach["after"] <= report.reach["before"] + 1e-12
    assert all(r.asn not in (8447, 3356) for r in report.after.providers)
    links = api.whatif("LI", "2022-03-01", [8447], links_only=True, snapshot=snapshot)
    assert links.reach["after"] <= links.reach["before"] + 1e-12
    assert all(r.asn != 8447 for r in links.after.providers)


def test_diff_between_the_two_topologies(mirror_settings) -> None:
    report = api.diff("LI", "2022-03-01", "2022-05-01", prefixes_date="2024-04-06", settings=mirror_settings)
    assert report.links_lost_count + report.links_gained_count > 0
    assert report.before.date == "2022-03-01" and report.after.date == "2022-05-01"
    for row in report.shares_moved:
        assert row["change"] == pytest.approx(row["after"] - row["before"])


def test_clear_errors(snapshot, mirror_settings) -> None:
    with pytest.raises(UnknownCountryError, match="XQ"):
        api.transit("XQ", "2022-03-01", snapshot=snapshot)
    with pytest.raises(UnknownCountryError, match="two letters"):
        api.transit("RUS", "2022-03-01", snapshot=snapshot)
    with pytest.raises(DataNotFoundError, match="no release of .* for 2012-01-01.*nearest releases that exist"):
        api.transit("RU", "2012-01-01", snapshot=Snapshot.for_date("2012-01-01", settings=mirror_settings))
