"""Route propagation: splinternet's numba engine against BGPy 13.0.13, in the same run.

1. One origin (AS12389) on the 2022-03-01 CAIDA graph: BGPy ``engine.run`` (driver in
   tests/simulate/bgpy_driver.py, BGPy's own venv, graph built as PEERS.md section 2) against
   ``propagate`` (in-process medians). The two results are also checked for equality.
2. Every origin of one large country (RU, from the CAIDA as-org file), baseline and a
   scenario (Lumen AS3356 and Cogent AS174 cut off from every Russian AS).
3. All origins of the whole graph: a seeded random sample, timed in its own process with
   peak RSS, extrapolated to the whole graph (``--full`` runs every origin instead).
Usage: python bench/bench_simulate.py [--sample 10000] [--full]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import ROOT, SHARED_DATA, machine_line, measure_command, update_section  # noqa: E402

ASREL = SHARED_DATA / "publicdata.caida.org/datasets/as-relationships/serial-1/20220301.as-rel.txt.bz2"
ASORG = SHARED_DATA / "publicdata.caida.org/datasets/as-organizations/20220401.as-org2info.txt.gz"
BGPY = ROOT / ".peers" / "bgpy" / "bin" / "python"
DRIVER = ROOT / "tests" / "simulate" / "bgpy_driver.py"
ORIGIN = 12389


def _graph():
    from splinternet.sources.asrel import load_as_relationships

    return load_as_relationships(ASREL)


def sample_worker(count: int, seed: int) -> None:
    """Run transit_summary over ``count`` random origins (all when count <= 0); print timing JSON."""
    from splinternet.analysis.simulate import transit_summary

    graph = _graph()
    transit_summary(graph, graph.asns[:2])  # compile / load the numba cache before timing
    origins = graph.asns if count <= 0 else np.random.default_rng(seed).choice(graph.asns, count, replace=False)
    start = time.perf_counter()
    summary = transit_summary(graph, origins)
    elapsed = time.perf_counter() - start
    print(json.dumps({"origins": int(len(summary.origins)), "seconds": elapsed,
                      "routes": int(summary.length_hist.sum())}))


def bgpy_one_origin(repeats: int) -> dict:
    out = subprocess.run([str(BGPY), str(DRIVER), str(ASREL), ",".join([str(ORIGIN)] * repeats), "--batch", "1"],
                         capture_output=True, check=True, timeout=900)
    return json.loads(out.stdout)


def ours_one_origin(graph, repeats: int) -> tuple[list[float], list[float], object]:
    from splinternet.analysis.scenario import compile_overlay
    from splinternet.analysis.simulate import propagate

    overlay = compile_overlay(graph)
    propagate(graph, ORIGIN, scenario=overlay, keep_all_ties=True)
    plain, ties = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        routes = propagate(graph, ORIGIN, scenario=overlay)
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        propagate(graph, ORIGIN, scenario=overlay, keep_all_ties=True)
        ties.append(time.perf_counter() - start)
    return plain, ties, routes


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.4f} ({min(values):.4f}–{max(values):.4f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=10000, help="origins in the whole-graph sample")
    parser.add_argument("--full", action="store_true", help="run every origin of the graph")
    parser.add_argument("--bgpy-repeats", type=int, default=3)
    parser.add_argument("--worker", nargs=2, type=int, metavar=("COUNT", "SEED"))
    args = parser.parse_args()
    if args.worker:
        sample_worker(*args.worker)
        return
    from splinternet.analysis.compare import compare_scenario
    from splinternet.analysis.scenario import Scenario, compile_overlay
    from splinternet.analysis.simulate import default_threads, transit_summary
    from splinternet.sources.asorg import load_as_orgs

    graph = _graph()
    lines = ["## simulate: route propagation (`bench/bench_simulate.py`)", "",
             f"{machine_line()}. Graph: CAIDA serial-1 2022-03-01 ({len(graph):,} ASes). "
             "BGPy and splinternet ran one after the other in this run.", ""]

    # 1. one origin
    bgpy = bgpy_one_origin(args.bgpy_repeats)
    plain, ties, routes = ours_one_origin(graph, 50)
    theirs = {a: nh for a, nh in bgpy["routes"][str(ORIGIN)]}
    ours_nh = routes.next_hop_asn
    same = (len(theirs) == int(routes.has_route.sum()) and all(
        (nh == 0 and a == ORIGIN) or ours_nh[graph.index_of(a)[0]] == nh for a, nh in theirs.items()))
    ratio = statistics.median(bgpy["run_s"]) / statistics.median(plain)
    lines += [
        f"### One origin (AS{ORIGIN})", "",
        "| tool | figure | s median (min–max) | ratio to BGPy engine.run |",
        "|---|---|---:|---:|",
        f"| BGPy 13.0.13 | graph build (parse + graph, no cone sizes) | {bgpy['build_s']:.2f} | |",
        f"| BGPy 13.0.13 | `engine.run`, {len(bgpy['run_s'])} runs | {fmt(bgpy['run_s'])} | 1× |",
        f"| splinternet | `propagate` (50 runs) | {fmt(plain)} | {ratio:,.0f}× faster |",
        f"| splinternet | `propagate(keep_all_ties=True)` (50 runs) | {fmt(ties)} | "
        f"{statistics.median(bgpy['run_s']) / statistics.median(ties):,.0f}× faster |",
        "",
        f"Same result: {'yes' if same else 'NO'} — {len(theirs):,} ASes with a route in both, "
        "every next hop equal." if same else "Same result: NO (see tests/simulate/test_sim_bgpy.py).", "",
    ]

    # 2. a large country, baseline and scenario
    ru = load_as_orgs(ASORG).asns_of_country("RU")
    ru = ru[graph.index_of(ru) >= 0]
    scenario = Scenario().without_links_to(3356, ru).without_links_to(174, ru)
    start = time.perf_counter()
    overlay = compile_overlay(graph, scenario)
    t_overlay = time.perf_counter() - start
    transit_summary(graph, ru[:2])
    compare_scenario(graph, overlay, ru[:2])
    start = time.perf_counter()
    base = transit_summary(graph, ru)
    t_base = time.perf_counter() - start
    start = time.perf_counter()
    scen = transit_summary(graph, ru, scenario=overlay)
    t_scen = time.perf_counter() - start
    start = time.perf_counter()
    cmp = compare_scenario(graph, overlay, ru)
    t_cmp = time.perf_counter() - start
    totals = cmp.totals()
    lines += [
        f"### Every origin of one country: RU ({len(ru):,} ASes in the graph, CAIDA as-org 2022-04-01)", "",
        "Scenario: every link between AS3356 (Lumen) or AS174 (Cogent) and a Russian AS removed "
        f"({'; '.join(scenario.describe())}).", "",
        "| step | s | per origin ms |", "|---|---:|---:|",
        f"| compile scenario overlay (masks on the CSR) | {t_overlay:.3f} | |",
        f"| baseline: `transit_summary` over {len(ru):,} origins | {t_base:.1f} | {1000 * t_base / len(ru):.2f} |",
        f"| scenario: `transit_summary` over {len(ru):,} origins | {t_scen:.1f} | {1000 * t_scen / len(ru):.2f} |",
        f"| **baseline + scenario** | **{t_base + t_scen:.1f}** | |",
        f"| `compare_scenario` (both propagations per origin + diff, details kept) | {t_cmp:.1f} | "
        f"{1000 * t_cmp / len(ru):.2f} |",
        "",
        f"Result: {totals['lost']:,} (AS, origin) routes lost, {totals['next_hop_moved']:,} next hops moved, "
        f"{totals['longer']:,} paths longer, {totals['shorter']:,} shorter; routes in baseline "
        f"{int(base.length_hist.sum()):,}, in scenario {int(scen.length_hist.sum()):,}.", "",
    ]

    # 3. all origins of the whole graph
    count = 0 if args.full else args.sample
    m = measure_command([sys.executable, __file__, "--worker", str(count), "7"], repeats=1, warmup=0)
    res = json.loads(m.stdout)
    per = res["seconds"] / res["origins"]
    lines += [
        "### All origins of the whole graph", "",
        "| origins | in-process s | per origin ms | whole graph s | peak RSS MiB (whole process) |",
        "|---:|---:|---:|---:|---:|",
        f"| {res['origins']:,}{'' if args.full else ' (seeded random sample)'} | {res['seconds']:.1f} | "
        f"{1000 * per:.2f} | {'' if args.full else '≈ '}{per * len(graph):,.0f}"
        f"{'' if args.full else ' (extrapolated)'} | {m.peak_rss_mib:.0f} |",
        "",
        "`transit_summary` streams: per origin it reuses five int arrays of the graph's size and adds "
        "into per-AS accumulators (routes, transit counts, length histogram), so memory does not grow "
        f"with the number of origins. Origins split over {default_threads()} numba threads on 2 shared cores; "
        "the machine was shared with other jobs during the run, so these times vary with its load.",
    ]
    update_section("simulate", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
