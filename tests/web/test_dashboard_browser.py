"""The dashboard in headless Chromium (Debian ``chromium`` driven by Playwright): screenshots of the map, a country
page, a comparison and a phone-width page, checked for content, and no request leaving the server."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import DATE, LATER
from .live_server import CHROMIUM, live_server

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")

pytestmark = [
    pytest.mark.data,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def dash_url(dash_app):
    with live_server(dash_app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def outside() -> list[str]:
    """Every request a page made to anything but the server (aborted, and counted)."""
    return []


def _tab(browser, outside: list[str], shots: Path, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})

    def route(r) -> None:
        host = urlsplit(r.request.url).hostname
        if r.request.url.startswith(("data:", "about:")) or host == "127.0.0.1":
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    tab = context.new_page()
    tab.errors = []  # type: ignore[attr-defined]
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    tab.on("console", lambda msg: tab.errors.append(msg.text) if msg.type == "error" else None)
    tab.shots = shots  # type: ignore[attr-defined]
    return tab


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dashboard-screenshots")


def _colours(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or ())


def _shot(tab, name: str, selector: str | None = None) -> Path:
    path = tab.shots / f"{name}.png"
    if selector:
        tab.locator(selector).screenshot(path=str(path))
    else:
        tab.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def test_home_map(browser, dash_url: str, outside: list[str], shots: Path) -> None:
    tab = _tab(browser, outside, shots, 1300)
    tab.goto(f"{dash_url}/?date={DATE}")
    world = tab.locator("#chart-world svg")
    assert world.is_visible()
    assert tab.locator("#chart-world svg path.country").count() == 176
    cuba = tab.locator('#chart-world path[data-cc="CU"]')
    assert cuba.get_attribute("fill") != "#e4e6ea"
    tab.locator('#chart-world path[data-cc="BR"]').hover()  # a shape whose middle is inside it
    assert tab.locator("#map-tip").is_visible() and "Brazil (BR): no data" in tab.locator("#map-tip").inner_text()
    path = _shot(tab, "home-map", "#chart-world")
    assert _colours(path) > 20  # a map, not a blank box
    tab.select_option("#index-picker", "border_hhi")
    tab.click("#map-form button")
    tab.wait_for_url("**index=border_hhi**")
    assert "Concentration of border shares (HHI)" in tab.locator("#chart-world figcaption").inner_text()
    tab.locator('#chart-world path[data-cc="CU"]').dispatch_event("click")  # Cuba's middle is sea: no mouse
    tab.wait_for_selector("#world-country")
    assert tab.url.endswith(f"/country?cc=CU&date={DATE}")
    assert not tab.errors


def test_country_page(browser, dash_url: str, outside: list[str], shots: Path) -> None:
    tab = _tab(browser, outside, shots, 1300)
    tab.goto(f"{dash_url}/")
    tab.fill("#country-search", "Liechtenstein")
    tab.click("#search-form button")
    tab.wait_for_selector("#world-country")
    assert tab.url.endswith(f"/country?cc=LI&date={LATER}")
    assert tab.locator("#providers tbody tr").count() > 5
    assert tab.locator("#chart-timeline svg").is_visible() and tab.locator("#chart-flows svg path.flow").count() > 5
    path = _shot(tab, "country")
    assert _colours(path) > 50
    tab.click("#by-toggle a")  # by organization
    tab.wait_for_selector("#organizations")
    assert not tab.errors


def test_comparison(browser, dash_url: str, outside: list[str], shots: Path) -> None:
    tab = _tab(browser, outside, shots, 1300)
    tab.goto(f"{dash_url}/compare?cc=LI&cc=CU&date={DATE}")
    assert tab.locator("section.column").count() == 2
    boxes = [tab.locator("section.column").nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]  # side by side, not stacked
    path = _shot(tab, "compare")
    assert _colours(path) > 10
    assert not tab.errors


@pytest.mark.parametrize("url", ["/", f"/country?cc=LI&date={DATE}", f"/compare?cc=LI&cc=CU&date={DATE}"])
def test_phone_width(browser, dash_url: str, outside: list[str], shots: Path, url: str) -> None:
    tab = _tab(browser, outside, shots, 400)
    tab.goto(dash_url + url)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 400  # no sideways scrolling of the page
    for selector in ("#chart-world svg", "#chart-shares svg", "section.column"):
        if tab.locator(selector).count():
            box = tab.locator(selector).first.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 400 and box["width"] > 250, selector
    path = _shot(tab, "phone-" + (url.strip("/").split("?")[0] or "home"))
    assert _colours(path) > 10
    assert not tab.errors


def test_no_request_left_the_server(outside: list[str]) -> None:
    assert outside == []  # the tests above ran first (file order): every page, script and style came from the server
