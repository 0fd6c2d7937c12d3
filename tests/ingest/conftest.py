"""Ingest plans count the files of a window: they read the curated mirror, which does not grow."""

from __future__ import annotations

import pytest

from splinternet.config import Settings


@pytest.fixture(scope="session")
def mirror_settings(curated_settings: Settings) -> Settings:
    return curated_settings
