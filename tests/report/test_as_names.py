"""AS names beside organization names: shown only where they tell a reader more, with the AS number kept."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from splinternet.report.formatting import as_label, as_names_differ, as_row_label
from splinternet.sources.asorg import OrgTable


@pytest.mark.parametrize(
    ("as_name", "org", "differ"),
    [
        ("SOVAM-AS", "PJSC VimpelCom", True),
        ("DAIMLER-AS", "Mercedes-Benz Group AG", True),
        ("DTAG", "Deutsche Telekom AG", True),
        ("ROSTELECOM-AS", "PJSC Rostelecom", False),
        ("CLOUDFLARENET", "Cloudflare, Inc.", False),
        ("LEVEL3", "Level 3 Parent, LLC", False),
        ("COGENT-174", "Cogent Communications", False),
        ("MICROSOFT-CORP-MSN-AS-BLOCK", "Microsoft Corporation", False),
        ("HGC-AS-AP", "HGC Global Communications Limited", False),
        ("", "PJSC VimpelCom", False),
        ("SOVAM-AS", "", False),
    ],
)
def test_as_names_differ(as_name: str, org: str, differ: bool) -> None:
    assert as_names_differ(as_name, org) is differ


def test_as_label_keeps_the_number_and_cuts_the_organization_first() -> None:
    assert as_label(3216, "PJSC VimpelCom", 40, "SOVAM-AS") == "AS3216 SOVAM-AS · PJSC VimpelCom"
    assert as_label(12389, "PJSC Rostelecom", 40, "ROSTELECOM-AS") == "AS12389 PJSC Rostelecom"
    assert as_label(64500, "", 40, "SOME-AS") == "AS64500 SOME-AS"  # no organization: the AS name alone
    assert as_label(64500) == "AS64500"
    label = as_label(9304, "HGC Global Communications Limited of Hong Kong", 36, "HUTCHISON-AS-AP")
    assert label == "AS9304 HUTCHISON-AS-AP · HGC Global…" and len(label) == 36
    narrow = as_label(3216, "PJSC VimpelCom", 20, "SOVAM-AS")  # no room for both: the organization alone
    assert narrow == "AS3216 PJSC VimpelC…" and len(narrow) == 20


def test_as_row_label_reads_dicts_rows_and_other_ases_of_a_row() -> None:
    link = {"domestic_asn": 3216, "domestic_name": "PJSC VimpelCom", "domestic_as_name": "SOVAM-AS",
            "foreign_asn": 3356, "foreign_name": "Level 3 Parent, LLC", "foreign_as_name": "LEVEL3"}
    assert as_row_label(link, 60, "domestic_") == "AS3216 SOVAM-AS · PJSC VimpelCom"
    assert as_row_label(link, 60, "foreign_") == "AS3356 Level 3 Parent, LLC"
    single = {"asn": 1, "name": "A", "as_name": "", "provider": 3216, "provider_name": "PJSC VimpelCom",
              "provider_as_name": "SOVAM-AS"}
    assert as_row_label(single, 60, "provider_") == "AS3216 SOVAM-AS · PJSC VimpelCom"
    row = SimpleNamespace(asn=31399, name="Mercedes-Benz Group AG", as_name="DAIMLER-AS")
    assert as_row_label(row, 60) == "AS31399 DAIMLER-AS · Mercedes-Benz Group AG"


def test_org_table_aut_names() -> None:
    orgs = OrgTable(asns=np.array([10, 20], np.uint32), as_names=np.array(["TEN-AS", "TWENTY"], dtype=object),
                    as_org=np.array([0, -1], np.int32), as_source=np.array(["X", "X"], dtype=object),
                    org_ids=np.array(["o"], dtype=object), org_names=np.array(["Ten Inc"], dtype=object),
                    org_countries=np.array(["US"], dtype=object))
    assert orgs.aut_names(np.array([20, 10, 30], np.uint32)).tolist() == ["TWENTY", "TEN-AS", ""]
    assert orgs.names(np.array([10, 20], np.uint32)).tolist() == ["Ten Inc", "TWENTY"]
    assert orgs.aut_names(np.zeros(0, np.uint32)).tolist() == []


@pytest.mark.data
def test_real_as_names(shared_file) -> None:
    from splinternet.sources.asorg import load_as_orgs

    orgs = load_as_orgs(shared_file("https://publicdata.caida.org/datasets/as-organizations/"
                                    "20220401.as-org2info.txt.gz"))
    asns = np.array([3216, 12389], np.uint32)
    names, aut = orgs.names(asns), orgs.aut_names(asns)
    assert aut.tolist() == ["SOVAM-AS", "ROSTELECOM-AS"]
    labels = [as_label(a, n, 60, s) for a, n, s in zip(asns.tolist(), names, aut, strict=True)]
    assert labels == [f"AS3216 SOVAM-AS · {names[0]}", f"AS12389 {names[1]}"]
    assert names[0] == 'PJSC "Vimpelcom"'
