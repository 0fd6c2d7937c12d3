"""Damaged input: truncated RIBs from the mirror and damaged copies of a real update file."""

from __future__ import annotations

import bz2
import gzip
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

from splinternet.errors import InputError
from splinternet.sources.mrt import read_mrt

from .files import TRUNCATED
from .test_kernel_reference import table_tuples

pytestmark = pytest.mark.data
SMALL = "https://data.ris.ripe.net/rrc06/2015.04/updates.20150401.0000.gz"


@pytest.fixture(scope="module")
def clean(shared_file, tmp_path_factory):
    data = gzip.decompress(shared_file(SMALL).read_bytes())
    path = tmp_path_factory.mktemp("mrt") / "clean.mrt"
    path.write_bytes(data)
    return data, read_mrt(path)


def _record_starts(data: bytes) -> list[int]:
    out, p = [], 0
    while p + 12 <= len(data):
        out.append(p)
        p += 12 + struct.unpack_from(">I", data, p + 8)[0]
    return out


def _update_with_attributes(data: bytes, starts: list[int]) -> tuple[int, int]:
    """(record offset, offset of its first path attribute) of a mid-file BGP4MP_MESSAGE_AS4 IPv4 UPDATE."""
    for off in starts[len(starts) // 2 :]:
        typ, sub = struct.unpack_from(">HH", data, off + 4)
        afi = struct.unpack_from(">H", data, off + 12 + 10)[0]
        if typ == 16 and sub == 4 and afi == 1 and data[off + 12 + 20 + 18] == 2:
            m = off + 12 + 20 + 19
            wlen = struct.unpack_from(">H", data, m)[0]
            if struct.unpack_from(">H", data, m + 2 + wlen)[0] > 0:
                return off, m + 4 + wlen
    raise AssertionError("no UPDATE with attributes found")


def _check(path, data_clean_result, damage_at: int, *, skip_only: int | None = None) -> None:
    """Everything before ``damage_at`` is returned; the damage is reported there; strict raises there."""
    _, ref = data_clean_result
    res = read_mrt(path)
    assert res.bad.count >= 1
    first = res.bad.examples[0]
    assert first.offset == damage_at and str(path) in str(first)
    before = ref.table.take(np.flatnonzero(ref.table.record_offset < damage_at))
    got_before = res.table.take(np.flatnonzero(res.table.record_offset < damage_at))
    assert table_tuples(got_before) == table_tuples(before)
    if skip_only is not None:  # only that record is lost
        rest = ref.table.take(np.flatnonzero(ref.table.record_offset != skip_only))
        assert table_tuples(res.table) == table_tuples(rest)
    with pytest.raises(InputError) as err:
        read_mrt(path, strict=True)
    assert err.value.offset == damage_at


def test_cut_mid_record(clean, tmp_path) -> None:
    data, _ = clean
    starts = _record_starts(data)
    k = starts[len(starts) // 2]
    path = tmp_path / "cut.mrt.gz"
    path.write_bytes(gzip.compress(data[: k + 30]))
    _check(path, clean, k)


def test_corrupted_length_field(clean, tmp_path) -> None:
    data, _ = clean
    starts = _record_starts(data)
    k = starts[len(starts) // 3]
    damaged = bytearray(data)
    damaged[k + 8 : k + 12] = struct.pack(">I", 0x7FFFFFF0)
    path = tmp_path / "length.mrt"
    path.write_bytes(bytes(damaged))
    _check(path, clean, k)


def test_length_field_too_short(clean, tmp_path) -> None:
    data, _ = clean
    starts = _record_starts(data)
    k, _ = _update_with_attributes(data, starts)
    damaged = bytearray(data)
    ln = struct.unpack_from(">I", data, k + 8)[0]
    damaged[k + 8 : k + 12] = struct.pack(">I", ln - 7)
    path = tmp_path / "short.mrt"
    path.write_bytes(bytes(damaged))
    _check(path, clean, k)


def test_unknown_record_type_is_skipped(clean, tmp_path) -> None:
    data, _ = clean
    starts = _record_starts(data)
    k = starts[len(starts) // 2 + 1]
    damaged = bytearray(data)
    damaged[k + 4 : k + 6] = struct.pack(">H", 99)
    path = tmp_path / "type.mrt"
    path.write_bytes(bytes(damaged))
    _check(path, clean, k, skip_only=k)


def test_garbage_attribute_drops_only_its_record(clean, tmp_path) -> None:
    data, _ = clean
    starts = _record_starts(data)
    k, a = _update_with_attributes(data, starts)
    damaged = bytearray(data)
    damaged[a] = 0x50  # extended length ...
    damaged[a + 2 : a + 4] = b"\xff\xff"  # ... far past the attribute block
    path = tmp_path / "attr.mrt"
    path.write_bytes(bytes(damaged))
    _check(path, clean, k, skip_only=k)


@pytest.mark.parametrize("name", TRUNCATED, ids=lambda n: n.rsplit("/", 1)[-1])
def test_truncated_ribs(name, shared_data_dir) -> None:
    path = shared_data_dir / name
    res = read_mrt(path)
    assert res.stats.rib_entries > 100_000
    kinds = [e.problem for e in res.bad.examples]
    assert any("bzip2 stream ends" in k for k in kinds)
    assert res.bad.examples[0].offset == path.stat().st_size  # compressed offset of the cut
    with pytest.raises(InputError):
        read_mrt(path, strict=True)


def test_cli_strict_stops_with_one_line(shared_data_dir) -> None:
    path = shared_data_dir / TRUNCATED[0]
    out = subprocess.run([sys.executable, "-m", "splinternet", "mrt", "stats", "--strict", str(path)],
                         capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr and "byte" in out.stderr


def _mrt_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "splinternet", "mrt", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120)


NOT_MRT = "(byte 0): not an MRT file: no record parses"
HEADER = "expected a valid MRT common header (timestamp, type, subtype, length)"


def test_a_file_that_is_not_mrt_is_one_error(shared_data_dir, tmp_path) -> None:
    """A text file, the same compressed, and random bytes: no record parses, so no table of zeros."""
    text = shared_data_dir / "ftp.ripe.net/pub/stats/afrinic/delegated-afrinic-extended-latest"
    packed = tmp_path / "delegated.txt.gz"
    packed.write_bytes(gzip.compress(text.read_bytes()[:100_000]))
    noise = tmp_path / "random.bin"
    noise.write_bytes(np.random.default_rng(4).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    for path in (text, packed, noise):
        with pytest.raises(InputError) as caught:
            read_mrt(path)
        assert str(caught.value).startswith(f"{path} {NOT_MRT}") and HEADER in str(caught.value)
    for command in ("stats", "dump"):
        out = _mrt_cli(command, str(noise))
        assert out.returncode == 2 and out.stdout == "" and out.stderr.count("\n") == 1
        assert out.stderr.startswith(f"error: {noise} {NOT_MRT}") and HEADER in out.stderr


def test_a_real_record_cut_before_its_end_is_no_table(clean, tmp_path) -> None:
    """The first 30 bytes of a real update file: a valid header, its record cut: MRT, but nothing parses."""
    data, _ = clean
    path = tmp_path / "first30.mrt"
    path.write_bytes(data[:30])
    with pytest.raises(InputError, match=r"first30.mrt \(byte 0\): no MRT record in the file parses \(all 1 bad\); "
                                         "first: MRT record runs past the end of the data"):
        read_mrt(path)


def test_stats_of_a_file_without_elements_shows_no_none(shared_data_dir, tmp_path) -> None:
    """Only the PEER_INDEX_TABLE of a real RIB: a valid file with no element and so no time span."""
    data = bz2.decompress((shared_data_dir / "samples/mrt/rib.20161101.0000_pick.bz2").read_bytes())
    assert struct.unpack_from(">HH", data, 4) == (13, 1)  # TABLE_DUMP_V2 PEER_INDEX_TABLE
    path = tmp_path / "peers-only.mrt"
    path.write_bytes(data[: 12 + struct.unpack_from(">I", data, 8)[0]])
    out = _mrt_cli("stats", str(path))
    assert out.returncode == 0 and out.stderr == "", out.stderr
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in out.stdout.splitlines()
            if line.count("│") == 3}
    assert rows["records"] == "1" and rows["elements"] == "0" and rows["bad records"] == "0"
    assert rows["first time"] == rows["last time"] == "–" and "None" not in out.stdout


def test_a_cut_archive_in_an_analysis_is_kept_and_shown_in_its_notes(mirror_settings, shared_file, shared_data_dir,
                                                                       tmp_path) -> None:
    """MRT's policy in the analyses too: a cut copy of a real update file as observed evidence, and a truncated
    RIB as a blocking report's origins, keep what was read, and the damage is in the result's notes."""
    import datetime as dt

    from splinternet import api
    from splinternet.sources.snapshot import Snapshot

    raw = shared_file("https://data.ris.ripe.net/rrc23/2022.04/updates.20220421.0200.gz").read_bytes()
    cut = tmp_path / "updates.20220421.0200.gz"
    cut.write_bytes(raw[: len(raw) * 2 // 3])
    snapshot = Snapshot.for_date("2022-04-21T02:04", settings=mirror_settings, prefixes_date="2024-04-06")
    options = api.TransitOptions(evidence=api.Evidence.OBSERVED, mrt_files=(str(cut),), full_feed_share=0.0,
                                 max_origins=40)
    report = api.transit("UA", None, options=options, snapshot=snapshot)
    assert report.evidence["mrt_files"] == [str(cut)] and report.evidence["paths"] > 0
    [note] = [n for n in report.notes if n.startswith(str(cut))]
    assert "records bad and skipped" in note and "gzip stream ends before its end-of-stream marker" in note

    rib = shared_data_dir / TRUNCATED[1]
    data = Snapshot.for_date("2022-03-01", settings=mirror_settings).attribution(dt.date(2014, 5, 23), rib=(rib,),
                                                                                use_catalog=False)
    [note] = [n for n in data.damage if n.startswith(str(rib))]
    assert "2 of " in note and "bzip2 stream ends before its end-of-stream marker: the file is truncated" in note
    [row] = [r for r in data.releases if r["path"] == str(rib)]
    assert row["bad_records"]["bad"] == 2
