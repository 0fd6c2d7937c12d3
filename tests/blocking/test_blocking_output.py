"""What `blocking` and `blocking diff` tell a reader, on the real registers: the dates each register is
attributed with, why a table is empty, where every line read went, and how much of each cut table is shown."""

from __future__ import annotations

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
