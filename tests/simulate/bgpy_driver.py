"""Run BGPy (bgpy-pkg 13.0.13) on a CAIDA serial-1 file and print every AS's route as JSON.

Runs INSIDE the BGPy virtualenv (``.peers/bgpy/bin/python``), never imports splinternet.
The graph is built as docs/PEERS.md section 2 describes: the serial-1 file is rewritten
with a ``|bgp`` fourth field at the path CAIDAASGraphCollector uses as its cache, so BGPy
downloads nothing, then ``_get_as_graph_info`` and ``_get_as_graph`` build the graph.
Propagation is plain ``BGP`` through ``SimulationEngine.run``, seeded by a ``ValidPrefix``
scenario for the first origin; the other origins of a batch announce their own prefixes
in the same run (BGPy keeps one local RIB entry per prefix and never mixes prefixes, so
each prefix propagates exactly as if alone; ``--batch 1`` runs one origin per run).

Output (stdout): {"ases": N, "build_s": s, "run_s": [..], "routes": {origin: [[asn, next_hop], ...]}}
where next_hop is the neighbour the route was learned from (the origin itself has none,
written as 0) and only ASes with a route are listed.
"""

from __future__ import annotations

import argparse
import bz2
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

from bgpy.as_graphs import CAIDAASGraphConstructor
from bgpy.shared.enums import Relationships
from bgpy.simulation_engine import BGP, SimulationEngine
from bgpy.simulation_engine.announcement import Announcement
from bgpy.simulation_framework import ScenarioConfig, ValidPrefix


def build_graph(asrel: Path, cache_dir: Path):
    when = dt.datetime(2022, 3, 1)
    # customer-cone sizes are metadata BGPy's propagation never reads; skipping them saves ~3 s
    constructor = CAIDAASGraphConstructor(as_graph_collector_kwargs={"dl_time": when, "cache_dir": cache_dir},
                                          as_graph_kwargs={"store_customer_cone_size": False})
    collector = constructor.as_graph_collector
    raw = asrel.read_bytes()
    text = bz2.decompress(raw) if raw[:3] == b"BZh" else raw
    lines = []
    for line in text.decode().splitlines():
        lines.append(line if line.startswith("#") or line.count("|") >= 3 else line + "|bgp")
    collector.cache_path.write_text("\n".join(lines) + "\n")
    dl_path = collector.run()
    info = constructor._get_as_graph_info(dl_path)
    return constructor._get_as_graph(info)


def run_batch(graph, origins: list[int]) -> tuple[dict[str, list[list[int]]], float]:
    config = ScenarioConfig(ScenarioCls=ValidPrefix, BasePolicyCls=BGP,
                            override_victim_asns=frozenset({origins[0]}),
                            override_attacker_asns=frozenset(), override_adopting_asns=frozenset())
    engine = SimulationEngine(graph)
    scenario = ValidPrefix(scenario_config=config, engine=engine)
    scenario.setup_engine(engine)
    prefixes = {scenario.announcements[0].prefix: origins[0]}
    for k, origin in enumerate(origins[1:], start=1):
        prefix = f"10.{k // 256}.{k % 256}.0/24"
        prefixes[prefix] = origin
        ann = Announcement(prefix=prefix, as_path=(origin,), next_hop_asn=origin, seed_asn=origin,
                           recv_relationship=Relationships.ORIGIN, timestamp=0)
        graph.as_dict[origin].policy.seed_ann(ann)
    start = time.perf_counter()
    engine.run(propagation_round=0, scenario=scenario)
    elapsed = time.perf_counter() - start
    routes: dict[str, list[list[int]]] = {str(o): [] for o in origins}
    for as_obj in graph:
        for prefix, ann in as_obj.policy.local_rib.items():
            next_hop = ann.as_path[1] if len(ann.as_path) > 1 else 0
            routes[str(prefixes[prefix])].append([as_obj.asn, next_hop])
    return routes, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("asrel", type=Path)
    parser.add_argument("origins", help="comma-separated origin AS numbers")
    parser.add_argument("--batch", type=int, default=0, help="origins per engine.run (0: all in one)")
    args = parser.parse_args()
    origins = [int(x) for x in args.origins.split(",") if x]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        graph = build_graph(args.asrel, Path(tmp))
        build_s = time.perf_counter() - start
    batch = args.batch or len(origins)
    routes: dict[str, list[list[int]]] = {}
    run_s: list[float] = []
    for s in range(0, len(origins), batch):
        part, elapsed = run_batch(graph, origins[s:s + batch])
        routes.update(part)
        run_s.append(elapsed)
    json.dump({"ases": len(graph.as_dict), "build_s": build_s, "run_s": run_s, "routes": routes}, sys.stdout)


if __name__ == "__main__":
    main()
