"""The download path: mirror directory, cache with sidecar, atomic writes, offline mode."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from splinternet.config import Settings
from splinternet.errors import DownloadError, OfflineError
from splinternet.sources.download import (
    NotFoundAtSource,
    atomic_write,
    cache_path,
    fetch_url,
    list_cached,
    list_directory,
    source_location,
)

URL = "https://publicdata.caida.org/datasets/as-relationships/serial-1/20220501.as-rel.txt.bz2"


@pytest.mark.data
def test_fetch_from_mirror_records_size_and_sha256(shared_data_dir: Path, tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "cache", mirror=str(shared_data_dir))
    cached = fetch_url(URL, settings=settings)
    original = shared_data_dir / "publicdata.caida.org/datasets/as-relationships/serial-1/20220501.as-rel.txt.bz2"
    assert cached.path == cache_path(URL, settings)
    assert cached.path.read_bytes() == original.read_bytes()
    assert cached.sha256 == hashlib.sha256(original.read_bytes()).hexdigest()
    assert cached.size == original.stat().st_size
    meta = json.loads(cached.path.with_name(cached.path.name + ".meta.json").read_text())
    assert meta["url"] == URL and meta["sha256"] == cached.sha256
    assert [c.url for c in list_cached(settings)] == [URL]
    # a second fetch is served from the cache, even offline and with the mirror gone
    offline = Settings(cache_dir=settings.cache_dir, mirror=None, offline=True)
    assert fetch_url(URL, settings=offline).sha256 == cached.sha256


@pytest.mark.data
def test_cache_entry_that_does_not_match_its_record_is_refetched(shared_data_dir: Path, tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "cache", mirror=str(shared_data_dir))
    cached = fetch_url(URL, settings=settings)
    cached.path.write_bytes(cached.path.read_bytes()[:100])  # a half-written file from an old crash
    again = fetch_url(URL, settings=settings)
    assert again.size == cached.size and again.path.stat().st_size == cached.size


def test_offline_without_cache_refuses(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path, mirror=None, offline=True)
    with pytest.raises(OfflineError, match="offline"):
        fetch_url(URL, settings=settings)


def test_missing_in_mirror_names_the_place(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "c", mirror=str(tmp_path / "mirror"))
    with pytest.raises(NotFoundAtSource, match="not in the mirror"):
        fetch_url(URL, settings=settings)
    assert not any((tmp_path / "c").rglob("*.bz2"))


def test_mirror_url_mapping(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path, mirror="https://mirror.example.org/base/")
    assert source_location(URL, settings) == (
        "https://mirror.example.org/base/publicdata.caida.org/datasets/as-relationships/serial-1/20220501.as-rel.txt.bz2"
    )
    local = Settings(cache_dir=tmp_path, mirror="/srv/m")
    assert source_location(URL, local) == "/srv/m/publicdata.caida.org/datasets/as-relationships/serial-1/20220501.as-rel.txt.bz2"


@pytest.mark.parametrize("bad", ["ftp://host/x", "https:///x", "https://host/../../etc/passwd"])
def test_bad_urls_rejected(tmp_path: Path, bad: str) -> None:
    with pytest.raises(DownloadError):
        fetch_url(bad, settings=Settings(cache_dir=tmp_path, mirror=str(tmp_path)))


def test_atomic_write_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(target) as out:
        out.write(b"partial")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.data
def test_list_directory_of_mirror(shared_data_dir: Path, tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path, mirror=str(shared_data_dir))
    names = list_directory("https://data.ris.ripe.net/rrc23/2022.04/", settings=settings)
    assert names == ["updates.20220421.0200.gz"]
    assert list_directory("https://data.ris.ripe.net/rrc99/1999.01/", settings=settings) == []
