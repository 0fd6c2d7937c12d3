"""End to end in headless Chromium (Debian ``chromium`` driven by Playwright): every page, a what-if round trip.

Screenshots of each page are saved under the test's temporary directory (printed with -s).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import DATE, LATER, PREFIXES
from .live_server import CHROMIUM, live_server

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")

pytestmark = [
    pytest.mark.data,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def live_url(web_app):
    with live_server(web_app) as url:
        yield url


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1300, "height": 900})
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        tab.errors = errors  # type: ignore[attr-defined]
        tab.shots = tmp_path_factory.mktemp("screenshots")  # type: ignore[attr-defined]
        yield tab
        browser.close()


def _shot(page, name: str) -> Path:
    path = page.shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    print(f"screenshot: {path}")
    return path


def _wait_for_result(page, selector: str, timeout_s: float = 180) -> None:
    page.wait_for_selector(selector, timeout=timeout_s * 1000)


def test_country_page_renders_sorts_and_draws(page, live_url: str) -> None:
    page.goto(f"{live_url}/country")
    page.fill("input[name=cc]", "LI")
    page.fill("input[name=date]", DATE)
    page.click("form.query button")
    _wait_for_result(page, "#providers")
    assert page.locator("#chart-shares svg").count() == 1
    assert page.locator("#chart-links svg path").count() > 10
    first = page.locator("#providers tbody tr").first.inner_text()
    assert "AS8447" in first
    page.locator("#providers th", has_text="networks served").click()  # descending
    served = [int(x) for x in page.locator("#providers tbody tr td:nth-child(6)").all_inner_texts()]
    assert served == sorted(served, reverse=True)
    page.locator("#providers th", has_text="networks served").click()  # ascending
    served = [int(x) for x in page.locator("#providers tbody tr td:nth-child(6)").all_inner_texts()]
    assert served == sorted(served)
    _shot(page, "country")
    assert not page.errors


def test_country_map_recolors_by_the_chosen_measure(page, live_url: str) -> None:
    page.goto(f"{live_url}/country?cc=LI&date={DATE}")
    _wait_for_result(page, "#chart-map")
    assert page.locator("#chart-map svg path.country").count() == 176
    austria = page.locator('#chart-map path[data-cc="AT"]')
    shared = austria.get_attribute("fill")
    assert shared != "#e4e6ea" and austria.bounding_box()["width"] > 5
    page.select_option("#map-form select[name=measure]", "count")
    page.click("#map-form button")
    _wait_for_result(page, "#chart-map")
    assert page.locator("#map-form select[name=measure]").input_value() == "count"
    assert page.locator('#chart-map path[data-cc="AT"]').get_attribute("fill") != "#e4e6ea"
    page.locator("#chart-map").screenshot(path=str(page.shots / "country-map.png"))
    print(f"screenshot: {page.shots / 'country-map.png'}")
    assert not page.errors


def test_whatif_round_trip(page, live_url: str) -> None:
    page.goto(f"{live_url}/whatif")
    page.fill("input[name=cc]", "LI")
    page.fill("input[name=date]", DATE)
    page.fill("#as-search", "Telekom Austria")
    page.wait_for_selector("#as-results button")
    page.locator("#as-results button", has_text="AS8447").first.click()
    assert page.input_value("#without") == "8447"
    page.check("input[name=links_only]")
    page.click("#whatif-form button[type=submit]")
    # a fresh scenario: the progress page first, then the result replaces it
    page.wait_for_selector("#job, #whatif")
    if page.locator("#job").count():
        assert page.locator("#job-progress").count() == 1
        _shot(page, "progress")
    _wait_for_result(page, "#whatif")
    assert "8447" in page.locator("#whatif h2").inner_text()
    assert page.locator("#chart-whatif-before svg").count() == 1
    assert page.locator("#chart-whatif-after svg").count() == 1
    before = page.locator("#whatif-before tbody tr").count()
    after = page.locator("#whatif-after tbody tr").count()
    assert before > 0 and after > 0
    assert "AS8447" not in page.locator("#whatif-after").inner_text()
    _shot(page, "whatif")
    assert not page.errors


def test_whatif_before_and_after_side_by_side_on_a_desktop_stacked_on_a_phone(page, live_url: str) -> None:
    """Two columns sharing a top edge at desktop width (charts too); one above the other below 700 px."""
    page.goto(f"{live_url}/whatif?cc=LI&date={DATE}&without=8447&links_only=true")  # the round trip's result
    _wait_for_result(page, "#whatif-columns")
    boxes = {side: page.locator(f"#whatif-{side}-column").bounding_box() for side in ("before", "after")}
    charts = {side: page.locator(f"#chart-whatif-{side}").bounding_box() for side in ("before", "after")}
    assert abs(boxes["before"]["y"] - boxes["after"]["y"]) < 1
    assert boxes["after"]["x"] >= boxes["before"]["x"] + boxes["before"]["width"]
    assert abs(charts["before"]["y"] - charts["after"]["y"]) < 1 and charts["after"]["x"] > charts["before"]["x"]
    page.locator("#whatif-columns").screenshot(path=str(page.shots / "whatif-columns.png"))
    print(f"screenshot: {page.shots / 'whatif-columns.png'}")
    page.set_viewport_size({"width": 600, "height": 900})
    try:
        boxes = {side: page.locator(f"#whatif-{side}-column").bounding_box() for side in ("before", "after")}
        assert boxes["after"]["y"] >= boxes["before"]["y"] + boxes["before"]["height"]
        _shot(page, "whatif-narrow")
    finally:
        page.set_viewport_size({"width": 1300, "height": 900})
    assert not page.errors


def test_diff_page(page, live_url: str) -> None:
    page.goto(f"{live_url}/diff?cc=LI&from={DATE}&to={LATER}")
    _wait_for_result(page, "#diff")
    assert page.locator("#moved tbody tr").count() > 0
    assert page.locator("#chart-diff svg").count() == 1
    _shot(page, "diff")
    assert not page.errors


def test_blocking_page_with_a_register_from_the_data_directory(page, live_url: str) -> None:
    page.goto(f"{live_url}/blocking")
    page.select_option("select[name=name]", "rkn/tail-2020-02-16.csv")
    page.fill("input[name=date]", PREFIXES)
    page.click("#blocking-form button")
    _wait_for_result(page, "#blocking")
    assert page.locator("#chart-blocking svg").count() == 1
    assert page.locator("#by-organization tbody tr").count() > 0
    _shot(page, "blocking")
    assert not page.errors


def test_blocking_page_with_resolutions_shows_collateral(page, live_url: str) -> None:
    from .conftest import RESOLUTIONS

    page.goto(f"{live_url}/blocking")
    page.select_option("select[name=name]", "rkn/tail-2020-02-16.csv")
    page.select_option("select[name=resolutions_name]", RESOLUTIONS)
    page.fill("input[name=date]", PREFIXES)
    page.click("#blocking-form button")
    _wait_for_result(page, "#collateral-addresses")
    assert page.locator("#collateral-addresses tbody tr").count() == 12
    assert page.locator("#collateral-by-provider tbody tr").count() > 0
    assert page.locator("#collateral-top-entries tbody tr").first.locator("td").nth(4).inner_text() == "3"
    page.locator("#collateral").scroll_into_view_if_needed()
    _shot(page, "blocking-collateral")
    assert not page.errors


def test_error_page_is_readable(page, live_url: str) -> None:
    page.goto(f"{live_url}/country?cc=XX1&date={DATE}")
    assert "country code" in page.locator("#error").inner_text()


def test_api_docs_render_offline_under_their_csp(page, live_url: str) -> None:
    """Swagger UI from the package: every request the page makes stays on the server, no CSP violation."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    del page.errors[:]
    page.goto(f"{live_url}/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() >= 8  # every endpoint of the REST API
    assert all(url.startswith(live_url) for url in requested), [u for u in requested if not u.startswith(live_url)]
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors
    _shot(page, "docs")
