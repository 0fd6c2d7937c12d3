"""The dataset catalog, fetching a release into the cache, and what the cache holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..config import Settings
from ..errors import ParameterError
from ..progress import NO_PROGRESS, Progress
from ..sources.catalog import DATASETS, Release, fetch_release
from ..sources.download import CachedFile, list_cached

__all__ = ["cached_files", "dataset_params", "datasets", "fetch"]


def datasets() -> list[dict[str, Any]]:
    """Every dataset the catalog knows: name, description, cadence, address pattern, parameters."""
    return [{"name": d.name, "description": d.description, "cadence": d.cadence, "address": d.address,
             "params": list(d.params)} for d in DATASETS.values()]


def dataset_params(values: list[str]) -> dict[str, str]:
    """NAME=VALUE pairs (collector=rrc00, rir=ripencc, cc=RU, family=4) as a dict."""
    out = {}
    for item in values:
        if "=" not in item:
            raise ParameterError(f"a dataset parameter is NAME=VALUE, not {item!r}")
        name, value = item.split("=", 1)
        out[name.strip()] = value.strip()
    return out


def fetch(dataset: str, date: str | dt.date | None = None, params: dict[str, str] | None = None, *,
          settings: Settings | None = None, progress: Progress = NO_PROGRESS) -> Release:
    """The release of ``dataset`` in force at ``date``, fetched into the cache."""
    return fetch_release(dataset, date, settings or Settings.from_env(), progress=progress, **(params or {}))


def cached_files(settings: Settings | None = None) -> list[CachedFile]:
    """What the cache holds, with dataset, release, size and sha256."""
    return list_cached(settings or Settings.from_env())
