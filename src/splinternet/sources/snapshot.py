"""The public data for one date, loaded on first use and kept with its provenance.

Commands and the web app ask a :class:`Snapshot` for tables (AS graph, organizations,
prefix-to-AS, country blocks); it resolves each dataset's release for the date through
the catalog, loads it once, and records which release it used, so every result can
name its inputs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from ..config import Settings
from ..dates import check_not_future, date_label, newest_data_notes
from ..errors import BadRecords
from ..progress import NO_PROGRESS, Progress
from .catalog import Release, fetch_release, release_key

__all__ = ["Snapshot"]

# tables that depend only on the dates (not on a country), keyed as in Snapshot, with the
# catalog dataset whose release each was read from
_DATE_WIDE = {"graph": "caida-asrel", "orgs": "caida-asorg", "routeviews-pfx2as": "routeviews-pfx2as",
              "routeviews-pfx2as6": "routeviews-pfx2as6"}


@dataclass
class Snapshot:
    """Lazily loaded tables for ``date``; ``prefixes_date`` may differ when a release is missing."""

    date: dt.datetime | None
    settings: Settings = field(default_factory=Settings.from_env)
    progress: Progress = NO_PROGRESS
    prefixes_date: dt.datetime | None = None
    strict: bool = False
    allow_damaged: bool = False
    releases: dict[str, Release] = field(default_factory=dict)
    bad: BadRecords = field(default_factory=BadRecords)
    notes: list[str] = field(default_factory=list)
    _tables: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def for_date(cls, date: str | dt.date | None, *, settings: Settings | None = None,
                 prefixes_date: str | dt.date | None = None, strict: bool = False, allow_damaged: bool = False,
                 progress: Progress = NO_PROGRESS) -> Snapshot:
        """``strict`` stops at the first bad record; ``allow_damaged`` goes on past the bad-record limit
        (``settings.max_bad_share`` of a file's records) that otherwise stops loading."""
        when = check_not_future(date)
        settings = settings or Settings.from_env()
        return cls(
            date=when,
            settings=settings,
            progress=progress,
            prefixes_date=check_not_future(prefixes_date, name="prefix-to-AS date") if prefixes_date else when,
            strict=strict,
            allow_damaged=allow_damaged,
            bad=settings.bad_records(strict=strict, allow_damaged=allow_damaged),
        )

    def release(self, dataset: str, *, when: dt.datetime | None = None, **params: str) -> Release:
        key = release_key(dataset, params)
        if key not in self.releases:
            self.releases[key] = fetch_release(dataset, when if when is not None else self.date, self.settings,
                                               progress=self.progress, **params)
        return self.releases[key]

    def _cached(self, key: str, load: Any) -> Any:
        if key not in self._tables:
            self._tables[key] = load()
        return self._tables[key]

    def graph(self):  # noqa: ANN201 - tables.topology.ASGraph
        """The CAIDA AS-relationship graph (serial-1) for the date."""
        from .asrel import load_as_relationships

        return self._cached("graph", lambda: load_as_relationships(self.release("caida-asrel").path, bad=self.bad))

    def orgs(self):  # noqa: ANN201 - sources.asorg.OrgTable
        """CAIDA AS organizations for the date."""
        from .asorg import load_as_orgs

        return self._cached("orgs", lambda: load_as_orgs(self.release("caida-asorg").path, bad=self.bad))

    def pfx2as(self, family: int = 4):  # noqa: ANN201 - sources.pfx2as.Pfx2As
        """RouteViews prefix-to-AS for the (prefixes) date; IPv4 or IPv6."""
        from .pfx2as import load_pfx2as

        dataset = "routeviews-pfx2as" if family == 4 else "routeviews-pfx2as6"
        return self._cached(
            dataset, lambda: load_pfx2as(self.release(dataset, when=self.prefixes_date).path, bad=self.bad)
        )

    def country_blocks(self, cc: str):  # noqa: ANN201 - tables.prefixes.RangeSet
        """The country's IPv4 and IPv6 blocks for the date, from the RIR files of the date (ipverse
        only to complete a day some RIR file is missing); what was used and missing goes to notes."""
        return self.country_blocks_detail(cc).blocks

    def country_blocks_detail(self, cc: str):  # noqa: ANN201 - sources.country_blocks.CountryBlocks
        """:meth:`country_blocks` with its source, releases and missing registries."""
        from .country_blocks import country_blocks_for_date
        from .rir import load_country_blocks, load_delegated

        def load() -> Any:
            def resolve(dataset: str, **params: str) -> Release:
                return self.releases.get(release_key(dataset, params)) or fetch_release(
                    dataset, self.date, self.settings, progress=self.progress, **params)

            def delegations(release: Release) -> Any:
                return self._cached(f"delegations|{release.url}", lambda: load_delegated(release.path, bad=self.bad))

            result = country_blocks_for_date(
                cc, self.date, resolve=resolve, delegations=delegations,
                ipverse=lambda v4, v6: load_country_blocks(v4.path, v6.path, bad=self.bad))
            for release in result.releases:  # provenance: only the files the blocks came from
                self.releases.setdefault(release_key(release.dataset, release.params), release)
            self.notes.extend(result.notes)
            return result

        return self._cached(f"blocks-detail|{cc.lower()}", load)

    def input_dates(self) -> dict[str, dt.datetime]:
        """The concrete release time of every input used so far (what "latest" turned out to be)."""
        return {key: release.released for key, release in self.releases.items()}

    def date_notes(self) -> list[str]:
        """For the newest data (no date asked), one note giving the concrete date of every input."""
        return newest_data_notes(self.date, self.input_dates())

    def date_label(self) -> str:
        """The date to print for a result: the one asked for, or the concrete date of the newest data."""
        return date_label(self.date, self.input_dates())

    def delegations(self, rir: str):  # noqa: ANN201 - sources.rir.Delegations
        """One RIR's delegated-extended file for the date."""
        from .rir import load_delegated

        return self._cached(f"delegated|{rir}",
                            lambda: load_delegated(self.release("rir-delegated", rir=rir).path, bad=self.bad))

    def cloud_ranges(self, dataset: str, **params: str):  # noqa: ANN201 - sources.cloud.CloudRanges
        """One provider's cloud ranges (a catalog dataset such as aws-ip-ranges) for the date."""
        from .cloud import load_cloud_file

        key = dataset + "".join(f"|{k}={v}" for k, v in sorted(params.items()))
        return self._cached(f"cloud|{key}", lambda: load_cloud_file(self.release(dataset, **params).path, bad=self.bad))

    def damage_notes(self) -> list[str]:
        """One note per input file whose loading skipped records (count, share, first bad line)."""
        return self.bad.notes()

    def date_wide_tables(self) -> dict[str, tuple[Any, Release]]:
        """The loaded tables that depend only on the dates (graph, organizations, prefix-to-AS),
        each with its release, so a server can hand them to the next Snapshot of the same dates."""
        used = {key: release for key, release in zip(self.releases, self.used_releases(), strict=True)}
        return {key: (self._tables[key], used[dataset]) for key, dataset in _DATE_WIDE.items()
                if key in self._tables and dataset in used}

    def adopt_tables(self, tables: dict[str, tuple[Any, Release]]) -> None:
        """Use tables from :meth:`date_wide_tables` of a Snapshot of the same dates instead of loading."""
        for key, (value, release) in tables.items():
            self._tables[key] = value
            self.releases[_DATE_WIDE[key]] = release
            if release.bad_records is not None:  # what loading it skipped is still said
                self.bad.files.setdefault(str(release.path), release.bad_records)

    def used_releases(self) -> list[Release]:
        """Every release this snapshot used, each with what loading it skipped (``Release.bad_records``)."""
        out = []
        for release in self.releases.values():
            damage = self.bad.files.get(str(release.path))
            out.append(replace(release, bad_records=damage) if damage is not None else release)
        return out

    def provenance(self) -> list[dict[str, Any]]:
        """Every release this snapshot used: dataset, release date, URL, size, sha256, bad records."""
        return [r.to_dict() for r in self.used_releases()]
