"""MRT parsing speed: splinternet read_mrt vs Debian bgpdump -m and pybgpkit-parser 0.6.2, same files, same run.

Elements are RIB entries plus announced and withdrawn prefixes (state changes excluded), as in
PEERS.md. Our headline figure is the whole ``read_mrt`` (decompress + parse) timed inside a
process whose numba JIT cache is warm; the whole-process command (interpreter start, imports,
cache load, read) is measured too, for fairness against bgpdump which is one C process.
Every command is pinned to one core. Each file is measured twice: as archived, and
decompressed to plain MRT, which shows decompression separately for every tool.

Run: python bench/bench_mrt.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import SHARED_DATA, machine_line, measure_command, update_section  # noqa: E402

FILES = [
    ("RIS rrc23 updates 2022-04-21 02:00 (.gz)", "data.ris.ripe.net/rrc23/2022.04/updates.20220421.0200.gz"),
    ("RIS rrc23 updates 2022-05-01 23:05 (.gz)", "data.ris.ripe.net/rrc23/2022.05/updates.20220501.2305.gz"),
    ("RouteViews sydney updates 2022-06-01 02:30 (.bz2)",
     "archive.routeviews.org/route-views.sydney/bgpdata/2022.06/UPDATES/updates.20220601.0230.bz2"),
    ("RouteViews sydney updates 2022-06-01 04:15 (.bz2)",
     "archive.routeviews.org/route-views.sydney/bgpdata/2022.06/UPDATES/updates.20220601.0415.bz2"),
    ("bview 2002-07-22 (TABLE_DUMP v1 RIB, .gz)", "samples/mrt/bview.20020722.2337.gz"),
]
SELF = Path(__file__).resolve()


def _elements(result) -> int:
    return result.stats.announcements + result.stats.withdrawals + result.stats.rib_entries


def child_count(path: str) -> None:
    """Whole-process unit: import, read, print the element count."""
    from splinternet.sources.mrt import read_mrt

    print(_elements(read_mrt(path)))


def child_inprocess(path: str, repeats: int) -> None:
    """In-process figures after one warm-up call: read_mrt, split into its decompression and parse parts."""
    from splinternet.sources.mrt import read_mrt

    res = read_mrt(path)
    total, dec, parse = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = read_mrt(path)
        total.append(time.perf_counter() - t0)
        dec.append(res.stats.decompress_seconds)
        parse.append(res.stats.parse_seconds)
    print(json.dumps({"elements": _elements(res), "read_mrt_s": statistics.median(total),
                      "decompress_s": statistics.median(dec), "parse_s": statistics.median(parse)}))


def child_pybgpkit(path: str) -> None:
    import pybgpkit_parser

    t0 = time.perf_counter()
    n = 0
    for elem in pybgpkit_parser.Parser(url=path):
        if elem.elem_type in ("A", "W"):
            n += 1
    print(json.dumps({"elements": n, "iterate_s": time.perf_counter() - t0}))


def peak_rss_mib(argv: list[str], env: dict[str, str] | None = None) -> float | None:
    """Peak RSS of one run under /usr/bin/time (as PEERS.md measured it); None if time is missing."""
    if not Path("/usr/bin/time").exists():
        return None
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], capture_output=True, env={**os.environ, **(env or {})},
                         check=True)
    return int(out.stderr.decode().strip().splitlines()[-1]) / 1024


def bgpdump_elements(path: str) -> int:
    out = subprocess.run(["bgpdump", "-m", path], capture_output=True, check=True).stdout
    return sum(1 for line in out.split(b"\n") if line.split(b"|")[2:3] in ([b"A"], [b"W"], [b"B"]))


def one_core() -> list[str]:
    """A ``taskset`` prefix pinning a command to one core, so every tool gets exactly one."""
    if not shutil.which("taskset"):
        return []
    return ["taskset", "-c", str(max(os.sched_getaffinity(0)))]


def measure_tools(path: str, repeats: int, env: dict[str, str], have_bgpkit: bool, *, rss: bool) -> dict:
    """Ours (in-process and whole process), bgpdump and pybgpkit on one file, each on one core."""
    py = sys.executable
    pin = one_core()
    # warm the numba cache (and the page cache) once
    subprocess.run([py, str(SELF), "--child-count", path], check=True, capture_output=True, env={**os.environ, **env})
    inproc = json.loads(subprocess.run([*pin, py, str(SELF), "--child-inprocess", path, str(repeats)],
                                       check=True, capture_output=True, env={**os.environ, **env}).stdout)
    whole = measure_command([*pin, py, str(SELF), "--child-count", path], repeats=repeats, env=env)
    n = inproc["elements"]
    assert int(whole.stdout) == n
    row: dict = {"elements": n, "inproc": inproc, "whole": whole,
                 "rss": peak_rss_mib([py, str(SELF), "--child-count", path], env) if rss else None}
    if shutil.which("bgpdump"):
        row["bgpdump"] = measure_command([*pin, "bgpdump", "-m", path], repeats=repeats, stdout_to_devnull=True)
        assert bgpdump_elements(path) == n, (path, n)
        row["bgpdump_rss"] = peak_rss_mib(["bgpdump", "-O", "/dev/null", "-m", path]) if rss else None
    if have_bgpkit:
        m = measure_command([*pin, py, str(SELF), "--child-pybgpkit", path], repeats=repeats)
        assert json.loads(m.stdout)["elements"] == n, (path, n)
        row["bgpkit"] = m
        row["bgpkit_rss"] = peak_rss_mib([py, str(SELF), "--child-pybgpkit", path]) if rss else None
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    from splinternet.sources.compression import read_decompressed

    env = {"NUMBA_CACHE_DIR": os.environ.get("NUMBA_CACHE_DIR", str(SELF.parents[1] / ".numba_cache"))}
    have_bgpkit = subprocess.run([sys.executable, "-c", "import pybgpkit_parser"], capture_output=True).returncode == 0
    rows = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-mrt-") as tmp:
        for label, rel in FILES:
            path = str(SHARED_DATA / rel)
            plain = Path(tmp) / (Path(rel).name.rsplit(".", 1)[0] + ".mrt")
            plain.write_bytes(read_decompressed(path).data)
            rows.append({"label": label, "compressed_bytes": Path(path).stat().st_size,
                         "plain_bytes": plain.stat().st_size,
                         "archived": measure_tools(path, args.repeats, env, have_bgpkit, rss=True),
                         "plain": measure_tools(str(plain), args.repeats, env, have_bgpkit, rss=False)})
            print(label, "done", file=sys.stderr)
    update_section("mrt", render(rows, args.repeats, (load_before, os.getloadavg()[0]), bool(one_core())))


def _mib(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1f}"


def _ratio(ours_rate: float, n: int, peer, ours_whole) -> str:
    """Our in-process rate over the peer's whole-process rate; whole-vs-whole in brackets."""
    return f"**{ours_rate / (n / peer.median_s):.1f}×** ({peer.median_s / ours_whole.median_s:.2f}×)"


def render(rows: list[dict], repeats: int, load: tuple[float, float], pinned: bool) -> str:
    core = "each command pinned to one core with `taskset`" if pinned else "taskset missing: commands not pinned"
    out = [
        "## MRT parsing (`bench/bench_mrt.py`)",
        "",
        f"Machine: {machine_line()}; 1-minute load average {load[0]:.1f} at the start and {load[1]:.1f} at "
        f"the end of the run; {core}. "
        f"Each command: {repeats} timed runs after 1 warm-up, median (min–max); "
        "peak RSS from one more run under `/usr/bin/time -f %M` (as in PEERS.md). Elements = RIB entries + "
        "announced + withdrawn prefixes (state changes excluded); the element counts of all three tools are "
        "asserted equal on every file before any time is reported.",
        "",
        "- **ours (in-process)**: `read_mrt(path)` (decompress + numba parse + table) timed inside a process after "
        "one warm-up call (numba JIT cache warm, no compile); its decompression and parse parts are the medians "
        "of `MrtStats.decompress_seconds` / `parse_seconds` of the same calls. Gzip goes through ISA-L "
        "(`isal`), bzip2 through libbz2 (Python's `bz2`).",
        "- **ours (whole process)**: `python bench/bench_mrt.py --child-count FILE` (interpreter start, imports "
        "of numpy/numba, JIT cache load, `read_mrt`, print count), with a warm on-disk numba cache.",
        "- **bgpdump**: `bgpdump -m FILE > /dev/null` (Debian 1.6.2). **pybgpkit**: whole process iterating "
        "`pybgpkit_parser.Parser(url=FILE)` and reading `elem.elem_type`, as in PEERS.md.",
        "- **× peer** = elements/s of ours (in-process) over the peer's whole-process elements/s; "
        "in brackets, whole process against whole process.",
        "",
        "### Files as archived (decompression included)",
        "",
        "| input | elements | ours s (decompress + parse) | ours elem/s | ours whole-process s | ours peak RSS MiB | "
        "bgpdump s | **× bgpdump** | bgpdump RSS MiB | pybgpkit s | **× pybgpkit** | pybgpkit RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        a = r["archived"]
        n, ip = a["elements"], a["inproc"]
        rate = n / ip["read_mrt_s"]
        cells = [r["label"], f"{n:,}", f"{ip['read_mrt_s']:.3f} ({ip['decompress_s']:.3f} + {ip['parse_s']:.3f})",
                 f"{rate:,.0f}", a["whole"].cell(), _mib(a["rss"])]
        for peer in ("bgpdump", "bgpkit"):
            if peer in a:
                cells += [a[peer].cell(), _ratio(rate, n, a[peer], a["whole"]), _mib(a[f"{peer}_rss"])]
            else:
                cells += ["n/a"] * 3
        out.append("| " + " | ".join(cells) + " |")
    out += [
        "",
        "### Decompression shown separately: every tool on the decompressed file",
        "",
        "The same files decompressed once to plain MRT (in a temporary directory) and read by all three tools, so "
        "the parse rates compare parsers only. Decompression columns: ours is measured inside `read_mrt`; a "
        "peer's is its time on the archived file minus its time on the plain one (a negative value means the "
        "run-to-run noise was larger than the decompression; bzip2 decoding is the part "
        "most slowed by other work on the machine).",
        "",
        "| input | compressed → plain MiB | decompression s: ours / bgpdump / pybgpkit | ours parse s | "
        "ours parse elem/s | ours whole-process s | bgpdump s | **× bgpdump** | pybgpkit s | **× pybgpkit** |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        a, p = r["archived"], r["plain"]
        n, ip = p["elements"], p["inproc"]
        rate = n / ip["read_mrt_s"]
        dec = [f"{a['inproc']['decompress_s']:.3f}"] + [
            f"{a[k].median_s - p[k].median_s:.3f}" if k in a else "n/a" for k in ("bgpdump", "bgpkit")]
        cells = [r["label"], f"{r['compressed_bytes'] / 2**20:.2f} → {r['plain_bytes'] / 2**20:.2f}", " / ".join(dec),
                 f"{ip['read_mrt_s']:.3f}", f"{rate:,.0f}", p["whole"].cell()]
        for peer in ("bgpdump", "bgpkit"):
            cells += [p[peer].cell(), _ratio(rate, n, p[peer], p["whole"])] if peer in p else ["n/a"] * 2
        out.append("| " + " | ".join(cells) + " |")
    out += [
        "",
        "The whole-process figures here run the JIT kernels (`read_mrt` without `start_fast`) and so include about "
        "1 s of Python, numpy and numba start-up and JIT-cache loading, which dominates on 5-minute update files. "
        "The `mrt dump` command itself runs the kernels compiled ahead of time and starts without numba: see the "
        "start-up section (`bench/bench_startup.py`). Peers and ours run one after the other per file, in the same "
        "run.",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child-count":
        child_count(sys.argv[2])
    elif len(sys.argv) > 3 and sys.argv[1] == "--child-inprocess":
        child_inprocess(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) > 2 and sys.argv[1] == "--child-pybgpkit":
        child_pybgpkit(sys.argv[2])
    else:
        main()
