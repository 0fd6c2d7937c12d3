"""A download smaller than its directory listing says is refused: a server on loopback lists and serves."""

from __future__ import annotations

import gzip
import http.server
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from index_pages import apache_pre, apache_size, apache_table, nginx_index, plain_index

from splinternet.config import Settings
from splinternet.sources.catalog import fetch_release
from splinternet.sources.download import SmallerThanListedError, fetch_url
from splinternet.sources.listing import ListedSize

pytestmark = pytest.mark.data

DIRECTORY = "/publicdata.caida.org/datasets/routing/routeviews-prefix2as/2014/12/"
NAME = "routeviews-rv2-20141202-1200.pfx2as.gz"
URL = "https://publicdata.caida.org/datasets/routing/routeviews-prefix2as/2014/12/" + NAME


class Site:
    """What the loopback server answers: a path -> the bodies of its successive GETs (the last repeats)."""

    def __init__(self) -> None:
        self.bodies: dict[str, list[bytes]] = {}
        self.headers: dict[str, dict[str, str]] = {}
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()

    def answer(self, path: str) -> tuple[bytes, dict[str, str]] | None:
        with self.lock:
            self.hits[path] += 1
            bodies = self.bodies.get(path)
            if bodies is None:
                return None
            return bodies[min(self.hits[path], len(bodies)) - 1], self.headers.get(path, {})


@pytest.fixture
def site() -> Iterator[tuple[Site, str]]:
    served = Site()

    class Handler(http.server.BaseHTTPRequestHandler):
        timeout = 10  # a stuck connection is dropped, never waited on forever

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            found = served.answer(self.path)
            if found is None:
                self.send_error(404)
                return
            body, headers = found
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def pfx2as(shared_data_dir: Path) -> tuple[bytes, bytes]:
    """The real prefix-to-AS file, and a copy cut at a line end halfway and compressed again.

    The copy is a whole gzip stream of whole lines: nothing in its content says it was cut.
    """
    full = (shared_data_dir / DIRECTORY.strip("/") / NAME).read_bytes()
    text = gzip.decompress(full)
    cut = gzip.compress(text[: text.index(b"\n", len(text) // 2) + 1], compresslevel=1)
    return full, cut


def _serve(served: Site, page: Callable[[str, dict[str, str]], str], shown: str, *bodies: bytes) -> None:
    served.bodies[DIRECTORY] = [page(DIRECTORY, {NAME: shown}).encode()]
    served.bodies[DIRECTORY + NAME] = list(bodies)


def _settings(tmp_path: Path, base: str, *, offline: bool = False) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", mirror=base, offline=offline)


@pytest.mark.parametrize("page", [apache_table, apache_pre], ids=["apache-table", "apache-pre"])
def test_a_copy_cut_at_a_line_end_is_refused_after_one_more_try(site, pfx2as, tmp_path: Path, page) -> None:
    served, base = site
    full, cut = pfx2as
    shown = apache_size(len(full))
    _serve(served, page, shown, cut)
    with pytest.raises(SmallerThanListedError) as caught:
        fetch_release("routeviews-pfx2as", "2014-12-02", _settings(tmp_path, base))
    message = str(caught.value)
    assert NAME in message and shown in message and f"{len(cut):,} bytes" in message
    assert caught.value.actual == len(cut) and caught.value.listed.shown == shown
    assert served.hits[DIRECTORY + NAME] == 2
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]  # nothing cut lands in the cache


def test_the_whole_file_is_accepted_within_the_rounding_and_its_listed_size_recorded(
        site, pfx2as, tmp_path: Path) -> None:
    served, base = site
    full, _ = pfx2as
    shown = apache_size(len(full))
    assert ListedSize.parse(shown) != ListedSize(shown, len(full), len(full))  # a rounded figure, not bytes
    _serve(served, apache_table, shown, full)
    release = fetch_release("routeviews-pfx2as", "2014-12-02", _settings(tmp_path, base))
    assert release.path.read_bytes() == full and served.hits[DIRECTORY + NAME] == 1
    assert release.listed_size == shown and release.to_dict()["listed_size"] == shown
    sidecar = json.loads(release.path.with_name(NAME + ".meta.json").read_text())
    assert sidecar["listed_size"] == shown
    again = fetch_release("routeviews-pfx2as", "2014-12-02", _settings(tmp_path, base, offline=True))
    assert again.listed_size == shown and again.file.sha256 == release.file.sha256


def test_a_cut_transfer_is_fetched_again_and_the_whole_copy_used(site, pfx2as, tmp_path: Path) -> None:
    served, base = site
    full, cut = pfx2as
    _serve(served, apache_pre, apache_size(len(full)), cut, full)
    release = fetch_release("routeviews-pfx2as", "2014-12-02", _settings(tmp_path, base))
    assert release.path.read_bytes() == full and served.hits[DIRECTORY + NAME] == 2


def test_exact_bytes_refuse_a_copy_missing_only_its_last_line(site, pfx2as, tmp_path: Path) -> None:
    served, base = site
    full, _ = pfx2as
    text = gzip.decompress(full)
    whole = gzip.compress(text, compresslevel=1, mtime=0)
    short = gzip.compress(text[: text.rindex(b"\n", 0, len(text) - 1) + 1], compresslevel=1, mtime=0)
    assert len(short) < len(whole)
    _serve(served, nginx_index, str(len(whole)), short)
    with pytest.raises(SmallerThanListedError, match=f"{len(whole):,} bytes"):
        fetch_release("routeviews-pfx2as", "2014-12-02", _settings(tmp_path, base))
    _serve(served, nginx_index, str(len(whole)), whole)
    assert fetch_release("routeviews-pfx2as", "2014-12-02", _settings(tmp_path, base)).listed_size == str(len(whole))


def test_a_listing_without_sizes_changes_nothing(site, pfx2as, tmp_path: Path) -> None:
    """Nothing to compare with: the copy is taken as before (its content checks still apply)."""
    served, base = site
    _, cut = pfx2as
    _serve(served, plain_index, "", cut)
    release = fetch_release("routeviews-pfx2as", "2014-12-02", _settings(tmp_path, base))
    assert release.path.read_bytes() == cut and release.listed_size is None
    assert release.to_dict()["listed_size"] is None and served.hits[DIRECTORY + NAME] == 1


def test_a_cut_copy_already_cached_is_replaced_or_removed(site, pfx2as, tmp_path: Path) -> None:
    served, base = site
    full, cut = pfx2as
    settings = _settings(tmp_path, base)
    _serve(served, plain_index, "", cut)
    cached = fetch_release("routeviews-pfx2as", "2014-12-02", settings).path
    _serve(served, apache_table, apache_size(len(full)), full)
    assert fetch_release("routeviews-pfx2as", "2014-12-02", settings).path.read_bytes() == full

    cached.unlink()
    _serve(served, plain_index, "", cut)
    fetch_release("routeviews-pfx2as", "2014-12-02", settings)
    _serve(served, apache_table, apache_size(len(full)), cut)
    with pytest.raises(SmallerThanListedError):
        fetch_release("routeviews-pfx2as", "2014-12-02", settings)
    assert not cached.exists() and not cached.with_name(NAME + ".meta.json").exists()


def test_bytes_sent_with_a_content_encoding_are_not_held_to_the_listed_size(site, tmp_path: Path) -> None:
    """The listing gives the file's size; a gzip transfer encoding sends other bytes, so no comparison."""
    served, base = site
    text = b"192.0.2.0\t24\t64496\n" * 1000
    path = "/example.org/list.txt"
    served.bodies[path] = [gzip.compress(text)]
    served.headers[path] = {"Content-Encoding": "gzip"}
    listed = ListedSize.parse(str(len(text)))
    got = fetch_url("https://example.org/list.txt", settings=_settings(tmp_path, base), listed_size=listed)
    assert got.size < len(text) and got.extra["listed_size"] == str(len(text))
