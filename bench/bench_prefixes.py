"""Prefix table benchmark: pfx2as load and batch LPM of 1M random IPv4 addresses, vs pytricia.

Same table (routeviews-rv2-20240406.pfx2as.gz, 998,042 prefixes), same 1,000,000 addresses
(``random.Random(42).getrandbits(32)``), pytricia run as in PEERS.md section 3 (``pt[p] = v``
per pair, one ``pt.get(str)`` per address). Answers are checked identical in this run.
Each tool also runs as a whole process (``--worker``) for wall time and peak RSS.

Run: ``python bench/bench_prefixes.py`` (writes the ``prefixes`` section of docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import SHARED_DATA, machine_line, measure_command, update_section  # noqa: E402

PFX2AS = SHARED_DATA / "publicdata.caida.org/datasets/routing/routeviews-prefix2as/2024/04/routeviews-rv2-20240406.pfx2as.gz"
N_QUERIES = 1_000_000


def queries() -> list[int]:
    rng = random.Random(42)
    return [rng.getrandbits(32) for _ in range(N_QUERIES)]


def timed(fn, repeats: int) -> tuple[float, float, float, object]:
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), max(times), out


def run_ours(repeats: int) -> dict:
    import numpy as np

    from splinternet.sources.pfx2as import load_pfx2as

    load_pfx2as(PFX2AS)  # JIT cache warm-up (loads the compiled kernels)
    load = timed(lambda: load_pfx2as(PFX2AS), repeats)
    table = load[3]
    q = np.array(queries(), dtype=np.uint32)
    table.lookup(q[:10])
    look = timed(lambda: table.lookup(q), repeats)
    rows = look[3]
    return {"load": load[:3], "lookup": look[:3], "hits": int((rows >= 0).sum()), "prefixes": len(table),
            "rows": rows}


def read_pairs() -> list[tuple[str, int]]:
    """pfx2as lines as (prefix/len, entry index): the shared read + split step of PEERS.md."""
    pairs = []
    for i, line in enumerate(gzip.decompress(PFX2AS.read_bytes()).decode().splitlines()):
        net, length, _ = line.split("\t")
        pairs.append((f"{net}/{length}", i))
    return pairs


def run_pytricia(passes: int) -> dict:
    import pytricia

    split = timed(read_pairs, 1)
    pairs = split[3]

    def build():
        pt = pytricia.PyTricia(32)
        for p, v in pairs:
            pt[p] = v
        return pt

    load = timed(build, 1)
    pt = load[3]
    texts = [f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}" for a in queries()]
    look = timed(lambda: [pt.get(s) for s in texts], passes)
    got = [-1 if v is None else v for v in look[3]]
    return {"read_split": split[:3], "load": load[:3], "lookup": look[:3], "hits": sum(v >= 0 for v in got),
            "rows": got}


def worker(kind: str) -> None:
    out = run_ours(3) if kind == "ours" else run_pytricia(1)
    out.pop("rows")
    print(json.dumps(out))


def main() -> None:
    # whole processes first: a child forked from a big parent inherits its peak RSS (Linux keeps
    # the high-water mark across fork + exec), so the parent must still be small here
    proc = {k: measure_command([sys.executable, __file__, "--worker", k], repeats=3) for k in ("ours", "pytricia")}
    import numpy as np

    ours = run_ours(5)
    peer = run_pytricia(3)
    identical = bool(np.array_equal(ours["rows"], np.array(peer["rows"])))
    if not identical:
        raise SystemExit("answers differ between splinternet and pytricia")
    rate_ours = N_QUERIES / ours["lookup"][0]
    rate_peer = N_QUERIES / peer["lookup"][0]

    def cell(t: tuple) -> str:
        return f"{t[0]:.3f} ({t[1]:.3f}–{t[2]:.3f})"

    md = f"""## Prefix table: pfx2as load and batch longest-prefix match (`bench/bench_prefixes.py`)

Machine: {machine_line()}. Table: `routeviews-rv2-20240406.pfx2as.gz` ({ours['prefixes']:,} prefixes, MOAS and
AS-set entries kept). Queries: {N_QUERIES:,} random IPv4 addresses from `random.Random(42).getrandbits(32)`.
pytricia 1.3.0 run as in PEERS.md §3 (`pt[p] = v` per pair; one `pt.get(str)` per address, strings made
before timing). In-process figures: median (min–max) of 5 runs for splinternet (JIT cache warm), 3 passes
for pytricia. **Answers identical: {identical}** (all {N_QUERIES:,} rows; {ours['hits']:,} hits for both).

| step | splinternet s | pytricia s | ratio (pytricia / splinternet) |
|---|---:|---:|---:|
| read + parse pfx2as.gz (gzip included) | {cell(ours['load'])} | {cell(peer['read_split'])} (Python split) | {peer['read_split'][0] / ours['load'][0]:.1f}× |
| build the lookup structure | (included above) | {cell(peer['load'])} | |
| load total | **{ours['load'][0]:.3f}** | {peer['read_split'][0] + peer['load'][0]:.3f} | {(peer['read_split'][0] + peer['load'][0]) / ours['load'][0]:.1f}× |
| 1M IPv4 lookups | {cell(ours['lookup'])} | {cell(peer['lookup'])} | **{peer['lookup'][0] / ours['lookup'][0]:.1f}×** |
| lookups/s | **{rate_ours:,.0f}** | {rate_peer:,.0f} | **{rate_ours / rate_peer:.1f}×** |

Whole process (`python bench/bench_prefixes.py --worker ours|pytricia`: imports, load, lookups; 3 runs after 1
warm-up; splinternet repeats load and lookup 3 times inside, pytricia does 1 lookup pass):

| tool | wall s median (min–max) | peak RSS MiB |
|---|---:|---:|
| splinternet | {proc['ours'].cell()} | {proc['ours'].peak_rss_mib:.0f} |
| pytricia | {proc['pytricia'].cell()} | {proc['pytricia'].peak_rss_mib:.0f} |

Targets: load under 1 s — **{'met' if ours['load'][0] < 1 else 'NOT met'}**; lookups at least 10× pytricia —
**{'met' if rate_ours / rate_peer >= 10 else 'NOT met'}** ({rate_ours / rate_peer:.1f}×).
"""
    update_section("prefixes", md)
    print(md)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", choices=["ours", "pytricia"])
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
    else:
        main()
