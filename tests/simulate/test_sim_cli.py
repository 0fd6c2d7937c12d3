"""`splinternet simulate` on the real 2022-03-01 graph: JSON equals the library, errors are one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from splinternet.analysis.scenario import Scenario
from splinternet.analysis.simulate import propagate
from splinternet.sources.asrel import load_as_relationships

pytestmark = pytest.mark.data
ASREL = "https://publicdata.caida.org/datasets/as-relationships/serial-1/20220301.as-rel.txt.bz2"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "splinternet", "simulate", *args], capture_output=True,
                          text=True, env=dict(os.environ), timeout=180)


def test_json_matches_library(mirror_env, shared_file) -> None:
    out = run("--origin", "12389", "--date", "2022-03-01", "--from", "15169", "--from", "AS6939",
              "--without-as", "3356", "--keep-all-ties", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    graph = load_as_relationships(shared_file(ASREL))
    routes = propagate(graph, 12389, scenario=Scenario().without_as(3356), keep_all_ties=True)
    assert result["summary"] == json.loads(json.dumps(routes.summary()))
    assert [r["path"] for r in result["routes"]] == [routes.path(15169).tolist(), routes.path(6939).tolist()]
    assert result["routes"][1]["tied_next_hops"] == routes.tied_next_hops(6939).tolist()
    assert result["scenario"] == ["remove AS3356"]
    assert result["against_baseline"]["lost"] == int((propagate(graph, 12389).has_route & ~routes.has_route).sum())
    assert result["source"]["release"].startswith("2022-03-01")


def test_text_output_and_errors(mirror_env) -> None:
    out = run("--origin", "12389", "--date", "2022-03-01", "--from", "15169")
    assert out.returncode == 0, out.stderr
    assert "AS15169 (peer route, 1 hop): AS15169 → AS12389" in out.stdout
    assert "73,304 of 73,780 ASes have a route" in out.stdout
    bad = run("--origin", "4200000000", "--date", "2022-03-01")
    assert bad.returncode == 2 and "AS4200000000 is not in the AS graph" in bad.stderr
    assert "Traceback" not in bad.stderr
    link = run("--origin", "12389", "--date", "2022-03-01", "--without-link", "1-2")
    assert link.returncode == 2 and "not linked" in link.stderr
