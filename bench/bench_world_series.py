"""Benchmark: `splinternet world --from --to` on a 2-worker LocalCluster against the same series in-process.

The issue's series: the mirror's 25 monthly CAIDA topologies 2021-06-01..2023-06-01, with
the 2024-04-06 prefix-to-AS table (the mirror has none of those dates; docs/world.md).
Both runs are whole processes writing into fresh directories, after an untimed warm-up
that fills the download cache and numba's compiled-code cache. Peak memory is sampled
over the whole process tree (the command and its Dask workers, which are separate
processes): the largest sum of their RSS, and the largest single process. The Dask run's
tables must equal the in-process run's, byte for byte (asserted).

Run: python bench/bench_world_series.py [--countries RU,UA] [--max-origins N] [--from D --to D]
     [--dry-run] [-- extra world options, e.g. --use DATASET=DATE]
Needs ../shared/data (the mirror). --dry-run prints the section without writing docs/benchmarks.md
(for a quick check on a few dates and countries, whose figures say nothing about the full series).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import SHARED_DATA, machine_line, update_section  # noqa: E402


def _tree_rss(process: psutil.Process) -> tuple[int, int]:
    """(sum, largest) RSS in bytes of a process and all its descendants now."""
    sizes = []
    for p in [process, *process.children(recursive=True)]:
        try:
            sizes.append(p.memory_info().rss)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return sum(sizes), max(sizes, default=0)


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, dict]:
    """Wall seconds, peak tree RSS MiB, peak single-process RSS MiB and the JSON summary of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **env})
    peaks = [0, 0]
    done = threading.Event()

    def sample() -> None:
        watched = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                total, largest = _tree_rss(watched)
            except psutil.NoSuchProcess:
                return
            peaks[0], peaks[1] = max(peaks[0], total), max(peaks[1], largest)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode not in (0, 2) or not out.strip():  # 2: some date failed, reported in the JSON
        raise RuntimeError(f"{argv} exited {proc.returncode}: {err.decode(errors='replace')[-2000:]}")
    return elapsed, peaks[0] / 2**20, peaks[1] / 2**20, json.loads(out)


def _same_files(a: Path, b: Path) -> bool:
    left = sorted(p.relative_to(a) for p in a.rglob("*.parquet"))
    right = sorted(p.relative_to(b) for p in b.rglob("*.parquet"))
    return left == right and all((a / p).read_bytes() == (b / p).read_bytes() for p in left)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--from", dest="start", default="2021-06-01")
    parser.add_argument("--to", dest="end", default="2023-06-01")
    parser.add_argument("--step", default="1m")
    parser.add_argument("--prefixes-date", default="2024-04-06")
    parser.add_argument("--countries", default=None, help="only these countries (default: every country)")
    parser.add_argument("--max-origins", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dry-run", action="store_true", help="print the section, leave docs/benchmarks.md alone")
    args, extra = parser.parse_known_args()
    extra = [a for a in extra if a != "--"]
    env = {"SPLINTERNET_MIRROR": str(SHARED_DATA),
           "SPLINTERNET_CACHE": os.environ.get("SPLINTERNET_CACHE") or tempfile.mkdtemp(prefix="bench-cache-")}
    dates = ["--from", args.start, "--to", args.end, "--step", args.step, "--prefixes-date", args.prefixes_date, *extra]
    scope_args = [*(["--countries", args.countries] if args.countries else []),
                  *(["--max-origins", str(args.max_origins)] if args.max_origins else [])]
    scratch = Path(tempfile.mkdtemp(prefix="bench-world-series-"))

    def world(out: Path, workers: int, scope: list[str]) -> list[str]:
        return [sys.executable, "-m", "splinternet", "world", *dates, *scope, "--out", str(out),
                "--workers", str(workers), "--json"]

    # warm the download cache (every date's common inputs) and numba's cache, untimed
    run(world(scratch / "warm", 0, ["--countries", "LI", "--max-origins", "1"]), env)
    serial = run(world(scratch / "serial", 0, scope_args), env)
    dask = run(world(scratch / "dask", args.workers, scope_args), env)
    same = _same_files(scratch / "serial", scratch / "dask")
    summary = dask[3]
    done = [d for d in summary["dates"] if d["status"] == "done"]
    countries = sorted({cc for d in done for cc in d["done"]})
    failed = ", ".join(f"{f['date']} ({f['code']})" for f in summary["failed"]) or "none"
    scope = (f"{args.countries or 'every country'}"
             + (f", {args.max_origins} largest origins per country" if args.max_origins else ""))
    rows = [
        "| run | wall s | peak RSS, process tree MiB | largest process MiB |",
        "|---|---:|---:|---:|",
        f"| in-process (`--workers 0`) | {serial[0]:.1f} | {serial[1]:.0f} | {serial[2]:.0f} |",
        f"| LocalCluster, {args.workers} worker processes | {dask[0]:.1f} | {dask[1]:.0f} | {dask[2]:.0f} |",
    ]
    text = "\n".join([
        "## World series on Dask (`bench/bench_world_series.py`)",
        "",
        f"Machine: {machine_line()}. `world --from {args.start} --to {args.end} --step {args.step} "
        f"--prefixes-date {args.prefixes_date}` ({scope}{'; ' + ' '.join(extra) if extra else ''}), whole "
        "processes into fresh directories, warm download and numba caches. Peak RSS sampled every 0.2 s over the "
        "command and its Dask worker processes.",
        "",
        *rows,
        "",
        f"{len(summary['dates'])} dates: {len(done)} ran ({len(countries)} countries written on at least one), "
        f"failed: {failed}; {summary['events']:,} events. Speed-up of the cluster: "
        f"**{serial[0] / dask[0]:.2f}×**; its tables equal the in-process run's byte for byte: "
        f"{'yes' if same else 'NO'}.",
    ])
    if not same:
        raise SystemExit(text + "\n\nthe Dask run's tables differ from the in-process run's")
    if not args.dry_run:
        update_section("world-series", text)
    print(text)


if __name__ == "__main__":
    main()
