"""Start-up as a user sees it: whole-process `splinternet --help` and `splinternet mrt dump FILE` vs `bgpdump -m`.

Every figure is a whole process (interpreter start, imports, numba cache load, work, output
to /dev/null), pinned to one core, ours and bgpdump one after the other on the same file in
the same run. The numba cache is warmed by one untimed run first. Two floors are measured
too, so the figures can be read against what no change to this code can remove: the bare
interpreter and `import numpy, numba`.

Run: python bench/bench_startup.py [--repeats 7]   (about a minute on a quiet machine)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import ROOT, SHARED_DATA, Measurement, machine_line, measure_command, update_section  # noqa: E402
from bench_mrt import one_core  # noqa: E402

FILES = [
    ("RIS rrc23 updates 2022-04-21 02:00, 5 minutes (.gz)", "data.ris.ripe.net/rrc23/2022.04/updates.20220421.0200.gz",
     1.5),
    ("RouteViews sydney updates 2022-06-01 04:15, 15 minutes (.bz2)",
     "archive.routeviews.org/route-views.sydney/bgpdata/2022.06/UPDATES/updates.20220601.0415.bz2", 1.0),
]
HELP_TARGET_S = 0.2


def _ours(*args: str) -> list[str]:
    return [*one_core(), sys.executable, "-m", "splinternet", *args]


def _lines(argv: list[str], env: dict[str, str]) -> int:
    out = subprocess.run(argv, capture_output=True, check=True, env={**os.environ, **env}).stdout
    return out.count(b"\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    if not shutil.which("bgpdump"):
        sys.exit("needs Debian bgpdump (apt-get install bgpdump)")
    # this checkout's code, whatever is installed; the numba cache where the tests keep theirs
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
           "NUMBA_CACHE_DIR": os.environ.get("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))}
    load_before = os.getloadavg()[0]
    py = [*one_core(), sys.executable]
    floors = {
        "python -c pass": measure_command([*py, "-c", "pass"], repeats=args.repeats, env=env),
        "python -c 'import numpy, numba'": measure_command([*py, "-c", "import numpy, numba"], repeats=args.repeats,
                                                           env=env),
    }
    help_m = measure_command(_ours("--help"), repeats=args.repeats, env=env, stdout_to_devnull=True)
    rows = []
    for label, rel, target in FILES:
        path = str(SHARED_DATA / rel)
        n_ours = _lines(_ours("mrt", "dump", path), env)  # also warms the numba cache and the page cache
        n_theirs = _lines(["bgpdump", "-m", path], env)
        assert n_ours == n_theirs, (path, n_ours, n_theirs)
        ours = measure_command(_ours("mrt", "dump", path), repeats=args.repeats, env=env, stdout_to_devnull=True)
        theirs = measure_command(["bgpdump", "-m", path], repeats=args.repeats, stdout_to_devnull=True)
        rows.append((label, n_ours, ours, theirs, target))
        print(label, "done", file=sys.stderr)
    update_section("startup", render(floors, help_m, rows, args.repeats, (load_before, os.getloadavg()[0]),
                                     bool(one_core())))


def _met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def render(floors: dict[str, Measurement], help_m: Measurement, rows: list, repeats: int,
           load: tuple[float, float], pinned: bool) -> str:
    core = "each command pinned to one core with `taskset`" if pinned else "taskset missing: commands not pinned"
    out = [
        "## Start-up: whole-process `--help` and `mrt dump` (`bench/bench_startup.py`)",
        "",
        f"Machine: {machine_line()}; 1-minute load average {load[0]:.1f} at the start and {load[1]:.1f} at the end "
        f"of the run; {core}. Each command: {repeats} timed runs after 1 warm-up, median (min–max) wall seconds; "
        "peak RSS from `os.wait4`. Ours is `python -m splinternet ...` on this checkout with a warm numba cache; "
        "output goes to /dev/null for both tools, and both print the same number of lines (asserted).",
        "",
        "| command | lines | ours s | ours peak RSS MiB | bgpdump -m s | ours / bgpdump | target | |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
        f"| `splinternet --help` | | {help_m.cell()} | {help_m.peak_rss_mib:.0f} | | | ≤ {HELP_TARGET_S:.1f} s | "
        f"{_met(help_m.median_s <= HELP_TARGET_S)} |",
    ]
    for label, n, ours, theirs, target in rows:
        ratio = ours.median_s / theirs.median_s
        goal = f"≤ {target:.1f}×" if target > 1 else "< 1× (faster)"
        ok = ratio <= target if target > 1 else ratio < 1
        out.append(f"| `mrt dump`: {label} | {n:,} | {ours.cell()} | {ours.peak_rss_mib:.0f} | {theirs.cell()} | "
                   f"{ratio:.2f}× | {goal} | {_met(ok)} |")
    out += ["", "Floors (nothing in splinternet runs):", "", "| command | s |", "|---|---:|"]
    out += [f"| `{name}` | {m.cell()} |" for name, m in floors.items()]
    return "\n".join(out)


if __name__ == "__main__":
    main()
