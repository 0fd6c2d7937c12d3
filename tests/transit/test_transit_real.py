"""Transit, what-if and diff on the real 2022 topology: invariants, countries, clear errors."""

from __future__ import annotations

import bz2

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
    # the module's snapshot served the other countries too: only this one's block files are its inputs
    own = {r.url for r in snapshot.loaded_country_blocks(cc).releases}
    blocks = [s["url"] for s in report.sources if s["dataset"] in ("ipverse-country", "rir-delegated")]
    assert blocks and set(blocks) <= own
    assert sum(s["dataset"] == "ipverse-country" for s in report.sources) <= 2  # IPv4 and IPv6 of one country
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


def test_a_removed_as_is_never_a_victim(snapshot) -> None:
    # the largest origin of LI (a domestic network) removed worldwide: its own space goes with it, reported apart
    origins = api.country_membership(snapshot, "LI").origins
    largest = int(origins.asns[np.argmax(origins.weight)])
    for links_only in (False, True):
        report = api.whatif("LI", None, [largest], links_only=links_only, snapshot=snapshot,
                            options=api.TransitOptions(top=3))
        victims = [*report.lost_networks, *report.degraded_networks, *report.left_single_homed,
                   *report.left_without_provider]
        assert largest not in {r["asn"] for r in victims}
        (named,) = report.scenario_ases
        assert named["asn"] == largest and named["country_share"] == pytest.approx(origins.weight.max())
        assert report.removal == ("links_to_country" if links_only else "worldwide")
        assert report.removal_text.startswith("Links to LI only" if links_only else "Removed worldwide")
        if not links_only:
            assert named["reach_before"] > 0 and named["reach_after"] == 0  # it is gone, not a victim
            assert named["links_cut"] == sum(len(f(largest)) for f in (snapshot.graph().providers_of,
                                                                       snapshot.graph().customers_of,
                                                                       snapshot.graph().peers_of))


def test_cut_lists_carry_their_real_totals(snapshot) -> None:
    # the same scenario cut at 1 row and at 400: the totals are the full counts, and equal the deep lists' lengths
    shallow = api.whatif("LI", None, [8447, 3356], snapshot=snapshot, options=api.TransitOptions(top=1))
    deep = api.whatif("LI", None, [8447, 3356], snapshot=snapshot, options=api.TransitOptions(top=400))
    tables = (("lost_networks", 1), ("degraded_networks", 1), ("left_single_homed", 4), ("left_without_provider", 4),
              ("absorbed", 1))
    for name, depth in tables:
        total = getattr(shallow, f"{name}_count")
        assert total == getattr(deep, f"{name}_count") == len(getattr(deep, name)), name
        assert len(getattr(shallow, name)) == min(total, depth), name
    assert any(getattr(shallow, f"{name}_count") > len(getattr(shallow, name)) for name, _ in tables)  # cut exercised


def test_diff_between_the_two_topologies(mirror_settings) -> None:
    report = api.diff("LI", "2022-03-01", "2022-05-01", prefixes_date="2024-04-06", settings=mirror_settings)
    assert report.links_lost_count + report.links_gained_count > 0
    assert report.before.date == "2022-03-01" and report.after.date == "2022-05-01"
    for row in report.shares_moved:
        assert row["change"] == pytest.approx(row["after"] - row["before"])
    # full vectors: every share reads as it is on its date, whether or not the AS made the displayed top rows
    deep = api.diff("LI", "2022-03-01", "2022-05-01", prefixes_date="2024-04-06", settings=mirror_settings,
                    options=api.TransitOptions(top=5000))
    assert len(report.before.providers) <= 25 and len(deep.shares_moved) == deep.shares_compared
    full = {r["asn"]: r for r in deep.shares_moved}
    for row in report.shares_moved:  # the same figures as the deep comparison, never a 0 for a nonzero share
        assert (row["before"], row["after"]) == pytest.approx((full[row["asn"]]["before"], full[row["asn"]]["after"]))
    before = {r.asn: r.border_share for r in deep.before.providers}
    after = {r.asn: r.border_share for r in deep.after.providers}
    assert all(full[a]["before"] == pytest.approx(before.get(a, 0.0)) and
               full[a]["after"] == pytest.approx(after.get(a, 0.0)) for a in full)
    assert report.shares_compared == deep.shares_compared == len(set(before) | set(after))
    assert report.shares_moved_count == sum(abs(r["change"]) >= 0.0005 for r in deep.shares_moved)
    assert report.links_lost_count == deep.links_lost_count >= len(report.links_lost)


def _caida_roles(path) -> dict[tuple[int, int], str]:
    """(a, b) -> what a is to b, read straight from a CAIDA serial-1 file (``a|b|-1``: a is b's provider)."""
    roles: dict[tuple[int, int], str] = {}
    with bz2.open(path, "rt") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            a, b, rel = (int(x) for x in line.split("|")[:3])
            roles[(a, b)], roles[(b, a)] = ("peer", "peer") if rel == 0 else ("provider", "customer")
    return roles


def test_diff_links_and_single_homed_match_the_caida_files(mirror_settings, shared_file) -> None:
    report = api.diff("LI", "2022-03-01", "2022-05-01", prefixes_date="2024-04-06", settings=mirror_settings)
    first, second = (_caida_roles(shared_file(next(s["url"] for s in r.sources if s["dataset"] == "caida-asrel")))
                     for r in (report.before, report.after))
    pairs = {name: [(r["domestic_asn"], r["foreign_asn"]) for r in getattr(report, f"links_{name}")]
             for name in ("lost", "gained", "changed")}
    for name in ("lost", "gained", "changed"):  # LI's lists are short: nothing is cut
        assert len(pairs[name]) == getattr(report, f"links_{name}_count")
    for row in report.links_lost:  # a lost link is gone, not a link whose relationship changed
        assert first[(row["foreign_asn"], row["domestic_asn"])] == row["foreign_role"]
        assert (row["foreign_asn"], row["domestic_asn"]) not in second
    for row in report.links_gained:
        assert second[(row["foreign_asn"], row["domestic_asn"])] == row["foreign_role"]
        assert (row["foreign_asn"], row["domestic_asn"]) not in first
    assert report.links_changed, "LI has a link whose relationship CAIDA changed between 2022-03 and 2022-05"
    for row in report.links_changed:
        key = (row["foreign_asn"], row["domestic_asn"])
        assert (first[key], second[key]) == (row["foreign_role_before"], row["foreign_role"])
        assert first[key] != second[key]
    assert not (set(pairs["lost"]) | set(pairs["gained"])) & set(pairs["changed"])
    assert report.new_single_homed
    in_first = {a for a, _ in first}
    for row in report.new_single_homed:  # what each network had on the first date, from the file itself
        asn = row["asn"]
        assert [a for (a, b), role in second.items() if b == asn and role == "provider"] == [row["provider"]]
        before = sorted(a for (a, b), role in first.items() if b == asn and role == "provider")
        assert row["providers_before"] == before != [row["provider"]]
        assert row["in_graph_before"] == (asn in in_first)
    shares = [r["country_share"] for r in report.new_single_homed]
    assert shares == sorted(shares, reverse=True)


def test_clear_errors(snapshot, mirror_settings) -> None:
    with pytest.raises(UnknownCountryError, match="XQ"):
        api.transit("XQ", "2022-03-01", snapshot=snapshot)
    with pytest.raises(UnknownCountryError, match="two letters"):
        api.transit("RUS", "2022-03-01", snapshot=snapshot)
    with pytest.raises(DataNotFoundError, match="no release of .* for 2012-01-01.*nearest releases that exist"):
        api.transit("RU", "2012-01-01", snapshot=Snapshot.for_date("2012-01-01", settings=mirror_settings))
