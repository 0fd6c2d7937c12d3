"""The dashboard over world datasets (TestClient): home map, search, date picker, country pages without a job,
downloads equal to the dataset, comparisons, and the fallback to the job queue."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from splinternet import api
from splinternet.errors import ParameterError
from splinternet.report.dashboard import INDICES
from splinternet.web import WebSettings, create_app

from .conftest import DATE, LATER
from .world_fixtures import COUNTRIES

pytestmark = [pytest.mark.data, pytest.mark.slow]


def test_home_without_a_world_dataset_says_how_to_build_one(mirror_settings) -> None:
    from fastapi.testclient import TestClient

    with TestClient(create_app(WebSettings(data=mirror_settings, disk_cache=False))) as c:
        page = c.get("/")
        assert page.status_code == 200
        assert "splinternet world --date" in page.text and "splinternet serve --world" in page.text
        assert c.get("/compare?cc=LI").status_code == 200
        assert c.get("/api/v1/world/dates").json() == {"dates": []}
        assert c.get("/api/v1/world/indices").status_code == 404


def test_home_map_has_every_country_and_links(dash_client) -> None:
    page = dash_client.get("/").text
    paths = re.findall(r'(<a href="([^"]*)">)?<path class="country" data-cc="([A-Z]*)"', page)
    assert len(paths) == 176  # every Natural Earth 1:110m country but Antarctica (tests/web/test_worldmap.py)
    for link, href, cc in paths:
        if cc:
            assert href == f"/country?cc={cc}&amp;date={LATER}", cc  # the newest date by default
        else:
            assert not link  # N. Cyprus, Somaliland: no code, no page
    assert re.search(r'data-cc="CU" data-value="[0-9.e-]+"', page)  # in the dataset: coloured, with its value
    assert re.search(r'data-cc="DE" fill="#e4e6ea"', page)  # not in the dataset: grey
    for key in INDICES:
        assert dash_client.get(f"/?index={key}&date={DATE}").status_code == 200
    assert dash_client.get("/?index=nonsense").status_code == 400


def test_most_concentrated_table_is_sorted_by_the_chosen_index(dash_client, world_root) -> None:
    rows = {r.cc: r for r in api.world_indices(world_root / DATE)}
    page = dash_client.get(f"/?index=border_hhi&date={DATE}").text
    table = page[page.index('id="most-concentrated"'):]
    listed = re.findall(r'<a href="/country\?cc=([A-Z]{2})', table[:table.index("</table>")])
    assert sorted(listed) == sorted(COUNTRIES)
    assert listed == sorted(rows, key=lambda cc: -rows[cc].border_hhi)
    page = dash_client.get(f"/?index=providers_for_90&date={DATE}").text  # fewer providers: more concentrated
    table = page[page.index('id="most-concentrated"'):]
    listed = re.findall(r'<a href="/country\?cc=([A-Z]{2})', table[:table.index("</table>")])
    assert listed == sorted(rows, key=lambda cc: (rows[cc].providers_for_90, cc))


def test_search_finds_small_countries_by_name_and_code(dash_client) -> None:
    home = dash_client.get("/").text
    assert '<option value="Liechtenstein">LI</option>' in home  # the datalist: not on the 1:110m map
    for q in ("Liechtenstein", "liechten", "LI", "li"):
        answer = dash_client.get("/search", params={"q": q, "date": DATE}, follow_redirects=False)
        assert answer.status_code == 303, q
        assert answer.headers["location"] == f"/country?cc=LI&date={DATE}"
    several = dash_client.get("/search", params={"q": "congo"})
    assert several.status_code == 200
    assert "/country?cc=CD&amp;date=" in several.text and "/country?cc=CG&amp;date=" in several.text
    assert "No country" in dash_client.get("/search", params={"q": "Atlantis"}).text


def test_date_picker_lists_only_dates_with_a_dataset(dash_client) -> None:
    page = dash_client.get("/").text
    picker = page[page.index('id="date-picker"'):]
    assert re.findall(r'<option value="([^"]+)"', picker[:picker.index("</select>")]) == [DATE, LATER]
    assert dash_client.get("/api/v1/world/dates").json()["dates"][0]["date"] == DATE
    missing = dash_client.get("/?date=2022-04-01")
    assert missing.status_code == 404 and DATE in missing.text


def test_country_page_is_served_from_the_dataset_without_a_job(dash_client, dash_app, world_root) -> None:
    runner = dash_app.state.splinternet.runner
    jobs = len(runner._jobs)
    want = api.world_country(world_root / DATE, "LI")
    page = dash_client.get("/country", params={"cc": "LI", "date": DATE})
    assert page.status_code == 200 and 'data-source="world-dataset"' in page.text
    assert len(runner._jobs) == jobs  # no computation queued
    table = page.text[page.text.index('id="providers"'):]
    first = re.search(r"<tbody>\s*<tr><td[^>]*>1</td><td>AS(\d+)", table)
    assert first and int(first.group(1)) == want.providers[0].asn
    assert table[:table.index("</table>")].count("<tr>") == 1 + min(25, len(want.providers))
    for part in ('id="chart-shares"', 'id="chart-timeline"', 'id="chart-flows"', 'id="top-links"',
                 'id="single-upstream"', 'id="whatif-link"', 'id="downloads"', "routeviews-rv2-20240406.pfx2as.gz"):
        assert part in page.text, part
    assert f'/whatif?cc=LI&amp;date={DATE}&amp;prefixes_date=2024-04-06&amp;without={want.providers[0].asn}' in page.text
    orgs = dash_client.get("/country", params={"cc": "LI", "date": DATE, "by": "org"}).text
    dataset = api.world_table(world_root / DATE, "LI", "organizations")
    assert 'id="organizations"' in orgs and dataset["org_id"][0] in orgs
    assert len(runner._jobs) == jobs
    assert dash_client.get("/country", params={"cc": "LI", "date": DATE, "by": "x"}).status_code == 400


def test_country_missing_from_the_datasets_goes_to_the_job_queue(dash_client) -> None:
    # a date without a dataset: computed as before (a progress page; the short time bound stops the job)
    page = dash_client.get("/country", params={"cc": "LI", "date": "2022-04-01"})
    assert page.status_code == 202 and 'id="job"' in page.text


def _expected_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    return str(value)


@pytest.mark.parametrize("table", ["providers", "organizations", "served", "gateways", "inputs", "countries"])
def test_downloads_equal_the_dataset(dash_client, world_root, table) -> None:
    stored = pq.read_table(Path(world_root) / DATE / table / "cc=LI" / "part.parquet").to_pydict()
    as_csv = dash_client.get(f"/api/v1/world/LI/{table}", params={"date": DATE, "format": "csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0] == list(stored)
    assert len(rows) - 1 == len(next(iter(stored.values())))
    for i, row in enumerate(rows[1:]):
        assert row == [_expected_cell(stored[k][i]) for k in stored]
    as_json = dash_client.get(f"/api/v1/world/LI/{table}", params={"date": DATE, "format": "json"}).json()
    assert as_json["table"] == table and as_json["date"] == DATE
    for i, row in enumerate(as_json["rows"]):
        for k, v in stored.items():
            want = None if isinstance(v[i], float) and math.isnan(v[i]) else v[i]
            assert row[k] == want, (i, k)


def test_download_errors(dash_client) -> None:
    assert dash_client.get("/api/v1/world/LI/secrets", params={"date": DATE}).status_code == 400
    assert dash_client.get("/api/v1/world/LI/providers", params={"format": "xls"}).status_code == 400
    assert dash_client.get("/api/v1/world/DE/providers", params={"date": DATE}).status_code == 404
    assert dash_client.get("/api/v1/world/LI/providers", params={"date": "2021-01-01"}).status_code == 404


def test_chart_files(dash_client) -> None:
    for name in ("shares", "timeline"):
        png = dash_client.get(f"/charts/LI/{name}.png", params={"date": DATE})
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    for name in ("shares", "timeline", "flows", "map"):
        svg = dash_client.get(f"/charts/LI/{name}.svg", params={"date": DATE})
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        assert "<svg" in svg.text
    assert dash_client.get("/charts/LI/map.png", params={"date": DATE}).status_code == 400


def test_compare_countries_and_dates(dash_client, world_root) -> None:
    page = dash_client.get("/compare", params=[("cc", "LI"), ("cc", "CU"), ("date", DATE)])
    assert page.status_code == 200
    columns = re.findall(r'<section class="column" data-cc="([A-Z]{2})" data-date="([0-9-]+)"', page.text)
    assert columns == [("LI", DATE), ("CU", DATE)]
    for cc in ("LI", "CU"):
        top = api.world_country(world_root / DATE, cc).providers[0]
        assert f"AS{top.asn}" in page.text
    dates = dash_client.get("/compare", params=[("cc", "LI"), ("date", DATE), ("date", LATER)])
    assert re.findall(r'<section class="column" data-cc="([A-Z]{2})" data-date="([0-9-]+)"', dates.text) == [
        ("LI", DATE), ("LI", LATER)]
    missing = dash_client.get("/compare", params=[("cc", "LI"), ("cc", "DE"), ("date", DATE)])
    assert "not in the world dataset of" in missing.text
    many = [("cc", c) for c in ("LI", "CU", "DE", "FR")] + [("date", DATE), ("date", LATER)]
    assert dash_client.get("/compare", params=many).status_code == 400


def test_timeline_and_events_follow_the_provider_tables(world_root) -> None:
    datasets = api.find_worlds([world_root])
    assert [d.date for d in datasets] == [DATE, LATER]
    timeline = api.world_timeline(datasets, "LI", top=5)
    tables = [api.world_table(d.path, "LI", "providers") for d in datasets]
    shares = [dict(zip(t["asn"], t["border_share"], strict=True)) for t in tables]
    for p in timeline.providers:
        assert p["shares"] == [s.get(p["asn"]) for s in shares]
    expected = set()
    for a in set(shares[0]) | set(shares[1]):
        b, n = shares[0].get(a) or 0.0, shares[1].get(a) or 0.0
        if (b >= 0.01) != (n >= 0.01) or (min(b, n) >= 0.01 and abs(n - b) >= 0.05):
            expected.add(a)
    assert {e.asn for e in timeline.events} == expected


def test_find_worlds_refuses_what_it_cannot_serve(world_root, tmp_path) -> None:
    with pytest.raises(ParameterError, match="not a directory"):
        api.find_worlds([tmp_path / "nowhere"])
    with pytest.raises(ParameterError, match="holds no world dataset"):
        api.find_worlds([tmp_path])
    with pytest.raises(ParameterError, match=f"two world datasets for {DATE}"):
        import shutil

        shutil.copytree(world_root / DATE, tmp_path / "copy")
        api.find_worlds([world_root, tmp_path / "copy"])


def test_world_setting_from_the_environment(monkeypatch, world_root) -> None:
    import os

    monkeypatch.setenv("SPLINTERNET_WEB_WORLD", f"{world_root / DATE}{os.pathsep}{world_root / LATER}")
    assert WebSettings.from_env().world_dirs == (world_root / DATE, world_root / LATER)
