"""Organizations (``by`` org, ``without_orgs``): merged rows add up to their members, on the real data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splinternet import api
from splinternet.analysis.org_merge import find_organization, org_groups
from splinternet.analysis.transit import single_homed, transit_report
from splinternet.api.providers import simulated_flows
from splinternet.errors import ParameterError
from splinternet.sources.snapshot import Snapshot
from splinternet.tables.topology import ASGraph

LEVEL3 = "LPL-141-ARIN"  # Level 3 Parent, LLC: AS3356 and AS3549 among others (CAIDA 2022-04-01)


@pytest.fixture(scope="module")
def snapshot(mirror_settings):
    # the mirror has prefix-to-AS data only for 2024-04-06
    return Snapshot.for_date("2022-03-01", settings=mirror_settings, prefixes_date="2024-04-06")


@pytest.fixture(scope="module", params=["LI", "CU"])
def both(request, snapshot):
    """One country's report per AS and per organization, from the same flows, every row kept."""
    origins = api.country_membership(snapshot, request.param).origins
    graph = snapshot.graph()
    evidence, flows = simulated_flows(graph, origins, snapshot.pfx2as(4), api.TransitOptions())
    reports = [transit_report(evidence, origins, snapshot.orgs(), graph, date=snapshot.date_text, flows=flows,
                              top=len(graph), by=by) for by in ("as", "org")]
    return (*reports, snapshot.orgs())


def _by_org(rows, orgs, key: str) -> dict[str, dict[int, float]]:
    groups = org_groups(orgs, np.array([r.asn for r in rows], dtype=np.uint32))
    out: dict[str, dict[int, float]] = {}
    for r, g in zip(rows, groups.group.tolist(), strict=True):
        out.setdefault(str(groups.ids[g]), {})[r.asn] = getattr(r, key)
    return out


@pytest.mark.parametrize(("table", "key"), [("providers", "border_share"), ("gateways", "gateway_share")])
@pytest.mark.data
@pytest.mark.slow
def test_org_shares_are_the_sums_of_their_members(both, table, key) -> None:
    per_as, per_org, orgs = both
    expected = _by_org(getattr(per_as, table), orgs, key)
    rows = getattr(per_org, table)
    assert rows and {r.org_id for r in rows} == set(expected)  # every organization with a share, once
    assert sum(getattr(r, key) for r in rows) == pytest.approx(1.0)
    assert [getattr(r, key) for r in rows] == sorted((getattr(r, key) for r in rows), reverse=True)
    for row in rows:
        members = expected[row.org_id]
        assert getattr(row, key) == pytest.approx(sum(members.values()), abs=1e-12)
        assert {m["asn"]: m[key] for m in row.members} == pytest.approx(members)  # complete, with own shares
        assert row.asn == row.members[0]["asn"] and row.transit_share is None and row.transit_mean is None
        # over every AS of the organization, not only those with a share in this table
        assert 0 <= row.transit_bounds["lower"] <= row.transit_bounds["upper"]


@pytest.mark.data
@pytest.mark.slow
def test_an_organization_of_one_as_equals_its_as_row(both) -> None:
    per_as, per_org, orgs = both
    by_asn = {r.asn: r for r in per_as.providers}
    alone = [r for r in per_org.providers if len(r.members) == 1 and len(orgs.asns[orgs.as_org == orgs.as_org[
        orgs.positions(np.array([r.asn]))[0]]]) == 1]
    assert alone
    for row in alone:
        mine = by_asn[row.asn]
        assert row.border_share == pytest.approx(mine.border_share)
        assert row.networks_served == mine.networks_served and row.served == pytest.approx(mine.served)
        assert (row.single_homed, row.single_foreign_upstream) == (mine.single_homed, mine.single_foreign_upstream)
        assert row.transit_bounds["upper"] == pytest.approx(mine.transit_mean)
    transit = {r["asn"]: r for r in per_as.transit}
    for row in per_org.transit:
        if row["influence_bounds"]["lower"] == row["influence_bounds"]["upper"] and len(row["members"]) == 1:
            assert row["influence_bounds"]["upper"] == pytest.approx(transit[row["asn"]]["influence"])


@pytest.mark.data
@pytest.mark.slow
def test_transit_bounds_are_the_largest_member_and_the_sum(both) -> None:
    per_as, per_org, _ = both
    influence = {r["asn"]: r["influence"] for r in per_as.transit}
    for row in per_org.transit[:20]:
        own = [influence[m["asn"]] for m in row["members"]]
        assert row["influence"] is None and row["influence_bounds"] == pytest.approx(
            {"lower": max(own), "upper": sum(own)})
    assert per_org.evidence["by"] == "org" and "upper bound" in per_org.evidence["transit_ranked_by"]


@pytest.mark.data
@pytest.mark.slow
def test_finding_an_organization(snapshot) -> None:
    orgs = snapshot.orgs()
    level3 = find_organization(orgs, LEVEL3)
    assert level3.name == "Level 3 Parent, LLC" and {3356, 3549} <= set(level3.asns.tolist())
    assert find_organization(orgs, "level 3 parent, llc").org_id == LEVEL3  # a whole name, any case
    with pytest.raises(ParameterError, match=r"organizations match 'rostelecom'.*\(ORG-") as many:
        find_organization(orgs, "rostelecom")
    assert many.value.parameter == "without_orgs"
    with pytest.raises(ParameterError, match="no organization has the id 'no such org zzz'"):
        find_organization(orgs, "no such org zzz")
    with pytest.raises(ParameterError):
        find_organization(orgs, "  ")


@pytest.mark.data
@pytest.mark.slow
def test_without_an_organization_removes_every_as_of_it(snapshot) -> None:
    options = api.TransitOptions(max_origins=40, top=400)
    report = api.whatif("RU", None, without_orgs=[LEVEL3], snapshot=snapshot, options=options)
    [org] = report.organizations
    assert org["org_id"] == LEVEL3 and {3356, 3549} <= set(org["asns"])
    assert "Level 3 Parent, LLC (LPL-141-ARIN)" in report.removal_text
    members = set(org["asns"])
    assert {3356, 3549} <= {r.asn for r in report.before.providers}  # both served Russia before
    assert not members & {r.asn for r in report.after.providers}  # and no AS of Level 3 after (AS3549 included)
    assert {r["asn"] for r in report.scenario_ases} == members
    merged = api.whatif("RU", None, without_orgs=[LEVEL3], snapshot=snapshot,
                        options=api.TransitOptions(max_origins=40, by="org"))
    assert LEVEL3 in {r.org_id for r in merged.before.providers}
    assert LEVEL3 not in {r.org_id for r in merged.after.providers}


@pytest.mark.data
@pytest.mark.slow
def test_without_requires_something_to_remove(snapshot) -> None:
    with pytest.raises(ParameterError, match="AS or organization"):
        api.whatif("LI", None, snapshot=snapshot)


@st.composite
def grouped_graphs(draw):
    """A small AS graph, a set of domestic ASes and a group (organization) per AS."""
    n = draw(st.integers(2, 12))
    pc = [(i, j) for j in range(1, n) for i in draw(st.lists(st.integers(0, j - 1), max_size=3, unique=True))]
    asns = np.arange(1, n + 1, dtype=np.uint32)
    graph = ASGraph.from_links(asns[[p for p, _ in pc]], asns[[c for _, c in pc]], np.zeros(0, np.uint32),
                               np.zeros(0, np.uint32), extra_asns=asns)
    domestic = np.array(draw(st.lists(st.sampled_from(asns.tolist()), max_size=n, unique=True)), dtype=np.uint32)
    group = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), dtype=np.int64)
    return graph, domestic, group[graph.index_of(asns)]


def _single_homed_by_walk(graph, domestic, group):
    """Per group: domestic networks whose providers (foreign providers) all belong to it; one AS at a time."""
    only, only_foreign = {}, {}
    dom = set(domestic.tolist())
    for asn in sorted(dom):
        ups = [int(a) for a in graph.providers_of(asn)]
        for kept, out in ((ups, only), ([a for a in ups if a not in dom], only_foreign)):
            owners = {int(group[graph.index_of(np.array([a], np.uint32))[0]]) for a in kept}
            if len(owners) == 1:
                owner = owners.pop()
                out[owner] = out.get(owner, 0) + 1
    return only, only_foreign


@settings(max_examples=150, deadline=None)
@given(grouped_graphs())
def test_single_homed_by_group_equals_a_walk(case) -> None:
    graph, domestic, group = case
    only, only_foreign = single_homed(graph, domestic, group=group)
    want, want_foreign = _single_homed_by_walk(graph, domestic, group)
    assert {g: int(c) for g, c in enumerate(only) if c} == want
    assert {g: int(c) for g, c in enumerate(only_foreign) if c} == want_foreign
    # one group per AS: the per-AS counts
    assert [x.tolist() for x in single_homed(graph, domestic, group=np.arange(len(graph)))] == \
        [x.tolist() for x in single_homed(graph, domestic)]
