"""A step whose numba kernel this process has not called yet says that it may be compiling (the first
run on a machine sits for up to a minute), and says nothing once the kernel is loaded."""

from __future__ import annotations

import numpy as np
from numba import njit

from splinternet.analysis import flow_measures as fm
from splinternet.analysis.country import CountryOrigins, MembershipView, Weighting
from splinternet.progress import COMPILE_NOTE, compile_note
from splinternet.sources.mrt import reader
from splinternet.tables.topology import ASGraph

from .builder import as_path, attr, bgp4mp, update


class Recording:
    def __init__(self) -> None:
        self.labels: list[str] = []

    def start(self, description: str, total: int | None) -> None:
        self.labels.append(description)

    def advance(self, amount: int) -> None:
        pass

    def finish(self) -> None:
        pass


class NotYetCalled:
    """A numba kernel as a fresh process sees it: no signature compiled or loaded yet."""

    signatures: list[object] = []

    def __init__(self, kernel) -> None:
        self.kernel = kernel

    def __call__(self, *args):
        return self.kernel(*args)


def test_the_note_follows_the_dispatcher() -> None:
    @njit
    def twice(x):
        return 2 * x

    assert compile_note(twice) == COMPILE_NOTE
    assert twice(3) == 6
    assert compile_note(twice) == ""
    assert compile_note(len) == ""  # not numba's (e.g. compiled ahead of time): nothing to say


def _stream() -> bytes:
    attrs = attr(1, b"\x00") + attr(2, as_path([(2, [65001, 3356])], 4)) + attr(3, bytes([10, 0, 0, 1]))
    return bgp4mp(1_600_000_000, 4, update(attrs=attrs, nlri=bytes([8, 10])))


def test_mrt_parsing_says_so_before_its_first_call(monkeypatch) -> None:
    data = np.frombuffer(_stream(), np.uint8)
    reader.parse_mrt_bytes(data)  # compiled or loaded by now, in this process
    seen = Recording()
    reader.parse_mrt_bytes(data, seen)  # so: a plain label
    real = reader.parse_kernel
    monkeypatch.setattr(reader, "parse_kernel", lambda fast, n: NotYetCalled(real(fast, n)))
    table, _, _ = reader.parse_mrt_bytes(data, seen)
    assert seen.labels == ["parsing MRT", COMPILE_NOTE + "parsing MRT"]
    assert len(table) == 1


def test_flows_say_so_before_their_first_call(monkeypatch) -> None:
    graph = ASGraph.from_links(np.array([1, 1], np.uint32), np.array([2, 3], np.uint32), np.zeros(0, np.uint32),
                               np.zeros(0, np.uint32))
    origins = CountryOrigins(
        cc="XX", view=MembershipView.ADDRESS, weighting=Weighting.IPV4, asns=np.array([2], np.uint32),
        v4_addresses=np.array([256.0]), v6_slash64=np.zeros(1), kmi_v4=np.ones(1), kmi_v6=np.zeros(1),
        weight=np.ones(1), domestic=np.array([2], np.uint32), country_v4=256, country_v6_slash64=0.0,
        routed_v4=256.0, routed_v6_slash64=0.0)
    weights = np.ones((len(graph), 1))

    def labels() -> list[str]:
        seen = Recording()
        fm.flow_measures(graph, origins, weights, schemes=("all",), progress=seen)
        return [label for label in seen.labels if label.endswith("networks")]

    labels()  # compiled or loaded by now, in this process
    assert labels() == ["simulating routes to the country's networks"]
    monkeypatch.setattr(fm, "run_flow_origins", NotYetCalled(fm.run_flow_origins))
    assert labels() == [COMPILE_NOTE + "simulating routes to the country's networks"]


def _fresh_module(path, name: str):
    """The module at ``path`` imported anew: its kernel as a new process sees it (nothing called yet)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_note_when_the_disk_cache_holds_the_kernel(tmp_path) -> None:
    """Loading from numba's disk cache takes a fraction of a second: "first use: up to a minute" on every
    run would be false. Only a kernel with no fresh cache entry gets the note."""
    source = tmp_path / "cached_kernel.py"
    source.write_text("from numba import njit\n\n\n@njit(cache=True)\ndef thrice(x):\n    return 3 * x\n")
    first = _fresh_module(source, "cached_kernel_a").thrice
    assert compile_note(first) == COMPILE_NOTE  # never compiled: the note
    assert first(2) == 6  # compiled, and written to the disk cache beside the source
    again = _fresh_module(source, "cached_kernel_b").thrice
    assert again.signatures == [] and compile_note(again) == ""  # not called yet, but cached
    source.write_text(source.read_text() + "\n# edited: the cache entry is stale\n")
    edited = _fresh_module(source, "cached_kernel_c").thrice
    assert compile_note(edited) == COMPILE_NOTE
