"""The HTTP download path end to end: a mirror served over HTTP on loopback, listed and fetched."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from splinternet.config import Settings
from splinternet.errors import DataNotFoundError
from splinternet.sources.catalog import fetch_release
from splinternet.sources.download import NotFoundAtSource, fetch_url, list_directory

pytestmark = pytest.mark.data


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def http_mirror(curated_settings: Settings):
    handler = functools.partial(_Quiet, directory=str(curated_settings.mirror))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_release_resolved_by_listing_an_http_index(http_mirror: str, shared_data_dir: Path, tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "cache", mirror=http_mirror)
    release = fetch_release("caida-asrel", "2022-04-30", settings)
    original = shared_data_dir / "publicdata.caida.org/datasets/as-relationships/serial-1/20220301.as-rel.txt.bz2"
    assert release.url.endswith("/serial-1/20220301.as-rel.txt.bz2")
    assert release.file.source.startswith(http_mirror)
    assert release.file.sha256 == hashlib.sha256(original.read_bytes()).hexdigest()
    assert release.path.read_bytes() == original.read_bytes()
    names = list_directory("https://data.ris.ripe.net/rrc23/2022.05/", settings=settings)
    assert names == ["updates.20220501.2305.gz"]


def test_http_misses_are_clear(http_mirror: str, tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "cache", mirror=http_mirror)
    with pytest.raises(NotFoundAtSource, match="HTTP 404"):
        fetch_url("https://publicdata.caida.org/datasets/nothing-here.txt", settings=settings)
    with pytest.raises(DataNotFoundError, match="nearest releases that exist: 2022-05-01"):
        fetch_release("ris-updates", "2022-05-02T00:00", settings, collector="rrc23")
    assert not any(p.suffix == ".part" for p in (tmp_path / "cache").rglob("*"))


def test_offline_uses_what_the_http_mirror_left_in_the_cache(http_mirror: str, tmp_path: Path) -> None:
    online = Settings(cache_dir=tmp_path / "cache", mirror=http_mirror)
    first = fetch_release("caida-asorg", "2022-04-01", online)
    offline = Settings(cache_dir=tmp_path / "cache", mirror=http_mirror, offline=True)
    again = fetch_release("caida-asorg", "2022-04-01", offline)
    assert again.file.sha256 == first.file.sha256 and again.url == first.url
