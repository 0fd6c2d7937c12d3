"""`transit`, `whatif` and `ip` end to end through the console script on the mirror."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.data, pytest.mark.slow]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "splinternet", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=300)


def test_transit_json_csv_plot(mirror_env, tmp_path) -> None:
    base = ["transit", "LI", "--date", "2022-03-01", "--prefixes-date", "2024-04-06"]
    out = run(*base, "--json", "--plot", str(tmp_path / "li.png"))
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["cc"] == "LI" and report["providers"] and report["summary"]
    # every network row carries the AS name (CAIDA aut_name) beside the organization's name
    rows_with_names = [*report["providers"], *report["gateways"], *report["transit"],
                       *(s for p in report["providers"] for s in p["served"])]
    assert all(isinstance(r["as_name"], str) for r in rows_with_names)
    assert sum(bool(r["as_name"]) for r in rows_with_names) > 0.9 * len(rows_with_names)
    assert (tmp_path / "li.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    as_csv = run(*base, "--csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {r["table"] for r in rows} == {"provider", "gateway"} and {r["evidence"] for r in rows} == {"simulated"}
    # what the figures rest on goes to stderr, so the CSV stays parseable and nothing is dropped
    assert "date 2024-04-06 chosen by the caller" in as_csv.stderr and "caida-asrel 2022-03-01" in as_csv.stderr
    assert int(rows[0]["asn"]) == report["providers"][0]["asn"]
    assert rows[0]["as_name"] == report["providers"][0]["as_name"]
    text = run(*base, "--top", "5")
    assert "International transit providers" in text.stdout and "Domestic gateways" in text.stdout
    words = " ".join(text.stdout.split())
    assert f"5 of {report['row_counts']['providers']} rows shown" in words  # a cut table says so
    assert report["row_counts"]["providers"] > len(report["providers"]) == 20  # the JSON counts every row


def test_whatif_text(mirror_env) -> None:
    out = run("whatif", "LI", "--date", "2022-03-01", "--prefixes-date", "2024-04-06", "--without", "8447",
              "--without", "AS3356")
    assert out.returncode == 0, out.stderr
    assert "what if remove AS8447; remove AS3356" in out.stdout and "Who absorbs the lost share" in out.stdout
    words = " ".join(out.stdout.split())
    assert "Removed worldwide: AS3356" in words  # the kind of removal, in a sentence
    assert "seen from the same vantage points" in words  # why "before" is not quite the transit report
    single = words[words.index("Networks left single-homed"):]  # Hilti AG keeps only Sunrise UPC
    assert "remaining provider name" in single and "Sunrise UPC" in single  # named, not a bare number
    links = run("whatif", "LI", "--date", "2022-03-01", "--prefixes-date", "2024-04-06", "--without", "8447",
                "--links-only", "--top", "2", "--json")
    assert links.returncode == 0, links.stderr
    report = json.loads(links.stdout)
    assert report["removal"] == "links_to_country" and report["removal_text"].startswith("Links to LI only")
    assert report["scenario"][0].startswith("remove AS8447's links to any of")  # a set, not that many links
    assert not any("same vantage points" in n for n in report["notes"])  # links only: nobody stops being one
    assert [r["asn"] for r in report["scenario_ases"]] == [8447]
    for name in ("lost_networks", "degraded_networks", "left_single_homed", "left_without_provider", "absorbed"):
        assert report[f"{name}_count"] >= len(report[name])  # the full count beside each cut list


def test_diff_text_says_n_of_m(mirror_env) -> None:
    out = run("diff", "LI", "--from", "2022-03-01", "--to", "2022-05-01", "--prefixes-date", "2024-04-06", "--top", "2")
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert "compared over all" in text and "providers with a border share on either date" in text
    assert " of " in text and "links shown" in text  # the two link lists of a release apart are longer than 2
    report = json.loads(run("diff", "LI", "--from", "2022-03-01", "--to", "2022-05-01", "--prefixes-date",
                            "2024-04-06", "--top", "2", "--json").stdout)
    counts = (f"{report['links_lost_count']} links to foreign networks lost, {report['links_gained_count']} gained, "
              f"{report['links_changed_count']} whose relationship changed; ")
    assert counts in text
    # what the headline counts and the JSON holds is in the text too, each list with its "N of M"
    gateways = [g for g in report["gateways_moved"] if abs(g["change"]) >= 0.0005]
    assert "Domestic gateways whose share moved" in text and f"AS{gateways[0]['asn']} " in text
    assert f"{min(2, len(gateways))} of {report['gateways_moved_count']} gateways that moved" in text or \
        report["gateways_moved_count"] <= 2
    single = report["new_single_homed"]
    assert "Networks newly single-homed" in text and all(f"AS{r['asn']} " in text for r in single[:2])
    changed = report["links_changed"]
    assert "Links whose relationship changed" in text and all(f"AS{r['domestic_asn']} " in text for r in changed[:2])


def test_thin_observed_evidence_ranks_nothing_unless_asked(mirror_env) -> None:
    base = ["transit", "UA", "--date", "2022-04-21T02:04", "--prefixes-date", "2024-04-06", "--evidence", "observed",
            "--collector", "rrc23", "--all-peers", "--max-origins", "30", "--top", "5"]
    thin = run(*base)
    assert thin.returncode == 0, thin.stderr
    assert "evidence too thin, nothing ranked" in " ".join(thin.stdout.split()) and "--rank-thin" in thin.stdout
    ranked = run(*base, "--rank-thin", "--json")
    assert ranked.returncode == 0, ranked.stderr
    report = json.loads(ranked.stdout)
    assert report["providers"] and report["evidence"]["ranked"] and report["evidence"]["thin_evidence"]
    assert report["evidence"]["observed_vs_simulated"]["depth"] == 5


def test_collector_peers_as_vantage_points(mirror_env) -> None:
    base = ["--date", "2022-04-21T02:04", "--prefixes-date", "2024-04-06", "--vantage-weights", "collectors"]
    out = run("whatif", "LI", *base, "--collector", "rrc23", "--without", "8447", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    for side in ("before", "after"):
        about = report[side]["evidence"]["collector_vantages"]
        assert about["mrt_files"][0].endswith("updates.20220421.0200.gz") and about["ases"] >= 5
    missing = run("transit", "LI", *base, "--collector", "route-views.nowhere")
    assert missing.returncode == 2 and "MRT archives" in missing.stderr and "Traceback" not in missing.stderr


def test_clear_errors_without_traceback(mirror_env) -> None:
    for args, message in ((["transit", "XQ", "--date", "2022-03-01", "--prefixes-date", "2024-04-06"], "XQ"),
                          (["transit", "RU", "--date", "2022-03-01"], "routeviews-pfx2as"),
                          (["whatif", "LI", "--date", "2022-03-01", "--prefixes-date", "2024-04-06", "--without",
                            "4294967295"], "not in the AS graph"),
                          (["ip", "300.1.1.1"], "not an IP address"),
                          (["diff", "LI", "--from", "2022-05-01", "--to", "2022-03-01", "--prefixes-date", "2024-04-06"],
                           "the first date (2022-05-01) must come before the second (2022-03-01)")):
        out = run(*args)
        assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr, out.stderr


def test_ip(curated_env, shared_data_dir) -> None:
    out = run("ip", "34.64.40.1", "--date", "2024-04-06", "--json", "--cloud",
              str(shared_data_dir / "samples/cloud/2022-03-15/google-cloud-ip-ranges.json"))
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert info["prefix"] == "34.64.32.0/19" and info["origins"][0]["asn"] == 396982
    assert info["cloud"]["provider"] == "google-cloud" and info["cloud"]["region"] == "asia-northeast3"
    africa = json.loads(run("ip", "41.0.0.1", "--date", "2024-04-06", "--json").stdout)
    assert africa["registry"]["country"] == "ZA" and africa["registry"]["registry"] == "afrinic"
    assert any("arin" in n for n in africa["notes"])  # the RIR files missing (from the curated mirror) are named
    assert "arin" in africa["registries_missing"] and "afrinic" not in africa["registries_missing"]
    google = " ".join(run("ip", "8.8.8.8").stdout.split())  # ARIN's, whose file the curated mirror lacks
    assert "registry: not known" in google  # not silently absent, nor "unregistered"
    assert "no release found" in google and "at or before the newest" not in google


def test_transit_and_whatif_by_organization(mirror_env) -> None:
    base = ["--date", "2022-03-01", "--prefixes-date", "2024-04-06"]
    out = run("transit", "LI", *base, "--by", "org", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["evidence"]["by"] == "org"
    for row in report["providers"]:
        assert row["org_id"] and row["members"] and row["transit_bounds"]
        assert row["border_share"] == pytest.approx(sum(m["border_share"] for m in row["members"]))
    text = run("transit", "LI", *base, "--by", "org")
    assert text.returncode == 0, text.stderr
    assert "merged by organization" in text.stdout and "member ASes" in text.stdout
    gone = run("whatif", "LI", *base, "--without-org", "LPL-141-ARIN", "--top", "3", "--json")
    assert gone.returncode == 0, gone.stderr
    what = json.loads(gone.stdout)
    assert what["organizations"][0]["org_id"] == "LPL-141-ARIN" and 3549 in what["organizations"][0]["asns"]
    many = run("whatif", "LI", *base, "--without-org", "rostelecom")
    assert many.returncode != 0 and "organizations match 'rostelecom'" in many.stderr + many.stdout
    assert "Traceback" not in many.stderr
