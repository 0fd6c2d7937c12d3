"""Ingest throughput: `splinternet ingest` in-process and on a local Dask cluster of 1 and 2 workers,
against the peers reading the same 9 mirror files (bgpdump -m, one process per file; pybgpkit-parser
iterating them in one process), in the same run.

Every ingest run starts from an empty output directory with a warm download cache (the mirror
files are fetched once, before timing), so the figure is parse + Parquet write + scheduling.
Whole-process wall time includes interpreter start, imports and, for Dask, cluster start-up;
the ingest's own clock (cluster already up) is reported beside it. The peers only count
elements: they write nothing.

Run: python bench/bench_ingest.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import SHARED_DATA, machine_line, measure_command, update_section  # noqa: E402

COLLECTORS = "rrc00,rrc01,rrc06,rrc15,rrc23,route-views.sydney,route-views.jinx"
WINDOW = ("2000-01-01", "2025-01-01")

PYBGPKIT = """
import sys, pybgpkit_parser
n = 0
for path in sys.argv[1:]:
    for elem in pybgpkit_parser.Parser(url=path):
        n += 1
print(n)
"""

# Assumptions for one month (30 days) of every RIS and RouteViews collector; see docs/scaling.md.
MONTH_DAYS = 30
PROJECTION = (
    # (archive kind, collectors, files per collector per day, elements per file, MiB per file)
    ("RIS updates (5 min)", 24, 288, 100_000, 2.0),
    ("RIS RIB dumps (8 h)", 24, 3, 30_000_000, 350.0),
    ("RouteViews updates (15 min)", 40, 96, 120_000, 0.6),
    ("RouteViews RIB dumps (2 h)", 40, 12, 20_000_000, 100.0),
)


def projection(rate_per_worker: float, bytes_per_element: float) -> list[str]:
    """Markdown rows: files, elements, worker-hours at the measured rate, Parquet size, download size."""
    rows = ["| archives | files | elements | worker-hours | hours on 64 workers | Parquet TiB | download TiB |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    tot = [0, 0, 0.0, 0.0, 0.0]
    for label, collectors, per_day, per_file, mib in PROJECTION:
        files = collectors * per_day * MONTH_DAYS
        elements = files * per_file
        hours = elements / rate_per_worker / 3600
        parquet = elements * bytes_per_element / 2**40
        download = files * mib / 2**20
        tot = [tot[0] + files, tot[1] + elements, tot[2] + hours, tot[3] + parquet, tot[4] + download]
        rows.append(f"| {label} | {files:,} | {elements / 1e9:,.1f} G | {hours:,.0f} | {hours / 64:,.1f} | "
                    f"{parquet:.2f} | {download:.2f} |")
    rows.append(f"| **all** | {tot[0]:,} | {tot[1] / 1e9:,.1f} G | {tot[2]:,.0f} | {tot[2] / 64:,.1f} | "
                f"{tot[3]:.2f} | {tot[4]:.2f} |")
    return rows


def steady(workers: int, repeats: int, out: str, copies: int) -> None:
    """Child: time the per-file work with the cluster up and warm; print JSON seconds.

    Each of the 9 files is ingested ``copies`` times, each copy into its own output
    directory, so there is enough work to share between workers (9 files of very
    different sizes alone leave one worker waiting on the largest).
    """
    import statistics
    import time

    from splinternet.config import Settings
    from splinternet.ingest import dask_client, plan_ingest
    from splinternet.ingest.worker import ingest_file

    settings = Settings.from_env()
    plan = plan_ingest(COLLECTORS, *WINDOW, settings=settings)
    jobs = [(task, str(Path(out) / f"copy{k}")) for k in range(copies) for task in plan.tasks]

    def once(client: object) -> float:
        t0 = time.perf_counter()
        if client is None:
            results = [ingest_file(task, where, settings, False) for task, where in jobs]
        else:
            futures = [client.submit(ingest_file, task, where, settings, False, pure=False) for task, where in jobs]
            results = client.gather(futures)
        seconds = time.perf_counter() - t0
        assert all(hasattr(r, "elements") for r in results), results
        shutil.rmtree(out)
        return seconds

    def timed(client: object) -> list[float]:
        once(client)  # warm every worker: imports, numba cache, page cache
        return [once(client) for _ in range(repeats)]

    if workers == 0:
        times = timed(None)
    else:
        with dask_client(workers) as client:
            times = timed(client)
    print(json.dumps({"median": statistics.median(times), "min": min(times), "max": max(times)}))


def parse_only(files: list[str], rounds: int) -> None:
    """Child: read_mrt every file ``rounds`` times after one warm-up read; print the seconds."""
    import time

    from splinternet.sources.mrt import read_mrt

    for f in files:
        read_mrt(f)
    t0 = time.perf_counter()
    for _ in range(rounds):
        for f in files:
            read_mrt(f)
    print(time.perf_counter() - t0)


def machine_parallelism(files: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Control without Dask: seconds for 2 rounds of read_mrt in one process, and 1 round each in 2 processes."""
    cmd = [sys.executable, __file__, "--child-parse"]
    full = {**os.environ, **env}
    serial = float(subprocess.run([*cmd, "2", *files], capture_output=True, text=True, env=full,
                                  check=True).stdout)
    procs = [subprocess.Popen([*cmd, "1", *files], stdout=subprocess.PIPE, text=True, env=full) for _ in range(2)]
    parallel = max(float(p.communicate()[0]) for p in procs)
    return serial, parallel


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--child-steady", type=int, default=None)
    ap.add_argument("--child-out", default=None)
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--child-parse", type=int, default=None)
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    if args.child_parse is not None:
        parse_only(args.files, args.child_parse)
        return
    if args.child_steady is not None:
        steady(args.child_steady, args.repeats, args.child_out, args.copies)
        return
    if not SHARED_DATA.is_dir():
        sys.exit(f"needs the mirror at {SHARED_DATA}")
    work = Path(tempfile.mkdtemp(prefix="bench_ingest."))
    env = {"SPLINTERNET_MIRROR": str(SHARED_DATA), "SPLINTERNET_CACHE": str(work / "cache"),
           "NUMBA_CACHE_DIR": str(Path(__file__).resolve().parents[1] / ".numba_cache")}
    cli = [sys.executable, "-m", "splinternet", "ingest", "--collectors", COLLECTORS, "--from", WINDOW[0], "--to",
           WINDOW[1], "--json"]
    first = subprocess.run([*cli, "--workers", "0", "--out", str(work / "warm")], capture_output=True, text=True,
                           env={**os.environ, **env}, check=True)
    warm = json.loads(first.stdout)
    files = [str(work / "cache" / r["url"].split("://", 1)[1]) for r in warm["ingested"]]
    elements = warm["elements"]
    rows = []
    for label, workers in (("splinternet ingest, in-process (--workers 0)", 0),
                           ("splinternet ingest, Dask LocalCluster 1 worker", 1),
                           ("splinternet ingest, Dask LocalCluster 2 workers", 2)):
        out = work / f"out{workers}"
        argv = ["sh", "-c", f'rm -rf "{out}" && exec "$@"', "sh", *cli, "--workers", str(workers), "--out", str(out)]
        m = measure_command(argv, repeats=args.repeats, warmup=1, env=env)
        inner = json.loads(m.stdout)["seconds"]
        rows.append((label, m, inner))
    steady_rows = []
    for workers in (0, 1, 2):
        child = subprocess.run([sys.executable, __file__, "--child-steady", str(workers), "--repeats",
                                str(args.repeats), "--child-out", str(work / f"steady{workers}")],
                               capture_output=True, text=True, env={**os.environ, **env}, check=True)
        steady_rows.append((workers, json.loads(child.stdout.strip().splitlines()[-1])))
    peer_bgpdump = None
    if shutil.which("bgpdump"):
        loop = "for f in \"$@\"; do bgpdump -m \"$f\" > /dev/null || exit 1; done"
        peer_bgpdump = measure_command(["sh", "-c", loop, "sh", *files], repeats=args.repeats, warmup=1)
    peer_bgpkit = None
    try:
        import pybgpkit_parser  # noqa: F401

        peer_bgpkit = measure_command([sys.executable, "-c", PYBGPKIT, *files], repeats=args.repeats, warmup=1)
    except ImportError:
        pass
    base = rows[0][1].median_s
    lines = [
        f"Machine: {machine_line()}. Input: the {len(files)} MRT files of the mirror whose URL is known "
        f"(RIS rrc00 bview 2000, rrc01/06/15/23 updates, RouteViews sydney and jinx updates), "
        f"{sum(os.path.getsize(f) for f in files) / 2**20:.1f} MiB compressed, {elements:,} elements "
        "(state changes included, as written to Parquet). Median of "
        f"{args.repeats} runs after 1 warm-up; whole process, so Dask runs include cluster start-up. "
        "`ingest clock` is the run's own timer (cluster start included for Dask, imports excluded).",
        "",
        "| command | wall s median (min–max) | ingest clock s | files/s | elements/s | peak RSS MiB (parent) "
        "| vs in-process |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, m, inner in rows:
        lines.append(f"| {label} | {m.cell()} | {inner:.2f} | {len(files) / m.median_s:.2f} | "
                     f"{elements / m.median_s:,.0f} | {m.peak_rss_mib:.0f} | {base / m.median_s:.2f}× |")
    for label, m in (("peer: bgpdump -m, one process per file, text to /dev/null", peer_bgpdump),
                     ("peer: pybgpkit-parser 0.6.2, one process iterating every file", peer_bgpkit)):
        if m is not None:
            lines.append(f"| {label} | {m.cell()} | – | {len(files) / m.median_s:.2f} | "
                         f"{elements / m.median_s:,.0f} | {m.peak_rss_mib:.0f} | {base / m.median_s:.2f}× |")
    lines += [
        "",
        f"Steady state: the per-file task (fetch from the warm cache, parse, write Parquet) on "
        f"{args.copies} copies of the 9 files ({args.copies * len(files)} tasks, "
        f"{args.copies * elements:,} elements), timed inside one process with the Dask cluster already started "
        "and every worker warm (one untimed round first); median of the same number of runs.",
        "",
        "| executor | seconds median (min–max) | files/s | elements/s | vs in-process |",
        "|---|---:|---:|---:|---:|",
    ]
    base_steady = steady_rows[0][1]["median"]
    for workers, t in steady_rows:
        label = "in-process" if workers == 0 else f"Dask LocalCluster, {workers} worker{'s' if workers > 1 else ''}"
        lines.append(f"| {label} | {t['median']:.2f} ({t['min']:.2f}–{t['max']:.2f}) | "
                     f"{args.copies * len(files) / t['median']:.2f} | {args.copies * elements / t['median']:,.0f} | "
                     f"{base_steady / t['median']:.2f}× |")
    rate = args.copies * elements / steady_rows[1][1]["median"]  # one Dask worker, warm: the per-worker rate
    per_element = sum(r["output_size"] for r in warm["ingested"]) / elements
    lines += [
        "",
        f"Projection for one month of every RIS and RouteViews collector at the measured steady rate of one "
        f"worker ({rate:,.0f} elements/s, decompression + parse + Parquet write) and the measured Parquet size "
        f"({per_element:.1f} bytes per element). File counts, elements per file and file sizes are assumptions "
        "stated in docs/scaling.md, not measurements:",
        "",
        *projection(rate, per_element),
    ]
    controls = [machine_parallelism(files, env) for _ in range(args.repeats)]
    serial = sorted(c[0] for c in controls)[len(controls) // 2]
    parallel = sorted(c[1] for c in controls)[len(controls) // 2]
    lines += [
        "",
        f"Control without Dask, same run: `read_mrt` over the 9 files twice in one process took {serial:.2f} s; "
        f"once in each of two processes started together, {parallel:.2f} s (median of {args.repeats}), a "
        f"speed-up of {serial / parallel:.2f}× from the second core. That is the most any 2-worker figure above "
        "could show on this machine at that time.",
    ]
    load = os.getloadavg()
    lines += [
        "",
        f"Load average when the table was written: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min) on "
        "2 cores shared with other work, so the 2-worker figures cannot show a clean 2×.",
        "",
        "Peer element rates use our element count (bgpdump and pybgpkit count the same announcements and "
        "withdrawals, see docs/benchmarks.md MRT section; state lines aside). The peers do not write anything; "
        "ingest writes one Parquet file per input and a manifest. With 9 small files, Dask start-up (worker "
        "processes importing numba, pyarrow and the kernels) dominates the whole-process wall time; the steady "
        "table is the throughput that matters for a month of archives (docs/scaling.md).",
    ]
    update_section("ingest", "## Ingest (MRT archives to Parquet, Dask)\n\n" + "\n".join(lines))
    print("\n".join(lines))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
