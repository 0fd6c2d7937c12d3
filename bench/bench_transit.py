"""Benchmark: `transit RU --evidence simulated` and `whatif RU` end to end, with BGPy in the same run.

No other tool computes a country's transit dependency, so the peer figure is what BGPy
(the route-simulation peer) needs to propagate the same origins: it is measured here on a
few of the country's origins and multiplied out to all routing trees the analysis runs.

Run: python bench/bench_transit.py [--repeats 2] [--bgpy-origins 3]
Needs ../shared/data (the mirror) and, for the peer, .peers/bgpy (scripts/install-test-peers.sh).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (  # noqa: E402
    ROOT,
    SHARED_DATA,
    fresh_numba_cache,
    machine_line,
    measure_command,
    update_section,
)

BGPY = ROOT / ".peers" / "bgpy" / "bin" / "python"
DRIVER = ROOT / "tests" / "simulate" / "bgpy_driver.py"
ASREL = SHARED_DATA / "publicdata.caida.org/datasets/as-relationships/serial-1/20220301.as-rel.txt.bz2"
COMMON = ["--date", "2022-03-01", "--prefixes-date", "2024-04-06", "--json"]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "splinternet", *args]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--bgpy-origins", type=int, default=3)
    args = parser.parse_args()
    env = {"SPLINTERNET_MIRROR": str(SHARED_DATA),
           "SPLINTERNET_CACHE": os.environ.get("SPLINTERNET_CACHE") or tempfile.mkdtemp(prefix="bench-cache-"),
           **fresh_numba_cache()}
    # warm the cache (downloads from the mirror) and numba's compiled-code cache, untimed
    measure_command(cli("transit", "LI", *COMMON), repeats=1, warmup=0, env=env)

    transit = measure_command(cli("transit", "RU", *COMMON), repeats=args.repeats, warmup=0, env=env)
    report = json.loads(transit.stdout)
    whatif = measure_command(cli("whatif", "RU", *COMMON, "--without", "3356", "--without", "174"),
                             repeats=args.repeats, warmup=0, env=env)
    ev = report["evidence"]
    trees = ev["routing_trees"]

    rows = [
        "| command | figure | ours | notes |",
        "|---|---|---:|---|",
        f"| `transit RU --date 2022-03-01 --evidence simulated` | wall s, median (min–max) of {args.repeats} | "
        f"{transit.cell()} | target < 60 s, and since the flow pipeline (ties split, weighted vantage points) no slower "
        f"than the 26 s before it ({'met' if transit.median_s <= 26 else 'not met'}); peak RSS {transit.peak_rss_mib:.0f} MiB; {ev['origins']:,} origins in "
        f"{trees:,} routing trees, {ev['vantage_points']:,} vantage points, {ev['paths']:,} paths |",
        f"| `whatif RU --without 3356 --without 174` | wall s | {whatif.cell()} | target < 60 s; baseline and "
        f"scenario, peak RSS {whatif.peak_rss_mib:.0f} MiB |",
    ]
    peer_line = "BGPy not installed (.peers/bgpy): peer not measured"
    if BGPY.exists() and args.bgpy_origins > 0:
        origins = ",".join(str(a) for a in (12389, 8359, 31133, 3216, 20485)[: args.bgpy_origins])
        out = subprocess.run([str(BGPY), str(DRIVER), str(ASREL), origins, "--batch", "1"], capture_output=True,
                             check=True, timeout=1800)
        bgpy = json.loads(out.stdout)
        per_origin = statistics.median(bgpy["run_s"])
        projected = bgpy["build_s"] + per_origin * trees
        rows.append(f"| BGPy 13.0.13 (peer) | graph build s; `engine.run` per origin s (median of "
                    f"{len(bgpy['run_s'])}) | {bgpy['build_s']:.1f}; {per_origin:.2f} | propagating the same "
                    f"{trees:,} trees would take {projected / 60:.0f} min: "
                    f"{projected / transit.median_s:.0f}× our whole `transit` run |")
        peer_line = f"BGPy projected {projected:.0f} s vs ours {transit.median_s:.1f} s"
    text = "\n".join([
        "## Country transit (`bench/bench_transit.py`)",
        "",
        f"Machine: {machine_line()}. Whole processes, warm cache (mirror already copied), warm numba cache; "
        "the 2022-03-01 CAIDA graph and the 2024-04-06 prefix-to-AS table (the only one in the mirror).",
        "",
        *rows,
        "",
        f"Peer: no tool computes transit dependency; {peer_line}.",
    ])
    update_section("transit", text)
    print(text)


if __name__ == "__main__":
    main()
