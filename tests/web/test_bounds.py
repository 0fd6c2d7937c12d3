"""Bounds of the web app through its front door: upload decompression, spools, one client's share of
the queue, rankings computed once whatever ``top``, AS searches, offline API docs, malformed input."""

from __future__ import annotations

import gzip
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from splinternet import api
from splinternet.report.jsonable import to_jsonable
from splinternet.sources.snapshot import Snapshot
from splinternet.web import WebSettings, create_app
from splinternet.web.jobs import Busy, JobRunner, ResultCache

from .conftest import DATE, PREFIXES


def _client(settings: WebSettings):
    from fastapi.testclient import TestClient

    return TestClient(create_app(settings))


def _spools(settings: WebSettings) -> list[Path]:
    return sorted(settings.upload_dir.glob("upload-*")) if settings.upload_dir.is_dir() else []


@pytest.fixture
def own_settings(web_settings: WebSettings, tmp_path: Path) -> WebSettings:
    """The session's settings with a cache of its own, so spools can be counted."""
    data = replace(web_settings.data, cache_dir=tmp_path / "cache")
    return replace(web_settings, data=data, disk_cache=False)


# ------------------------------------------------------------------ decompression of uploads


def test_upload_decompression_defaults_are_tight() -> None:
    from splinternet.web.settings import UPLOAD_DECOMPRESSION

    limits = UPLOAD_DECOMPRESSION
    cap, reason = limits.cap_for(4_000_000)
    assert cap is not None and cap <= 120_000_000  # a 4 MB gzip upload: 30x, not the library's 200x
    assert "SPLINTERNET_WEB_MAX_DECOMPRESSION_RATIO" in reason


def test_upload_decompression_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPLINTERNET_WEB_MAX_DECOMPRESSED_BYTES", "2MiB")
    monkeypatch.setenv("SPLINTERNET_WEB_MAX_DECOMPRESSION_RATIO", "10")
    limits = WebSettings.from_env().upload_decompression
    assert limits.max_bytes == 2 << 20 and limits.max_ratio == 10
    monkeypatch.setenv("SPLINTERNET_WEB_MAX_DECOMPRESSION_RATIO", "lots")
    with pytest.raises(Exception, match="SPLINTERNET_WEB_MAX_DECOMPRESSION_RATIO"):
        WebSettings.from_env()


@pytest.mark.data
def test_a_gzip_bomb_upload_stops_at_the_web_cap(own_settings: WebSettings) -> None:
    bomb = gzip.compress(b"10.0.0.1\n" * (4 << 20))  # 36 MiB of text in ~100 KB
    tight = replace(own_settings, upload_decompression=replace(own_settings.upload_decompression,
                                                               max_bytes=1 << 20, ratio_floor=1 << 20))
    with _client(tight) as c:
        response = c.post("/api/v1/blocking", files={"file": ("bomb.txt.gz", bomb)}, data={"date": PREFIXES})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "input_too_large" and "SPLINTERNET_WEB_MAX_DECOMPRESSED_BYTES" in body["message"]
    assert body["message"].startswith("upload:bomb.txt.gz")
    assert _spools(tight) == []


# ------------------------------------------------------------------ spools on every way out


@pytest.mark.data
def test_spools_are_removed_after_a_failing_job_a_refused_one_and_a_finished_one(own_settings: WebSettings) -> None:
    with _client(own_settings) as c:
        damaged = c.post("/api/v1/blocking", files={"file": ("dump.csv.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 6)},
                         data={"strict": "true", "kind": "rkn"})
        assert damaged.status_code == 422 and _spools(own_settings) == []
        done = c.post("/api/v1/blocking", files={"file": ("list.txt", b"82.117.0.1\n")}, data={"date": PREFIXES})
        assert done.status_code == 200 and _spools(own_settings) == []
        empty = c.post("/api/v1/blocking", files={"file": ("empty.txt", b"")}, data={"date": PREFIXES})
        assert empty.status_code == 400 and _spools(own_settings) == []
    refusing = replace(own_settings, max_pending=0)
    with _client(refusing) as c:
        refused = c.post("/api/v1/blocking", files={"file": ("other.txt", b"82.117.0.9\n")}, data={"date": PREFIXES})
        assert refused.status_code == 503 and refused.headers["retry-after"]
    assert _spools(refusing) == []


def test_a_job_dropped_at_shutdown_still_removes_its_spool(tmp_path: Path) -> None:
    folder = tmp_path / "upload-x"
    folder.mkdir()
    gate = threading.Event()
    runner = JobRunner(ResultCache(4, None), workers=1, max_pending=4, timeout_s=60)
    runner.submit("running", "blocks the worker", lambda p: gate.wait(30))
    queued = runner.submit("queued", "never starts", lambda p: {}, on_end=lambda: folder.rmdir())
    runner.shutdown()
    gate.set()
    assert queued.state == "failed" and not folder.exists()


def test_stale_spools_of_a_killed_server_are_removed(tmp_path: Path) -> None:
    import os
    import time

    from splinternet.web.app import remove_stale_spools

    old, new = tmp_path / "upload-old", tmp_path / "upload-new"
    old.mkdir()
    new.mkdir()
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert remove_stale_spools(tmp_path, older_than_s=3600) == 1
    assert not old.exists() and new.exists()


# ------------------------------------------------------------------ one client's share of the queue


def test_one_client_cannot_fill_the_queue() -> None:
    gate = threading.Event()
    runner = JobRunner(ResultCache(4, None), workers=1, max_pending=8, timeout_s=60, per_client=2)
    try:
        runner.submit("a1", "a", lambda p: gate.wait(30), client="10.0.0.1")
        runner.submit("a2", "a", lambda p: gate.wait(30), client="10.0.0.1")
        assert runner.submit("a1", "same key: joined, not counted", lambda p: {}, client="10.0.0.1")
        with pytest.raises(Busy, match="at most 2 per client"):
            runner.submit("a3", "a", lambda p: {}, client="10.0.0.1")
        runner.submit("b1", "another client still gets in", lambda p: gate.wait(30), client="10.0.0.2")
    finally:
        gate.set()
        runner.shutdown()


@pytest.mark.data
def test_top_variants_are_one_computation(client, web_app) -> None:
    state = web_app.state.splinternet
    ids = set()
    for top in (3, 7, 11, 19, 150):
        response = client.get(f"/api/v1/whatif/LI?date={DATE}&without=AS9070&top={top}&wait=false")
        assert response.status_code in (200, 202), response.text
        if response.status_code == 202:
            ids.add(response.json()["id"])
    assert len(ids) <= 1
    keys = [k for k in list(state.runner._jobs.values()) if '"without": [9070]' in k.key]
    assert len({j.key for j in keys}) <= 1


@pytest.mark.slow
@pytest.mark.data
def test_a_cut_ranking_is_the_librarys_ranking_at_that_depth(client, web_settings) -> None:
    response = client.get(f"/api/v1/whatif/LI?date={DATE}&without=AS8447&top=5")
    assert response.status_code == 200, response.text
    cut = response.json()
    snap = Snapshot.for_date(DATE, settings=web_settings.data, prefixes_date=PREFIXES)
    direct = to_jsonable(api.whatif("LI", DATE, [8447], options=api.TransitOptions(top=5), snapshot=snap))
    for side in ("before", "after"):  # the summary is the deep ranking's (docs/web.md); every row is the same
        cut[side].pop("summary")
        direct[side].pop("summary")
        for value in (cut, direct):  # inputs are listed in the order they were loaded; a server shares them
            value[side]["sources"] = sorted(value[side]["sources"], key=lambda s: s["dataset"])
    assert cut == direct
    assert len(cut["before"]["providers"]) == 5


# ------------------------------------------------------------------ AS search


@pytest.mark.data
def test_concurrent_searches_load_the_organizations_once(own_settings: WebSettings,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import splinternet.api.lookup as lookup

    built = []
    original = lookup._NameIndex.__init__

    def counting(self, orgs) -> None:  # noqa: ANN001
        built.append(1)
        original(self, orgs)

    monkeypatch.setattr(lookup._NameIndex, "__init__", counting)
    from concurrent.futures import ThreadPoolExecutor

    day = "2022-05-01"
    with _client(own_settings) as c:
        queries = ["tele", "google", "net", "LI", "13", "AS8447", "cable", "tele"] * 4
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda q: c.get(f"/api/v1/search/as?q={q}&date={day}"), queries))
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers if a.status_code != 200][:2]
        state = c.app.state.splinternet
        assert state.searches.computed == len(set(queries))  # repeats come from memory
    assert len(built) == 1
    by_query = {q: a.json() for q, a in zip(queries, answers, strict=True)}
    assert any(r["asn"] == 8447 for r in by_query["AS8447"]["results"])


def test_searches_waiting_too_long_get_503() -> None:
    from splinternet.web.compute import SearchCache

    cache = SearchCache(1, wait_s=0.05)
    cache._slots.acquire()  # a search is computing
    try:
        with pytest.raises(Busy, match="AS searches are queued"):
            cache.search(None, "google", DATE)  # type: ignore[arg-type]
    finally:
        cache._slots.release()


# ------------------------------------------------------------------ /docs without a CDN


def test_docs_are_served_from_the_package(client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "http" not in page.text.split("<body>")[1].split("</body>")[0]
    csp = page.headers["content-security-policy"]
    assert "http" not in csp and "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1]
    for asset in ("/static/docs/swagger-ui-bundle.js", "/static/docs/swagger-ui.css", "/static/docs-init.js"):
        assert client.get(asset).status_code == 200, asset
    assert "<script>" not in page.text  # the start-up is a file, so script-src 'self' suffices
    assert client.get("/redoc").status_code == 404


# ------------------------------------------------------------------ malformed input to the API


@pytest.mark.parametrize(("url", "field"), [
    (f"/api/v1/asn/{'9' * 5000}?date={DATE}", "AS number"),
    (f"/api/v1/search/as?q=x&date={DATE}&limit={'9' * 5000}", "limit"),
    (f"/api/v1/transit/LI?date={DATE}&top={'9' * 5000}", "top"),
    (f"/api/v1/whatif/LI?date={DATE}&without={'9' * 5000}", "without"),
    (f"/api/v1/transit/LI?date={'[' * 5000}", "date"),
    (f"/api/v1/search/as?q={'[' * 5000}&date={DATE}", "q"),
])
def test_malformed_parameters_are_one_4xx_naming_the_field(client, url: str, field: str) -> None:
    response = client.get(url)
    assert response.status_code == 400, response.text
    assert field in response.json()["message"] and len(response.json()["message"]) < 600


def test_a_json_body_where_a_form_is_expected_is_one_400(client) -> None:
    response = client.post("/api/v1/blocking", json={"name": ["small.txt"], "date": DATE})
    assert response.status_code == 400 and "name a register" in response.json()["message"]
    nested = client.post("/api/v1/blocking", content=b"[" * 100_000, headers={"content-type": "application/json"})
    assert nested.status_code == 413 and nested.json()["error"] == "upload_too_large"


@pytest.mark.data
def test_malformed_json_resolutions_are_counted_not_a_traceback(own_settings: WebSettings) -> None:
    good = '{"name": "a.example", "data": {"answers": [{"type": "A", "answer": "82.117.0.1"}]}}'
    lines = [good, '{"name": "b.example", "data": ' + "[" * 100_000 + "]" * 100_000 + "}",
             '{"name": "c.example", "n": ' + "9" * 5000 + "}", '{"name": "d.example", "data": {"answers": "1.2.3.4"}}']
    with _client(own_settings) as c:
        response = c.post("/api/v1/blocking", data={"date": PREFIXES, "strict": "true"},
                          files={"file": ("list.txt", b"82.117.0.1\n"),
                                 "resolutions_file": ("res.jsonl", "\n".join(lines).encode())})
    assert response.status_code == 422, response.text
    message = response.json()["message"]
    assert message.startswith("upload:res.jsonl:2") and "nested too deeply" in message
