"""Blocking benchmark: register parse + attribution, a synthetic 1M-line register, LPM lookups vs pytricia.

Run: ``python bench/bench_blocking.py`` (writes the ``blocking`` section of docs/benchmarks.md).
Peers, same run, same files: a plain-Python pipeline (csv + ipaddress + pytricia) on the
2016 register, and pytricia lookups on the same pfx2as table and the same addresses.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import SHARED_DATA, machine_line, measure_command, update_section  # noqa: E402

REGISTER = SHARED_DATA / "samples/registry/rkn/dump-2016-06-13.csv"
PFX2AS = SHARED_DATA / "publicdata.caida.org/datasets/routing/routeviews-prefix2as/2024/04/routeviews-rv2-20240406.pfx2as.gz"
ASORG = SHARED_DATA / "publicdata.caida.org/datasets/as-organizations/20220401.as-org2info.txt.gz"
AWS = SHARED_DATA / "samples/cloud/aws-history"

PEER_SCRIPT = r'''
import csv, gzip, ipaddress, sys, collections, pytricia
tree = pytricia.PyTricia(32)
with gzip.open(sys.argv[2], "rt") as fh:
    for line in fh:
        p, n, o = line.split("\t")
        if ":" not in p:
            tree[p + "/" + n] = int(o.strip().split("_")[0].split(",")[0])
rows = csv.reader(open(sys.argv[1], encoding="cp1251").read().split("\n")[1:], delimiter=";")
blocked = set()
for row in rows:
    if len(row) == 6:
        for tok in row[0].split("|"):
            if tok.strip():
                a = ipaddress.ip_address(tok.strip())
                if a.version == 4:
                    blocked.add(a)
per_as = collections.Counter(tree.get(str(a)) for a in blocked)
print(len(blocked), per_as.most_common(1))
'''


def synthetic_register(path: Path, lines: int, seed: int = 7) -> dict[str, int]:
    """A zapret-info style register: single IPs and overlapping subnets, ~20 addresses per line."""
    rng = np.random.default_rng(seed)
    singles = rng.integers(0x01000000, 0xDF000000, size=lines, dtype=np.uint64)
    has_subnet = rng.random(lines) < 0.04  # one line in 25 also lists a subnet
    lengths = rng.choice([24, 23, 22], size=lines, p=[0.5, 0.3, 0.2])
    # subnets crowd into a few /12s so that many overlap each other
    bases = rng.choice(rng.integers(0x0B000000, 0xDF000000, size=64, dtype=np.uint64) & ~np.uint64(0xFFFFF),
                       size=lines)
    nets = (bases + (rng.integers(0, 1 << 20, size=lines, dtype=np.uint64))) & ~((np.uint64(1) << (32 - lengths).astype(
        np.uint64)) - np.uint64(1))
    authorities = ["суд", "Генпрокуратура", "ФНС", "Роскомнадзор"]
    listed = 0
    with path.open("wb") as fh:
        fh.write(b"Updated: 2020-02-16 11:05:00 +0000\n")
        chunk = []
        for i in range(lines):
            ips = str(ipaddress.IPv4Address(int(singles[i])))
            listed += 1
            if has_subnet[i]:
                ips += f" | {ipaddress.IPv4Address(int(nets[i]))}/{lengths[i]}"
                listed += 1 << (32 - int(lengths[i]))
            day = 1 + i % 28
            chunk.append(f"{ips};site{i}.example;http://site{i}.example/p;{authorities[i % 4]};"
                         f"{i % 5000}-{i % 97}/2019;2019-{1 + i % 12:02d}-{day:02d}\n")
            if len(chunk) == 50_000:
                fh.write("".join(chunk).encode("cp1251"))
                chunk.clear()
        fh.write("".join(chunk).encode("cp1251"))
    return {"lines": lines, "listed_addresses": listed}


def cpu_seconds(argv: list[str], env: dict[str, str] | None = None, runs: int = 3) -> float:
    """Median user+sys CPU seconds of a whole process (os.wait4): less sensitive to a busy machine."""
    out = []
    for _ in range(runs):
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, **(env or {})})
        _, _, usage = os.wait4(proc.pid, 0)
        out.append(usage.ru_utime + usage.ru_stime)
    return float(np.median(out))


def in_process_2016() -> dict[str, float]:
    from splinternet.analysis.blocking import analyze_blocking
    from splinternet.api.blocking import AttributionFiles, attribution_for
    from splinternet.sources.registry import load_register

    out: dict[str, list[float]] = {"parse": [], "load attribution data": [], "attribute + analyse": []}
    for _ in range(5):
        t0 = time.perf_counter()
        reg = load_register(REGISTER)
        t1 = time.perf_counter()
        att = attribution_for(reg.updated.date(), AttributionFiles(pfx2as=(PFX2AS,), asorg=ASORG, cloud=AWS, use_catalog=False))
        t2 = time.perf_counter()
        analyze_blocking(reg, att)
        t3 = time.perf_counter()
        out["parse"].append(t1 - t0)
        out["load attribution data"].append(t2 - t1)
        out["attribute + analyse"].append(t3 - t2)
    return {k: float(np.median(v)) for k, v in out.items()}


def lookup_rates(n: int = 1_000_000, passes: int = 3) -> dict[str, float]:
    import pytricia

    from splinternet.sources.pfx2as import load_pfx2as

    pfx = load_pfx2as(PFX2AS)
    rng = np.random.default_rng(1)
    addresses = rng.integers(0x01000000, 0xE0000000, size=n, dtype=np.uint64).astype(np.uint32)
    tree = pytricia.PyTricia(32)
    first = pfx.first_origin()
    v4 = np.flatnonzero(pfx.version == 4)
    texts = pfx.prefix_text(v4)
    for text, asn in zip(texts, first[v4].tolist(), strict=True):
        tree[text] = asn
    strings = [str(ipaddress.IPv4Address(int(a))) for a in addresses]
    table = pfx.table
    table.lookup_ipv4(addresses[:1000])  # compile outside the timing
    ours, theirs = [], []
    for _ in range(passes):
        t = time.perf_counter()
        rows = table.lookup_ipv4(addresses)
        asn_ours = np.where(rows >= 0, first[np.maximum(rows, 0)], 0)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        asn_peer = [tree.get(s, 0) for s in strings]
        theirs.append(time.perf_counter() - t)
    agree = int(np.sum(asn_ours == np.array(asn_peer, dtype=np.int64)))
    return {"n": n, "ours_per_s": n / float(np.median(ours)), "pytricia_per_s": n / float(np.median(theirs)),
            "agree": agree, "hits": int(np.sum(rows >= 0))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    env = {"SPLINTERNET_OFFLINE": "1"}
    cli = [sys.executable, "-m", "splinternet", "blocking"]
    full_args = ["--pfx2as", str(PFX2AS), "--asorg", str(ASORG), "--cloud", str(AWS), "--no-catalog", "--json"]
    ours_2016 = measure_command([*cli, str(REGISTER), *full_args], repeats=args.repeats, env=env,
                                stdout_to_devnull=True)
    ours_2016_pfx = measure_command([*cli, str(REGISTER), "--pfx2as", str(PFX2AS), "--no-catalog", "--json"],
                                    repeats=args.repeats, env=env, stdout_to_devnull=True)
    startup = measure_command([sys.executable, "-c", "import splinternet.cli.app"], repeats=args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "peer.py"
        script.write_text(PEER_SCRIPT)
        peer_2016 = measure_command([sys.executable, str(script), str(REGISTER), str(PFX2AS)], repeats=args.repeats)
        synth = Path(tmp) / "synthetic-dump.csv"
        made = synthetic_register(synth, args.lines)
        synth_run = measure_command([*cli, str(synth), "--pfx2as", str(PFX2AS), "--no-catalog", "--json"],
                                    repeats=args.repeats, env=env)
        synth_report = json.loads(synth_run.stdout)
        synth_cpu = cpu_seconds([*cli, str(synth), "--pfx2as", str(PFX2AS), "--no-catalog", "--json"], env)
        full_cpu = cpu_seconds([*cli, str(REGISTER), *full_args], env)
        synth_parse_only = measure_command([sys.executable, "-c", "import sys; from splinternet.sources.registry "
                                            "import load_register; load_register(sys.argv[1])", str(synth)],
                                           repeats=args.repeats)
        size_mb = synth.stat().st_size / 1e6
    stages = in_process_2016()
    rates = lookup_rates()
    ratio = rates["ours_per_s"] / rates["pytricia_per_s"]
    counts = synth_report["counts"]
    md = f"""## Blocking registers (`bench/bench_blocking.py`)

Machine: {machine_line()}. Whole-process figures: median of {args.repeats} runs after one warm-up
(min–max in brackets), peak RSS from `os.wait4`. Attribution data for every run: RouteViews pfx2as
2024-04-06 (998,042 prefixes), CAIDA as-org 2022-04-01, AWS history (version current at the date).

Load average during the run: {os.getloadavg()[0]:.1f} on 2 cores (other work was running): whole-process
times are inflated by it; in-process figures are less affected.

| what | ours | peer | peer time / our time |
|---|---|---|---|
| full 2016 register (30,664 lines) with pfx2as only: read + parse + attribute + every table + JSON, whole process (s) | {ours_2016_pfx.cell()} | {peer_2016.cell()} (csv + ipaddress + pytricia: AS counts only) | {peer_2016.median_s / ours_2016_pfx.median_s:.2f} |
| same, peak RSS (MiB) | {ours_2016_pfx.peak_rss_mib:.0f} | {peer_2016.peak_rss_mib:.0f} | |
| full 2016 register with pfx2as + as-org + AWS history, whole process (s) | {ours_2016.cell()} | | |
| same, CPU time user+sys (s) | {full_cpu:.3f} | | |
| same, peak RSS (MiB) | {ours_2016.peak_rss_mib:.0f} | | |
| of which: interpreter + `import splinternet.cli.app` (numpy, numba, typer, rich), whole process (s) | {startup.cell()} | | |
| 2016 register in-process: parse (s) | {stages['parse']:.3f} | | |
| 2016 register in-process: load attribution data (pfx2as + as-org + AWS) (s) | {stages['load attribution data']:.3f} | | |
| 2016 register in-process: attribute + analyse (every table) (s) | {stages['attribute + analyse']:.3f} | | |
| 2016 register in-process: parse + attribute + analyse, excluding loading the tables (s) | **{stages['parse'] + stages['attribute + analyse']:.3f}** | | |
| synthetic register: {made['lines']:,} lines, {size_mb:.0f} MB cp1251, {made['listed_addresses']:,} listed IPv4 addresses ({counts['blocked_ipv4']:,} after deduplicating overlaps, {counts['distinct_subnets']:,} subnets): parse + dedupe + attribute + JSON, whole process (s) | **{synth_run.cell()}** | | |
| same, CPU time user+sys (s) | **{synth_cpu:.3f}** | | |
| same, peak RSS (MiB) | {synth_run.peak_rss_mib:.0f} | | |
| synthetic register: parse only, whole process (s) | {synth_parse_only.cell()} | | |
| LPM attribution, {rates['n']:,} random IPv4 on the same pfx2as table (lookups/s, in-process) | **{rates['ours_per_s']:,.0f}** | {rates['pytricia_per_s']:,.0f} (pytricia 1.3, `tree.get(str)`) | **{ratio:.1f}x** |

Agreement: origin AS identical for {rates['agree']:,} / {rates['n']:,} addresses ({rates['hits']:,} covered).
The peer pipeline for the 2016 register reads the same file and pfx2as and counts blocked addresses
per origin AS with pytricia; ours also builds every other table (organizations, countries, AWS
groups, authorities, decisions, growth) and writes JSON.
"""
    update_section("blocking", md)
    print(md)


if __name__ == "__main__":
    os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(__file__).resolve().parents[1] / ".numba_cache"))
    main()
