"""`transit --stability` (text and JSON) and `report --stability` end to end on the mirror."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.data, pytest.mark.slow]
BASE = ["--date", "2022-03-01", "--prefixes-date", "2024-04-06"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "splinternet", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "250"}, timeout=600)


def test_transit_stability_text_and_json(mirror_env) -> None:
    out = run("transit", "LI", *BASE, "--max-origins", "30", "--top", "12", "--stability", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    stability = report["evidence"]["stability"]
    assert len(stability["variants"]) == 10 and stability["rows"] == 10
    first = stability["tables"]["providers"][0]
    assert first["asn"] == report["providers"][0]["asn"] and first["rank"] == 1
    text = run("transit", "LI", *BASE, "--max-origins", "30", "--top", "12", "--stability")
    assert text.returncode == 0, text.stderr
    flat = " ".join(text.stdout.split())
    assert "rank range" in flat and f"stability: {stability['verdict']}" in flat
    assert "variant input (month: 2022-02-01): caida-asrel 2022-02-01" in flat
    # the provider row carries its range in the last column
    line = next(ln for ln in text.stdout.splitlines() if f"AS{first['asn']} " in ln)
    assert line.rstrip(" │|").endswith(first["range"])
    plain = run("transit", "LI", *BASE, "--max-origins", "30", "--top", "12")
    assert "rank range" not in plain.stdout and "stability:" not in plain.stdout


def test_report_shows_the_rank_ranges(mirror_env, tmp_path) -> None:
    page = tmp_path / "li.html"
    out = run("report", "LI", "--html", str(page), *BASE, "--top", "8", "--stability", "--json")
    assert out.returncode == 0, out.stderr
    stability = json.loads(out.stdout)["transit"]["evidence"]["stability"]
    html = page.read_text(encoding="utf-8")
    assert "How stable the ranking is" in html and "<th>rank range</th>" in html
    assert 'id="stability-providers"' in html and 'id="stability-transit"' in html
    first = stability["tables"]["providers"][0]
    assert f'<td class="rank-range">{first["range"]}</td>' in html
    assert stability["verdict"].capitalize() in html.replace("&#39;", "'").replace("&amp;", "&")


def test_report_by_organization_ranges_per_organization(mirror_env, tmp_path) -> None:
    page = tmp_path / "li-org.html"
    out = run("report", "LI", "--html", str(page), *BASE, "--top", "8", "--stability", "--by", "org", "--json")
    assert out.returncode == 0, out.stderr
    transit = json.loads(out.stdout)["transit"]
    stability = transit["evidence"]["stability"]
    assert stability["by"] == "org" and stability["measures"]["transit"] == "influence, upper bound (sum of members)"
    for table in ("providers", "gateways"):
        rows, shown = stability["tables"][table], transit[table]
        assert [r["org_id"] for r in rows][:len(shown)] == [p["org_id"] for p in shown][:len(rows)]
        assert all(r["members"] and r["asn"] == r["members"][0]["asn"] for r in rows)
    html = page.read_text(encoding="utf-8").replace("&#39;", "'").replace("&amp;", "&")
    assert "Rows are organizations: every variant is merged by organization" in html
    assert "(ranked by influence, upper bound (sum of members))" in html
    providers = html[html.index('id="providers"'):]
    providers = providers[:providers.index("</table>")]
    cells = [c.split("</td>")[0] for c in providers.split('<td class="rank-range">')[1:]]
    ranges = {r["org_id"]: r["range"] for r in stability["tables"]["providers"]}
    assert len(cells) == len(transit["providers"]) == 8
    assert cells == [ranges.get(p["org_id"], "") for p in transit["providers"]]
    # an organization of several ASes is one row, labelled by its members
    several = [r for r in stability["tables"]["transit"] if len(r["members"]) > 1]
    assert several and "+".join(f"AS{m['asn']}" for m in several[0]["members"][:3]) in html
