"""A compressed input cut short stops loading with one error, whatever the bad-record policy: the
records after the cut are lost and how many is unknown, so no share of bad records can stand for them
(the review's case: a pfx2as cut at 3.3 MB lost 76k records but showed only 2 bad lines)."""

from __future__ import annotations

import bz2
import os
import subprocess
import sys
from pathlib import Path

import pytest

from splinternet.config import Settings
from splinternet.errors import InputError
from splinternet.sources.snapshot import DatasetChoice, Snapshot

pytestmark = pytest.mark.data

PFX2AS = "publicdata.caida.org/datasets/routing/routeviews-prefix2as/2024/04/routeviews-rv2-20240406.pfx2as.gz"
ASREL = "publicdata.caida.org/datasets/as-relationships/serial-1/20220301.as-rel.txt.bz2"
CUT = 3_300_000


@pytest.fixture
def cut_pfx2as(shared_data_dir: Path, tmp_path: Path) -> Path:
    path = tmp_path / "cut.pfx2as.gz"
    path.write_bytes((shared_data_dir / PFX2AS).read_bytes()[:CUT])
    return path


@pytest.mark.parametrize("policy", [{}, {"allow_damaged": True}, {"strict": True}])
def test_a_cut_pfx2as_given_as_a_file_stops_the_snapshot(mirror_settings: Settings, cut_pfx2as: Path,
                                                         policy: dict[str, bool]) -> None:
    snap = Snapshot.for_date("2022-03-01", settings=mirror_settings,
                             choices={"routeviews-pfx2as": DatasetChoice(path=cut_pfx2as)}, **policy)
    with pytest.raises(InputError) as caught:
        snap.pfx2as(4)
    err = caught.value
    assert err.path == str(cut_pfx2as) and err.offset == CUT
    assert err.problem.startswith("gzip stream ends before its end-of-stream marker: the file is truncated")
    assert snap.damage_notes() == []


@pytest.mark.parametrize("policy", [{}, {"allow_damaged": True}])
def test_a_cut_bzip2_as_rel_in_the_mirror_stops_the_snapshot(shared_data_dir: Path, tmp_path: Path,
                                                             policy: dict[str, bool]) -> None:
    """The real as-rel cut 2 kB before its end: its last bzip2 block (tens of thousands of links) is lost."""
    raw = (shared_data_dir / ASREL).read_bytes()
    cut = raw[: len(raw) - 2000]
    whole, kept = bz2.decompress(raw), bz2.BZ2Decompressor().decompress(cut)
    assert whole.count(b"\n") - kept.count(b"\n") > 10_000  # far more lost than the 0.1% limit would let pass
    out = tmp_path / "mirror" / ASREL
    out.parent.mkdir(parents=True)
    out.write_bytes(cut)
    settings = Settings(cache_dir=tmp_path / "cache", mirror=str(tmp_path / "mirror"))
    with pytest.raises(InputError, match=rf"20220301.as-rel.txt.bz2 \(byte {len(cut)}\): bzip2 stream ends before "
                                         "its end-of-stream marker: the file is truncated"):
        Snapshot.for_date("2022-03-15", settings=settings, **policy).graph()


@pytest.mark.slow
def test_the_cli_says_so_in_one_line_and_exits_2(mirror_env, cut_pfx2as: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "splinternet", "transit", "LI", "--date", "2022-03-01", "--use",
                          f"routeviews-pfx2as={cut_pfx2as}", "--allow-damaged"],
                         capture_output=True, text=True, env=dict(os.environ), timeout=300)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith(f"error: {cut_pfx2as} (byte {CUT}): gzip stream ends before its end-of-stream "
                                 "marker: the file is truncated")
    assert out.stderr.count("\n") == 1
