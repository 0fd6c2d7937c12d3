"""Shared fixtures: the real public data in ../shared/data, read through the real download code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from splinternet.config import Settings
from splinternet.sources.download import fetch_url

SHARED_DATA = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"needs the public data mirror at {SHARED_DATA}")
    return SHARED_DATA


# Country blocks for a date come from the five RIRs' files of that date when all exist, else
# from ipverse (see sources/country_blocks.py). So that tests pinned at a date keep their
# inputs as ../shared/data grows, every test reads the registries' files that were there when
# they were written, and no other source host.
STABLE_VIEW: dict[str, set[str]] = {
    ".": {"MANIFEST.tsv", "README.md", "archive.routeviews.org", "data.ris.ripe.net", "ftp.apnic.net",
          "ftp.ripe.net", "ip-ranges.amazonaws.com", "publicdata.caida.org", "raw.githubusercontent.com",
          "samples", "www.submarinecablemap.com"},
    "ftp.ripe.net/pub/stats": {"afrinic", "lacnic"},
    "ftp.apnic.net/stats/apnic": {"2022"},
    "ftp.apnic.net/stats/apnic/2022": {
        "delegated-apnic-20220224.gz", "delegated-apnic-20220301.gz", "delegated-apnic-20220601.gz"},
}


@pytest.fixture(scope="session")
def mirror_settings(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose downloads read the mirror (its ``STABLE_VIEW``) into a fresh cache for this session."""
    root = build_mirror(tmp_path_factory.mktemp("mirror"), shared_data_dir, STABLE_VIEW)
    return Settings(cache_dir=tmp_path_factory.mktemp("cache"), mirror=str(root), offline=False)


@pytest.fixture(scope="session")
def shared_file(mirror_settings: Settings):
    """``shared_file(url)``: the cached path of a public file, fetched from the mirror."""

    def get(url: str) -> Path:
        return fetch_url(url, settings=mirror_settings).path

    return get


# The releases that tests asserting "the newest release at or before a date" or "no release
# exists" are written against. ../shared/data grows; such tests read this fixed view of it.
CURATED_RELEASES: dict[str, set[str]] = {
    **STABLE_VIEW,
    "publicdata.caida.org/datasets/as-relationships/serial-1": {
        "20161101.as-rel.txt.bz2", "20220301.as-rel.txt.bz2", "20220501.as-rel.txt.bz2"},
    "publicdata.caida.org/datasets/as-relationships/serial-2": set(),
    "publicdata.caida.org/datasets/as-organizations": {"20220401.as-org2info.txt.gz"},
    "publicdata.caida.org/datasets/routing/routeviews-prefix2as": {"2024"},
    "data.ris.ripe.net/rrc23": {"2022.04", "2022.05"},
    "data.ris.ripe.net/rrc23/2022.04": {"updates.20220421.0200.gz"},
    "data.ris.ripe.net/rrc23/2022.05": {"updates.20220501.2305.gz"},
    "data.ris.ripe.net/rrc00": {"2000.01"},
    "data.ris.ripe.net/rrc00/2000.01": {"bview.20000111.0032.gz"},
    "archive.routeviews.org/route-views.sydney/bgpdata": {"2022.06"},
    "ftp.ripe.net/pub/stats": {"afrinic", "lacnic"},
    "data.ris.ripe.net/rrc06": {"2015.04"},
    "data.ris.ripe.net/rrc06/2015.04": {"updates.20150401.0000.gz"},
    "archive.routeviews.org/route-views.jinx/bgpdata": {"2015.04"},
    "archive.routeviews.org/route-views.jinx/bgpdata/2015.04/UPDATES": {"updates.20150401.0000.bz2"},
    "archive.routeviews.org/route-views.sydney/bgpdata/2022.06/UPDATES": {
        "updates.20220601.0230.bz2", "updates.20220601.0415.bz2"},
}


def build_mirror(root: Path, source: Path, only: dict[str, set[str]]) -> Path:
    """Mirror ``source`` at ``root`` through symlinks; each directory named in ``only`` (relative
    path) holds just the listed entries, so a test sees a fixed set of releases."""
    restricted_ancestors = {str(Path(*Path(d).parts[:i])) for d in only for i in range(1, len(Path(d).parts))}

    def walk(rel: Path) -> None:
        (root / rel).mkdir(parents=True, exist_ok=True)
        keep = only.get(rel.as_posix())
        for entry in sorted((source / rel).iterdir()):
            child = rel / entry.name
            if keep is not None and entry.name not in keep:
                continue
            if child.as_posix() in only or child.as_posix() in restricted_ancestors:
                walk(child)
            else:
                (root / child).symlink_to(entry)

    walk(Path("."))
    return root


@pytest.fixture(scope="session")
def curated_settings(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Like ``mirror_settings``, over a mirror restricted to ``CURATED_RELEASES``."""
    root = build_mirror(tmp_path_factory.mktemp("curated"), shared_data_dir, CURATED_RELEASES)
    return Settings(cache_dir=tmp_path_factory.mktemp("curated-cache"), mirror=str(root), offline=False)


@pytest.fixture
def curated_env(curated_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Environment for CLI tests over the curated mirror."""
    monkeypatch.setenv("SPLINTERNET_MIRROR", str(curated_settings.mirror))
    monkeypatch.setenv("SPLINTERNET_CACHE", str(curated_settings.cache_dir))
    monkeypatch.delenv("SPLINTERNET_OFFLINE", raising=False)
    return curated_settings


@pytest.fixture
def mirror_env(mirror_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Environment for CLI tests: the mirror and this session's cache."""
    monkeypatch.setenv("SPLINTERNET_MIRROR", str(mirror_settings.mirror))
    monkeypatch.setenv("SPLINTERNET_CACHE", str(mirror_settings.cache_dir))
    monkeypatch.delenv("SPLINTERNET_OFFLINE", raising=False)
    return mirror_settings


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(__file__).resolve().parents[1] / ".numba_cache"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-golden", action="store_true", default=False,
                     help="Rewrite the golden files of the presentation snapshot tests (tests/report/golden) "
                          "instead of comparing with them; also SPLINTERNET_REGEN_GOLDEN=1.")


def _start_rank(module: list[pytest.Item]) -> int:
    """0 for a module marked ``first``, 1 with a slow peer comparison (its peer runs processes of its
    own), 2 with another slow test, 3 otherwise."""
    marks = [{m.name for m in item.iter_markers()} for item in module]
    if any("first" in m for m in marks):
        return 0
    return 1 if any({"peer", "slow"} <= m for m in marks) else 2 if any("slow" in m for m in marks) else 3


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Whole modules reordered: modules marked ``first``, slow peer comparisons, modules with a slow
    test, then the rest.

    pytest-xdist (``--dist loadscope --no-loadscope-reorder``, pyproject) hands modules to the
    two workers in this order, so the long ones start at once and the many short ones fill the
    end; by default it would start with the modules of most tests and leave single long tests
    for last, one worker running them while the other idles. Each worker is handed two modules at
    the start; if both began with MRT comparisons, both would compile the MRT walker at once (about
    40 s on a clean machine, then cached), so the BGPy comparison, which parses no MRT, is marked
    ``first``. Tests within a module keep their order.
    """
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    order = sorted(modules.values(), key=_start_rank)  # stable: collection order within a rank
    items[:] = [item for module in order for item in module]
