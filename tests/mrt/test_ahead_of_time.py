"""The MRT kernels compiled ahead of time (setup.py, numba.pycc) against the same kernels on numba's JIT.

One-off reads (``mrt dump``, ``mrt stats``) run the ahead-of-time build to skip numba's
start-up; they must give the very same tables, counters, bad records and bgpdump text.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from splinternet.sources.mrt import compiled
from splinternet.sources.mrt.bgpdump_format import bgpdump_chunks
from splinternet.sources.mrt.reader import parse_mrt_bytes, read_mrt
from splinternet.sources.mrt.table import RouteTable

from .builder import mrt_stream
from .files import ALL, resolve


@pytest.fixture(scope="module")
def ahead():
    module = compiled.ahead_of_time()
    if module is None:
        if shutil.which("cc") is None and shutil.which("gcc") is None:
            pytest.skip("no C compiler here: the package installs without the ahead-of-time MRT kernels")
        pytest.fail("the ahead-of-time MRT kernels are not built from these sources: "
                    "reinstall the package (pip install -e .), which compiles them")
    return module


def _columns(table: RouteTable) -> dict[str, np.ndarray]:
    out = {f.name: getattr(table, f.name) for f in dataclasses.fields(table) if f.name != "attrs"}
    out.update({f"attrs.{f.name}": getattr(table.attrs, f.name) for f in dataclasses.fields(table.attrs)})
    return out


def assert_same_tables(a: RouteTable, b: RouteTable) -> None:
    ca, cb = _columns(a), _columns(b)
    assert ca.keys() == cb.keys()
    for name in ca:
        assert ca[name].dtype == cb[name].dtype, name
        np.testing.assert_array_equal(ca[name], cb[name], err_msg=name)


def test_one_off_reads_pick_the_ahead_of_time_kernels(ahead) -> None:
    assert compiled.parse_kernel(True, 1000) is ahead.parse_mrt
    assert compiled.bgpdump_kernel(True, 1000) is ahead.bgpdump_chunk
    jit = compiled.parse_kernel(False, 1000)
    assert jit is not ahead.parse_mrt and hasattr(jit, "py_func")  # a numba dispatcher
    # big inputs run on the JIT, which targets this CPU
    assert hasattr(compiled.parse_kernel(True, compiled.START_FAST_MAX_BYTES + 1), "py_func")
    assert hasattr(compiled.bgpdump_kernel(True, compiled.START_FAST_MAX_ELEMENTS + 1), "py_func")


def test_a_module_built_from_other_sources_is_not_used(ahead, monkeypatch) -> None:
    monkeypatch.setattr(compiled, "source_digest", lambda: int(ahead.source_digest()) ^ 1)
    compiled.ahead_of_time.cache_clear()
    try:
        assert compiled.ahead_of_time() is None
        assert hasattr(compiled.parse_kernel(True, 1000), "py_func")
    finally:
        monkeypatch.undo()
        compiled.ahead_of_time.cache_clear()


@pytest.mark.data
@pytest.mark.parametrize("name", ALL, ids=lambda n: n.rsplit("/", 1)[-1])
def test_every_mirror_file_reads_and_prints_the_same(ahead, name, shared_file, shared_data_dir) -> None:
    path = resolve(name, shared_file, shared_data_dir)
    fast, jit = read_mrt(path, start_fast=True), read_mrt(path)
    assert_same_tables(fast.table, jit.table)
    assert dataclasses.replace(fast.stats, decompress_seconds=0, parse_seconds=0) == dataclasses.replace(
        jit.stats, decompress_seconds=0, parse_seconds=0)
    assert (fast.bad.count, [str(e) for e in fast.bad.examples]) == (jit.bad.count, [str(e) for e in jit.bad.examples])
    assert b"".join(bgpdump_chunks(fast.table, start_fast=True)) == b"".join(bgpdump_chunks(jit.table))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=mrt_stream(), cut=st.integers(0, 40), flip=st.none() | st.integers(0, 1 << 20))
def test_generated_streams_parse_the_same(ahead, data: bytes, cut: int, flip: int | None) -> None:
    raw = bytearray(data[: max(len(data) - cut, 0)])  # cut tails and flipped bytes: damage too
    if flip is not None and raw:
        raw[flip % len(raw)] ^= 0xFF
    buf = np.frombuffer(bytes(raw), np.uint8)
    (fast, fast_counts, fast_errors), (jit, jit_counts, jit_errors) = (
        parse_mrt_bytes(buf, start_fast=True), parse_mrt_bytes(buf))
    assert_same_tables(fast, jit)
    np.testing.assert_array_equal(fast_counts, jit_counts)
    for a, b in zip(fast_errors, jit_errors, strict=True):
        np.testing.assert_array_equal(a, b)
    assert b"".join(bgpdump_chunks(fast, start_fast=True)) == b"".join(bgpdump_chunks(jit))


# runs the CLI in a fresh interpreter and lists, at exit, the modules it loaded
_LOADED_AT_EXIT = """
import atexit, os, runpy, sys
atexit.register(lambda: os.write(2, ("LOADED " + " ".join(sorted(sys.modules)) + "\\n").encode()))
sys.argv = ["splinternet", "mrt", "dump", sys.argv[1]]
runpy.run_module("splinternet", run_name="__main__")
"""


@pytest.mark.data
def test_mrt_dump_starts_without_numba(ahead, shared_file) -> None:
    path = shared_file("https://data.ris.ripe.net/rrc06/2015.04/updates.20150401.0000.gz")
    run = subprocess.run([sys.executable, "-c", _LOADED_AT_EXIT, str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    loaded = set(run.stderr.rsplit("LOADED ", 1)[1].split())
    assert "splinternet.sources.mrt._ahead" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("numba", "llvmlite")}
    assert run.stdout.count("\n") == len(read_mrt(path).table)  # every element printed
