"""Country pages served from a world dataset: wrk on loopback (cached page) and every country's first render.

Starts `splinternet serve --world DIR` as its own process on 127.0.0.1. For each country
asked (default RU, DE, LI), wrk hits `/country?cc=CC&date=D` for a fixed time (the page is
rendered once from the dataset, then kept in memory); then the first request of every
country of the dataset, in turn, is timed (read from Parquet, charts drawn: the cost a
visitor pays on a page nobody asked before). Target: p99 under 100 ms on loopback.
Writes the `country-page` section of docs/benchmarks.md (not with --dry-run).

    python bench/bench_country_page.py --world worlds/2022-03-01 [--countries RU,DE,LI] [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_web  # noqa: E402
from _harness import SHARED_DATA, machine_line, update_section  # noqa: E402
from bench_web import _free_port, run_wrk  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", required=True, type=Path, help="a world dataset (splinternet world --out DIR)")
    parser.add_argument("--countries", default="RU,DE,LI")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per country")
    parser.add_argument("--first", type=int, default=0, help="time the first render of this many countries "
                                                             "(0: every country of the dataset)")
    parser.add_argument("--dry-run", action="store_true", help="print, do not write docs/benchmarks.md")
    args = parser.parse_args()
    run = json.loads((args.world / "world.json").read_text())
    date = run["date"][:10]
    done = sorted({json.loads(line)["cc"] for line in (args.world / "manifest.jsonl").read_text().splitlines()
                   if line.strip() and json.loads(line).get("status") == "done"})
    wanted = [c for c in args.countries.split(",") if c in done] or done[:3]
    bench_web.SECONDS = args.seconds
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="bench-country-") as cache:
        env = {**os.environ, "SPLINTERNET_MIRROR": str(SHARED_DATA), "SPLINTERNET_CACHE": cache}
        server = subprocess.Popen([sys.executable, "-m", "splinternet", "serve", "--port", str(port), "--world",
                                   str(args.world), "--no-disk-cache"], env=env, stderr=subprocess.PIPE)
        try:
            for _ in range(300):
                try:
                    httpx.get(base + "/api/v1/world/dates", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            rows = []
            for cc in wanted:
                url = f"{base}/country?cc={cc}&date={date}"
                start = time.perf_counter()
                httpx.get(url, timeout=120).raise_for_status()
                cold = time.perf_counter() - start
                rows.append((cc, cold, run_wrk(url)))
            firsts = []
            for cc in [c for c in done if c not in wanted][: args.first or None]:
                start = time.perf_counter()
                answer = httpx.get(f"{base}/country?cc={cc}&date={date}&by=org", timeout=120)
                firsts.append(time.perf_counter() - start)
                answer.raise_for_status()
        finally:
            server.terminate()
            server.wait(timeout=30)
    errors = sum(r["errors"] for _, _, r in rows)
    lines = [
        "## country-page: a country page from a world dataset (wrk on loopback)",
        "",
        f"Machine: {machine_line()}. Server: `splinternet serve --world DIR` (world dataset of {date}, "
        f"{len(done)} countries); load: `wrk -t{bench_web.THREADS} -c{bench_web.CONNECTIONS} -d{args.seconds}s` "
        "per page, on the same 2 cores as the server. Script: `python bench/bench_country_page.py`. "
        "Target: p99 under 100 ms.",
        "",
        "| page | first request (rendered from the dataset) | requests | requests/s | p50 | p99 | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for cc, cold, r in rows:
        lines.append(f"| `/country?cc={cc}&date={date}` | {cold * 1000:.0f} ms | {r['requests']:,} | {r['rps']:,.0f} | "
                     f"{r['p50']:.1f} ms | {r['p99']:.1f} ms | {r['errors']} |")
    if firsts:
        ordered = sorted(firsts)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
        lines += ["", f"First request of each of {len(firsts)} other countries (by organization; nothing cached "
                      f"for it): median {statistics.median(firsts) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
                      f"largest {max(firsts) * 1000:.0f} ms."]
    lines += ["", f"Errors: {errors} (zero required)."]
    text = "\n".join(lines)
    print(text)
    if not args.dry_run:
        update_section("country-page", text)
    if errors:
        sys.exit(f"{errors} errors under load")


if __name__ == "__main__":
    main()
