"""`--use DATASET=DATE|FILE` end to end: the same answer as --prefixes-date, recorded as chosen, clear refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.data, pytest.mark.slow]

BASE = ["transit", "LI", "--date", "2022-03-01"]
SAMPLE_PFX2AS = "samples/ipasn/routeviews-rv2-2020-02-about19.pfx2as.gz"
CHOICE_NOTE = "routeviews-pfx2as: date 2024-04-06 chosen by the caller, instead of the catalog's release for 2022-03-01"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "splinternet", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=300)


def test_use_a_date_is_the_prefixes_date_and_is_recorded(mirror_env) -> None:
    used = run(*BASE, "--use", "routeviews-pfx2as=2024-04-06", "--json")
    short = run(*BASE, "--prefixes-date", "2024-04-06", "--json")
    assert used.returncode == 0 and short.returncode == 0, used.stderr + short.stderr
    a, b = json.loads(used.stdout), json.loads(short.stdout)
    # --prefixes-date also chooses the IPv6 table (none exists near either date here): only notes differ
    assert {k: v for k, v in a.items() if k != "notes"} == {k: v for k, v in b.items() if k != "notes"}
    [pfx] = [s for s in a["sources"] if s["dataset"] == "routeviews-pfx2as"]
    assert pfx["chosen"] == "date 2024-04-06" and pfx["release"].startswith("2024-04-06")
    assert all(s["chosen"] is None for s in a["sources"] if s["dataset"] != "routeviews-pfx2as")
    assert CHOICE_NOTE in a["notes"] and CHOICE_NOTE in b["notes"]
    text = run(*BASE, "--use", "routeviews-pfx2as=2024-04-06", "--top", "3")
    assert text.returncode == 0, text.stderr
    assert f"note: {CHOICE_NOTE}" in text.stdout
    assert any(line.startswith("routeviews-pfx2as 2024-04-06 ") and
               line.endswith("(chosen by the caller: date 2024-04-06)") for line in text.stdout.splitlines())


def test_use_a_file(mirror_env, shared_data_dir: Path) -> None:
    given = shared_data_dir / SAMPLE_PFX2AS
    out = run("ip", "8.8.8.8", "--date", "2022-03-01", "--use", f"routeviews-pfx2as={given}", "--json")
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert info["prefix"] and info["origins"][0]["asn"] == 15169
    [pfx] = [s for s in info["sources"] if s["dataset"] == "routeviews-pfx2as"]
    assert pfx["chosen"] == f"file {given}" and pfx["path"] == str(given) and pfx["url"] is None
    assert pfx["bad_records"]["records"] > 100_000 and len(pfx["sha256"]) == 64
    assert f"routeviews-pfx2as: file {given} chosen by the caller" in " ".join(info["notes"])


@pytest.mark.parametrize(("args", "message"), [
    (["--use", "routeviews-pfx2as=/no/such/file.gz"], "error: routeviews-pfx2as: no such file: /no/such/file.gz"),
    (["--use", "pfx2as=2024-04-06"], "error: unknown dataset 'pfx2as'; expected one of caida-asrel,"),
    (["--use", "rir-delegated=2022-03-01", "--use", "rir-delegated=2022-03-02"], "rir-delegated is chosen twice"),
    (["--use", "routeviews-pfx2as=2024-04-06", "--prefixes-date", "2024-04-05"], "prefix-to-AS date is given twice"),
])
def test_bad_choices_are_one_line_no_traceback(mirror_env, args: list[str], message: str) -> None:
    out = run(*BASE, *args)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_world_with_use_equals_transit_with_the_same_choice(mirror_env, tmp_path: Path) -> None:
    import math

    from splinternet import api

    out = run("world", "--date", "2022-03-01", "--use", "routeviews-pfx2as=2024-04-06", "--countries", "LI",
              "--out", str(tmp_path / "w"), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["done"] == ["LI"]
    assert json.loads((tmp_path / "w" / "world.json").read_text())["chosen"] == {
        "routeviews-pfx2as": "date 2024-04-06"}
    uses = api.params.dataset_choices(["routeviews-pfx2as=2024-04-06"])
    snapshot = api.Snapshot.for_date("2022-03-01", settings=mirror_env, choices=uses)
    want = api.transit("LI", None, snapshot=snapshot, options=api.TransitOptions(top=20)).to_dict()
    have = api.world_country(tmp_path / "w", "LI", top=20).to_dict()

    def same(a: object, b: object) -> bool:
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        if isinstance(a, list) and isinstance(b, list):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
        return a == b

    for key in want:
        assert same(want[key], have[key]), key
    assert CHOICE_NOTE in have["notes"]
