"""A small world dataset on two dates (LI and CU, the real 2022 mirror) and a dashboard app serving it."""

from __future__ import annotations

from pathlib import Path

import pytest

from splinternet import api
from splinternet.config import Settings
from splinternet.sources.snapshot import Snapshot
from splinternet.web import WebSettings, create_app

from .conftest import DATE, LATER, PREFIXES

COUNTRIES = ("LI", "CU")
QUICK = 120  # largest origins per country, as tests/world: the pages do not depend on the limit


@pytest.fixture(scope="session")
def world_root(mirror_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``root/<date>/``: one world dataset per date, as ``serve --world root`` is given them."""
    root = tmp_path_factory.mktemp("worlds")
    for day in (DATE, LATER):
        snap = Snapshot.for_date(day, settings=mirror_settings, prefixes_date=PREFIXES)
        api.build_world(day, root / day, options=api.WorldOptions(countries=COUNTRIES, max_origins=QUICK),
                        snapshot=snap)
    return root


@pytest.fixture(scope="session")
def dash_settings(mirror_settings: Settings, world_root: Path) -> WebSettings:
    data = Settings(cache_dir=mirror_settings.cache_dir, mirror=mirror_settings.mirror, offline=True)
    # a short time bound: a country the datasets lack is computed by a job, which these tests only start
    return WebSettings(data=data, world_dirs=(world_root,), prefixes_date=PREFIXES, timeout_s=5, workers=1,
                       disk_cache=False, jobs_per_client=8)


@pytest.fixture(scope="session")
def dash_app(dash_settings: WebSettings):
    return create_app(dash_settings)


@pytest.fixture(scope="session")
def dash_client(dash_app):
    from fastapi.testclient import TestClient

    with TestClient(dash_app) as c:
        yield c
