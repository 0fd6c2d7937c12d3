"""Server-rendered pages: forms, results with inline charts, the polling page, error pages."""

from __future__ import annotations

import time

import pytest

from .conftest import DATE, PREFIXES

pytestmark = pytest.mark.data


def test_index_and_empty_forms(client) -> None:
    assert "What-if" in client.get("/").text
    for page in ("/country", "/whatif", "/diff", "/blocking"):
        response = client.get(page)
        assert response.status_code == 200 and "<form" in response.text, page
    assert "rkn/tail-2020-02-16.csv" in client.get("/blocking").text


def test_country_page_has_table_and_charts(client) -> None:
    client.get(f"/api/v1/transit/LI?date={DATE}")  # computed (or cached) through the API: the page shares it
    response = client.get(f"/country?cc=li&date={DATE}")
    assert response.status_code == 200
    text = response.text
    assert 'id="providers"' in text and "AS8447" in text
    assert 'id="chart-shares"' in text and 'id="chart-links"' in text and text.count("<svg") >= 2
    assert "Content-Security-Policy" in response.headers


def test_country_page_by_organization(client) -> None:
    import time

    for _ in range(240):  # a new question: a job page until the run ends
        response = client.get(f"/country?cc=LI&date={DATE}&by=org")
        if response.status_code != 202:
            break
        time.sleep(0.5)
    assert response.status_code == 200, response.text
    assert "Rows are organizations" in response.text and 'id="providers"' in response.text
    assert '<option value="org" selected>' in response.text
    assert client.get(f"/country?cc=LI&date={DATE}&by=asn").status_code == 400


def test_uncached_page_polls_a_job(client) -> None:
    response = client.get(f"/country?cc=LI&date={DATE}&prefixes_date=2024-04-07")
    # a new prefixes date is a new request: either a job page, or (if already failed/known) a clear message
    assert response.status_code in (202, 404), response.text
    if response.status_code == 202:
        assert 'id="job"' in response.text and "/api/v1/jobs/" in response.text


def test_bad_parameters_render_an_error_page(client) -> None:
    response = client.get("/country?cc=1&date=2022-03-01")
    assert response.status_code == 400
    assert 'id="error"' in response.text and "country code" in response.text
    response = client.get("/whatif?cc=LI&date=2022-03-01&without=..%2Fetc")
    assert response.status_code == 400 and "AS number" in response.text


@pytest.mark.slow
def test_blocking_page_by_name_and_by_upload(client) -> None:
    response = client.post("/blocking", data={"name": "small.txt", "date": PREFIXES}, follow_redirects=True)
    assert response.status_code in (200, 202)
    upload = client.post("/blocking", files={"file": ("mine.txt", b"82.117.0.1\n")}, data={"date": PREFIXES},
                         follow_redirects=False)
    assert upload.status_code in (200, 303)
    if upload.status_code == 303:
        location = upload.headers["location"]
        assert location.startswith("/blocking/result/")
        for _ in range(300):
            page = client.get(location)
            if page.status_code == 200:
                break
            time.sleep(0.1)
        assert page.status_code == 200
        assert "upload:mine.txt" in page.text and 'id="by-organization"' in page.text
