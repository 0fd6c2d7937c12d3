"""The numba MRT kernels against the slow pure-Python reference reader (tests/mrt/reference.py)."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from splinternet.sources.mrt.layout import PATH_ABSENT, SEG_START, ElementKind
from splinternet.sources.mrt.reader import parse_mrt_bytes
from splinternet.sources.mrt.table import ATTR_ATOMIC_AGGREGATE, RouteTable

from . import reference
from .builder import mrt_stream

KIND = {ElementKind.ANNOUNCE: "A", ElementKind.WITHDRAW: "W", ElementKind.RIB: "B", ElementKind.STATE: "STATE"}


def _path(t: RouteTable, row: int):
    a = t.attrs
    if a.path_status[row] == PATH_ABSENT:
        return None
    asns = a.path_asns[a.path_offsets[row] : a.path_offsets[row + 1]].tolist()
    segs = a.path_segments[a.path_offsets[row] : a.path_offsets[row + 1]].tolist()
    out: list[tuple[int, list[int]]] = []
    for asn, seg in zip(asns, segs, strict=True):
        if seg & SEG_START:
            out.append((seg & 0x7F, []))
        out[-1][1].append(asn)
    return tuple((s, tuple(v)) for s, v in out)


def table_tuples(t: RouteTable) -> list[tuple]:
    a = t.attrs
    cols = [c.tolist() for c in (t.kind, t.timestamp, t.microsecond, t.peer_afi, t.peer_hi, t.peer_lo, t.peer_asn,
                                 t.old_state, t.new_state, t.attr, t.afi, t.safi, t.prefix_hi, t.prefix_lo,
                                 t.prefix_len, t.path_id, t.next_hop_afi, t.next_hop_hi, t.next_hop_lo, t.from_mp)]
    atomic = a.has(ATTR_ATOMIC_AGGREGATE)
    keys: dict[int, tuple] = {}
    out = []
    for (kind, ts, us, pafi, phi, plo, pasn, old, new, row, afi, safi, xhi, xlo, xlen, pid, nafi, nhi, nlo,
         mp) in zip(*cols, strict=True):
        head = (ts, us, pafi, (phi << 64) | plo, pasn)
        if kind == ElementKind.STATE:
            out.append(("STATE", *head, old, new))
            continue
        key: tuple = ()
        if row >= 0:
            key = keys.get(row)
            if key is None:
                c0, c1 = a.community_offsets[row], a.community_offsets[row + 1]
                l0, l1 = a.large_community_offsets[row], a.large_community_offsets[row + 1]
                key = (int(a.origin[row]), _path(t, row), tuple(a.communities[c0:c1].tolist()),
                       tuple(a.large_communities[l0:l1].tolist()), int(a.med[row]), int(a.local_pref[row]),
                       int(a.next_hop[row]), (int(a.aggregator_asn[row]), int(a.aggregator_addr[row])),
                       bool(atomic[row]), int(a.otc[row]))
                keys[row] = key
        out.append((KIND[kind], *head, afi, safi, (xhi << 64) | xlo, xlen, pid, nafi, (nhi << 64) | nlo, mp, key))
    return out


def kernel(data: bytes) -> tuple[list[tuple], int]:
    table, cnt, _ = parse_mrt_bytes(np.frombuffer(data, np.uint8))
    return table_tuples(table), int(cnt[6])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mrt_stream())
def test_kernel_equals_reference_on_generated_records(data: bytes) -> None:
    ours, errors = kernel(data)
    assert errors == 0
    assert ours == reference.elements(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mrt_stream(), st.data())
def test_kernel_survives_corruption_and_keeps_records_before_it(data: bytes, extra) -> None:
    """Any byte flipped or the stream cut: no crash, and every element before the damaged record is kept."""
    if not data:
        return
    pos = extra.draw(st.integers(0, len(data) - 1))
    mutation = extra.draw(st.sampled_from(["flip", "cut"]))
    damaged = data[:pos] if mutation == "cut" else data[:pos] + bytes([data[pos] ^ extra.draw(
        st.integers(1, 255))]) + data[pos + 1 :]
    table, cnt, _ = parse_mrt_bytes(np.frombuffer(damaged, np.uint8))
    clean, _, _ = parse_mrt_bytes(np.frombuffer(data, np.uint8))
    # records that end before the damage parse the same
    starts = np.unique(clean.record_offset)
    safe = clean.take(np.flatnonzero(clean.record_offset < (starts[starts <= pos].max() if (starts <= pos).any()
                                                           else 0)))
    got = table.take(np.flatnonzero(table.record_offset < (starts[starts <= pos].max() if (starts <= pos).any()
                                                          else 0)))
    assert table_tuples(got) == table_tuples(safe)


@pytest.mark.data
@pytest.mark.parametrize("url", [
    "https://data.ris.ripe.net/rrc06/2015.04/updates.20150401.0000.gz",
    "https://data.ris.ripe.net/rrc15/2010.02/updates.20100227.1600.gz",
])
def test_kernel_equals_reference_on_real_updates(url, shared_file) -> None:
    data = gzip.decompress(shared_file(url).read_bytes())
    ours, errors = kernel(data)
    assert errors == 0
    assert ours == reference.elements(data)


@pytest.mark.data
def test_kernel_equals_reference_on_real_rib(shared_data_dir) -> None:
    import bz2

    raw = (shared_data_dir / "samples/mrt/truncated/rib6.20151101.0600_firstMB.bz2").read_bytes()
    data = bz2.BZ2Decompressor().decompress(raw)[:3_000_000]
    ours, _ = kernel(data)
    theirs = reference.elements(data)
    assert len(ours) > 10_000
    assert ours == theirs


@pytest.mark.data
def test_capacity_guess_too_small_gives_the_same_table(shared_file, monkeypatch) -> None:
    """The exact second pass (taken when the guessed capacities overflow) yields the same table."""
    from splinternet.sources.mrt import reader

    data = gzip.decompress(shared_file("https://data.ris.ripe.net/rrc06/2015.04/updates.20150401.0000.gz")
                           .read_bytes())
    normal, _ = kernel(data)
    for guess in ([1, 1, 1, 1, 1], [10_000, 3, 10_000, 10_000, 10_000], [10_000, 10_000, 5, 2, 0]):
        monkeypatch.setattr(reader, "_guess", lambda n, g=guess: list(g))
        assert kernel(data)[0] == normal
