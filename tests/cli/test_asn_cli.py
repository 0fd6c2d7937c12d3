"""`splinternet asn` on the real 2022-03-01 data, checked against the raw files."""

from __future__ import annotations

import bz2
import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.data
ASREL = "https://publicdata.caida.org/datasets/as-relationships/serial-1/20220301.as-rel.txt.bz2"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "splinternet", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=180)


@pytest.mark.slow
def test_asn_json_matches_raw_relationships(mirror_env, shared_file) -> None:
    out = run("asn", "12389", "--date", "2022-03-01", "--json")
    assert out.returncode == 0, out.stderr
    profile = json.loads(out.stdout)
    lines = [ln.split("|") for ln in bz2.decompress(shared_file(ASREL).read_bytes()).decode().splitlines()
             if not ln.startswith("#")]
    providers = {a for a, b, r in lines if r == "-1" and b == "12389"}
    customers = {b for a, b, r in lines if r == "-1" and a == "12389"}
    peers = {b if a == "12389" else a for a, b, r in lines if r == "0" and "12389" in (a, b)}
    assert (profile["providers"], profile["customers"], profile["peers"]) == (len(providers), len(customers), len(peers))
    assert profile["country"] == "RU" and profile["org_name"] == "PJSC Rostelecom"
    assert profile["customer_cone_size"] > len(customers)
    assert {p["asn"] for p in profile["top_providers"]} <= {int(p) for p in providers}
    used = {s["dataset"]: s for s in profile["sources"]}
    assert used["caida-asrel"]["release"].startswith("2022-03-01")
    assert used["caida-asorg"]["note"]  # the organizations file is from April: said, not hidden


def test_asn_text_and_bad_input(mirror_env) -> None:
    out = run("asn", "AS3356", "--date", "2022-03-01")
    assert out.returncode == 0 and "Level 3" in out.stdout and "customer cone 66,558" in out.stdout
    bad = run("asn", "not-a-number")
    assert bad.returncode == 2 and "not an AS number" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("args", [
    ("asn", "3356", "--no-such-option"),
    ("transit", "RU", "--top", "many"),
    ("blocking", "report", "/nonexistent/register.csv", "--prefixes-date", "2024-04-06"),
])
def test_usage_errors_are_one_message_not_a_traceback(args) -> None:
    out = run(*args)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "No such option" in out.stderr or "Invalid value" in out.stderr
