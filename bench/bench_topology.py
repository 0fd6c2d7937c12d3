"""CAIDA as-rel load: splinternet's numba loader against np.loadtxt and networkx (PEERS.md section 4).

Each variant runs in its own process (so its peak RSS is its own): whole-process wall time
and peak RSS via bench/_harness.measure_command, and in-process time printed by the worker.
All variants start from the same .bz2 file, so decompression is included everywhere.
Usage: python bench/bench_topology.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import SHARED_DATA, machine_line, measure_command, update_section  # noqa: E402

ASREL = SHARED_DATA / "publicdata.caida.org/datasets/as-relationships/serial-1/20220301.as-rel.txt.bz2"


def _ours(path: str) -> str:
    from splinternet.sources.asrel import load_as_relationships

    g = load_as_relationships(path)
    return f"{len(g)} ASes, {g.provider_customer_links} p2c + {g.peer_links} p2p, CSR"


def _cones(path: str) -> str:
    from splinternet.sources.asrel import load_as_relationships

    g = load_as_relationships(path)
    start = time.perf_counter()
    sizes = g.customer_cone_sizes()
    _cones.elapsed = time.perf_counter() - start  # type: ignore[attr-defined]
    return f"cone sizes of {len(sizes)} ASes, largest {int(sizes.max())}"


def _loadtxt(path: str) -> str:
    import numpy as np

    arr = np.loadtxt(path, delimiter="|", comments="#", dtype=np.int64)
    return f"{arr.shape} array"


def _networkx(path: str) -> str:
    import bz2

    import networkx as nx

    g = nx.DiGraph()
    with bz2.open(path, "rt") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            a, b, r = line.strip().split("|")[:3]
            if r == "-1":
                g.add_edge(int(a), int(b), rel=-1)
            else:
                g.add_edge(int(a), int(b), rel=0)
                g.add_edge(int(b), int(a), rel=0)
    return f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges"


VARIANTS = {"splinternet": _ours, "splinternet-cones": _cones, "numpy-loadtxt": _loadtxt, "networkx-digraph": _networkx}


def worker(variant: str, path: str, repeats: int) -> None:
    fn = VARIANTS[variant]
    if repeats == 0:  # whole-process timing: exactly one load
        print(json.dumps({"result": fn(path)}))
        return
    fn(path)  # warm-up (numba cache load, imports)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn(path)
        times.append(getattr(fn, "elapsed", time.perf_counter() - start))
    print(json.dumps({"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
                      "result": result}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--worker", nargs=2, metavar=("VARIANT", "PATH"))
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], args.repeats)
        return
    rows = []
    for variant in VARIANTS:
        inproc = json.loads(measure_command([sys.executable, __file__, "--worker", variant, str(ASREL),
                                             "--repeats", str(args.repeats)], repeats=1, warmup=0).stdout)
        whole = None
        if variant != "splinternet-cones":
            whole = measure_command([sys.executable, __file__, "--worker", variant, str(ASREL), "--repeats", "0"],
                                    repeats=args.repeats, warmup=1)
        rows.append((variant, inproc, whole))
        print(variant, inproc, whole and whole.cell(), file=sys.stderr)
    ours = rows[0][1]["median_s"]
    lines = [
        "## topology: CAIDA as-rel load (`bench/bench_topology.py`)",
        "",
        f"{machine_line()}. Input `20220301.as-rel.txt.bz2` (418,744 relationships); every variant starts "
        "from the .bz2 path. In-process: median of "
        f"{args.repeats} loads after one warm-up, in the variant's own process. Whole process: median of "
        f"{args.repeats} runs of the worker doing one load (interpreter start, imports, numba cache load included), "
        "peak RSS from os.wait4. Ratio: variant in-process time / splinternet's.",
        "",
        "| variant | in-process s median (min–max) | ratio | whole process s median (min–max) | peak RSS MiB | result |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for variant, inproc, whole in rows:
        lines.append(f"| {variant} | {inproc['median_s']:.3f} ({inproc['min_s']:.3f}–{inproc['max_s']:.3f}) | "
                     f"{inproc['median_s'] / ours:.2f}× | {whole.cell() if whole else '–'} | "
                     f"{f'{whole.peak_rss_mib:.0f}' if whole else '–'} | {inproc['result']} |")
    lines += ["", "`splinternet` = decompress + numba byte parse + CSR per relationship (`load_as_relationships`); "
              "`splinternet-cones` = exact customer-cone set sizes of all ASes (`ASGraph.customer_cone_sizes`, "
              "stamped DFS per AS, numba) on the loaded graph, timed alone."]
    update_section("topology", "\n".join(lines))


if __name__ == "__main__":
    main()
