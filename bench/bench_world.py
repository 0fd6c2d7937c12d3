"""Benchmark: `splinternet world` (every country in one run) against `transit RU` and country-by-country runs.

The issue's target: the world pass costs at most 15 `transit RU` runs (moonshot 8), and
at least 10x less than running `transit` for every country one by one. The one-by-one
figure is projected: each country's run costs the fixed part of a small country's run
(`transit LI`: process start, inputs, membership) plus its routing trees at the per-tree
cost of `transit RU`; the world run's JSON gives every country's trees. With
``--one-by-one`` it is also measured: `transit CC` run for every country the world run
covered, one process after another (about a quarter of an hour more).

Run: python bench/bench_world.py [--repeats 1] [--one-by-one]
Needs ../shared/data (the mirror).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import SHARED_DATA, fresh_numba_cache, machine_line, measure_command, update_section  # noqa: E402

COMMON = ["--date", "2022-03-01", "--prefixes-date", "2024-04-06"]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "splinternet", *args]


def _trees(out: Path) -> dict[str, int]:
    per: dict[str, int] = {}
    for line in (out / "manifest.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record.get("status") == "done":
            per[record["cc"]] = int(record["routing_trees"])
    return per


def _one_by_one(countries: list[str], env: dict[str, str]) -> tuple[float, float, list[tuple[str, float]]]:
    """`transit CC` for every country, one process after another: total wall s, peak RSS MiB, the 3 slowest."""
    seconds: dict[str, float] = {}
    peak = 0.0
    for i, cc in enumerate(countries, 1):
        try:
            run = measure_command(cli("transit", cc, *COMMON, "--json"), repeats=1, warmup=0, env=env,
                                  stdout_to_devnull=True)
        except RuntimeError as exc:  # a country the world run covered must run alone too: say which did not
            raise SystemExit(f"transit {cc} failed where the world run did not: {exc}") from None
        seconds[cc] = run.median_s
        peak = max(peak, run.peak_rss_mib)
        print(f"one by one {i}/{len(countries)} {cc} {run.median_s:.1f} s", flush=True)
    slowest = sorted(seconds.items(), key=lambda kv: -kv[1])[:3]
    return sum(seconds.values()), peak, slowest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--one-by-one", action="store_true", help="also run `transit` for every country")
    args = parser.parse_args()
    env = {"SPLINTERNET_MIRROR": str(SHARED_DATA),
           "SPLINTERNET_CACHE": os.environ.get("SPLINTERNET_CACHE") or tempfile.mkdtemp(prefix="bench-cache-"),
           **fresh_numba_cache()}
    # warm the download cache and numba's compiled-code cache, untimed
    measure_command(cli("transit", "LI", *COMMON, "--json"), repeats=1, warmup=0, env=env)
    scratch = Path(tempfile.mkdtemp(prefix="bench-world-"))
    measure_command(cli("world", *COMMON, "--countries", "LI", "--out", str(scratch / "warm"), "--json"),
                    repeats=1, warmup=0, env=env)

    small = measure_command(cli("transit", "LI", *COMMON, "--json"), repeats=args.repeats, warmup=0, env=env)
    ru = measure_command(cli("transit", "RU", *COMMON, "--json"), repeats=args.repeats, warmup=0, env=env)
    ru_trees = json.loads(ru.stdout)["evidence"]["routing_trees"]
    world_runs = []
    for i in range(args.repeats):  # each run in a fresh directory: nothing to resume
        world_runs.append(measure_command(cli("world", *COMMON, "--out", str(scratch / f"w{i}"), "--json"),
                                          repeats=1, warmup=0, env=env))
    world = sorted(world_runs, key=lambda m: m.median_s)[len(world_runs) // 2]
    summary = json.loads(world.stdout)
    trees = _trees(scratch / "w0")
    li_trees = trees.get("LI", 0)
    per_tree = (ru.median_s - small.median_s) / max(ru_trees - li_trees, 1)
    fixed = small.median_s - per_tree * li_trees
    one_by_one = sum(fixed + per_tree * t for t in trees.values())
    ratio = world.median_s / ru.median_s
    measured = _one_by_one(sorted(trees), env) if args.one_by_one else None
    rows = [
        "| run | wall s | peak RSS MiB | notes |",
        "|---|---:|---:|---|",
        f"| `transit LI` | {small.cell()} | {small.peak_rss_mib:.0f} | fixed cost of one country's run |",
        f"| `transit RU` | {ru.cell()} | {ru.peak_rss_mib:.0f} | {ru_trees:,} routing trees |",
        f"| `world` (every country) | {world.median_s:.1f} | {world.peak_rss_mib:.0f} | {len(summary['done'])} "
        f"countries, {len(summary['skipped'])} left out; {summary['routing_trees']:,} routing trees; "
        f"phases s: {', '.join(f'{k} {v:.0f}' for k, v in summary['seconds'].items())} |",
        f"| `transit` for every country, one by one (projected) | {one_by_one:.0f} | – | {fixed:.1f} s fixed + "
        f"{1000 * per_tree:.2f} ms per tree, over the same countries |",
    ]
    if measured is not None:
        total, peak, slowest = measured
        rows.append(f"| `transit` for every country, one by one (measured) | {total:.0f} | {peak:.0f} | "
                    f"{len(trees)} processes, one after another; slowest: "
                    f"{', '.join(f'{cc} {sec:.1f} s' for cc, sec in slowest)} |")
    verdict = "met" if ratio <= 15 else "not met"
    moon = "met" if ratio <= 8 else "not met"
    speedup = one_by_one / world.median_s
    measured_line = [] if measured is None else [
        f"Against country-by-country runs (measured): **{measured[0] / world.median_s:.1f}×** faster (target at "
        f"least 10×: {'met' if measured[0] / world.median_s >= 10 else 'not met'})."]
    text = "\n".join([
        "## World: every country in one run (`bench/bench_world.py`)",
        "",
        f"Machine: {machine_line()}. Whole processes, warm download and numba caches; the 2022-03-01 CAIDA graph "
        "and the 2024-04-06 prefix-to-AS table. `world` writes every country's tables (Parquet) as it goes.",
        "",
        *rows,
        "",
        f"World against `transit RU`: **{ratio:.1f} RU runs** (target at most 15: {verdict}; moonshot 8: {moon}). "
        f"Against country-by-country runs (projected): **{speedup:.1f}×** faster (target at least 10×: "
        f"{'met' if speedup >= 10 else 'not met'}).",
        *measured_line,
    ])
    update_section("world", text)
    print(text)


if __name__ == "__main__":
    main()
