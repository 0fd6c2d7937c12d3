"""Load test of `splinternet serve` on loopback with wrk: requests/s, p99 latency and errors (zero required).

The server runs as its own process on 127.0.0.1 over the data mirror. Each cached endpoint
is hit by wrk for a fixed time; the first (computing) request is timed once; for
comparison, the same transit answer from the CLI (`splinternet transit LI --json`, a new
process each time) and a static file from the same server are measured in the same run.
Writes the `web` section of docs/benchmarks.md.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import SHARED_DATA, machine_line, measure_command, update_section  # noqa: E402

DATE, PREFIXES = "2022-03-01", "2024-04-06"
THREADS, CONNECTIONS, SECONDS = 2, 16, 10
ENDPOINTS = [
    ("static file (baseline)", "/static/app.js"),
    ("registers list (no computation)", "/api/v1/registers"),
    ("transit LI, JSON (cached)", f"/api/v1/transit/LI?date={DATE}"),
    ("country page LI, HTML with charts (cached)", f"/country?cc=LI&date={DATE}"),
    ("what-if LI without AS8447, JSON (cached)", f"/api/v1/whatif/LI?date={DATE}&without=8447"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _to_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str) -> dict[str, float]:
    out = subprocess.run(["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(x) for x in sock.groups()) if sock else 0)
    return {"rps": rps, "p50": p50, "p99": p99, "requests": total, "errors": errors}


def main() -> None:
    if not SHARED_DATA.is_dir():
        sys.exit(f"needs the data mirror at {SHARED_DATA}")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="bench-web-") as cache:
        env = {**os.environ, "SPLINTERNET_MIRROR": str(SHARED_DATA), "SPLINTERNET_CACHE": cache}
        server = subprocess.Popen([sys.executable, "-m", "splinternet", "serve", "--port", str(port),
                                   "--prefixes-date", PREFIXES], env=env, stderr=subprocess.PIPE)
        try:
            for _ in range(300):
                try:
                    httpx.get(base + "/", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            start = time.perf_counter()
            first = httpx.get(base + ENDPOINTS[2][1], timeout=600)
            cold = time.perf_counter() - start
            first.raise_for_status()
            for _, path in ENDPOINTS[3:]:
                httpx.get(base + path, timeout=600).raise_for_status()
            rows = [(label, path, run_wrk(base + path)) for label, path in ENDPOINTS]
        finally:
            server.terminate()
            server.wait(timeout=30)
        cli = measure_command([sys.executable, "-m", "splinternet", "transit", "LI", "--date", DATE,
                               "--prefixes-date", PREFIXES, "--json"], repeats=3, warmup=0, env=env,
                              stdout_to_devnull=True)
    errors = sum(r["errors"] for _, _, r in rows)
    cached = rows[2][2]
    lines = [
        "## web: `splinternet serve` under load (wrk on loopback)",
        "",
        f"Machine: {machine_line()}. Server: one `splinternet serve` process (uvicorn, 1 computation worker); "
        f"load: `wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s` per endpoint, on the same 2 cores as the server. "
        "Script: `python bench/bench_web.py`.",
        "",
        "| endpoint | requests | requests/s | p50 latency | p99 latency | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, path, r in rows:
        lines.append(f"| {label} `{path}` | {r['requests']:,} | {r['rps']:,.0f} | {r['p50']:.1f} ms | "
                     f"{r['p99']:.1f} ms | {r['errors']} |")
    lines += [
        "",
        f"First transit LI request (computed, then cached): {cold:.1f} s. The same answer from the CLI "
        f"(`splinternet transit LI --json`, a new process each time): median {cli.median_s:.1f} s, peak RSS "
        f"{cli.peak_rss_mib:.0f} MiB. A cached answer from the server: p50 {cached['p50']:.1f} ms, i.e. "
        f"{cli.median_s * 1000 / max(cached['p50'], 1e-3):,.0f}x faster than a CLI run; cached JSON is served at "
        f"{cached['rps'] / rows[0][2]['rps']:.2f}x the rate of a static file.",
        "",
        f"Errors over all endpoints: {errors} (zero required).",
    ]
    update_section("web", "\n".join(lines))
    print("\n".join(lines))
    if errors:
        sys.exit(f"{errors} errors under load")


if __name__ == "__main__":
    main()
