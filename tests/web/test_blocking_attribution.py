"""The blocking page and API take the attribution inputs the CLI takes: a date for the catalog, or uploaded
prefix-to-AS, AS organization and cloud range files (issue 15: every attribution table read "none")."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import time
from pathlib import Path

import pytest

from splinternet import api
from splinternet.report.jsonable import to_jsonable

from .conftest import PREFIXES, TAIL

pytestmark = pytest.mark.data

PFX2AS = "publicdata.caida.org/datasets/routing/routeviews-prefix2as/2016/02/routeviews-rv2-20160202-1200.pfx2as.gz"
ASORG = "publicdata.caida.org/datasets/as-organizations/20220401.as-org2info.txt.gz"
CLOUD = "samples/cloud/2022-03-15"
CLOUD_FILES = ("aws-ip-ranges.json", "google-cloud-ip-ranges.json", "cloudflare-v4-ip-ranges.txt")
TABLES = ("by-origin-as", "by-organization", "by-country")


@pytest.fixture(scope="module")
def big_client(web_settings):
    """The test app with room for real attribution files (a prefix-to-AS table is 2-4 MB gzipped)."""
    from fastapi.testclient import TestClient

    from splinternet.web import create_app

    with TestClient(create_app(dataclasses.replace(web_settings, max_upload_bytes=16 << 20))) as c:
        yield c


def _finished(client, response):
    """The page a blocking form ends on: the result (or error) page after its job, followed from the redirect."""
    for _ in range(1200):
        if response.status_code not in (202, 303):
            return response
        time.sleep(0.1)
        response = client.get(response.headers["location"] if response.status_code == 303 else str(response.url),
                              follow_redirects=False)
    raise AssertionError("the blocking job did not finish")


def _rows(text: str, table_id: str) -> int:
    found = re.search(rf'<table[^>]*id="{table_id}"[^>]*>.*?<tbody>(.*?)</tbody>', text, re.S)
    return found.group(1).count("<tr>") if found else 0


def _uploads(shared: Path) -> list[tuple[str, tuple[str, bytes]]]:
    files = [("pfx2as_file", (Path(PFX2AS).name, (shared / PFX2AS).read_bytes())),
             ("asorg_file", (Path(ASORG).name, (shared / ASORG).read_bytes()))]
    files += [("cloud_file", (name, (shared / CLOUD / name).read_bytes())) for name in CLOUD_FILES]
    return files


def test_without_a_usable_date_the_page_says_why_the_tables_are_empty(client) -> None:
    """The reported state: the tail piece carries no 'Updated:' date, so its newest decision date is used, for
    which the mirror has no prefix-to-AS table; the page says so above the tables instead of a bare 'none'."""
    page = _finished(client, client.post("/blocking", data={"name": "rkn/tail-2020-02-16.csv"}, follow_redirects=False))
    assert page.status_code == 200
    assert 'id="attribution-missing"' in page.text
    for table in TABLES:
        assert f'id="{table}-empty"' in page.text and _rows(page.text, table) == 0
    assert "no prefix-to-AS data was used for" in page.text


def test_a_catalog_date_fills_every_attribution_table(client) -> None:
    page = _finished(client, client.post("/blocking", data={"name": "rkn/tail-2020-02-16.csv", "date": PREFIXES},
                                         follow_redirects=False))
    assert page.status_code == 200
    for table in (*TABLES, "by-provider"):
        assert _rows(page.text, table) > 0, table
    assert 'id="attribution-missing"' not in page.text
    assert f'id="attribution-date-used">{PREFIXES}<' in page.text
    assert "routeviews-rv2-20240406.pfx2as.gz" in page.text


def test_uploaded_attribution_files_fill_the_tables_and_are_listed(big_client, shared_data_dir: Path) -> None:
    """No date and no catalog release for the register's own date: the uploaded files alone attribute it."""
    page = _finished(big_client, big_client.post("/blocking", data={"name": "rkn/tail-2020-02-16.csv"},
                                                 files=_uploads(shared_data_dir), follow_redirects=False))
    assert page.status_code == 200, page.text[:2000]
    for table in (*TABLES, "by-provider"):
        assert _rows(page.text, table) > 0, table
    assert 'id="attribution-missing"' not in page.text
    inputs = page.text[page.text.index('id="attribution-releases"'):]
    for path in (PFX2AS, ASORG, *(f"{CLOUD}/{n}" for n in CLOUD_FILES)):
        assert f"upload:{Path(path).name}" in inputs, path
        assert hashlib.sha256((shared_data_dir / path).read_bytes()).hexdigest() in inputs, path
    assert "2016-02-02" in inputs  # the prefix table's date, read from its name
    assert "web-uploads" not in page.text and str(shared_data_dir) not in inputs  # no server path shown


def test_the_api_takes_the_same_inputs_and_answers_as_the_library(big_client, web_settings,
                                                                 shared_data_dir: Path) -> None:
    response = big_client.post("/api/v1/blocking", data={"name": "rkn/tail-2020-02-16.csv", "wait": "true"},
                               files=_uploads(shared_data_dir))
    assert response.status_code == 200, response.text
    body = response.json()
    files = api.AttributionFiles(pfx2as=(shared_data_dir / PFX2AS,), asorg=shared_data_dir / ASORG,
                                 cloud=shared_data_dir / CLOUD)
    # the library reads the whole cloud directory; the upload sent three of its files
    expected = api.blocking_report(shared_data_dir / TAIL, api.BlockingOptions(files=files),
                                   settings=web_settings.data)
    assert body["by_origin_as"]["rows"] and body["by_origin_as"]["rows"] == to_jsonable(expected.by_origin_as)["rows"]
    assert body["by_organization"]["rows"] == to_jsonable(expected.by_organization)["rows"]
    assert body["unattributed_ipv4"] == expected.unattributed_ipv4
    uploaded = {r["dataset"]: r for r in body["attribution"]["releases"]}
    assert uploaded["pfx2as"]["path"] == f"upload:{Path(PFX2AS).name}"
    assert uploaded["as-org"]["path"] == f"upload:{Path(ASORG).name}"
    assert {f"cloud:{n}" for n in CLOUD_FILES} <= set(uploaded)
    assert body["by_provider"]["rows"]


def test_a_damaged_upload_is_one_clear_error_naming_it(big_client, shared_data_dir: Path) -> None:
    good = (shared_data_dir / "publicdata.caida.org/datasets/routing/routeviews-prefix2as/2014/12/"
            "routeviews-rv2-20141202-1200.pfx2as.gz")
    import gzip

    lines = gzip.decompress(good.read_bytes()).splitlines(keepends=True)[:20]
    damaged = b"".join(lines[:10]) + b"".join(b"not a prefix line %d\n" % k for k in range(10))
    page = _finished(big_client, big_client.post(
        "/blocking", data={"name": "small.txt"}, files=[("pfx2as_file", ("bad-pfx2as.txt", damaged))],
        follow_redirects=False))
    assert page.status_code == 422, page.text[:500]
    message = re.search(r'id="error"[^>]*>(.*?)</', page.text, re.S)
    assert message and "upload:bad-pfx2as.txt:11" in page.text  # the file as sent, and the first bad line
    assert "web-uploads" not in page.text
    api_answer = big_client.post("/api/v1/blocking", data={"name": "small.txt"},
                                 files=[("pfx2as_file", ("bad-pfx2as.txt", damaged))])
    assert api_answer.status_code == 422
    assert api_answer.json()["message"].startswith("upload:bad-pfx2as.txt:11")


def test_cloud_uploads_mixing_tarballs_and_provider_files_are_refused(big_client, shared_data_dir: Path) -> None:
    files = [("cloud_file", ("2015.tar.gz", (shared_data_dir / "samples/cloud/aws-history/2015.tar.gz").read_bytes())),
             ("cloud_file", ("aws-ip-ranges.json", (shared_data_dir / CLOUD / "aws-ip-ranges.json").read_bytes()))]
    response = big_client.post("/api/v1/blocking", data={"name": "small.txt"}, files=files)
    assert response.status_code == 400 and "not a mix" in response.json()["message"]


def test_a_bad_attribution_date_is_refused(client) -> None:
    response = client.post("/blocking", data={"name": "small.txt", "date": "2024-13-40"})
    assert response.status_code == 400 and 'id="error"' in response.text


def test_a_damaged_register_upload_is_a_422_naming_it_not_a_crash(client) -> None:
    """A register past the bad-record limit raised DamagedInputError, whose renaming for the user crashed (500)."""
    register = b"".join(b"82.117.0.%d\n" % k for k in range(1, 11)) + b"".join(b"not an address %d\n" % k
                                                                              for k in range(10))
    response = client.post("/api/v1/blocking", data={"kind": "plain"}, files=[("file", ("reg.txt", register))])
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "damaged_input"
    assert response.json()["message"].startswith("upload:reg.txt:11: 10 of 20 records bad")


def test_an_attribution_upload_expands_no_further_than_the_upload_limits(client) -> None:
    """The loaders read under the library's wide limits; an uploaded file meets the server's narrower ones first."""
    import gzip

    bomb = gzip.compress(b"1.2.3.0\t24\t13335\n" * (2 << 20), compresslevel=9)  # 34 MB of text in a small upload
    assert len(bomb) < 1 << 20
    response = client.post("/api/v1/blocking", data={"name": "small.txt"},
                           files=[("pfx2as_file", ("bomb.pfx2as.gz", bomb))])
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "input_too_large"
    assert response.json()["message"].startswith("upload:bomb.pfx2as.gz")
