"""What `blocking` and `blocking diff` tell a reader, on the real registers: the dates each register is
attributed with, why a table is empty, where every line read went, and how much of each cut table is shown."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from splinternet import api
from splinternet.cli.app import app
from splinternet.config import Settings
from splinternet.report import formatting as fmt

pytestmark = pytest.mark.data

RKN = "samples/registry/rkn"
ASORG = "https://publicdata.caida.org/datasets/as-organizations/20220401.as-org2info.txt.gz"


@pytest.fixture(scope="module")
def registers(shared_data_dir: Path) -> dict[str, Path]:
    return {"2016": shared_data_dir / RKN / "dump-2016-06-13.csv",
            "tail": shared_data_dir / RKN / "dump-08-2020-02-16-tail-piece.csv"}


def newest_decision(path: Path) -> dt.date:
    """The latest decision date (6th field) of a zapret-info register, read plainly with the csv module."""
    text = path.read_bytes().decode("cp1251")
    rows = csv.reader((ln for ln in text.split("\n") if ln and not ln.startswith("Updated:")), delimiter=";")
    return max(dt.date.fromisoformat(row[5]) for row in rows)


def run(settings: Settings, *args: str) -> str:
    """The CLI in this process, on ``settings``' mirror; its standard output."""
    result = CliRunner().invoke(app, list(args), env={"SPLINTERNET_MIRROR": str(settings.mirror),
                                                      "SPLINTERNET_CACHE": str(settings.cache_dir),
                                                      "SPLINTERNET_OFFLINE": None})
    assert result.exit_code == 0, result.output
    return result.stdout


def table_rows(text: str, title: str) -> dict[str, str]:
    """``key -> value`` of the two-column table printed under ``title``."""
    block = text[text.index(title):]
    block = block[:block.index("└")]
    return {m.group(1).strip(): m.group(2).strip() for m in re.finditer(r"│ (.+?) │ (.+?) │", block)}


def after_table(text: str, title: str) -> str:
    """What is printed right under the table titled ``title`` (its caption), up to the next line without a
    table border or caption text of its own."""
    block = text[text.index(title):]
    return block[block.index("└"):].split("\n", 1)[1]


# --- blocking diff: each register attributed at its own date (review D8) ---------------------------------


@pytest.fixture(scope="module")
def diff_by_own_dates(registers, curated_settings: Settings, shared_file):
    files = api.AttributionFiles(asorg=shared_file(ASORG), cloud=registers["2016"].parents[2] / "cloud/aws-history")
    return api.blocking_diff(registers["2016"], registers["tail"], api.BlockingOptions(files=files, top=0),
                             settings=curated_settings)


def test_diff_attributes_each_register_at_its_own_date(registers, diff_by_own_dates) -> None:
    diff = diff_by_own_dates
    header = registers["2016"].read_text(encoding="cp1251").split("\n", 1)[0]
    assert header == "Updated: 2016-06-13 12:04:00 +0000"
    old, new = diff.attribution_old, diff.attribution_new
    assert (old["target_date"], old["date_basis"]) == ("2016-06-13", "the register's 'Updated:' time")
    # the tail piece has no header: the newest decision it lists is the earliest day it can be from
    assert new["target_date"] == newest_decision(registers["tail"]).isoformat() == "2020-02-14"
    assert new["date_basis"].startswith("the register's newest decision date")
    # each side's cloud ranges are the AWS version current at its own date
    aws = {side: next(r for r in a["releases"] if r["dataset"] == "cloud:aws-history")
           for side, a in (("old", old), ("new", new))}
    assert aws["old"]["release_date"] == "2016-06-08"
    assert "2019-" in aws["new"]["release_date"] and aws["new"]["days_from_target"] < 0


def test_diff_space_is_accounted_for_by_organization_or_as_unattributed(diff_by_own_dates) -> None:
    diff = diff_by_own_dates
    rows = diff.by_organization.records()
    assert sum(r["removed_ipv4"] for r in rows) + diff.unattributed_ipv4_removed == pytest.approx(diff.ipv4_removed)
    assert sum(r["added_ipv4"] for r in rows) + diff.unattributed_ipv4_added == pytest.approx(diff.ipv4_added)
    # the curated mirror holds prefix-to-AS for 2024 only: nothing of either side has an origin AS
    assert (diff.unattributed_ipv4_removed, diff.unattributed_ipv4_added) == (diff.ipv4_removed, diff.ipv4_added)
    assert diff.not_attributed.startswith("not attributed: IPv4 removed (no prefix-to-AS data for 2016-06-13); "
                                          "IPv4 and IPv6 added (no prefix-to-AS data for 2020-02-14)")


def test_diff_text_says_why_the_organization_table_is_empty(registers, curated_settings: Settings) -> None:
    text = run(curated_settings, "blocking", "diff", str(registers["2016"]), str(registers["tail"]))
    head = table_rows(text, "register diff")
    assert head["old updated"] == "2016-06-13T12:04:00+00:00" and head["new updated"] == "unknown (no header)"
    assert "space removed attributed as of the OLD register with data for 2016-06-13, the register's 'Updated:' " \
           "time:" in text
    assert "space added attributed as of the NEW register with data for 2020-02-14, the register's newest " \
           "decision date" in text
    assert "  missing routeviews-pfx2as: no release of routeviews-pfx2as for 2020-02-14" in text
    caption = " ".join(after_table(text, "space added/removed by organization").split("added, e.g.")[0].split())
    assert caption.startswith("not attributed: IPv4 removed (no prefix-to-AS data for 2016-06-13); IPv4 and IPv6 "
                              "added (no prefix-to-AS data for 2020-02-14)")
    assert str(dt.date.today()) not in text  # nothing is attributed as of the day the test runs


def test_a_register_without_header_is_a_note_not_a_skipped_record(registers, curated_settings: Settings) -> None:
    result = CliRunner().invoke(app, ["blocking", "diff", str(registers["2016"]), str(registers["tail"]),
                                      "--no-catalog"])
    assert result.exit_code == 0, result.output
    assert "bad record" not in result.stderr  # neither register skipped a record that lost an entry
    note = f"note: {registers['tail']}: no 'Updated:' header line, so the register's date is unknown (line 1 is " \
           "read as an entry)"
    assert note in " ".join(result.stdout.split())
    assert "www.posttoday.pro (27-31-2015/Ид831-15, line 1)" in result.stdout  # and line 1 is indeed an entry


def test_report_tables_say_which_space_has_no_prefix_to_as_data(registers, shared_data_dir: Path,
                                                                curated_settings: Settings) -> None:
    """An IPv4-only prefix table for the tail piece: its IPv6 space is in no origin table, and each says so."""
    pfx2as = shared_data_dir / "samples/ipasn/routeviews-rv2-2020-02-about19.pfx2as.gz"
    args = ["blocking", str(registers["tail"]), "--pfx2as", str(pfx2as)]
    text, data = run(curated_settings, *args), json.loads(run(curated_settings, *args, "--json"))
    assert data["counts"]["blocked_ipv6"] > 1000 and data["attribution"]["target_date"] == "2020-02-14"
    assert data["not_attributed"] == "IPv6 not attributed: no prefix-to-AS data for 2020-02-14"
    assert sum(r["ipv6"] for r in data["by_origin_as"]["rows"]) == 0 < data["by_origin_as"]["total_rows"]
    for title in ("blocked space by origin AS", "by organization", "by country of the origin AS's organization"):
        under = " ".join(after_table(text, title).split())  # the caption wraps at the table's width
        assert re.match(r"\d+ of [\d,]+ rows shown IPv6 not attributed: no prefix-to-AS data for 2020-02-14 ",
                        under), title


# --- blocking REGISTER: lines accounted for, cut tables, shares and headers (review D9, D10, D15) ---------


@pytest.fixture(scope="module")
def readme_report(registers, shared_data_dir: Path, mirror_settings: Settings) -> tuple[str, dict]:
    """The README's command, as text and as JSON."""
    args = ["blocking", str(registers["2016"]), "--cloud", str(shared_data_dir / "samples/cloud/aws-history"),
            "--pfx2as", str(shared_data_dir / "samples/ipasn/ipasn_20140513.dat.gz")]
    return run(mirror_settings, *args), json.loads(run(mirror_settings, *args, "--json"))


def test_every_line_read_is_accounted_for(readme_report) -> None:
    text, data = readme_report
    rows = {k: int(v.replace(",", "")) for k, v in table_rows(text, "register ").items()
            if v.replace(",", "").isdigit()}
    assert rows["repeated lines skipped"] == data["register"]["bad_records"]["repeats"] == 42
    assert rows["header lines ('Updated:')"] == 1 and rows["bad records skipped"] == 0
    assert rows["lines read"] == 30664 == rows["header lines ('Updated:')"] + rows["entries"] + \
        rows["repeated lines skipped"] + rows["bad records skipped"]


def test_a_plain_list_accounts_for_blank_and_comment_lines(tmp_path: Path, mirror_settings: Settings) -> None:
    path = tmp_path / "list.txt"
    path.write_text("# blocked\n192.0.2.1\n\nexample.com  # a domain\n192.0.2.1\n198.51.100.0/24\n")
    text = run(mirror_settings, "blocking", str(path), "--no-catalog")
    rows = table_rows(text, "register ")
    assert (rows["lines read"], rows["blank or comment lines"], rows["entries"], rows["repeated lines skipped"],
            rows["bad records skipped"]) == ("6", "2", "3", "1", "0")


def test_cut_tables_say_how_many_rows_they_had(readme_report, registers, mirror_settings, shared_data_dir) -> None:
    text, data = readme_report
    files = api.AttributionFiles(pfx2as=(shared_data_dir / "samples/ipasn/ipasn_20140513.dat.gz",))
    whole = api.blocking_report(registers["2016"], api.BlockingOptions(files=files, top=0), settings=mirror_settings)
    for key, title in (("by_origin_as", "blocked space by origin AS"), ("by_organization", "by organization"),
                       ("by_decision", "decisions behind the most address space")):
        total = len(getattr(whole, key))
        assert total > 20 and data[key]["total_rows"] == total and len(data[key]["rows"]) == 20
        assert after_table(text, title).startswith(f"20 of {total:,} rows shown"), key
    assert data["by_country"]["total_rows"] == len(data["by_country"]["rows"])  # not cut: every row is there
    months = len(data["growth"]["rows"])
    assert after_table(text, "growth by decision month").startswith(f"12 of {months:,} months shown")


def test_cloud_share_is_a_percentage_and_headers_read_alike(readme_report) -> None:
    text, data = readme_report
    aws = data["by_provider"]["rows"][0]
    assert aws["provider"] == "aws" and 0 < aws["share_ipv4"] < 1e-3  # JSON keeps the fraction
    row = next(ln for ln in text.splitlines() if ln.startswith("│ aws ") and ln.count("│") == 7)
    assert row.split("│")[5].strip() == fmt.pct(aws["share_ipv4"]) == "0.0068%"
    headers = [ln for ln in text.splitlines() if ln.startswith("┃")]
    assert headers and not [h for h in headers if re.search(r"\bipv[46]\b|\bases\b|\bas name\b", h)]
    assert "share of published IPv4" in text and "published IPv6" in text and "new IPv4 addresses" in text


def test_grouped_tables_name_their_key_column() -> None:
    """The organization table's key is an org id and the country table's a country, not a column called "key"."""
    import numpy as np
    from rich.console import Console

    from splinternet.cli.blocking_output import group_table

    def headers(name: str) -> list[str]:
        table = api.GroupTable.make(name, {"key": np.array(["X"], dtype=object), "ipv4": np.array([1])})
        console = Console(width=120)
        with console.capture() as captured:
            console.print(group_table(table, name))
        return captured.get().splitlines()[2].replace("┃", " ").split()

    assert headers("by_organization")[:2] == ["org", "id"]
    assert headers("by_country")[0] == "country"
