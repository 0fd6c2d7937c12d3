"""pfx2as / IPASN loader on the real files: every entry kept, LPM identical to pytricia, bad input."""

from __future__ import annotations

import gzip
import ipaddress
import random
from pathlib import Path

import numpy as np
import pytest
import pytricia
from loader_damage import empty, truncated_gzip, with_garbage

from splinternet.errors import BadRecords, InputError
from splinternet.sources.pfx2as import AS_SET, MOAS, MOAS_AS_SET, SINGLE, load_pfx2as
from splinternet.tables.addresses import format_ipv4, format_ipv6

PFX2AS = "https://publicdata.caida.org/datasets/routing/routeviews-prefix2as/2024/04/routeviews-rv2-20240406.pfx2as.gz"
AS_REL = "https://publicdata.caida.org/datasets/as-relationships/serial-1/20220301.as-rel.txt.bz2"

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def pfx2as_path(shared_file) -> Path:
    return shared_file(PFX2AS)


@pytest.fixture(scope="module")
def pfx2as_lines(pfx2as_path: Path) -> list[list[str]]:
    """The file split by plain Python: the independent reference."""
    return [ln.split("\t") for ln in gzip.decompress(pfx2as_path.read_bytes()).decode().splitlines()]


@pytest.fixture(scope="module")
def table(pfx2as_path: Path):
    return load_pfx2as(pfx2as_path)


def test_every_entry_and_origin_is_kept(table, pfx2as_lines: list[list[str]]) -> None:
    assert len(table) == len(pfx2as_lines) == 998_042
    assert table.format == "caida" and table.bad_records == 0
    kinds = np.bincount(table.kind, minlength=4)
    # PEERS.md: 5,018 MOAS entries ('_') and 39 AS-set entries (','), some combine both
    assert kinds[MOAS] + kinds[MOAS_AS_SET] == sum("_" in f[2] for f in pfx2as_lines) == 5_018
    assert kinds[AS_SET] + kinds[MOAS_AS_SET] == sum("," in f[2] for f in pfx2as_lines) == 39
    assert kinds[SINGLE] == len(table) - 5_018 - 39 + kinds[MOAS_AS_SET]
    multi = [i for i, f in enumerate(pfx2as_lines) if "_" in f[2] or "," in f[2]]
    sample = multi + random.Random(1).sample(range(len(table)), 2000)
    assert [table.origin_text(i) for i in sample] == [pfx2as_lines[i][2] for i in sample]
    texts = table.prefix_text(np.array(sample))
    assert texts == [f"{pfx2as_lines[i][0]}/{pfx2as_lines[i][1]}" for i in sample]
    first = table.first_origin()
    assert [int(first[i]) for i in sample] == [int(pfx2as_lines[i][2].split("_")[0].split(",")[0]) for i in sample]


@pytest.mark.peer
def test_batch_lookup_identical_to_pytricia(table, pfx2as_lines: list[list[str]]) -> None:
    pt = pytricia.PyTricia(32)
    for i, (net, length, _) in enumerate(pfx2as_lines):
        pt[f"{net}/{length}"] = i
    rng = random.Random(7)
    queries = np.array([rng.getrandbits(32) for _ in range(100_000)], dtype=np.uint32)
    rows = table.lookup(queries)
    expected = [pt.get(a, -1) for a in format_ipv4(queries)]
    assert rows.tolist() == expected
    assert (rows >= 0).sum() > 60_000
    # the covering prefix text agrees with pytricia's own key
    some = queries[:2000]
    assert table.table.covering(some) == [pt.get_key(a) for a in format_ipv4(some)]


@pytest.mark.peer
def test_pyasn_format_files_ipv4_and_ipv6(shared_data_dir: Path) -> None:
    v4 = load_pfx2as(shared_data_dir / "samples/ipasn/ipasn_20140513.dat.gz")
    assert v4.format == "pyasn" and len(v4) == 512_621 and v4.bad_records == 0
    mixed = load_pfx2as(shared_data_dir / "samples/ipasn/ipasn6_20151101.dat.gz")
    assert (mixed.version == 4).sum() == 606_138 and (mixed.version == 6).sum() == 27_693
    six = np.flatnonzero(mixed.version == 6)
    pt = pytricia.PyTricia(128)
    for i, text in zip(six, mixed.prefix_text(six), strict=True):
        pt[text] = int(i)
    rng = random.Random(3)
    picks = rng.sample(list(six), 3000)
    # addresses inside real prefixes (and just past them) plus random ones
    q = [int(mixed.hi[i]) << 64 | int(mixed.lo[i]) | rng.getrandbits(20) for i in picks]
    q += [rng.getrandbits(128) for _ in range(1000)] + [(0x2001 << 112) | rng.getrandbits(100) for _ in range(2000)]
    hi = np.array([x >> 64 for x in q], np.uint64)
    lo = np.array([x & ((1 << 64) - 1) for x in q], np.uint64)
    rows = mixed.table.lookup((hi, lo))
    assert rows.tolist() == [pt.get(a, -1) for a in format_ipv6(hi, lo)]
    assert str(ipaddress.ip_address(format_ipv6(hi[:1], lo[:1])[0])) == format_ipv6(hi[:1], lo[:1])[0]


def test_a_cut_stream_is_refused_whatever_the_policy(pfx2as_path: Path, tmp_path: Path) -> None:
    """The real file cut at 3.3 MB: 76k records are gone but only 2 lines would look bad, so the cut
    itself must stop the load; allowing damaged input does not make an unknown loss countable."""
    cut = tmp_path / "cut.pfx2as.gz"
    cut.write_bytes(pfx2as_path.read_bytes()[:3_300_000])
    for bad in (BadRecords(), BadRecords(allow_damaged=True), BadRecords(strict=True)):
        with pytest.raises(InputError, match=r"cut.pfx2as.gz \(byte 3300000\): gzip stream ends before its "
                                             "end-of-stream marker: the file is truncated"):
            load_pfx2as(cut, bad)
        assert bad.count == 0 and bad.files == {}
    early = truncated_gzip(pfx2as_path, tmp_path / "early.pfx2as.gz", keep=0.3)  # most of it lost: the same error
    with pytest.raises(InputError, match="early.pfx2as.gz .*the file is truncated"):
        load_pfx2as(early)


def test_garbage_lines_are_skipped_and_counted(pfx2as_path: Path, tmp_path: Path) -> None:
    garbage = {5: b"1.2.3.0\t24\tAS13335", 100: b"<html>", 2000: b"10.0.0.0\t40\t1", 3000: b"10.0.0.1\t8\t5"}
    dirty = with_garbage(pfx2as_path, tmp_path / "dirty.gz", garbage, head=20_000)
    bad = BadRecords()
    loaded = load_pfx2as(dirty, bad)
    assert len(loaded) == 20_000 and bad.count == 4 and loaded.bad_records == 4
    assert [e.line for e in bad.examples] == [5, 100, 2000, 3000]
    assert "origin AS" in bad.examples[0].problem and "length" in bad.examples[2].problem
    assert "host bits" in bad.examples[3].problem
    with pytest.raises(InputError, match=r"dirty.gz:5: origin AS field"):
        load_pfx2as(dirty, BadRecords(strict=True))


def test_empty_and_other_kinds_of_file(shared_file, tmp_path: Path, shared_data_dir: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        load_pfx2as(empty(tmp_path / "empty.txt"))
    with pytest.raises(InputError, match="empty"):
        load_pfx2as(empty(tmp_path / "empty.gz", compress=True))
    with pytest.raises(InputError, match=r"as-rel.txt.bz2:\d+: not this kind of file"):
        load_pfx2as(shared_file(AS_REL))
    with pytest.raises(InputError, match="not this kind of file"):
        load_pfx2as(shared_data_dir / "samples/cloud/2022-03-15/aws-ip-ranges.json")
    with pytest.raises(InputError, match="file not found"):
        load_pfx2as(tmp_path / "missing.gz")
