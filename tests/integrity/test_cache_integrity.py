"""A cached file whose bytes changed since it was fetched is fetched again, or refused offline."""

from __future__ import annotations

import bz2
from pathlib import Path

import pytest

import splinternet.sources.download as download
from splinternet.config import Settings
from splinternet.errors import IntegrityError
from splinternet.sources.download import fetch_url
from splinternet.sources.snapshot import Snapshot

pytestmark = pytest.mark.data

ASREL = "https://publicdata.caida.org/datasets/as-relationships/serial-1/20220301.as-rel.txt.bz2"


@pytest.fixture
def cached(shared_data_dir: Path, tmp_path: Path) -> tuple[Settings, Path, str]:
    """A fresh cache holding the real as-rel file, fetched through the real download code."""
    settings = Settings(cache_dir=tmp_path / "cache", mirror=str(shared_data_dir))
    got = fetch_url(ASREL, settings=settings)
    return settings, got.path, got.sha256


def _flip_one_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_flipped_byte_is_fetched_again_from_the_mirror(cached, shared_data_dir: Path) -> None:
    settings, path, sha = cached
    _flip_one_byte(path, path.stat().st_size // 2)
    again = fetch_url(ASREL, settings=settings)
    assert again.sha256 == sha and path.read_bytes() == (shared_data_dir / ASREL.split("//", 1)[1]).read_bytes()


@pytest.mark.parametrize("damage", ["flip", "cut"])
def test_offline_a_changed_file_is_one_clear_error(cached, damage: str) -> None:
    settings, path, sha = cached
    if damage == "flip":
        _flip_one_byte(path, 1000)
    else:  # the same file cut to half its lines and compressed again: a complete, smaller as-rel
        text = bz2.decompress(path.read_bytes())
        path.write_bytes(bz2.compress(text[: text.find(b"\n", len(text) // 2) + 1]))
    offline = Settings(cache_dir=settings.cache_dir, offline=True)
    with pytest.raises(IntegrityError) as caught:
        fetch_url(ASREL, settings=offline)
    message = str(caught.value)
    assert str(path) in message and sha in message and caught.value.actual in message and "\n" not in message
    with pytest.raises(IntegrityError):  # and through a Snapshot: the analysis never sees the changed file
        Snapshot.for_date("2022-03-15", settings=offline).graph()


def test_each_file_is_hashed_once_per_process_until_it_changes(cached, monkeypatch) -> None:
    settings, path, _ = cached
    reads = []
    real = download._read_local
    monkeypatch.setattr(download, "_read_local", lambda p: (reads.append(p), real(p))[1])
    download._VERIFIED.clear()
    for _ in range(3):
        fetch_url(ASREL, settings=settings)
    assert reads == [path]
    _flip_one_byte(path, 10)  # a new mtime: hashed again, found changed, fetched again from the mirror
    fetch_url(ASREL, settings=settings)
    assert reads[1] == path and len(reads) == 3  # the changed file, then the copy from the mirror
