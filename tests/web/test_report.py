"""`splinternet report`: one HTML file that opens offline, with every section and the provenance of every input."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from splinternet.cli.app import app
from splinternet.report.html import render_report

from .conftest import DATE, PREFIXES

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def results(client) -> dict:
    transit = client.get(f"/api/v1/transit/LI?date={DATE}").json()
    whatif = client.get(f"/api/v1/whatif/LI?date={DATE}&without=8447").json()
    blocking = client.post("/api/v1/blocking", data={"name": "rkn/tail-2020-02-16.csv", "date": PREFIXES}).json()
    return {"transit": transit, "whatif": whatif, "blocking": blocking}


def _external_references(text: str) -> list[str]:
    """Anything a browser would fetch: src/href/url()/@import/fetch pointing off the page."""
    refs = re.findall(r"""(?:src|href|action)\s*=\s*["']([^"'#][^"']*)["']""", text)
    refs += re.findall(r"""url\(\s*["']?([^"')]+)""", text)
    refs += re.findall(r"@import\s+[\"']?([^\"';]+)", text)
    return [r for r in refs if not r.startswith(("data:", "#"))]


def test_report_has_every_section_and_no_external_reference(results) -> None:
    text = render_report(results["transit"], whatif=results["whatif"], blocking=results["blocking"])
    assert _external_references(text) == []
    for anchor in ('id="transit"', 'id="whatif"', 'id="blocking"', 'id="methodology"', 'id="providers"',
                   'id="single-homed"', 'id="gateways"', 'id="chart-shares"', 'id="chart-links"',
                   'id="chart-whatif-before"', 'id="chart-whatif-after"', 'id="chart-blocking"'):
        assert anchor in text, anchor
    for source in results["transit"]["sources"]:
        assert source["sha256"] in text and source["url"] in text
    for release in results["blocking"]["attribution"]["releases"]:
        assert release["sha256"] in text
    assert "makeSortable" in text and "--accent" in text  # script and styles inlined
    served = results["transit"]["providers"][0]["served"][0]
    assert f"AS{served['asn']} {served['name']}" in text
    # the kind of removal, in a sentence, and the full counts (not the lengths of the cut lists)
    assert 'id="whatif-removal"' in text and "Removed worldwide: AS8447" in text
    w = results["whatif"]
    assert f"<b>{w['degraded_networks_count']:,}</b> networks keep fewer routes" in text


def test_report_opens_in_chromium_without_any_request(results, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if chromium is None:
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    target = tmp_path / "LI.html"
    target.write_text(render_report(results["transit"], whatif=results["whatif"]), encoding="utf-8")
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()))
        page.goto(target.as_uri())
        page.locator("#gateways th", has_text="foreign providers").click()
        assert page.locator("#gateways th[aria-sort=descending]").count() == 1  # the inlined script ran
        assert page.locator("#chart-links svg").bounding_box()["height"] > 200
        page.screenshot(path=str(tmp_path / "report.png"))
        browser.close()
    assert requests == [target.as_uri()]


@pytest.mark.slow
def test_report_command_writes_the_file(mirror_env, register_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "LI.html"
    result = CliRunner().invoke(app, ["report", "LI", "--date", DATE, "--prefixes-date", PREFIXES, "--html", str(out),
                                      "--register", str(register_dir / "small.txt"), "--top", "10"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert 'id="transit"' in text and 'id="blocking"' in text and 'id="whatif"' not in text
    assert "small.txt" in text and _external_references(text) == []
    assert not list(tmp_path.glob("*.tmp*"))


def test_report_command_refuses_a_non_html_name(tmp_path: Path) -> None:
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "splinternet", "report", "LI", "--date", DATE, "--html",
                          str(tmp_path / "x.png")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "expected a file name ending in .html" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.slow
def test_report_with_resolutions_has_collateral_tables_and_the_map(mirror_env, register_dir: Path,
                                                                    tmp_path: Path) -> None:
    from .conftest import RESOLUTIONS

    out = tmp_path / "LI-collateral.html"
    result = CliRunner().invoke(app, ["report", "LI", "--date", DATE, "--prefixes-date", PREFIXES, "--html", str(out),
                                      "--register", str(register_dir / "rkn/tail-2020-02-16.csv"),
                                      "--resolutions", str(register_dir / RESOLUTIONS), "--top", "10"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for table in ("collateral-addresses", "collateral-by-provider", "collateral-top-entries", "chart-map"):
        assert f'id="{table}"' in text, table
    assert text.count('class="country"') == 176 and _external_references(text) == []
    assert 'id="map-form"' not in text  # the offline report has no form that would ask a server
