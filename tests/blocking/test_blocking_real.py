"""The 2016 register attributed with the real pfx2as, AS organizations and AWS history, checked
against pytricia (peer) and plain Python; and the CLI on the real files."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from splinternet import api
from splinternet.analysis.blocking import analyze_blocking
from splinternet.cli.app import app
from splinternet.sources.registry import load_register

pytestmark = pytest.mark.data

PFX2AS = "https://publicdata.caida.org/datasets/routing/routeviews-prefix2as/2024/04/routeviews-rv2-20240406.pfx2as.gz"
ASORG = "https://publicdata.caida.org/datasets/as-organizations/20220401.as-org2info.txt.gz"


@pytest.fixture(scope="module")
def inputs(shared_file, shared_data_dir: Path) -> dict[str, Path]:
    return {
        "register": shared_data_dir / "samples/registry/rkn/dump-2016-06-13.csv",
        "tail": shared_data_dir / "samples/registry/rkn/dump-08-2020-02-16-tail-piece.csv",
        "pfx2as": shared_file(PFX2AS),
        "asorg": shared_file(ASORG),
        "aws": shared_data_dir / "samples/cloud/aws-history",
        "cloud2022": shared_data_dir / "samples/cloud/2022-03-15",
    }


@pytest.fixture(scope="module")
def report_2016(inputs):
    reg = load_register(inputs["register"])
    attribution = api.blocking.attribution_for(reg.updated.date(), api.AttributionFiles(
        pfx2as=(inputs["pfx2as"],), asorg=inputs["asorg"], cloud=inputs["aws"], use_catalog=False))
    return reg, attribution, analyze_blocking(reg, attribution, top=0)


@pytest.mark.peer
def test_origin_as_of_every_blocked_address_matches_pytricia(inputs, report_2016) -> None:
    import gzip

    import pytricia

    reg, _, report = report_2016
    tree = pytricia.PyTricia(32)
    with gzip.open(inputs["pfx2as"], "rt") as fh:
        for line in fh:
            prefix, length, origins = line.split("\t")
            if ":" not in prefix:
                # every origin of a MOAS (a_b) or AS set (a,b) gets an equal share
                tree[f"{prefix}/{length}"] = [int(x) for x in origins.strip().replace(",", "_").split("_")]
    import ipaddress

    counts: Counter[int] = Counter()
    missing = 0
    for a in np.unique(reg.v4.start).tolist():
        text = str(ipaddress.IPv4Address(a))
        if text in tree:
            for asn in tree[text]:
                counts[asn] += 1 / len(tree[text])
        else:
            missing += 1
    got = {r["asn"]: r["ipv4"] for r in report.by_origin_as.records()}
    assert got == pytest.approx(dict(counts))
    assert report.unattributed_ipv4 == missing
    cloudflare = next(r for r in report.by_origin_as.records() if r["asn"] == 13335)
    assert (cloudflare["organization"], cloudflare["country"]) == ("Cloudflare, Inc.", "US")


def test_aws_version_current_at_the_register_date(report_2016) -> None:
    _, attribution, report = report_2016
    used = [r for r in attribution.releases if r["dataset"] == "cloud:aws-history"]
    assert len(used) == 1 and used[0]["release_date"] == "2016-06-08"
    assert "2016-06-08-21-22-24.json" in used[0]["note"] and used[0]["days_from_target"] == -5
    pfx = next(r for r in attribution.releases if r["dataset"] == "pfx2as")
    assert pfx["days_from_target"] == (dt.date(2024, 4, 6) - dt.date(2016, 6, 13)).days
    aws = report.by_provider.records()
    assert [r["provider"] for r in aws] == ["aws"] and 0 < aws[0]["share_ipv4"] < 1e-3
    # every blocked address inside some AWS group also counts for the provider, and no more
    assert aws[0]["ipv4"] >= max(r["ipv4"] for r in report.by_cloud.records())


def test_cli_report_json_csv_plot(inputs, tmp_path: Path, mirror_env) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["blocking", str(inputs["register"]), "--pfx2as", str(inputs["pfx2as"]),
                                 "--asorg", str(inputs["asorg"]), "--cloud", str(inputs["cloud2022"]),
                                 "--no-catalog", "--json", "--csv", str(tmp_path / "csv"),
                                 "--plot", str(tmp_path / "b.png"), "--top", "5"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counts"]["blocked_ipv4"] == 19271
    assert data["register"]["bad_records"]["count"] == 0 and data["register"]["bad_records"]["repeats"] == 42
    assert {r["dataset"] for r in data["attribution"]["releases"]} >= {"pfx2as", "as-org"}
    assert all(len(r["sha256"]) == 64 for r in data["attribution"]["releases"])
    # every attribution input says what loading it skipped (--pfx2as, --asorg and each --cloud file)
    assert all(r["bad_records"]["records"] > 0 and r["bad_records"]["bad"] == 0
               for r in data["attribution"]["releases"])
    assert len(data["by_origin_as"]["rows"]) == 5
    assert {r["provider"] for r in data["by_provider"]["rows"]} >= {"aws", "cloudflare", "azure"}
    assert (tmp_path / "b.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "csv" / "by_origin_as.csv").read_text().startswith("asn,as_name,")
    assert not list((tmp_path / "csv").glob(".*part"))


def test_cli_diff_and_catalog_dates(inputs, mirror_env) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["blocking", "diff", str(inputs["register"]), str(inputs["tail"]), "--json",
                                 "--pfx2as", str(inputs["pfx2as"]), "--date", "2020-02-16"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ipv4_old"] == 19271 and data["ipv6_removed"] == 0 and data["ipv6_added"] > 1000
    assert data["entries_added"] + data["entries_kept"] == data["new"]["entries"]
    # --date overrides each register's own date: both sides are attributed with the data of that day
    for side in ("attribution_old", "attribution_new"):
        assert (data[side]["target_date"], data[side]["date_basis"]) == ("2020-02-16", "the date chosen by the caller")
        asorg = next(r for r in data[side]["releases"] if r["dataset"] == "caida-asorg")
        assert asorg["release_date"] == "2022-04-01"  # through the catalog, the only release in the mirror
        assert [m for m in data[side]["missing"] if m.startswith("cloud ranges")]


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "dump.csv"
    empty.write_bytes(b"")
    for argv in (["blocking", str(tmp_path / "missing.csv")], ["blocking", str(empty), "--strict", "--kind", "rkn",
                                                               "--no-catalog"]):
        proc = subprocess.run([sys.executable, "-m", "splinternet", *argv], capture_output=True, text=True)
        assert proc.returncode == 2
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
        assert str(tmp_path) in proc.stderr


def test_cli_series_and_updates(inputs, shared_data_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["blocking", "series", str(inputs["register"]), str(inputs["tail"]), "--json",
                                 "--plot", str(tmp_path / "series.png")])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert [r["ipv4"] for r in rows] == [19271, 2645] and rows[1]["ipv6"] > 1000
    assert (tmp_path / "series.png").read_bytes()[:4] == b"\x89PNG"
    log = shared_data_dir / "samples/registry/rkn/update-log-2012-2018.csv"
    result = runner.invoke(app, ["blocking", "updates", str(log), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["updates"] == sum(",Updated: " in ln for ln in log.read_text().splitlines())
    assert data["last"].startswith("2018-05-10")


@pytest.mark.parametrize("day", ["2014-01-01", "2016-01-01", "2016-06-13", "2017-01-01", "2021-01-01"])
def test_aws_version_pick_equals_scanning_every_tarball(inputs, day: str) -> None:
    from splinternet.sources.cloud import aws_history_versions
    from splinternet.sources.cloud_loading import pick_aws_version

    tarballs = sorted(inputs["aws"].iterdir())
    target = dt.date.fromisoformat(day)
    every = sorted((stamp, tar, member) for tar in tarballs for stamp, member in aws_history_versions(tar))
    before = [v for v in every if v[0].date() <= target]
    want = before[-1] if before else every[0]
    tar, member, stamp, _ = pick_aws_version(tarballs, target)
    assert (stamp, tar, member) == want


@pytest.mark.peer
def test_origins_from_mrt_match_bgpdump(shared_data_dir: Path) -> None:
    """Most-seen origin per prefix (ties: lowest ASN), from our MRT reader vs bgpdump -m lines."""
    import shutil

    from splinternet.sources.origins import origins_from_mrt

    if shutil.which("bgpdump") is None:
        pytest.skip("bgpdump is not installed")
    path = shared_data_dir / "samples/mrt/bview.20020722.2337.gz"
    lines = subprocess.run(["bgpdump", "-m", str(path)], capture_output=True, text=True, check=True).stdout
    seen: dict[str, Counter[int]] = {}
    for line in lines.splitlines():
        fields = line.split("|")
        if fields[2] not in ("B", "A") or not fields[6]:
            continue
        last = fields[6].split()[-1]
        if last.isdigit() and int(last) > 0:
            seen.setdefault(fields[5], Counter())[int(last)] += 1
    want = {p: min(c, key=lambda a: (-c[a], a)) for p, c in seen.items()}
    table = origins_from_mrt(path)
    fam = table.table.v4
    got = dict(zip(fam.prefixes_text(), table.origin[fam.row].tolist(), strict=True))
    assert got == want and len(got) > 10_000
