"""Caution where an observed provider's figures come from one collector peer (report.cautions, api summary)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from splinternet.analysis.transit_evidence import PathEvidence
from splinternet.api.providers import vantage_concentration
from splinternet.report.cautions import transit_cautions
from splinternet.sources.asorg import OrgTable

ORGS = OrgTable(asns=np.array([10, 20, 30, 40], np.uint32),
                as_names=np.array(["TEN", "TWENTY-AS", "THIRTY", "FORTY"], dtype=object),
                as_org=np.array([0, 1, -1, -1], np.int32), as_source=np.array(["X"] * 4, dtype=object),
                org_ids=np.array(["a", "b"], dtype=object), org_names=np.array(["Ten Inc", "Other Corp"], dtype=object),
                org_countries=np.array(["US", "DE"], dtype=object))


def evidence(vantages: list[int], candidates: list[int], shares: np.ndarray) -> PathEvidence:
    zeros = np.zeros(len(candidates))
    empty = np.zeros(0, np.uint32)
    return PathEvidence(kind="observed", asns=np.asarray(candidates, np.uint32), vantages=np.asarray(vantages, np.uint32),
                        transit=zeros, border=zeros, gateway=zeros, retail=zeros, wholesale=zeros, backbone=zeros,
                        candidates=np.asarray(candidates, np.uint32), shares=shares, pair_from=empty, pair_to=empty,
                        pair_weight=np.zeros(0), reach_weight=0.0, path_length_sum=0.0, origins_used=empty,
                        origins_missing=empty, weight_missing=0.0)


def reference(vantages: list[int], candidates: list[int], shares: np.ndarray, asn: int) -> tuple[int | None, float | None, int]:
    """Slow, obvious reading: sum the column, take the first largest vantage, count the nonzero ones."""
    if asn not in candidates:
        return None, None, 0
    col = [float(shares[v][candidates.index(asn)]) for v in range(len(vantages))]
    total = sum(col)
    if total <= 0:
        return None, None, 0
    best = max(range(len(col)), key=lambda v: (col[v], -v))
    return vantages[best], col[best] / total, sum(1 for x in col if x > 0)


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, (4, 3), elements=st.sampled_from([0.0, 0.0, 0.1, 0.25, 0.5, 1.0])))
def test_vantage_concentration_matches_reference(shares: np.ndarray) -> None:
    vantages, candidates = [10, 20, 30, 40], [20, 30, 40]
    got = {r["asn"]: r for r in vantage_concentration(evidence(vantages, candidates, shares), [20, 30, 40, 99], ORGS)}
    assert list(got) == [20, 30, 40, 99]
    for asn, row in got.items():
        want_vantage, want_share, want_count = reference(vantages, candidates, shares, asn)
        assert row["vantage_asn"] == want_vantage and row["vantage_points"] == want_count
        assert row["share_of_paths"] == (None if want_share is None else pytest.approx(want_share))
        assert row["vantage_point"] == (asn in vantages)


def test_vantage_names() -> None:
    shares = np.array([[0.9, 0.0], [0.1, 0.0]])
    rows = vantage_concentration(evidence([20, 10], [30, 40], shares), [30, 40], ORGS)
    assert rows[0] == {"asn": 30, "vantage_point": False, "vantage_asn": 20, "vantage_name": "Other Corp",
                       "vantage_as_name": "TWENTY-AS", "share_of_paths": pytest.approx(0.9), "vantage_points": 2}
    assert rows[1]["vantage_asn"] is None and rows[1]["share_of_paths"] is None and not rows[1]["vantage_point"]


def report(kind: str = "observed", concentration: list[dict] | None = None) -> dict:
    providers = [{"asn": 3356, "name": "Level 3 Parent, LLC", "as_name": "LEVEL3", "border_share": 0.4},
                 {"asn": 3216, "name": "PJSC VimpelCom", "as_name": "SOVAM-AS", "border_share": 0.3},
                 {"asn": 174, "name": "Cogent Communications", "as_name": "COGENT-174", "border_share": 0.2},
                 {"asn": 6939, "name": "Hurricane Electric LLC", "as_name": "HURRICANE", "border_share": 0.01}]
    peer = {"vantage_asn": 18106, "vantage_name": "Viewqwest Pte Ltd", "vantage_as_name": "VIEWQWEST-SG-AP"}
    return {"providers": providers, "gateways": [], "membership": {"weighting": "space"},
            "evidence": {"kind": kind, "vantage_points": 40, "vantage_concentration": concentration if concentration
                         is not None else [
                             {"asn": 3356, "vantage_point": False, **peer, "share_of_paths": 0.95, "vantage_points": 3},
                             {"asn": 3216, "vantage_point": True, **peer, "share_of_paths": 0.6, "vantage_points": 12},
                             {"asn": 174, "vantage_point": True, "vantage_asn": None, "vantage_name": "",
                              "vantage_as_name": "", "share_of_paths": None, "vantage_points": 0},
                             {"asn": 6939, "vantage_point": False, **peer, "share_of_paths": 1.0, "vantage_points": 1}]}}


def test_one_peer_cautions() -> None:
    lines = transit_cautions(report())
    assert lines == [
        "provider #1 AS3356 Level 3 Parent, LLC is seen mostly from one collector peer: 95.0% of the observed paths "
        "through it come from AS18106 Viewqwest Pte Ltd (of 3 peers whose paths cross it, each counted equally); "
        "its shares are largely that network's view",
        "provider #2 AS3216 SOVAM-AS · PJSC VimpelCom is seen mostly from one collector peer: 60.0% of the observed "
        "paths through it come from AS18106 Viewqwest Pte Ltd (of 12 peers whose paths cross it, each counted "
        "equally, not counting its own feed as a collector peer); its shares are largely that network's view",
        "provider #3 AS174 Cogent Communications is seen only in its own feed: it is a collector peer, and no other "
        "peer's path to the country crosses it; its shares are that network's view",
    ]  # AS6939: 1% of the border, below what is quoted


def test_no_caution_when_spread_or_simulated() -> None:
    spread = [{"asn": 3356, "vantage_point": False, "vantage_asn": 1, "vantage_name": "", "vantage_as_name": "",
               "share_of_paths": 0.49, "vantage_points": 30}]
    assert transit_cautions(report(concentration=spread)) == []
    assert transit_cautions(report(kind="simulated")) == []
    assert transit_cautions(report(concentration=[])) == []
    assert transit_cautions(report()) and transit_cautions(report(), rows=0) == []


@pytest.mark.data
@pytest.mark.slow
def test_observed_report_on_real_updates(mirror_settings) -> None:
    from splinternet import api
    from splinternet.report.jsonable import to_jsonable
    from splinternet.sources.snapshot import Snapshot

    snapshot = Snapshot.for_date("2022-04-21T02:04", settings=mirror_settings, prefixes_date="2024-04-06")
    # one update file: thin, ranked on request; the 40 largest origins give the same vantage rows and
    # cautions as all of UA's, and spare the full simulated run that a ranked observed report sits beside
    options = api.TransitOptions(evidence=api.Evidence.OBSERVED, collectors=("rrc23",), full_feed_share=0.0,
                                 rank_thin_evidence=True, max_origins=40)
    data = to_jsonable(api.transit("UA", None, options=options, snapshot=snapshot))
    rows = data["evidence"]["vantage_concentration"]
    assert [r["asn"] for r in rows] == [p["asn"] for p in data["providers"]]
    seen = [r for r in rows if r["share_of_paths"] is not None]
    assert seen and all(0 < r["share_of_paths"] <= 1 and r["vantage_points"] >= 1 for r in seen)
    assert all(r["vantage_point"] and r["vantage_points"] == 0 for r in rows if r["share_of_paths"] is None)
    lines = transit_cautions(data)
    # five peers only: the leading providers are each seen through one or two of them
    assert any("is seen mostly from one collector peer" in line for line in lines)
    assert lines[-1].startswith("observed from 5 vantage points only")


def test_few_vantage_points_say_which_peers() -> None:
    """The caution names the peers the run kept: full-feed ones by default, every peer when all were kept."""
    few = report(concentration=[])
    few["evidence"].update(vantage_points=5, full_feed_share=0.5)
    assert "(the collectors' full-feed peers)" in transit_cautions(few)[-1]
    few["evidence"]["full_feed_share"] = 0.0
    assert "(every peer of the collectors)" in transit_cautions(few)[-1]
