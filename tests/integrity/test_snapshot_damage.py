"""Bad-record counts of every input reach the results: Release.bad_records, provenance JSON and notes."""

from __future__ import annotations

import bz2
from pathlib import Path

import pytest

from splinternet.config import Settings
from splinternet.errors import DamagedInputError, InputError
from splinternet.sources.snapshot import Snapshot

pytestmark = pytest.mark.data

ASREL_DIR = "publicdata.caida.org/datasets/as-relationships/serial-1"


def test_clean_inputs_say_how_many_records_were_read(mirror_settings: Settings) -> None:
    snap = Snapshot.for_date("2022-03-15", settings=mirror_settings)
    snap.graph()
    [source] = snap.provenance()
    assert source["bad_records"]["records"] > 400_000 and source["bad_records"]["bad"] == 0
    assert snap.damage_notes() == []


@pytest.fixture
def damaged_mirror(shared_data_dir: Path, tmp_path: Path) -> Path:
    """A small mirror whose 2022-03-01 as-rel has garbage in place of 0.5% of its lines."""
    text = bz2.decompress((shared_data_dir / ASREL_DIR / "20220301.as-rel.txt.bz2").read_bytes())
    lines = text.split(b"\n")
    for k in range(100, len(lines) - 1, 200):
        lines[k] = b"garbage|line"
    out = tmp_path / "mirror" / ASREL_DIR / "20220301.as-rel.txt.bz2"
    out.parent.mkdir(parents=True)
    out.write_bytes(bz2.compress(b"\n".join(lines)))
    return tmp_path / "mirror"


def test_a_damaged_as_rel_is_refused_or_reported_never_silent(damaged_mirror: Path, tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "cache", mirror=str(damaged_mirror))
    with pytest.raises(DamagedInputError, match=r"20220301.as-rel.txt.bz2:101 .*records bad"):
        Snapshot.for_date("2022-03-15", settings=settings).graph()
    snap = Snapshot.for_date("2022-03-15", settings=settings, allow_damaged=True)
    snap.graph()
    [note] = snap.damage_notes()
    assert "20220301.as-rel.txt.bz2" in note and "records bad and skipped" in note and ":101" in note
    [source] = snap.provenance()
    assert source["bad_records"]["bad"] > 2000 and source["bad_records"]["examples"][0]["line"] == 101
    with pytest.raises(InputError, match=r":101 \(byte \d+\): too few fields|first field"):
        Snapshot.for_date("2022-03-15", settings=settings, strict=True).graph()
