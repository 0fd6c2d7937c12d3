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


@pytest.fixture(scope="session")
def mirror_settings(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose downloads read the mirror into a fresh cache for this test session."""
    return Settings(cache_dir=tmp_path_factory.mktemp("cache"), mirror=str(shared_data_dir), offline=False)


@pytest.fixture(scope="session")
def shared_file(mirror_settings: Settings):
    """``shared_file(url)``: the cached path of a public file, fetched from the mirror."""

    def get(url: str) -> Path:
        return fetch_url(url, settings=mirror_settings).path

    return get


@pytest.fixture
def mirror_env(mirror_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Environment for CLI tests: the mirror and this session's cache."""
    monkeypatch.setenv("SPLINTERNET_MIRROR", str(mirror_settings.mirror))
    monkeypatch.setenv("SPLINTERNET_CACHE", str(mirror_settings.cache_dir))
    monkeypatch.delenv("SPLINTERNET_OFFLINE", raising=False)
    return mirror_settings


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(__file__).resolve().parents[1] / ".numba_cache"))
