"""Every REST endpoint on the real data (Liechtenstein, 2022), with bad input of every kind."""

from __future__ import annotations

import time

import pytest

from splinternet import api
from splinternet.report.jsonable import to_jsonable
from splinternet.sources.snapshot import Snapshot

from .conftest import DATE, LATER, PREFIXES

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def li_transit(client):
    response = client.get(f"/api/v1/transit/LI?date={DATE}")
    assert response.status_code == 200, response.text
    return response.json()


def test_transit_is_the_libraries_json(li_transit, web_settings) -> None:
    snap = Snapshot.for_date(DATE, settings=web_settings.data, prefixes_date=PREFIXES)
    direct = to_jsonable(api.transit("LI", DATE, options=api.TransitOptions(top=20), snapshot=snap))
    assert li_transit == direct
    assert li_transit["providers"][0]["asn"] == 8447
    assert {s["dataset"] for s in li_transit["sources"]} >= {"caida-asrel", "caida-asorg", "routeviews-pfx2as"}


def test_same_request_twice_is_served_from_cache(client, web_app, li_transit) -> None:
    state = web_app.state.splinternet
    hits = state.cache.hits
    jobs = len(state.runner._jobs)
    start = time.perf_counter()
    again = client.get(f"/api/v1/transit/li?date={DATE}&prefixes_date={PREFIXES}")
    assert again.status_code == 200 and again.json() == li_transit
    assert time.perf_counter() - start < 1.0
    assert state.cache.hits == hits + 1 and len(state.runner._jobs) == jobs


def test_results_survive_a_restart_on_disk(web_settings, li_transit) -> None:
    from fastapi.testclient import TestClient

    from splinternet.web import create_app

    fresh = create_app(web_settings)
    with TestClient(fresh) as c:
        response = c.get(f"/api/v1/transit/LI?date={DATE}")
    assert response.status_code == 200 and response.json() == li_transit
    assert not fresh.state.splinternet.runner._jobs


def test_whatif_removes_the_largest_provider(client, li_transit) -> None:
    response = client.get(f"/api/v1/whatif/LI?date={DATE}&without=AS8447")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scenario"] and "8447" in " ".join(body["scenario"])
    assert 8447 not in [p["asn"] for p in body["after"]["providers"]]
    assert body["before"]["providers"][0]["asn"] == 8447
    assert any(row["gain"] > 0 for row in body["absorbed"])


def test_diff_between_the_two_topologies(client) -> None:
    response = client.get(f"/api/v1/diff/LI?from={DATE}&to={LATER}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["date_from"] == DATE and body["date_to"] == LATER
    assert body["links_lost_count"] == len({(r["domestic_asn"], r["foreign_asn"]) for r in body["links_lost"]}) or \
        body["links_lost_count"] >= len(body["links_lost"])


def test_asn_profile(client) -> None:
    response = client.get(f"/api/v1/asn/AS8447?date={DATE}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["asn"] == 8447 and body["country"] == "AT" and body["customers"] > 0 and body["sources"]


def test_ip_lookup(client) -> None:
    response = client.get(f"/api/v1/ip/82.117.0.1?date={DATE}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["prefix"] and body["origins"]


def test_search_by_name_and_number(client) -> None:
    by_name = client.get(f"/api/v1/search/as?q=Telekom%20Austria&date={DATE}").json()["results"]
    assert 8447 in [r["asn"] for r in by_name]
    by_number = client.get(f"/api/v1/search/as?q=AS8447&date={DATE}").json()["results"]
    assert by_number[0]["asn"] == 8447


def test_wait_false_answers_202_and_the_job_reports_progress(client) -> None:
    response = client.get(f"/api/v1/asn/3356?date={DATE}&wait=false")
    if response.status_code == 200:  # computed by an earlier test run in this session
        return
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/api/v1/jobs/{job['id']}"
    for _ in range(200):
        state = client.get(f"/api/v1/jobs/{job['id']}").json()
        if state["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert state["state"] == "done"
    assert client.get(f"/api/v1/asn/3356?date={DATE}").json()["asn"] == 3356


@pytest.mark.parametrize(("url", "status", "words"), [
    ("/api/v1/transit/L1?date=2022-03-01", 400, "country code"),
    ("/api/v1/transit/LIE?date=2022-03-01", 400, "country code"),
    ("/api/v1/transit/LI?date=2022-13-01", 400, "not a date"),
    ("/api/v1/transit/LI?date=yesterday", 400, "not a date"),
    ("/api/v1/transit/LI", 400, "date"),
    ("/api/v1/transit/LI?date=2022-03-01&top=0", 400, "top"),
    ("/api/v1/transit/LI?date=2022-03-01&prefixes_date=x", 400, "prefixes_date"),
    ("/api/v1/transit/ZZ?date=2022-03-01", 404, "ZZ"),
    ("/api/v1/transit/LI?date=1995-01-01", 404, "no release"),
    ("/api/v1/whatif/LI?date=2022-03-01&without=ASX", 400, "AS number"),
    ("/api/v1/whatif/LI?date=2022-03-01&without=99999999999", 400, "AS number"),
    ("/api/v1/whatif/LI?date=2022-03-01", 400, "without"),
    ("/api/v1/whatif/LI?date=2022-03-01&without=4294967295", 400, "not in the AS graph"),
    ("/api/v1/diff/LI?from=2022-05-01&to=2022-03-01", 400, "before"),
    ("/api/v1/diff/LI?from=2022-03-01", 400, "to"),
    ("/api/v1/asn/hello?date=2022-03-01", 400, "AS number"),
    ("/api/v1/ip/1.2.3.999?date=2022-03-01", 400, "IP address"),
    ("/api/v1/ip/..%2F..%2Fetc?date=2022-03-01", 404, ""),
    ("/api/v1/ip/1..2?date=2022-03-01", 400, "IP address"),
    ("/api/v1/jobs/0123456789abcdef", 404, "no job"),
    ("/api/v1/jobs/..", 404, ""),
    ("/api/v1/nothing", 404, ""),
])
def test_bad_input_is_one_clear_4xx(client, url: str, status: int, words: str) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message"} or "detail" in body
    assert words.lower() in response.text.lower()
    assert "Traceback" not in response.text


def test_registers_listed_without_links_out(client) -> None:
    names = [r["name"] for r in client.get("/api/v1/registers").json()["registers"]]
    assert "small.txt" in names and "rkn/tail-2020-02-16.csv" in names
    assert "link-out.txt" not in names


@pytest.mark.parametrize("name", ["../secret.txt", "/etc/passwd", "rkn/../../secret.txt", "link-out.txt",
                                  "..", "rkn", "%2e%2e/secret.txt", "rkn\\..\\..\\secret.txt", "small.txt\x00.csv",
                                  "nonexistent.csv"])
def test_register_names_cannot_leave_the_data_directory(client, name: str) -> None:
    response = client.post("/api/v1/blocking", data={"name": name})
    assert response.status_code == 400, response.text
    assert "never be served" not in response.text
    assert response.json()["error"] == "bad_parameter"


@pytest.mark.parametrize("path", ["/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2Fapp.py",
                                  "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/static//etc/passwd"])
def test_static_files_cannot_leave_their_folder(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "create_app" not in response.text and "root:" not in response.text


def test_static_assets_are_served(client) -> None:
    assert "makeSortable" in client.get("/static/app.js").text
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")


def test_blocking_by_name(client) -> None:
    response = client.post("/api/v1/blocking", data={"name": "rkn/tail-2020-02-16.csv", "date": PREFIXES})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["counts"]["entries"] == 5342
    bad = body["register"]["bad_records"]
    assert bad["count"] == 0 and bad["repeats"] == 20  # 20 lines repeat an earlier one exactly
    # the missing 'Updated:' header loses no line: a note, not a bad record
    assert [n for n in body["notes"] if "no 'Updated:' header line" in n]
    assert body["by_organization"]["rows"] and body["counts"]["blocked_ipv4"] > 0
    assert "/tmp" not in str(body["register"]) and body["register"]["shown_as"] == "rkn/tail-2020-02-16.csv"


def test_blocking_upload_attributes_the_addresses(client) -> None:
    data = b"82.117.0.1\n82.117.0.2\n"
    response = client.post("/api/v1/blocking", files={"file": ("list.txt", data)}, data={"date": PREFIXES})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["counts"]["blocked_ipv4"] == 2
    assert body["register"]["shown_as"] == "upload:list.txt"


def test_upload_over_the_limit_is_refused(client, web_settings) -> None:
    big = b"10.0.0.1\n" * (web_settings.max_upload_bytes // 9 + 10)
    response = client.post("/api/v1/blocking", files={"file": ("big.txt", big)})
    assert response.status_code == 413
    assert "limit" in response.json()["message"]


def test_damaged_upload_is_one_clear_error_naming_it(client) -> None:
    cut = b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"garbage"
    response = client.post("/api/v1/blocking", files={"file": ("dump.csv.gz", cut)},
                           data={"strict": "true", "kind": "rkn"})
    assert response.status_code == 422, response.text
    message = response.json()["message"]
    assert message.startswith("upload:dump.csv.gz") and "/tmp" not in message


def test_upload_with_a_path_for_a_name_is_reduced_to_a_name(client) -> None:
    response = client.post("/api/v1/blocking", files={"file": ("../../etc/passwd", b"82.117.0.1\n")},
                           data={"date": PREFIXES})
    assert response.status_code == 200, response.text
    assert response.json()["register"]["shown_as"] == "upload:passwd"


def test_bad_kind_and_missing_register(client) -> None:
    assert client.post("/api/v1/blocking", data={"name": "small.txt", "kind": "xml"}).status_code == 400
    response = client.post("/api/v1/blocking", data={})
    assert response.status_code == 400 and "upload" in response.json()["message"]


def test_time_bound_gives_504(web_settings) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from splinternet.web import create_app

    app = create_app(replace(web_settings, timeout_s=0.001, disk_cache=False))
    with TestClient(app) as c:
        response = c.get(f"/api/v1/transit/LI?date={DATE}&top=7")
    assert response.status_code == 504, response.text
    # stopped at its first progress step past the bound, or (busy machine) the wait itself ran out
    assert "bound of 0.001 s" in response.json()["message"] or "no result within 0.001 s" in response.json()["message"]


def test_too_many_waiting_gives_503(web_settings) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from splinternet.web import create_app

    app = create_app(replace(web_settings, max_pending=0, disk_cache=False))
    with TestClient(app) as c:
        response = c.get(f"/api/v1/transit/LI?date={DATE}&top=9")
    assert response.status_code == 503 and response.json()["error"] == "busy"
