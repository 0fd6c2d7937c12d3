"""Damaged and empty compressed MRT: seeded bit flips and cuts in copies of real archives, empty files.

A flipped bit must cost only what follows it: every record that decompressed before the
flipped byte is kept unchanged, the stream damage is reported at the compressed byte where
the decoder found it (never byte 0 of a one-member file), and strict mode stops.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import random
import zlib
from pathlib import Path

import numpy as np
import pytest

from splinternet.errors import InputError
from splinternet.sources.mrt import read_mrt

pytestmark = pytest.mark.data
RIS = "https://data.ris.ripe.net/rrc23/2022.05/updates.20220501.2305.gz"
SYDNEY = "https://archive.routeviews.org/route-views.sydney/bgpdata/2022.06/UPDATES/updates.20220601.0230.bz2"
FLIPS = 10


def _clean_prefix_length(raw: bytes, upto: int, kind: str) -> int:
    """How many decompressed bytes come out of ``raw[:upto]`` (all of them exact: nothing damaged is fed)."""
    dec = zlib.decompressobj(31) if kind == "gz" else bz2.BZ2Decompressor()
    return len(dec.decompress(raw[:upto]))


def _record_ends(offsets: np.ndarray) -> np.ndarray:
    """An upper bound of where each element's record ends: the start of the next record holding elements."""
    starts = np.unique(offsets)
    following = np.searchsorted(starts, offsets, side="right")
    return np.where(following < len(starts), starts[np.minimum(following, len(starts) - 1)], np.iinfo(np.int64).max)


def _same_elements(a, b) -> bool:
    """Element columns and each element's AS path are equal (a fast stand-in for table_tuples)."""
    cols = ("kind", "timestamp", "microsecond", "peer_hi", "peer_lo", "peer_asn", "afi", "prefix_hi", "prefix_lo",
            "prefix_len", "next_hop_lo", "record_offset")
    if not all(np.array_equal(getattr(a, c), getattr(b, c)) for c in cols):
        return False
    for t in (a, b):
        assert t.attrs.path_offsets.shape[0] == len(t.attrs.origin_asn) + 1
    rows_a, rows_b = a.attr[a.attr >= 0], b.attr[b.attr >= 0]
    return (np.array_equal(a.attrs.origin_asn[rows_a], b.attrs.origin_asn[rows_b])
            and np.array_equal(np.diff(a.attrs.path_offsets)[rows_a], np.diff(b.attrs.path_offsets)[rows_b]))


@pytest.fixture(scope="module", params=[RIS, SYDNEY], ids=["ris-gzip", "routeviews-bzip2"])
def archive(request, shared_file):
    path = shared_file(request.param)
    return path, read_mrt(path)


def test_seeded_bit_flips_keep_everything_before_the_damage(archive, tmp_path: Path) -> None:
    path, ref = archive
    raw = path.read_bytes()
    kind = "gz" if path.suffix == ".gz" else "bz2"
    rng = random.Random(13)
    kept = []
    for i in range(FLIPS):
        bit = rng.randrange(80, len(raw) * 8)  # past the stream header
        damaged = bytearray(raw)
        damaged[bit // 8] ^= 1 << (bit % 8)
        copy = tmp_path / f"flip{i}.{kind}"
        copy.write_bytes(bytes(damaged))
        intact = _clean_prefix_length(raw, bit // 8, kind)
        sure = np.flatnonzero(_record_ends(ref.table.record_offset) <= intact)  # records wholly before the flip
        try:
            res = read_mrt(copy)
        except InputError as exc:  # nothing decoded before the damage, or nothing that parses: never an empty table
            assert len(sure) == 0 and ("no data decompressed before the stream damage" in str(exc)
                                       or "no MRT record in the file parses" in str(exc))
            kept.append(0)
            continue
        stream = [e for e in res.bad.examples if e.problem.startswith(f"corrupt {'gzip' if kind == 'gz' else 'bzip2'}")]
        assert len(stream) == 1, [str(e) for e in res.bad.examples]
        assert bit // 8 <= stream[0].offset <= len(raw)  # where the decoder found it, never before the flip
        assert len(res.table) >= len(sure)
        assert _same_elements(res.table.take(np.arange(len(sure))), ref.table.take(sure))
        assert res.stats.bad_records >= 1
        kept.append(len(res.table))
        if i == 0:
            with pytest.raises(InputError):
                read_mrt(copy, strict=True)
    assert sum(k > 0 for k in kept) >= FLIPS - 1


@pytest.mark.parametrize("kind", ["gz", "bz2"])
def test_stream_without_its_end_keeps_records_and_says_so(kind: str, shared_file, tmp_path: Path) -> None:
    path = shared_file(RIS if kind == "gz" else SYDNEY)
    raw = path.read_bytes()
    ref = read_mrt(path)
    cut = tmp_path / f"cut.{kind}"
    cut.write_bytes(raw[: len(raw) * 2 // 3])
    res = read_mrt(cut)
    first = res.bad.examples[0]
    assert "stream ends before its end-of-stream marker" in first.problem and first.offset == len(raw) * 2 // 3
    assert 0 < len(res.table) < len(ref.table)
    assert _same_elements(res.table, ref.table.take(np.arange(len(res.table))))
    end_only = tmp_path / f"no-trailer.{kind}"  # every record there, only the stream's end missing
    end_only.write_bytes(raw[:-4])
    assert read_mrt(end_only).bad.count >= 1
    with pytest.raises(InputError, match="end-of-stream"):
        read_mrt(end_only, strict=True)


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("empty.gz", b"", "file is empty"),
    ("empty.mrt", b"", "file is empty"),
    ("empty.bz2", bz2.compress(b""), "the bzip2 stream holds no data"),
    ("empty-stream.gz", gzip.compress(b"", mtime=0), "the gzip stream holds no data"),
    ("empty.xz", lzma.compress(b""), "the xz stream holds no data"),
    ("header-only.gz", gzip.compress(b"x" * 100, mtime=0)[:10], "no data decompressed before the stream damage"),
])
def test_empty_input_is_an_error_not_an_empty_table(tmp_path: Path, name: str, content: bytes, problem: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=problem) as err:
        read_mrt(path)
    assert str(path) in str(err.value) and "expected MRT records" in str(err.value)
