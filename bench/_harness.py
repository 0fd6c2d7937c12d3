"""Shared benchmark plumbing: timing whole commands with peak RSS, and writing docs/benchmarks.md.

Each benchmark owns one section of docs/benchmarks.md, delimited by HTML comments, and
rewrites only that section, so benchmarks can be re-run one at a time.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = ROOT / "docs" / "benchmarks.md"
SHARED_DATA = (ROOT / ".." / "shared" / "data").resolve()


@dataclass(frozen=True)
class Measurement:
    median_s: float
    min_s: float
    max_s: float
    peak_rss_mib: float
    stdout: bytes
    cpu_s: tuple[float, ...] = ()  # user + system CPU seconds of each timed run (os.wait4)

    @property
    def cpu_median_s(self) -> float:
        return statistics.median(self.cpu_s)

    def cell(self) -> str:
        return f"{self.median_s:.3f} ({self.min_s:.3f}–{self.max_s:.3f})"


def measure_command(argv: list[str], *, repeats: int = 5, warmup: int = 1, env: dict[str, str] | None = None,
                    stdout_to_devnull: bool = False) -> Measurement:
    """Median wall time of a whole process over ``repeats`` runs, its CPU time and peak RSS (os.wait4)."""
    times: list[float] = []
    cpu: list[float] = []
    peak = 0
    out = b""
    full_env = {**os.environ, **(env or {})}
    for i in range(warmup + repeats):
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            stdout=subprocess.DEVNULL if stdout_to_devnull else subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
        )
        captured = b""
        if not stdout_to_devnull:
            assert proc.stdout is not None
            captured = proc.stdout.read()
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"{argv} exited {proc.returncode}: {err.decode(errors='replace')[-2000:]}")
        if i >= warmup:
            times.append(elapsed)
            cpu.append(usage.ru_utime + usage.ru_stime)
            peak = max(peak, usage.ru_maxrss)
            out = captured
    return Measurement(statistics.median(times), min(times), max(times), peak / 1024, out, tuple(cpu))


def fresh_numba_cache() -> dict[str, str]:
    """Environment for a numba cache of this run only, filled by the untimed warm-up.

    numba keys a cached function by its own source file, so a kernel that compiles in code
    from another module keeps the old code after that module alone is edited; a run timed
    on such a cache measures code that is no longer in the tree (docs/world.md).
    """
    return {"NUMBA_CACHE_DIR": tempfile.mkdtemp(prefix="bench-numba-")}


def machine_line() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"


def update_section(name: str, markdown: str) -> None:
    """Replace (or append) the section ``name`` of docs/benchmarks.md, atomically."""
    BENCHMARKS_MD.parent.mkdir(parents=True, exist_ok=True)
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else (
        "# Benchmarks\n\nEvery figure below was measured on the project's machine by the script named in "
        "its section; peers run in the same script, on the same files, one after the other. "
        "Re-run a section with `python bench/<script>.py`.\n"
    )
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{begin}\n{markdown.rstrip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    tmp = BENCHMARKS_MD.with_suffix(".md.tmp")
    tmp.write_text(text)
    os.replace(tmp, BENCHMARKS_MD)
