"""Exactness against BGPy (bgpy-pkg 13.0.13) on the real 2022-03-01 CAIDA graph, 32 origins.

BGPy runs here, in its own virtualenv (.peers/bgpy, created by the test setup with
``python -m venv .peers/bgpy && .peers/bgpy/bin/pip install bgpy-pkg==13.0.13``), through
tests/simulate/bgpy_driver.py; nothing of its output is stored. The origins are drawn
with a fixed seed from four groups: stubs, multihomed, transit and the tier-1 clique.
Two BGPy processes share the origins. BGPy takes about 4.5 s of CPU per origin on this graph,
so 32 origins (2.4 million routes compared) keep the test near 1.5 minutes and the whole
suite well under its 10-minute budget; 50 origins found nothing more.
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import numpy as np
import pytest

from splinternet.analysis.simulate import ROUTE_ORIGIN, propagate
from splinternet.sources.asrel import load_as_relationships
from splinternet.tables.topology import ASGraph

pytestmark = [pytest.mark.data, pytest.mark.peer, pytest.mark.slow, pytest.mark.first]

ROOT = Path(__file__).resolve().parents[2]
BGPY_PYTHON = ROOT / ".peers" / "bgpy" / "bin" / "python"
DRIVER = Path(__file__).with_name("bgpy_driver.py")
ASREL = "https://publicdata.caida.org/datasets/as-relationships/serial-1/20220301.as-rel.txt.bz2"


def pick_origins(graph: ASGraph, seed: int = 20220301) -> list[int]:
    """8 stubs, 8 multihomed, 10 transit, 6 tier-1 ASes, drawn with a fixed seed."""
    rng = random.Random(seed)
    customers, providers = graph.customer_counts, graph.provider_counts
    clique = set(graph.clique.tolist())
    asns = graph.asns.tolist()
    stubs = [a for a, c, p in zip(asns, customers, providers, strict=True) if c == 0 and p == 1]
    multihomed = [a for a, c, p in zip(asns, customers, providers, strict=True) if c == 0 and p >= 2]
    transit = [a for a, c in zip(asns, customers, strict=True) if c > 0 and a not in clique]
    return (rng.sample(stubs, 8) + rng.sample(multihomed, 8) + rng.sample(transit, 10)
            + rng.sample(sorted(clique), 6))


def run_bgpy(path: Path, groups: list[list[int]]) -> dict[str, list[list[int]]]:
    procs = [subprocess.Popen([str(BGPY_PYTHON), str(DRIVER), str(path), ",".join(map(str, g))],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for g in groups]
    routes: dict[str, list[list[int]]] = {}
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()[-3000:]
        result = json.loads(out)
        assert result["ases"] == 73780
        routes.update(result["routes"])
    return routes


@pytest.mark.skipif(not BGPY_PYTHON.exists(), reason=f"needs BGPy in {BGPY_PYTHON} (see module docstring)")
def test_same_routes_and_next_hops_as_bgpy(shared_file) -> None:
    path = shared_file(ASREL)
    graph = load_as_relationships(path)
    origins = pick_origins(graph)
    assert len(set(origins)) == 32
    theirs_all = run_bgpy(path, [origins[0::2], origins[1::2]])
    assert sorted(map(int, theirs_all)) == sorted(origins)
    for origin in origins:
        pairs = np.asarray(theirs_all[str(origin)], dtype=np.int64)
        theirs = np.full(len(graph), -1, dtype=np.int64)
        idx = graph.index_of(pairs[:, 0])
        assert (idx >= 0).all()
        theirs[idx] = pairs[:, 1]
        routes = propagate(graph, origin)
        ours = np.where(routes.has_route, routes.next_hop_asn, -1)
        ours[routes.relationship == ROUTE_ORIGIN] = 0  # the driver writes 0 for the origin itself
        assert np.array_equal(theirs >= 0, routes.has_route), f"AS{origin}: different sets of ASes with a route"
        differ = np.nonzero(theirs != ours)[0]
        assert differ.size == 0, (
            f"AS{origin}: {differ.size} next hops differ, e.g. "
            + ", ".join(f"AS{graph.asns[i]} BGPy {theirs[i]} ours {ours[i]}" for i in differ[:5]))
