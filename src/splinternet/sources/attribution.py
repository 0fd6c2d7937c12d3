"""The tables a blocking analysis attributes addresses with, and the files they came from.

Built by :meth:`splinternet.sources.snapshot.Snapshot.attribution` (catalog releases by
date, or files the caller chose); read by :mod:`splinternet.analysis.blocking`, which
needs the tables only, never how they were found.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .asorg import OrgTable
from .cloud_attribution import CloudSpace
from .origins import OriginTable

__all__ = ["AttributionData"]


@dataclass(frozen=True)
class AttributionData:
    """Loaded attribution tables (None where unavailable) and what was used or missing.

    ``releases`` are JSON-ready rows (dataset, release_date, path, sha256, url,
    days_from_target, note); ``missing`` says why a dataset is absent.
    """

    target: dt.date
    origins: tuple[OriginTable, ...]
    orgs: OrgTable | None
    cloud: CloudSpace | None
    releases: tuple[dict[str, Any], ...]
    missing: tuple[str, ...]
    damage: tuple[str, ...] = ()  # one note per file whose loading skipped records
    chosen: tuple[str, ...] = ()  # one note per dataset the caller chose instead of the catalog
    date_basis: str = ""  # why ``target`` is the date: the caller chose it, or the register's own date

    def origin_table(self, version: int) -> OriginTable | None:
        """The first prefix -> origin table that covers this address family."""
        return next((t for t in self.origins if t.has(version)), None)

    def damage_notes(self) -> list[str]:
        """One note per file whose loading skipped records."""
        return list(self.damage)

    def to_dict(self) -> dict[str, Any]:
        return {"target_date": self.target.isoformat(), "date_basis": self.date_basis,
                "releases": [dict(r) for r in self.releases],
                "missing": list(self.missing), "chosen": list(self.chosen)}
