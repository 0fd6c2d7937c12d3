"""Bounded load test of `splinternet serve` on loopback: what abusive clients cost the server.

One server process on 127.0.0.1 over the data mirror; its peak RSS is read from
/proc/<pid>/status (VmHWM) after each phase. Phases, each bounded in requests and time:

1. uncached AS searches: 400 distinct queries, 64 at once, on a date not loaded before;
2. oversized and bomb uploads: 10 bodies twice the upload limit, sent chunked, and 10 gzip
   bombs (36 MiB of text in ~100 KB);
3. many job variants from one client: 200 `top=` variants of one transit (one computation),
   then 12 distinct what-ifs from one address (its share of the queue is refused with 503
   and Retry-After) while a second address (127.0.0.2) still gets its job queued;
4. slow clients: 60 slowloris connections (a header line a second) while well-behaved
   clients load a cached result and a static file (wrk, 10 s).

Well-behaved requests must see 0 errors; refusals of the abusive ones are counted apart.
Writes the `web-bounds` section of docs/benchmarks.md. Takes about 2-3 minutes.
"""

from __future__ import annotations

import asyncio
import gzip
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
import contextlib

from _harness import SHARED_DATA, machine_line, update_section  # noqa: E402
from bench_web import _free_port, run_wrk  # noqa: E402

DATE, SEARCH_DATE, PREFIXES = "2022-03-01", "2022-05-01", "2024-04-06"
UPLOAD_LIMIT = 4 << 20


def peak_rss_mib(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", text).group(1)) / 1024  # type: ignore[union-attr]


def rss_mib(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1)) / 1024  # type: ignore[union-attr]


async def searches(base: str) -> dict[str, float]:
    words = ["tele", "net", "com", "cable", "data", "bank", "host", "cloud", "univ", "gov"]
    queries = [f"{w}{k}" if k else w for k in range(40) for w in words][:400]
    limit = asyncio.Semaphore(64)
    errors = 0
    latencies: list[float] = []

    async with httpx.AsyncClient(base_url=base, timeout=120, limits=httpx.Limits(max_connections=64)) as client:
        async def one(q: str) -> None:
            nonlocal errors
            async with limit:
                start = time.perf_counter()
                r = await client.get("/api/v1/search/as", params={"q": q, "date": SEARCH_DATE})
                latencies.append(time.perf_counter() - start)
                errors += r.status_code != 200

        start = time.perf_counter()
        await asyncio.gather(*(one(q) for q in queries))
        wall = time.perf_counter() - start
    latencies.sort()
    return {"requests": len(queries), "errors": errors, "wall": wall,
            "p50": latencies[len(latencies) // 2] * 1000, "p99": latencies[int(len(latencies) * 0.99)] * 1000}


async def variants(base: str) -> dict[str, float]:
    out: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=50)) as client:
        answers = await asyncio.gather(*(client.get("/api/v1/transit/LI", params={
            "date": DATE, "top": top, "wait": "false"}) for top in range(1, 201)))
        ids = {r.json()["id"] for r in answers if r.status_code == 202}
        out["top_requests"] = len(answers)
        out["top_errors"] = sum(r.status_code not in (200, 202) for r in answers)
        out["top_jobs"] = len(ids)
        whatifs = await asyncio.gather(*(client.get("/api/v1/whatif/LI", params={
            "date": DATE, "without": asn, "wait": "false"}) for asn in range(64500, 64512)))
        out["whatif_requests"] = len(whatifs)
        out["whatif_queued"] = sum(r.status_code in (200, 202) for r in whatifs)
        out["whatif_refused"] = sum(r.status_code == 503 and "retry-after" in r.headers for r in whatifs)
        out["whatif_other"] = len(whatifs) - out["whatif_queued"] - out["whatif_refused"]
    other = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(base_url=base, timeout=60, transport=other) as client:
        r = await client.get("/api/v1/whatif/LI", params={"date": DATE, "without": 64999, "wait": "false"})
        out["second_client_status"] = r.status_code
    return out


def slowloris(port: int, connections: int, seconds: float) -> dict[str, float]:
    socks = []
    for _ in range(connections):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        socks.append([s, time.monotonic(), None])
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end and any(c[2] is None for c in socks):
        for c in socks:
            if c[2] is not None:
                continue
            try:
                c[0].sendall(f"X-{i}: {i}\r\n".encode())
                c[0].setblocking(False)
                try:
                    if c[0].recv(1024) == b"":
                        c[2] = time.monotonic() - c[1]
                except BlockingIOError:
                    pass
                c[0].setblocking(True)
            except OSError:
                c[2] = time.monotonic() - c[1]
        i += 1
        time.sleep(1.0)
    closed = [c[2] for c in socks if c[2] is not None]
    for c in socks:
        c[0].close()
    return {"connections": connections, "closed": len(closed), "max_open_s": max(closed) if closed else seconds}


def oversized(port: int, count: int) -> int:
    """Chunked uploads twice the limit; how many got 413 before their body ended."""
    refused = 0
    part = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n\r\n")
    for _ in range(count):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"POST /api/v1/blocking HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n" + f"{len(part):x}\r\n".encode() + part + b"\r\n")
            block = b"10.0.0.1\n" * 7000
            try:
                for _ in range(2 * UPLOAD_LIMIT // len(block)):
                    s.sendall(f"{len(block):x}\r\n".encode() + block + b"\r\n")
            except OSError:
                pass
            s.settimeout(10)
            with contextlib.suppress(OSError):
                refused += s.recv(64).startswith(b"HTTP/1.1 413")
    return refused


def bombs(base: str, count: int) -> int:
    bomb = gzip.compress(b"10.0.0.1\n" * (4 << 20))
    stopped = 0
    for _ in range(count):
        r = httpx.post(base + "/api/v1/blocking", files={"file": ("bomb.txt.gz", bomb)},
                       data={"date": PREFIXES}, timeout=120)
        stopped += r.status_code == 422 and r.json()["error"] == "input_too_large"
    return stopped


def main() -> None:
    if not SHARED_DATA.is_dir():
        sys.exit(f"needs the data mirror at {SHARED_DATA}")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    rows: list[tuple[str, str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-web-bounds-") as cache:
        env = {**os.environ, "SPLINTERNET_MIRROR": str(SHARED_DATA), "SPLINTERNET_CACHE": cache,
               "SPLINTERNET_WEB_MAX_UPLOAD": str(UPLOAD_LIMIT), "SPLINTERNET_WEB_MAX_DECOMPRESSED_BYTES": "16MiB"}
        server = subprocess.Popen([sys.executable, "-m", "splinternet", "serve", "--port", str(port),
                                   "--prefixes-date", PREFIXES, "--no-disk-cache"], env=env, stderr=subprocess.DEVNULL)
        try:
            for _ in range(300):
                try:
                    httpx.get(base + "/api/v1/registers", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            start_rss = rss_mib(server.pid)
            s = asyncio.run(searches(base))
            rows.append(("uncached AS searches", f"{s['requests']} distinct queries, 64 at once: {s['wall']:.1f} s, "
                         f"p50 {s['p50']:.0f} ms, p99 {s['p99']:.0f} ms; errors {s['errors']}",
                         peak_rss_mib(server.pid)))
            big = oversized(port, 10)
            bombed = bombs(base, 10)
            rows.append(("oversized and bomb uploads",
                         f"10 chunked bodies of 2x the {UPLOAD_LIMIT >> 20} MiB limit: {big} refused (413) before "
                         f"their end; 10 gzip bombs (36 MiB of text each): {bombed} stopped at the 16 MiB "
                         "decompression cap (422)", peak_rss_mib(server.pid)))
            v = asyncio.run(variants(base))
            rows.append(("job variants from one client",
                         f"{v['top_requests']:.0f} `top=` variants of transit LI: {v['top_jobs']:.0f} job, "
                         f"errors {v['top_errors']:.0f}; {v['whatif_requests']:.0f} distinct what-ifs: "
                         f"{v['whatif_queued']:.0f} queued, {v['whatif_refused']:.0f} refused (503, Retry-After), "
                         f"other {v['whatif_other']:.0f}; a second address: {v['second_client_status']:.0f}",
                         peak_rss_mib(server.pid)))
            # a cached result for the well-behaved load
            httpx.get(base + f"/api/v1/search/as?q=tele&date={SEARCH_DATE}", timeout=60).raise_for_status()
            result: dict[str, dict[str, float]] = {}

            async def during() -> None:
                loop = asyncio.get_running_loop()
                slow = loop.run_in_executor(None, slowloris, port, 60, 20.0)
                await asyncio.sleep(1.0)
                result["search"] = await loop.run_in_executor(
                    None, run_wrk, base + f"/api/v1/search/as?q=tele&date={SEARCH_DATE}")
                result["static"] = await loop.run_in_executor(None, run_wrk, base + "/static/app.js")
                result["slow"] = await slow

            asyncio.run(during())
            rows.append(("slow clients (slowloris)",
                         f"{result['slow']['connections']:.0f} connections sending a header line a second: "
                         f"{result['slow']['closed']:.0f} closed by the server, the last after "
                         f"{result['slow']['max_open_s']:.1f} s; meanwhile wrk: cached search "
                         f"{result['search']['rps']:,.0f} req/s (p99 {result['search']['p99']:.0f} ms, errors "
                         f"{result['search']['errors']:.0f}), static file {result['static']['rps']:,.0f} req/s "
                         f"(errors {result['static']['errors']:.0f})", peak_rss_mib(server.pid)))
            leftover = list((Path(cache) / "web-uploads").glob("upload-*"))
        finally:
            server.terminate()
            server.wait(timeout=30)
    errors = s["errors"] + v["top_errors"] + v["whatif_other"] + result["search"]["errors"] + \
        result["static"]["errors"] + (v["second_client_status"] not in (200, 202))
    lines = [
        "## web-bounds: abusive clients against `splinternet serve` (loopback)",
        "",
        f"Machine: {machine_line()}. One server process (uvicorn, 1 computation worker, default bounds, upload "
        f"limit {UPLOAD_LIMIT >> 20} MiB, upload decompression cap 16 MiB); clients on the same 2 cores. "
        "Peak RSS is the server's VmHWM after each phase (it only grows). Script: "
        "`python bench/bench_web_bounds.py`.",
        "",
        "| phase | what happened | server peak RSS |",
        "|---|---|---:|",
        f"| server started, idle | | {start_rss:.0f} MiB |",
    ]
    lines += [f"| {name} | {what} | {rss:.0f} MiB |" for name, what, rss in rows]
    lines += [
        "",
        f"Errors seen by well-behaved requests: {errors:.0f} (zero required). Upload spools left behind: "
        f"{len(leftover)}. Refusals of the abusive requests (503 past one client's share, 413, 422) are "
        "the bounds working, not errors. The growth during the last two phases is the LI computations "
        "phase 3 queued (AS graph, prefix-to-AS tables, simulation), which run meanwhile; the slow "
        "connections themselves hold no more than their sockets.",
    ]
    update_section("web-bounds", "\n".join(lines))
    print("\n".join(lines))
    if errors or leftover or big < 10 or bombed < 10:
        sys.exit("bounds not held: see above")


if __name__ == "__main__":
    main()
