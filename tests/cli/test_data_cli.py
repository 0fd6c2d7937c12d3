"""`splinternet data` end to end, through the installed console script and the mirror."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.data


def run(*args: str, env=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "splinternet", *args], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.fixture
def env(curated_env, tmp_path):
    import os

    return {**os.environ, "SPLINTERNET_CACHE": str(tmp_path / "cache")}


def test_version() -> None:
    out = run("--version")
    assert out.returncode == 0 and out.stdout.startswith("splinternet ")


def test_fetch_then_list(env) -> None:
    out = run("data", "fetch", "caida-asrel", "--date", "2022-04-15", "--json", env=env)
    assert out.returncode == 0, out.stderr
    release = json.loads(out.stdout)
    assert release["release"].startswith("2022-03-01") and release["requested"].startswith("2022-04-15")
    listed = json.loads(run("data", "list", "--json", env=env).stdout)
    assert [f["url"] for f in listed] == [release["url"]]
    assert listed[0]["sha256"] == release["sha256"] and listed[0]["dataset"] == "caida-asrel"


def test_missing_release_is_one_clear_line(env) -> None:
    out = run("data", "fetch", "caida-asrel", "--date", "1999-01-01", env=env)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert out.stderr.strip().count("\n") == 0 and "nearest releases that exist" in out.stderr


def test_offline_miss_is_clear(env) -> None:
    env = {**env, "SPLINTERNET_MIRROR": ""}
    out = run("data", "fetch", "caida-asorg", "--date", "2022-04-01", "--offline", env=env)
    assert out.returncode == 2 and "Traceback" not in out.stderr
