"""Start-up as a user sees it: whole-process `splinternet --help` and `splinternet mrt dump FILE` vs `bgpdump -m`.

Every figure is a whole process (interpreter start, imports, kernel load, work, output
to /dev/null), pinned to one core, ours and bgpdump alternating run by run on the same file
(so a change in machine load hits both alike). `mrt dump` runs the MRT kernels compiled ahead
of time at install (setup.py; the script stops if they are not built from this checkout's
sources); the same command with that module hidden, so that it runs on numba's JIT with a warm
cache, is measured beside it to show what the ahead-of-time build saves. Floors are measured too, so the figures can be read against what no change to the
per-file work can remove: the bare interpreter, `import numpy, numba`, and `mrt dump` of a
20-record file (everything the command does before and after its per-byte work).

Run: python bench/bench_startup.py [--repeats 7]   (about a minute on a quiet machine)
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
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


# the CLI with the ahead-of-time kernels hidden: every kernel then runs on numba's JIT
_ON_THE_JIT = ("import runpy, sys; sys.modules['splinternet.sources.mrt._ahead'] = None; "
               "sys.argv = ['splinternet', *sys.argv[1:]]; runpy.run_module('splinternet', run_name='__main__')")


def _ours_jit(*args: str) -> list[str]:
    return [*one_core(), sys.executable, "-c", _ON_THE_JIT, *args]


def _check_ahead_of_time(env: dict[str, str]) -> None:
    probe = "from splinternet.sources.mrt.compiled import ahead_of_time; print(ahead_of_time() is not None)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**os.environ, **env}).stdout.strip()
    if out != "True":
        sys.exit("the ahead-of-time MRT kernels are not built from this checkout: pip install -e . first")


def _lines(argv: list[str], env: dict[str, str]) -> int:
    out = subprocess.run(argv, capture_output=True, check=True, env={**os.environ, **env}).stdout
    return out.count(b"\n")


def _alternating(argvs: list[list[str]], repeats: int, env: dict[str, str]) -> list[Measurement]:
    """Each command ``repeats`` times, taking turns (a b a b ...), after one untimed run of each."""
    for argv in argvs:
        measure_command(argv, repeats=1, warmup=0, env=env, stdout_to_devnull=True)
    runs: list[list[Measurement]] = [[] for _ in argvs]
    for _ in range(repeats):
        for k, argv in enumerate(argvs):
            runs[k].append(measure_command(argv, repeats=1, warmup=0, env=env, stdout_to_devnull=True))
    return [Measurement(statistics.median(r.median_s for r in rs), min(r.min_s for r in rs),
                        max(r.max_s for r in rs), max(r.peak_rss_mib for r in rs), b"",
                        tuple(c for r in rs for c in r.cpu_s)) for rs in runs]


def _first_records(path: Path, n: int, out: Path) -> Path:
    """The first ``n`` MRT records of a gzip file, as plain MRT: a file whose reading costs next to nothing."""
    data = gzip.decompress(path.read_bytes())
    pos = 0
    for _ in range(n):
        pos += 12 + struct.unpack(">I", data[pos + 8 : pos + 12])[0]
    out.write_bytes(data[:pos])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    if not shutil.which("bgpdump"):
        sys.exit("needs Debian bgpdump (apt-get install bgpdump)")
    # this checkout's code, whatever is installed; the numba cache where the tests keep theirs
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
           "NUMBA_CACHE_DIR": os.environ.get("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))}
    _check_ahead_of_time(env)
    load_before = os.getloadavg()[0]
    py = [*one_core(), sys.executable]
    floors = {
        "`python -c pass`": measure_command([*py, "-c", "pass"], repeats=args.repeats, env=env),
        "`python -c 'import numpy, numba'`": measure_command([*py, "-c", "import numpy, numba"], repeats=args.repeats,
                                                           env=env),
    }
    with tempfile.TemporaryDirectory() as tmp:
        tiny = _first_records(SHARED_DATA / FILES[0][1], 20, Path(tmp) / "first20.mrt")
        fast, jit = _alternating([_ours("mrt", "dump", str(tiny)), _ours_jit("mrt", "dump", str(tiny))], args.repeats,
                                 env)
        floors["`splinternet mrt dump` of a 20-record file"] = fast
        floors["the same on the JIT"] = jit
    help_m = measure_command(_ours("--help"), repeats=args.repeats, env=env, stdout_to_devnull=True)
    rows = []
    for label, rel, target in FILES:
        path = str(SHARED_DATA / rel)
        n_ours = _lines(_ours("mrt", "dump", path), env)  # also warms the page cache
        n_jit = _lines(_ours_jit("mrt", "dump", path), env)  # and the numba cache
        n_theirs = _lines(["bgpdump", "-m", path], env)
        assert n_ours == n_jit == n_theirs, (path, n_ours, n_jit, n_theirs)
        ours, jit, theirs = _alternating([_ours("mrt", "dump", path), _ours_jit("mrt", "dump", path),
                                          [*one_core(), "bgpdump", "-m", path]], args.repeats, env)
        rows.append((label, n_ours, ours, jit, theirs, target))
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
        f"of the run; {core}; {_scipy_line()}. Each command: {repeats} timed runs after 1 warm-up, median "
        "(min–max) wall seconds, median CPU seconds (user + system); ours and bgpdump take turns run by run. "
        "Peak RSS from `os.wait4`. Ours is `python -m splinternet ...` on this checkout, running the MRT kernels "
        "compiled ahead of time at install (setup.py, numba.pycc: no numba at run time); *on the JIT* is the same "
        "command with that module hidden (numba's JIT, warm cache), timed in the same turns. Output goes to "
        "/dev/null, and all print the same number of lines (asserted).",
        "",
        "| command | lines | ours s | ours CPU s | ours peak RSS MiB | on the JIT s | bgpdump -m s | bgpdump CPU s "
        "| ours / bgpdump | on the JIT / bgpdump | target | |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| `splinternet --help` | | {help_m.cell()} | {help_m.cpu_median_s:.3f} | {help_m.peak_rss_mib:.0f} | | | | | | "
        f"≤ {HELP_TARGET_S:.1f} s | {_met(help_m.median_s <= HELP_TARGET_S)} |",
    ]
    for label, n, ours, jit, theirs, target in rows:
        ratio = ours.median_s / theirs.median_s
        goal = f"≤ {target:.1f}×" if target > 1 else "< 1× (faster)"
        ok = ratio <= target if target > 1 else ratio < 1
        out.append(f"| `mrt dump`: {label} | {n:,} | {ours.cell()} | {ours.cpu_median_s:.3f} | "
                   f"{ours.peak_rss_mib:.0f} | {jit.cell()} | {theirs.cell()} | {theirs.cpu_median_s:.3f} | "
                   f"{ratio:.2f}× | {jit.median_s / theirs.median_s:.2f}× | {goal} | {_met(ok)} |")
    out += ["", "Floors:", "", "| command | s | CPU s |", "|---|---:|---:|"]
    out += [f"| {name} | {m.cell()} | {m.cpu_median_s:.3f} |" for name, m in floors.items()]
    return "\n".join(out)


def _scipy_line() -> str:
    if importlib.util.find_spec("scipy") is None:
        return "scipy not installed"
    return "scipy installed (on the JIT, numba imports `scipy.linalg` at its first kernel load, about 0.1 s)"


if __name__ == "__main__":
    main()
